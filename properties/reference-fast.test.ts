/**
 * The fast path of the Conv / ConvTranspose reference (reference/conv-fast.ts, and its worker pool
 * reference/conv-fast-pool.ts) against the readable loops (reference/conv.ts,
 * reference/conv-transpose.ts), which are the source of truth, on random problems of every type
 * (problemArb: ranks 1-3, groups, depthwise, dilation, strides, pads, auto_pad, transposed with
 * output_padding and output_shape, bias):
 * - n per element and the multiplications are equal;
 * - y and S agree within float64 rounding: two summation orders of the same n terms differ by at
 *   most 2·γ_n·S, γ_n = n·u / (1 - n·u), u = 2^-53 (Higham, Accuracy and Stability of Numerical
 *   Algorithms, §3.1); with exact (small integer) data every order is exact, so they are equal;
 * - the worker pool returns the single-thread fast result bit for bit.
 * It lives in properties/ (not next to reference/) because it uses the suite's generators.
 */
import * as fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConvInputError } from '../problem/errors.ts';
import { makeOperands, type DataMode } from '../problem/operand-data.ts';
import { formatDescriptor, parseDescriptor } from '../problem/descriptor.ts';
import { withChanges, type ConvProblem } from '../problem/problem.ts';
import { validateProblem } from '../problem/validate.ts';
import type { ConvResult } from '../reference/conv-result.ts';
import { convDetailed } from '../reference/conv.ts';
import { convTransposeDetailed } from '../reference/conv-transpose.ts';
import { convFastDetailed } from '../reference/conv-fast.ts';
import { closeFastConvPool, convFastParallel } from '../reference/conv-fast-pool.ts';
import { problemArb } from './arbitraries/problem.ts';
import { numRuns, seedFromEnv } from './budget.ts';

const seed = seedFromEnv() ?? 1729;
const runs = numRuns(200);
const U64 = 2 ** -53;

function readable(p: ConvProblem, operands: ReturnType<typeof makeOperands>): ConvResult {
  return p.op === 'conv' ? convDetailed(p, operands) : convTransposeDetailed(p, operands);
}

/** The first element where `fast` and `ref` disagree beyond float64 rounding, or '' when none does. */
function disagreement(p: ConvProblem, mode: DataMode, fast: ConvResult, ref: ConvResult): string {
  const where = formatDescriptor(p);
  if (fast.y.shape.join() !== ref.y.shape.join()) return `${where}: shape [${fast.y.shape}] vs [${ref.y.shape}]`;
  if (fast.multiplications !== ref.multiplications) return `${where}: multiplications ${fast.multiplications} vs ${ref.multiplications}`;
  for (let i = 0; i < ref.y.data.length; i++) {
    const n = ref.terms[i];
    if (fast.terms[i] !== n) return `${where}: n[${i}] = ${fast.terms[i]} vs ${n}`;
    const bound = mode === 'exact' ? 0 : (2 * n * U64) / (1 - n * U64) * ref.absSum[i];
    const dy = Math.abs(fast.y.data[i] - ref.y.data[i]), dS = Math.abs(fast.absSum[i] - ref.absSum[i]);
    if (!(dy <= bound)) return `${where} (${mode}): y[${i}] = ${fast.y.data[i]} vs ${ref.y.data[i]}, |diff| ${dy} > ${bound}`;
    if (!(dS <= bound)) return `${where} (${mode}): S[${i}] = ${fast.absSum[i]} vs ${ref.absSum[i]}, |diff| ${dS} > ${bound}`;
  }
  return '';
}

/** `p` with `factor` times the channels per group (the fast loops take input channels four at a time). */
function widened(p: ConvProblem, factor: number): ConvProblem {
  return validateProblem(withChanges(p, { inChannels: p.inChannels * factor, outChannels: p.outChannels * factor }));
}

const caseArb = fc.record({ problem: problemArb(), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), mode: fc.constantFrom<DataMode>('exact', 'real') });

describe('the fast reference agrees with the readable one', () => {
  afterAll(async () => { await closeFastConvPool(); });

  it(`on random problems of every type (${runs} cases, seed ${seed})`, () => {
    fc.assert(fc.property(caseArb, (c) => {
      const operands = makeOperands(c.problem, c.mode, c.seed);
      expect(disagreement(c.problem, c.mode, convFastDetailed(c.problem, operands), readable(c.problem, operands))).toBe('');
    }), { seed, numRuns: runs });
  });

  it(`with more channels per group: blocks of four input channels and a remainder (${Math.ceil(runs / 4)} cases)`, () => {
    fc.assert(fc.property(caseArb, fc.constantFrom(3, 5), (c, factor) => {
      const p = widened(c.problem, factor);
      const operands = makeOperands(p, c.mode, c.seed);
      expect(disagreement(p, c.mode, convFastDetailed(p, operands), readable(p, operands))).toBe('');
    }), { seed, numRuns: Math.ceil(runs / 4) });
  });

  it.each([
    ['ResNet-like 3x3 with bias', 'mb2ic9ih12iw11oc6kh3kw3ph1pw1b1'],
    ['depthwise 3x3 strided', 'g8mb1ic8ih13iw13oc8kh3kw3sh2sw2ph1pw1'],
    ['1x1', 'mb1ic13ih7iw7oc5kh1kw1'],
    ['transposed k4 s2 with bias', 'Tmb1ic9ih6iw6oc5kh4kw4sh2sw2ph1pw1b1'],
    ['3-D dilated grouped', 'g2mb1ic8id5ih6iw7oc4kd2kh3kw2dd2dh1dw2pd1ph0pw1'],
    ['1-D transposed grouped, output_padding', 'Tg3mb2ic6iw7oc9kw3sw3dw2opw1'],
  ])('on %s (%s), both data modes', (_label, descriptor) => {
    const p = parseDescriptor(descriptor);
    for (const mode of ['exact', 'real'] as const) {
      const operands = makeOperands(p, mode, 7);
      expect(disagreement(p, mode, convFastDetailed(p, operands), readable(p, operands))).toBe('');
    }
  });

  it('reads float64 operands as they are (no rounding to float32 on the way)', () => {
    const p = parseDescriptor('mb1ic5ih6iw6oc3kh3kw3ph1pw1b1');
    const f32 = makeOperands(p, 'real', 3);
    const operands = { x: { shape: f32.x.shape, data: Float64Array.from(f32.x.data, (v) => v + 1e-12) }, w: f32.w, b: f32.b };
    expect(disagreement(p, 'real', convFastDetailed(p, operands), readable(p, operands))).toBe('');
  });

  it('rejects what the readable reference rejects, with the same error', () => {
    const p = parseDescriptor('mb1ic2ih5iw5oc3kh3kw3');
    const operands = makeOperands(p, 'real', 1);
    const bad = { ...operands, w: { shape: [3, 2, 3, 2], data: new Float32Array(36) } };
    expect(() => convFastDetailed(p, bad)).toThrow(ConvInputError);
    expect(() => convFastDetailed(p, bad)).toThrow(/w must have shape \[3,2,3,3\]/);
  });

  it('the worker pool returns the single-thread result bit for bit, every type (workers forced on small problems)', async () => {
    await fc.assert(fc.asyncProperty(caseArb, async (c) => {
      const p = c.problem.batch * c.problem.outChannels >= 2 ? c.problem : widened(c.problem, 2);
      const operands = makeOperands(p, c.mode, c.seed);
      const pooled = await convFastParallel(p, operands, { threads: 2, minMacs: 0 });
      const single = convFastDetailed(p, operands);
      expect(pooled.multiplications).toBe(single.multiplications);
      expect(Array.from(pooled.terms)).toEqual(Array.from(single.terms));
      expect(Array.from(pooled.y.data)).toEqual(Array.from(single.y.data));
      expect(Array.from(pooled.absSum)).toEqual(Array.from(single.absSum));
    }), { seed, numRuns: Math.ceil(runs / 4) });
  });

  it('runs started together are queued, not mixed up in the shared input buffer', async () => {
    const a = parseDescriptor('mb2ic8ih20iw20oc8kh3kw3ph1pw1'), b = parseDescriptor('Tmb2ic6ih9iw9oc4kh4kw4sh2sw2');
    const [ra, rb] = await Promise.all([
      convFastParallel(a, makeOperands(a, 'real', 1), { threads: 2, minMacs: 0 }),
      convFastParallel(b, makeOperands(b, 'real', 2), { threads: 2, minMacs: 0 }),
    ]);
    expect(Array.from(ra.y.data)).toEqual(Array.from(convFastDetailed(a, makeOperands(a, 'real', 1)).y.data));
    expect(Array.from(rb.y.data)).toEqual(Array.from(convFastDetailed(b, makeOperands(b, 'real', 2)).y.data));
  });

  it('a closed pool starts new workers on the next run', async () => {
    const p = parseDescriptor('mb2ic4ih9iw9oc4kh3kw3');
    const operands = makeOperands(p, 'exact', 5);
    await closeFastConvPool();
    const again = await convFastParallel(p, operands, { threads: 2, minMacs: 0 });
    expect(Array.from(again.y.data)).toEqual(Array.from(readable(p, operands).y.data));
  });
});
