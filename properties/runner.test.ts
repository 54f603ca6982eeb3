import { describe, expect, it } from 'vitest';
import { SUPPORTED, unsupported, type Backend } from '../problem/backend.ts';
import { referenceBackend } from '../adapters/reference.ts';
import { CONV_TYPES } from '../problem/conv-types.ts';
import { agreementLaw } from './laws/agreement.ts';
import { allLaws, lawByName } from './laws/index.ts';
import { dilationLaw } from './laws/dilation.ts';
import { shufflePermutationLaw } from './laws/channel-shuffle.ts';
import { costLaw } from './laws/cost.ts';
import { outputShapeLaw } from './laws/output-shape.ts';
import { receptiveFieldLaw } from './laws/receptive-field.ts';
import { allMutants } from './mutants.ts';
import { countVerdicts, formatFailure, mistrustedMessage, replayCommand, runInOrder, runLaws, selectLaws } from './runner.ts';

const flipped = allMutants().find((m) => m.name === 'flipped-kernel')!.backend;

describe('runLaws', () => {
  it('reports a shrunk failure with law, backend, descriptor, seed, path, first mismatch and replay command', async () => {
    const result = await runLaws({ backend: flipped, laws: [agreementLaw], numRuns: 50, seed: 5 });
    expect(result.failures).toHaveLength(1);
    const failure = result.failures[0];
    const text = formatFailure(failure);
    expect(text).toContain('law:        the backend agrees with the reference');
    expect(text).toContain('backend:    mutant:flipped-kernel');
    expect(text).toContain(`descriptor: ${failure.descriptor}`);
    expect(text).toContain('seed:       5');
    expect(text).toMatch(/path:\s+\d+(:\d+)*/);
    expect(text).toMatch(/first mismatch: index \d+, got -?[\d.e+-]+, expected -?[\d.e+-]+, bound [\d.e+-]+/);
    expect(text).toContain(`replay:     CONVCHECK_SEED=5 npx convcheck gate --backend mutant:flipped-kernel --law 'the backend agrees with the reference' --path ${failure.path}`);
    // The shrunk case is small: a flipped kernel shows with two taps on one axis.
    expect(failure.descriptor.length).toBeLessThan(40);
    // Seed + path replay exactly that case.
    const replay = await runLaws({ backend: flipped, laws: [agreementLaw], seed: 5, path: failure.path });
    expect(replay.failures[0]?.descriptor).toBe(failure.descriptor);
    // Every non-shrunk case has its own path, and the failure is recorded once.
    expect(result.cases.filter((c) => c.verdict === 'fail')).toHaveLength(1);
  });

  it('records every generated case once and passes them all on the reference', async () => {
    const seen: string[] = [];
    const result = await runLaws({ backend: referenceBackend, laws: [dilationLaw], numRuns: 12, seed: 3, onCase: (c) => seen.push(c.path ?? '') });
    expect(result.cases).toHaveLength(12);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
    expect(countVerdicts(result.cases)).toEqual({ pass: 12, fail: 0, unsupported: 0, error: 0, known: 0, weak: 0 });
  });

  it('counts unsupported cases by reason and never as passes', async () => {
    const convOnly: Backend = { ...referenceBackend, name: 'conv-only', supports: (p) => (p.op === 'conv' ? SUPPORTED : unsupported('conv-only: no ConvTranspose')) };
    const result = await runLaws({ backend: convOnly, laws: [agreementLaw], numRuns: 60, seed: 9 });
    const counts = countVerdicts(result.cases);
    expect(counts.unsupported).toBeGreaterThan(0);
    expect(counts.pass).toBeGreaterThan(0);
    expect(counts.pass + counts.unsupported + counts.weak).toBe(60);
    for (const c of result.cases.filter((r) => r.verdict === 'weak')) expect(c.message).toMatch(/^mistrusted: /);
    expect(result.unsupportedByReason).toEqual({ 'conv-only: no ConvTranspose': counts.unsupported });
    for (const c of result.cases.filter((r) => r.verdict === 'unsupported')) expect(c.convType).toBe('transposed');
  });

  it('says how many zeros made a case mistrusted, never rounding a share up to all of them', () => {
    expect(mistrustedMessage(1)).toBe('mistrusted: every reference output is all zeros (over 70%), so an implementation returning zeros would pass');
    expect(mistrustedMessage(0.996)).toMatch(/^mistrusted: 99% or more of every reference output is zero \(over 70%\)/);
    expect(mistrustedMessage(0.75)).toMatch(/^mistrusted: 75% or more/);
  });

  it('routes a failure explained by a known discrepancy to the known verdict', async () => {
    const known = { id: 'flip', backend: 'mutant:flipped-kernel', descriptor: 'mb1ic1iw2oc1kw2', summary: 'kernel flipped', observed: 'x', expected: 'y', matches: () => true };
    const result = await runLaws({ backend: { ...flipped, knownDiscrepancies: [known] }, laws: [agreementLaw], numRuns: 30, seed: 5 });
    expect(result.failures).toEqual([]);
    const knownCases = result.cases.filter((c) => c.verdict === 'known');
    expect(knownCases.length).toBeGreaterThan(0);
    expect(knownCases[0].knownId).toBe('flip');
    expect(knownCases[0].message).toMatch(/^known discrepancy flip/);
  });

  it('turns a backend that throws into an error verdict carrying its message', async () => {
    const broken: Backend = { ...referenceBackend, name: 'thrower', run: async () => { throw new Error('out of memory'); } };
    const result = await runLaws({ backend: broken, laws: [agreementLaw], numRuns: 5, seed: 1, shrink: false });
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0].record.verdict).toBe('error');
    expect(result.failures[0].message).toMatch(/thrower threw on .*: out of memory/);
  });

  it('runs only the laws and problem types asked for', async () => {
    const result = await runLaws({ backend: referenceBackend, numRuns: 3, seed: 2, convTypes: ['depthwise'] });
    expect(result.lawsRun.length).toBeGreaterThan(3);
    for (const name of result.lawsRun) expect(lawByName(name).convTypes).toContain('depthwise');
    expect(new Set(result.cases.map((c) => c.convType))).toEqual(new Set(['depthwise']));
    expect(() => selectLaws({ backend: referenceBackend, convTypes: ['conv4d'] })).toThrow(/unknown conv type "conv4d"/);
  });

  it('splits the laws into disjoint shards that cover them all; structural laws only on the reference', () => {
    const all = selectLaws({ backend: referenceBackend }).map((s) => s.law.name);
    const shards = [0, 1, 2].map((index) => selectLaws({ backend: referenceBackend, shard: { index, count: 3 } }).map((s) => s.law.name));
    expect(shards.flat().sort()).toEqual([...all].sort());
    expect(new Set(shards.flat()).size).toBe(all.length);
    const onBackend = selectLaws({ backend: flipped }).map((s) => s.law.name);
    expect(onBackend).not.toContain('the output shape is the shape arithmetic');
    expect(onBackend.length).toBeLessThan(all.length);
    expect(() => selectLaws({ backend: referenceBackend, shard: { index: 3, count: 3 } })).toThrow(/shard/);
  });

  it('quotes replay commands for a shell', () => {
    expect(replayCommand({ seed: -4, backend: 'cmd:python conv.py', law: "it's", path: '1:2', convTypes: ['grouped'], precision: 'fp16' }))
      .toBe(`CONVCHECK_SEED=-4 npx convcheck gate --backend 'cmd:python conv.py' --law 'it'\\''s' --path 1:2 --conv-types grouped --precision fp16`);
  });
});

describe('the laws', () => {
  it('each has a sentence for a name, a one-line formula and conv types; the structural ones are exactly the shape, cost, receptive-field and shuffle laws', () => {
    const names = new Set<string>();
    for (const law of allLaws()) {
      expect(names.has(law.name), law.name).toBe(false);
      names.add(law.name);
      expect(law.name).toMatch(/^[a-zA-Z][^\n"`]* [^\n"`]*[^.]$/); // one line, words, no final period
      expect(law.math.length).toBeGreaterThan(5);
      expect(law.math).not.toContain('\n');
      expect(law.convTypes.length).toBeGreaterThan(0);
      for (const t of law.convTypes) expect(CONV_TYPES).toContain(t);
    }
    expect(allLaws().filter((l) => l.structural).map((l) => l.name)).toEqual([
      shufflePermutationLaw.name, outputShapeLaw.name, costLaw.name, receptiveFieldLaw.name,
    ]);
    expect(() => lawByName('no such law')).toThrow(/no law is named "no such law"/);
  });

  it('cover every conv type of the article', () => {
    const covered = new Set(allLaws().flatMap((l) => l.convTypes));
    expect(CONV_TYPES.filter((t) => !covered.has(t))).toEqual([]);
  });
});

describe('runLaws against a backend that hangs or a caller that throws', () => {
  const hanging: Backend = {
    name: 'hangs', version: '0', precision: 'fp32', supports: () => SUPPORTED,
    run: () => new Promise(() => { /* never answers */ }),
  };

  it('does not shrink through time-outs, and stops running a backend after 3 time-outs in a row', async () => {
    const started = Date.now();
    const laws = [agreementLaw, dilationLaw, lawByName('transposed conv is the adjoint of conv')!, lawByName('batch items are computed independently')!, lawByName('conv is linear in x and in w, and the bias adds per channel')!];
    const result = await runLaws({ backend: hanging, laws, numRuns: 5, seed: 1, timeoutMs: 40 });
    // each law's first case times out once (no shrinking, no re-run); after three, the rest are not run
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.failures).toHaveLength(3);
    expect(result.cases.every((c) => c.verdict === 'error')).toBe(true);
    expect(result.cases.filter((c) => /did not answer within 40 ms/.test(c.message ?? ''))).toHaveLength(3);
    expect(result.cases.filter((c) => c.message === 'not run: hangs timed out 3 times in a row')).toHaveLength(laws.length - 3);
  });

  it('an exception in the caller\'s onCase is an error verdict, never a pass', async () => {
    let calls = 0;
    const result = await runLaws({
      backend: referenceBackend, laws: [dilationLaw], numRuns: 5, seed: 2,
      onCase: () => { if (++calls === 2) throw new Error('progress display broke'); },
    });
    const errors = result.cases.filter((c) => c.verdict === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/^the caller's onCase threw on this case: progress display broke \(the case was pass: /);
    expect(result.failures).toHaveLength(1);
    expect(result.cases).toHaveLength(5);
  });
});

describe('runLaws on a backend that queues its calls', () => {
  /** The reference behind a queue of one call at a time, as a process backend is; counts how many calls overlap. */
  function queued(): { backend: Backend; mostWaiting: () => number; startedCalls: () => number } {
    let queue: Promise<unknown> = Promise.resolve();
    let waiting = 0, most = 0, started = 0;
    const backend: Backend = {
      name: 'queued', version: '0', precision: 'fp32', queuesCalls: true,
      supports: (p) => referenceBackend.supports(p),
      run: (p, operands, call) => {
        if (call?.started === undefined) return Promise.reject(new Error('called without options.started'));
        waiting++;
        most = Math.max(most, waiting);
        const result = queue.then(async () => {
          call?.started?.();
          started++;
          await new Promise((resolve) => setTimeout(resolve, 1));
          return referenceBackend.run(p, operands);
        }).finally(() => { waiting--; });
        queue = result.catch(() => undefined);
        return result;
      },
    };
    return { backend, mostWaiting: () => most, startedCalls: () => started };
  }

  it('keeps two laws in flight, and their records come in law order, the same as one at a time', async () => {
    const laws = [dilationLaw, agreementLaw, lawByName('batch items are computed independently')!, lawByName('a grouped conv is the concatenation of independent convs on channel slices')!];
    const q = queued();
    const seen: string[] = [];
    const overlapped = await runLaws({ backend: q.backend, laws, numRuns: 8, seed: 5, onCase: (r) => seen.push(`${r.law} ${r.descriptor} ${r.verdict}`) });
    expect(q.mostWaiting()).toBe(2);
    expect(q.startedCalls()).toBeGreaterThan(0);
    const oneAtATime = await runLaws({ backend: { ...q.backend, queuesCalls: false }, laws, numRuns: 8, seed: 5 });
    const key = (r: { law: string; descriptor: string; verdict: string }): string => `${r.law} ${r.descriptor} ${r.verdict}`;
    expect(overlapped.cases.map(key)).toEqual(oneAtATime.cases.map(key));
    expect(seen).toEqual(oneAtATime.cases.map(key));
    expect(overlapped.cases.every((c) => c.verdict === 'pass' || c.verdict === 'weak' || c.verdict === 'unsupported')).toBe(true);
  });

  it('finds and shrinks the same failures as one at a time', async () => {
    const laws = [agreementLaw, dilationLaw, lawByName('transposed conv is the adjoint of conv')!, lawByName('batch items are computed independently')!];
    const broken: Backend = { ...flipped, queuesCalls: true, run: (p, operands, call) => { call?.started?.(); return flipped.run(p, operands); } };
    const overlapped = await runLaws({ backend: broken, laws, numRuns: 10, seed: 9 });
    const oneAtATime = await runLaws({ backend: flipped, laws, numRuns: 10, seed: 9 });
    const key = (r: { law: string; descriptor: string; verdict?: string; path?: string }): string => `${r.law} ${r.descriptor} ${r.verdict ?? ''} ${r.path ?? ''}`;
    expect(overlapped.failures.length).toBeGreaterThan(0);
    expect(overlapped.failures.map(key)).toEqual(oneAtATime.failures.map(key));
    expect(overlapped.cases.map(key)).toEqual(oneAtATime.cases.map(key));
  });
});

describe('runInOrder', () => {
  it('starts items in order, at most inFlight at once, and does what each passes on in item order however they finish', async () => {
    const done: string[] = [];
    let running = 0, most = 0;
    const delays = [30, 5, 1, 20, 2];
    await runInOrder(delays, 2, async (ms, out) => {
      running++;
      most = Math.max(most, running);
      out(() => done.push(`start ${ms}`));
      await new Promise((resolve) => setTimeout(resolve, ms));
      out(() => done.push(`end ${ms}`));
      running--;
    });
    expect(most).toBe(2);
    expect(done).toEqual(delays.flatMap((ms) => [`start ${ms}`, `end ${ms}`]));
  });

  it('passes the oldest running item\'s actions on at once, not when it ends', async () => {
    const done: string[] = [];
    let seenAtOnce = false;
    await runInOrder([0, 1], 2, async (k, out) => {
      out(() => done.push(`start ${k}`));
      if (k === 0) seenAtOnce = done.includes('start 0');
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    expect(seenAtOnce).toBe(true);
  });

  it('after an item throws starts no other, waits for those running, and throws the error', async () => {
    const started: number[] = [];
    let runningAtEnd = 0;
    let running = 0;
    await expect(runInOrder([0, 1, 2, 3], 2, async (k) => {
      started.push(k);
      running++;
      try {
        await new Promise((resolve) => setTimeout(resolve, k === 0 ? 5 : 40));
        if (k === 0) throw new Error('law 0 broke');
      } finally {
        running--;
      }
    }).finally(() => { runningAtEnd = running; })).rejects.toThrow('law 0 broke');
    expect(started).toEqual([0, 1]);
    expect(runningAtEnd).toBe(0);
  });
});

describe('a failed law says which call is wrong (diagnosis)', () => {
  // ConvTranspose doubled, Conv right: the adjoint law fails, and its diagnosis names the op
  const convTransposeDoubled: Backend = {
    ...referenceBackend, name: 'convtranspose-doubled', precision: 'fp32',
    run: async (p, o) => {
      const y = await referenceBackend.run(p, o);
      return p.op === 'convTranspose' ? { shape: y.shape, data: y.data.map((v) => 2 * v) } : y;
    },
  };

  it('names ConvTranspose as wrong, with its first mismatch, and Conv as agreeing', async () => {
    const result = await runLaws({ backend: convTransposeDoubled, laws: [lawByName('transposed conv is the adjoint of conv')], numRuns: 30, seed: 4 });
    expect(result.failures).toHaveLength(1);
    const diagnosis = result.failures[0].record.diagnosis ?? '';
    expect(diagnosis).toMatch(/^ConvTranspose is wrong on T\S+ \(first mismatch at index \d+: got -?[\d.e+-]+, expected -?[\d.e+-]+, bound [\d.e+-]+\); Conv agrees with the reference$/);
    expect(formatFailure(result.failures[0])).toContain(`diagnosis:  ${diagnosis}`);
  });

  it('says so when every call agrees on its own and only the relation between them fails', async () => {
    const shuffle = allMutants().find((m) => m.name === 'shuffle-transposed');
    const result = await runLaws({ backend: referenceBackend, aux: shuffle?.aux, laws: [lawByName('a grouped conv after a channel shuffle equals a dense conv with permuted block-diagonal weights')], numRuns: 30, seed: 4 });
    expect(result.failures[0]?.record.diagnosis).toMatch(/^every call agrees with the reference on its own \(Conv\): the relation between them is what fails$/);
  });
});
