import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceBackend } from '../adapters/reference.ts';
import { createOnnxRuntimeBackend } from '../adapters/onnxruntime.ts';
import { createTfjsBackend } from '../adapters/tfjs.ts';
import { main } from './main.ts';
import { memoryIo } from './output.ts';
import { SUPPORTED, type Backend } from '../problem/backend.ts';
import { parseDescriptor } from '../problem/descriptor.ts';
import { makeOperands } from '../problem/operand-data.ts';
import { weightShape } from '../problem/shape.ts';
import { closeFastConvPool } from '../reference/conv-fast-pool.ts';
import { abandonedCalls, callBackend, withinTimeLimit } from '../compare/backend-call.ts';
import { referenceResult, runCase } from '../compare/run-case.ts';
import { runGradientCase } from '../compare/run-gradient-case.ts';

afterAll(closeFastConvPool);

/** A problem of 151 M multiply-accumulates: 0.2-0.5 s on the fast path, several seconds of the readable loops. */
const MEDIUM = parseDescriptor('mb1ic32ih128iw128oc32kh3kw3ph1pw1');

describe('--timeout bounds every backend and the reference, and says which side ran out of time', () => {
  it('the readable reference as a backend is stopped at the limit: its worker thread is ended (before: it ran to the end on this thread)', async () => {
    const operands = makeOperands(MEDIUM, 'real', 1);
    const reference = referenceResult(MEDIUM, operands); // the oracle itself, given: only the backend side is timed here
    const start = performance.now();
    const outcome = await runCase(referenceBackend, MEDIUM, { mode: 'real', seed: 1, operands, reference, timeoutMs: 400 });
    expect(outcome.verdict).toBe('error');
    expect(outcome.verdict === 'error' && outcome.message).toBe('reference did not answer within 400 ms');
    expect(performance.now() - start).toBeLessThan(1500);
    // the next stoppable run starts a new worker and answers
    const small = parseDescriptor('mb1ic2ih4iw4oc2kh3kw3');
    const again = await runCase(referenceBackend, small, { mode: 'exact', seed: 1, timeoutMs: 60_000 });
    expect(again.verdict).toBe('pass');
  });

  it('a reference past the limit is an error naming the reference, and run ends at once (before: minutes)', async () => {
    const io = memoryIo();
    const start = performance.now();
    // 2.4 G multiply-accumulates: seconds of the fast path, far more than 300 ms
    expect(await main(['run', 'mb1ic64ih256iw256oc64kh3kw3ph1pw1', '--backend', 'reference,onnxruntime', '--timeout', '300'], io)).toBe(1);
    expect(performance.now() - start).toBeLessThan(4000);
    expect(io.text()).toMatch(/reference +error +not run: the reference did not finish within 300 ms/);
    expect(io.text()).toMatch(/onnxruntime +error +not run: the reference did not finish within 300 ms/);
  });

  it('the reference of a weight gradient is bounded too', async () => {
    const zerosGradient: Backend = {
      name: 'zeros', version: '0', precision: 'fp32', supports: () => SUPPORTED, run: async () => { throw new Error('forward not used'); },
      gradients: {
        supports: () => SUPPORTED,
        input: async () => { throw new Error('not used'); },
        weight: async (p) => ({ shape: weightShape(p), data: new Float32Array(weightShape(p).reduce((a, b) => a * b, 1)) }),
      },
    };
    const outcome = await runGradientCase(zerosGradient, MEDIUM, 'weight', { mode: 'real', seed: 1, timeoutMs: 300 });
    expect(outcome.verdict === 'error' && outcome.message).toBe('the reference did not finish within 300 ms');
  });

  it('onnxruntime and tfjs, which compute on this thread, are held to the limit when they return: an error naming them', async () => {
    const p = parseDescriptor('mb1ic16ih64iw64oc16kh3kw3ph1pw1');
    const operands = makeOperands(p, 'real', 1);
    const reference = referenceResult(p, operands);
    const ort = await createOnnxRuntimeBackend();
    const tfjs = await createTfjsBackend('tfjs-cpu');
    try {
      for (const backend of [ort, tfjs]) {
        const outcome = await runCase(backend, p, { mode: 'real', seed: 1, operands, reference, timeoutMs: 1 });
        // onnxruntime-node runs its session in a setImmediate and tfjs awaits between kernels, so
        // the timer may fire first; else the answer is late when it comes: the same error either way
        expect(outcome.verdict === 'error' && outcome.message, backend.name)
          .toMatch(new RegExp(`^${backend.name} did not answer within 1 ms( \\(it answered after \\d+ ms, on this thread, where it could not be stopped\\))?$`));
      }
    } finally {
      await ort.dispose?.();
      await tfjs.dispose?.();
    }
  });

  it('work that holds this thread past the limit is late even though no timer could fire (before: the timer started after it returned)', async () => {
    const busy = async (): Promise<number> => { const until = Date.now() + 200; while (Date.now() < until) { /* holds the thread */ } return 1; };
    const outcome = await callBackend({ name: 'busy' }, () => SUPPORTED, busy, 50);
    expect(outcome).toEqual({ kind: 'error', phase: 'call', message: expect.stringMatching(/^busy did not answer within 50 ms \(it answered after \d+ ms, on this thread, where it could not be stopped\)$/) as unknown });
  });

  it('queued work gets its limit from when it starts, not from its wait in the queue; unqueued work cannot move its clock', async () => {
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    const late = (ms: number): string => `q did not answer within ${ms} ms`;
    // waits 150 ms in the queue, then answers in 20 ms: within a limit of 100 ms
    await expect(withinTimeLimit(100, late, async (_signal, started) => { await sleep(150); started(); await sleep(20); return 'done'; }, true)).resolves.toBe('done');
    // starts, then hangs: ended 100 ms after it started
    const begin = performance.now();
    await expect(withinTimeLimit(100, late, async (_signal, started) => { await sleep(150); started(); await sleep(10_000); }, true)).rejects.toThrow('q did not answer within 100 ms');
    expect(performance.now() - begin).toBeGreaterThanOrEqual(240);
    // a second started() changes nothing, and without queued started() is no clock of its own
    await expect(withinTimeLimit(100, late, async (_signal, started) => { started(); await sleep(60); started(); await sleep(60); }, true)).rejects.toThrow('q did not answer within 100 ms');
    await expect(withinTimeLimit(100, late, async (_signal, started) => { await sleep(60); started(); await sleep(60); })).rejects.toThrow('q did not answer within 100 ms');
  });

  it('queued work that answered in time is not late because this thread was busy past the limit with other work', async () => {
    const late = (ms: number): string => `q did not answer within ${ms} ms`;
    const result = withinTimeLimit(100, late, async (_signal, started) => { started(); await new Promise((resolve) => setTimeout(resolve, 20)); return 'done'; }, true);
    const until = performance.now() + 200;
    while (performance.now() < until) { /* the other law's reference and judge */ }
    await expect(result).resolves.toBe('done');
  });

  it('aborts the signal at the limit and counts work that goes on as abandoned until it settles', async () => {
    let seen: AbortSignal | undefined;
    let finish: () => void = () => {};
    await new Promise((resolve) => setTimeout(resolve, 200)); // earlier tests' abandoned work settles
    const before = abandonedCalls();
    await expect(withinTimeLimit(30, (ms) => `x did not answer within ${ms} ms`, (signal) => { seen = signal; return new Promise<void>((resolve) => { finish = resolve; }); }))
      .rejects.toThrow('x did not answer within 30 ms');
    expect(seen?.aborted).toBe(true);
    expect(abandonedCalls()).toBe(before + 1);
    finish();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(abandonedCalls()).toBe(before);
  });

  it('a module backend that never answers and keeps a timer alive: an error verdict at --timeout, and the command ends (before: it waited for the timer, 10 minutes)', () => {
    const start = Date.now();
    const child = spawnSync(process.execPath, ['bin/convcheck.js', 'run', 'mb1ic1iw4oc1kw1', '--backend', './cli/testdata/never-answers.mjs', '--timeout', '500'], { encoding: 'utf8', timeout: 60_000 });
    expect(child.signal, child.stderr).toBeNull();
    expect(child.status).toBe(1);
    expect(child.stdout).toMatch(/never-answers +error +never-answers did not answer within 500 ms/);
    expect(Date.now() - start).toBeLessThan(30_000);
  });
});
