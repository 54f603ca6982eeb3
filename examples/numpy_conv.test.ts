/**
 * The gate, end to end, on the example external implementation: examples/numpy_conv.py must pass
 * against the reference (bit for bit on exact data, within the tolerance model on real data), and
 * examples/numpy_conv_broken.py, the same code with one deliberate bug, must be rejected.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Backend } from '../problem/backend.ts';
import { createProcessBackend } from '../adapters/process-backend.ts';
import { runCase } from '../compare/run-case.ts';
import { runQuantizedCase } from '../compare/quantized-case.ts';
import { QUANTIZED_SMALL } from '../golden/quantized-cases.ts';
import { formatDescriptor, parseDescriptor } from '../problem/descriptor.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { resolvePads } from '../problem/shape.ts';
import type { ExternalBackend } from '../adapters/process-backend.ts';
import { gradientMismatches } from './gradient-check.ts';
import { runErrorInputs } from '../properties/error-inputs.ts';
import { quantizedCaseArb } from '../properties/arbitraries/quantized.ts';
import { formatQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import { FORWARD_TABLE as TABLE, GRADIENT_TABLE, smallProblem } from './tables.ts';

const EXAMPLES = import.meta.dirname;

/** The lines of a top-level Python function, from its `def` line to the last line of its body. */
function pythonFunction(source: string, name: string): string[] {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`def ${name}(`));
  if (start < 0) throw new Error(`no top-level def ${name} in the file`);
  let end = start + 1;
  while (end < lines.length && (lines[end] === '' || /^\s/.test(lines[end]))) end++;
  return lines.slice(start, end).filter((l) => l.trim() !== '');
}
const NUM_RUNS = Number(process.env.CONVCHECK_NUM_RUNS ?? 30);


/** Whether a problem's resolved pads differ between the beginning and the end of some axis. */
function asymmetric(p: ConvProblem): boolean {
  const pads = resolvePads(p);
  return pads.begin.some((b, a) => b !== pads.end[a]);
}


describe('examples/numpy_conv.py passes the gate', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createProcessBackend(`python3 ${join(EXAMPLES, 'numpy_conv.py')}`, { timeoutMs: 10_000 });
  });
  afterAll(async () => backend?.dispose?.());

  test('it introduces itself as ext:numpy-conv, fp32', () => {
    expect([backend.name, backend.precision]).toEqual(['ext:numpy-conv', 'fp32']);
  });

  test.each(TABLE.flatMap((d) => [[d, 'exact'], [d, 'real']] as const))('%s on %s data', async (descriptor, mode) => {
    const outcome = await runCase(backend, parseDescriptor(descriptor), { mode, seed: 7 });
    expect(outcome.verdict === 'pass' ? 'pass' : outcome).toBe('pass');
    if (outcome.verdict === 'pass' && mode === 'exact') expect(outcome.comparison.maxUlp).toBe(0);
  });

  test('its ConvInteger and QLinearConv (run_quantized requests) pass the quantized golden corpus exactly', async () => {
    expect(backend.quantized).toBeDefined();
    for (const c of QUANTIZED_SMALL) {
      const outcome = await runQuantizedCase(backend, c.problem, { mode: c.mode, seed: c.seed });
      expect(outcome.verdict === 'pass' ? outcome.comparison.message : outcome, c.name).toMatch(/^exact: /);
    }
  });

  test(`its check_quantized() lets every well-formed quantized call through: ${NUM_RUNS} random ConvInteger and QLinearConv cases pass`, async () => {
    await fc.assert(fc.asyncProperty(quantizedCaseArb({ convTypes: ['conv-integer', 'qlinear-conv'], modes: ['exact', 'real'] }, { int32Limit: 0.2 }), async (c) => {
      const outcome = await runQuantizedCase(backend, c.problem, { mode: c.mode, seed: c.seed });
      if (outcome.verdict !== 'pass') throw new Error(`${formatQuantizedDescriptor(c.problem)}: ${JSON.stringify(outcome)}`);
    }), { numRuns: NUM_RUNS });
  });

  test(`passes on ${NUM_RUNS} random small problems, exact and real data`, async () => {
    await fc.assert(fc.asyncProperty(smallProblem, fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (p, seed) => {
      for (const mode of ['exact', 'real'] as const) {
        const outcome = await runCase(backend, p, { mode, seed });
        if (outcome.verdict !== 'pass') throw new Error(`${formatDescriptor(p)} on ${mode} data: ${JSON.stringify(outcome)}`);
      }
    }), { numRuns: NUM_RUNS });
  });
});

describe('examples/numpy_conv.py refuses ill-formed calls (gate --error-inputs)', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createProcessBackend(`python3 ${join(EXAMPLES, 'numpy_conv.py')}`, { timeoutMs: 10_000 });
  });
  afterAll(async () => backend?.dispose?.());

  test('every error input gets an error reply naming the field and the rule, never numbers', async () => {
    // before its check(): it returned numbers for 8 of them (a group not dividing C, a zero dilation, output_padding >= stride, ...)
    const records = await runErrorInputs(backend);
    expect(records.filter((r) => r.verdict !== 'pass').map((r) => `${r.input.id}: ${r.message}`)).toEqual([]);
    const message = (id: string): string | undefined => records.find((r) => r.input.id === id)?.message;
    expect(message('conv-group-not-dividing-input-channels')).toBe('refused: ValueError: problem.group=3: must divide the input channels C=4');
    expect(message('convtranspose-output-padding-too-large')).toBe('refused: ValueError: problem.output_padding[0]=2: must be smaller than the stride 2 or the dilation 1');
    expect(message('conv-bias-length')).toBe('refused: ValueError: b.shape=[3]: must be [M] = [4]');
    // the quantized ones, by check_quantized() (before it, run_quantized checked nothing: numbers for 5 of the 9, a
    // ConvInteger with a B, x_zero_point 256, a group not dividing C, a zero y_scale, y_zero_point 128)
    expect(message('convinteger-bias')).toBe('refused: ValueError: problem.bias: ConvInteger has no bias input (its inputs are x, w, x_zero_point, w_zero_point)');
    expect(message('convinteger-x-zero-point-out-of-range')).toBe('refused: ValueError: problem.x_zero_point=256: must be a value of its tensor\'s type uint8 (0 to 255)');
    expect(message('qlinearconv-w-scale-length')).toBe('refused: ValueError: problem.w_scale=[1, 1, 1]: per channel, must hold one value per output channel (M=4)');
    expect(message('qlinearconv-y-scale-zero')).toBe('refused: ValueError: problem.y_scale=0: must be a finite float32 > 0');
  });
});

describe('examples/numpy_conv.py computes gradients (protocol 2)', () => {
  let backend: ExternalBackend;
  beforeAll(async () => {
    backend = await createProcessBackend(`python3 ${join(EXAMPLES, 'numpy_conv.py')}`, { timeoutMs: 10_000 });
  });
  afterAll(async () => backend?.dispose?.());

  test('its hello declares gradients of conv and convTranspose, so the gradient laws run on it', () => {
    expect(backend.hello).toMatchObject({ protocol: 2, gradients: ['conv', 'convTranspose'] });
    expect(backend.gradients?.supports(parseDescriptor('mb1ic1iw3oc1kw2'), 'input')).toEqual({ supported: true });
  });

  test.each(GRADIENT_TABLE)('dx, dw and db of %s equal their definition bit for bit on exact data', async (descriptor) => {
    expect(await gradientMismatches(backend, parseDescriptor(descriptor), 3)).toEqual([]);
  });
});

describe('examples/numpy_conv_broken.py is rejected by the gate', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createProcessBackend(`python3 ${join(EXAMPLES, 'numpy_conv_broken.py')}`, { timeoutMs: 10_000 });
  });
  afterAll(async () => backend?.dispose?.());

  test('it fails Tmb1ic2ih3iw3oc2kh3kw3sh2sw2apU (transposed, SAME_UPPER: begin pad 0, end pad 1)', async () => {
    const outcome = await runCase(backend, parseDescriptor('Tmb1ic2ih3iw3oc2kh3kw3sh2sw2apU'), { mode: 'exact', seed: 7 });
    expect(outcome.verdict).toBe('fail');
  });

  test('its gradients differ from their definition where the pads are asymmetric (its input gradient is its transposed conv)', async () => {
    const external = backend as ExternalBackend;
    expect(await gradientMismatches(external, parseDescriptor('g2mb1ic4ih6iw5oc6kh3kw2sh2sw1dh1dw2ph1pw0eh0ew1b1'), 3)).toEqual([expect.stringMatching(/^dx\[\d+\]: got/)]);
    expect(await gradientMismatches(external, parseDescriptor('mb2ic3iw7oc4kw3sw2pw1b1'), 3)).toEqual([]);
  });

  test('it fails exactly the transposed problems of the table whose pads are asymmetric, and passes the rest', async () => {
    const failing: string[] = [];
    for (const descriptor of TABLE) {
      const outcome = await runCase(backend, parseDescriptor(descriptor), { mode: 'exact', seed: 7 });
      expect(outcome.verdict === 'pass' || outcome.verdict === 'fail').toBe(true);
      if (outcome.verdict === 'fail') failing.push(descriptor);
    }
    const expected = TABLE.filter((d) => { const p = parseDescriptor(d); return p.op === 'convTranspose' && asymmetric(p); });
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect(failing).toEqual(expected);
  });

  test('it imports numpy_conv.py and replaces one function, crop, whose body differs in one line', () => {
    const correct = readFileSync(join(EXAMPLES, 'numpy_conv.py'), 'utf8');
    const broken = readFileSync(join(EXAMPLES, 'numpy_conv_broken.py'), 'utf8');
    expect(broken).toMatch(/^import numpy_conv\b/m);
    expect(broken).toMatch(/^ {4}numpy_conv\.crop = crop$/m);
    // nothing else of the implementation is copied: crop is the only function it defines
    expect([...broken.matchAll(/^def (\w+)\(/gm)].map((m) => m[1])).toEqual(['crop']);
    const a = pythonFunction(correct, 'crop'), b = pythonFunction(broken, 'crop');
    expect(b[0]).toBe(a[0]); // same signature
    // the body without its docstring and comments
    const code = (lines: string[]): string[] => {
      const body = lines.slice(1);
      const docEnd = body[0].trim().startsWith('"""') ? body.findIndex((l, i) => (i === 0 ? l.trim().length > 3 && l.trim().endsWith('"""') : l.includes('"""'))) : -1;
      return body.slice(docEnd + 1).filter((l) => !l.trim().startsWith('#'));
    };
    const [ca, cb] = [code(a), code(b)];
    expect(cb.length).toBe(ca.length);
    const changed = ca.flatMap((line, i) => (line === cb[i] ? [] : [[line.trim(), cb[i].trim()]]));
    expect(changed).toEqual([[
      'spatial = tuple(slice(begin, size - end) for begin, end, size in zip(pads_begin, pads_end, full))',
      'spatial = tuple(slice(end, size - begin) for begin, end, size in zip(pads_begin, pads_end, full))',
    ]]);
  });
});
