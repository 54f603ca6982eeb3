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
import { makeProblem, type AutoPad, type ConvProblem } from '../problem/problem.ts';
import { convTransposeOutputSize, resolvePads } from '../problem/shape.ts';
import { validateProblem } from '../problem/validate.ts';

const EXAMPLES = import.meta.dirname;
const NUM_RUNS = Number(process.env.CONVCHECK_NUM_RUNS ?? 30);

/** Conv and ConvTranspose, 1-D to 3-D, with groups, strides, dilations, pads of every kind and bias. */
const TABLE: readonly string[] = [
  'mb1ic1iw5oc1kw3', //                                1-D, the plainest conv
  'mb2ic3iw9oc4kw3sw2pw1b1', //                        batch, stride, pads, bias
  'mb1ic2ih5iw5oc3kh3kw3ph1pw1', //                    2-D same-size
  'g2mb1ic4ih9iw9oc6kh3kw3sh2sw2dh2dw2ph2pw2b1', //   groups with stride and dilation both > 1
  'g4mb1ic4ih5iw5oc4kh3kw3ph1pw1', //                  depthwise
  'mb1ic2ih6iw7oc2kh2kw3sh2sw2apU', //                 SAME_UPPER
  'mb1ic2ih6iw7oc2kh2kw3sh2sw2apL', //                 SAME_LOWER
  'mb1ic2ih5iw5oc2kh3kw3ph0pw1eh2ew0', //              asymmetric explicit pads
  'mb1ic1ih5iw5oc1kh3kw3apV', //                       VALID
  'mb1ic2id4ih4iw4oc2kd2kh3kw3pd1ph1pw1b1', //         3-D
  'Tmb1ic1iw4oc1kw3', //                               1-D transposed
  'Tmb1ic2iw5oc3kw3sw2pw1opw1b1', //                   stride, pads, output_padding, bias
  'Tg2mb2ic4ih3iw4oc6kh3kw2sh2sw3dh2dw1ph1pw0', //     groups, dilation, uneven strides
  'Tmb1ic2ih3iw3oc2kh3kw3sh2sw2apU', //                SAME_UPPER: pads 0 before, 1 after
  'Tmb1ic2ih3iw3oc2kh3kw3sh2sw2oh6ow5', //             output_shape: pads 1/0 and 1/1
  'Tmb1ic1ih4iw4oc1kh3kw3ph0pw1eh1ew0', //             asymmetric explicit pads
  'Tmb1ic2id3ih3iw3oc2kd2kh2kw2sd2sh2sw2pd1ph0pw1b1', // 3-D transposed
];

/** Whether a problem's resolved pads differ between the beginning and the end of some axis. */
function asymmetric(p: ConvProblem): boolean {
  const pads = resolvePads(p);
  return pads.begin.some((b, a) => b !== pads.end[a]);
}

const AUTO_PADS: readonly AutoPad[] = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

/** Small valid problems of every kind (output_shape included): shapes first, then attributes; invalid draws are filtered. */
const smallProblem = fc.integer({ min: 1, max: 3 }).chain((rank) => {
  const perAxis = (min: number, max: number): fc.Arbitrary<number[]> => fc.array(fc.integer({ min, max }), { minLength: rank, maxLength: rank });
  return fc.record({
    op: fc.constantFrom('conv' as const, 'convTranspose' as const),
    batch: fc.integer({ min: 1, max: 2 }),
    group: fc.integer({ min: 1, max: 2 }),
    inPerGroup: fc.integer({ min: 1, max: 2 }),
    outPerGroup: fc.integer({ min: 1, max: 2 }),
    inputShape: perAxis(1, rank === 3 ? 4 : 6),
    kernelShape: perAxis(1, 3),
    strides: perAxis(1, 3),
    dilations: perAxis(1, 2),
    pads: perAxis(0, 2).chain((begin) => perAxis(0, 2).map((end) => [...begin, ...end])),
    autoPad: fc.constantFrom(...AUTO_PADS),
    outputPadding: perAxis(0, 2),
    /** ConvTranspose only: output_shape as the full size minus this much per axis. */
    outputTrim: fc.option(perAxis(0, 2), { nil: undefined }),
    bias: fc.boolean(),
  });
}).map((d): ConvProblem | undefined => {
  const p = makeProblem({
    op: d.op, batch: d.batch, group: d.group, inChannels: d.group * d.inPerGroup, outChannels: d.group * d.outPerGroup,
    inputShape: d.inputShape, kernelShape: d.kernelShape, strides: d.strides, dilations: d.dilations, pads: d.pads,
    autoPad: d.autoPad, outputPadding: d.op === 'conv' ? d.inputShape.map(() => 0) : d.outputPadding, bias: d.bias,
    ...(d.op === 'convTranspose' && d.outputTrim !== undefined
      ? { outputShape: d.outputTrim.map((trim, a) => convTransposeOutputSize(d.inputShape[a], d.kernelShape[a], d.strides[a], d.dilations[a], 0, 0, d.outputPadding[a]) - trim) }
      : {}),
  });
  try {
    return validateProblem(p);
  } catch {
    return undefined;
  }
}).filter((p): p is ConvProblem => p !== undefined);

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

  test(`passes on ${NUM_RUNS} random small problems, exact and real data`, async () => {
    await fc.assert(fc.asyncProperty(smallProblem, fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (p, seed) => {
      for (const mode of ['exact', 'real'] as const) {
        const outcome = await runCase(backend, p, { mode, seed });
        if (outcome.verdict !== 'pass') throw new Error(`${formatDescriptor(p)} on ${mode} data: ${JSON.stringify(outcome)}`);
      }
    }), { numRuns: NUM_RUNS });
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

  test('it is numpy_conv.py with one changed line (plus its docstring, name and a BUG comment)', () => {
    const correct = readFileSync(join(EXAMPLES, 'numpy_conv.py'), 'utf8').split('\n');
    const broken = readFileSync(join(EXAMPLES, 'numpy_conv_broken.py'), 'utf8').split('\n');
    const code = (lines: string[]): string[] => {
      const docEnd = lines.indexOf('"""', 1);
      return lines.slice(docEnd + 1).filter((l) => !l.startsWith('NAME = ') && !l.trim().startsWith('# BUG'));
    };
    const a = code(correct), b = code(broken);
    expect(b.length).toBe(a.length);
    const changed = a.flatMap((line, i) => (line === b[i] ? [] : [[line.trim(), b[i].trim()]]));
    expect(changed).toEqual([[
      'crop = tuple(slice(begin, size - end) for begin, end, size in zip(pads_begin, pads_end, full))',
      'crop = tuple(slice(end, size - begin) for begin, end, size in zip(pads_begin, pads_end, full))',
    ]]);
  });
});
