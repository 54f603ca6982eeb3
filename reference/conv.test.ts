// Hand-checked reference Conv. The 1-D cases are worked out in their comments; the 2-D and 3-D
// expectations were computed independently with numpy (explicit np.pad, kernel dilated by zero
// insertion, a strided slice per output, a loop over groups) and pasted here as literals.
import { describe, expect, it } from 'vitest';
import { makeProblem, type ProblemSpec } from '../problem/problem.ts';
import { sizeOf } from '../problem/shape.ts';
import { tensor, type Tensor64 } from '../problem/tensor.ts';
import { conv, convDetailed } from './conv.ts';

/** `v[i] = (i·step mod m) - floor(m/2)`: small mixed-sign integers, the same formula numpy used. */
function pattern(shape: number[], step: number, m: number): Tensor64 {
  return tensor(Array.from({ length: sizeOf(shape) }, (_, i) => ((i * step) % m) - Math.floor(m / 2)), shape);
}

const conv1d = (spec: Partial<ProblemSpec>) => makeProblem({ inChannels: 1, outChannels: 1, inputShape: [6], kernelShape: [3], ...spec });
const ramp6 = tensor([1, 2, 3, 4, 5, 6], [1, 1, 6]);
const w123 = tensor([1, 2, 3], [1, 1, 3]);

describe('reference conv: 1-D by hand', () => {
  it('pad 1: [1,2,3,4,5] * [1,0,-1] reads [0,1,2,3,4,5,0]: y[o] = xp[o] - xp[o+2] = [-2,-2,-2,-2,4]', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [5], kernelShape: [3], pads: [1, 1] });
    const y = conv(p, { x: tensor([1, 2, 3, 4, 5], [1, 1, 5]), w: tensor([1, 0, -1], [1, 1, 3]) });
    expect(y.shape).toEqual([1, 1, 5]);
    expect(Array.from(y.data)).toEqual([-2, -2, -2, -2, 4]);
  });

  it('VALID, stride 2 on [1..6] with [1,2,3]: windows at 0 and 2: 1+4+9 = 14, 3+8+15 = 26', () => {
    expect(Array.from(conv(conv1d({ strides: [2], autoPad: 'VALID' }), { x: ramp6, w: w123 }).data)).toEqual([14, 26]);
  });

  it('auto_pad with explicit non-zero pads is rejected: ONNX says they cannot be used together', () => {
    expect(() => conv(conv1d({ strides: [2], autoPad: 'VALID', pads: [2, 2] }), { x: ramp6, w: w123 })).toThrow(/pads must be all zero when auto_pad is VALID .* but pads=\[2,2\]/);
    expect(() => conv(conv1d({ autoPad: 'SAME_LOWER', pads: [0, 1] }), { x: ramp6, w: w123 })).toThrow(/pads must be all zero when auto_pad is SAME_LOWER/);
  });

  it('SAME_UPPER, stride 2: the odd pad goes at the end: [1..6, 0] gives 14, 26, 5+12+0 = 17', () => {
    expect(Array.from(conv(conv1d({ strides: [2], autoPad: 'SAME_UPPER' }), { x: ramp6, w: w123 }).data)).toEqual([14, 26, 17]);
  });

  it('SAME_LOWER, stride 2: the odd pad goes at the beginning: [0, 1..6] gives 0+2+6 = 8, 20, 32', () => {
    expect(Array.from(conv(conv1d({ strides: [2], autoPad: 'SAME_LOWER' }), { x: ramp6, w: w123 }).data)).toEqual([8, 20, 32]);
  });

  it('NOTSET with asymmetric pads 2, 1: [0,0,1..6,0] gives 3, 14, 26, 17', () => {
    expect(Array.from(conv(conv1d({ strides: [2], pads: [2, 1] }), { x: ramp6, w: w123 }).data)).toEqual([3, 14, 26, 17]);
  });

  it('dilation 2 with stride 3 and pad 1 on [1..10]: taps 0,2,4 of windows at 0,3,6: 0+2+4, 3+5+7, 6+8+10', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [10], kernelShape: [3], strides: [3], dilations: [2], pads: [1, 1] });
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 1, 10]);
    expect(Array.from(conv(p, { x, w: tensor([1, 1, 1], [1, 1, 3]) }).data)).toEqual([6, 15, 24]);
  });

  it('depthwise with channel multiplier 2 (g = C = 2, M = 4), dilation 2, stride 2, pad 1, bias', () => {
    const p = makeProblem({ inChannels: 2, outChannels: 4, group: 2, inputShape: [9], kernelShape: [3], strides: [2], dilations: [2], pads: [1, 1], bias: true });
    const y = conv(p, { x: pattern([1, 2, 9], 4, 7), w: pattern([4, 1, 3], 2, 5), b: tensor([0.5, -0.5, 1, -1], [4]) });
    expect(y.shape).toEqual([1, 4, 4]);
    expect(Array.from(y.data)).toEqual([4.5, 4.5, -9.5, -5.5, -3.5, -5.5, 6.5, -6.5, 2, 10, -3, -3, -5, -5, 8, 0]);
  });
});

describe('reference conv: 2-D and 3-D, checked with numpy', () => {
  it('batch 2, g2 (C4 -> M4), stride [2,1], dilation [1,2], pads begin [1,0] end [0,2], bias', () => {
    const p = makeProblem({
      batch: 2, inChannels: 4, outChannels: 4, group: 2, inputShape: [4, 5], kernelShape: [2, 3],
      strides: [2, 1], dilations: [1, 2], pads: [1, 0, 0, 2], bias: true,
    });
    const y = conv(p, { x: pattern([2, 4, 4, 5], 3, 7), w: pattern([4, 2, 2, 3], 5, 5), b: tensor([1, -2, 3, -4], [4]) });
    expect(y.shape).toEqual([2, 4, 2, 3]);
    expect(Array.from(y.data)).toEqual([
      -3, 3, -7, -1, 9, 3, -6, 0, -10, -4, 6, 0, 1, 11, 1, 5, -5, 3, -6, 4, -6, -2, -12, -4,
      1, 1, 5, 7, -9, -1, -2, -2, 2, 4, -12, -4, 5, -5, -1, 13, 5, 13, -2, -12, -8, 6, -2, 6,
    ]);
  });

  it('SAME_UPPER and SAME_LOWER differ where the total pad is odd: h total 3, w total 1', () => {
    const spec = { inChannels: 1, outChannels: 1, inputShape: [5, 6], kernelShape: [4, 3], strides: [1, 2] };
    const operands = { x: pattern([1, 1, 5, 6], 2, 7), w: pattern([1, 1, 4, 3], 1, 3) };
    // numpy with pads h (1, 2), w (0, 1)
    expect(Array.from(conv(makeProblem({ ...spec, autoPad: 'SAME_UPPER' }), operands).data)).toEqual([-2, 5, -2, 2, 2, -1, -5, 2, 0, -2, -2, 3, 1, -6, 4]);
    // numpy with pads h (2, 1), w (1, 0)
    expect(Array.from(conv(makeProblem({ ...spec, autoPad: 'SAME_LOWER' }), operands).data)).toEqual([-4, 8, -6, -2, 5, -2, -2, 2, 2, -3, 2, 2, 0, -2, 5]);
    // and SAME_UPPER is exactly its explicit pads
    expect(Array.from(conv(makeProblem({ ...spec, pads: [1, 0, 2, 1] }), operands).data)).toEqual([-2, 5, -2, 2, 2, -1, -5, 2, 0, -2, -2, 3, 1, -6, 4]);
  });

  it('3-D, C2 -> M2, kernel [2,2,3], strides [1,2,2], SAME_UPPER (pads end 1 on every axis)', () => {
    const p = makeProblem({ inChannels: 2, outChannels: 2, inputShape: [3, 3, 4], kernelShape: [2, 2, 3], strides: [1, 2, 2], autoPad: 'SAME_UPPER' });
    const y = conv(p, { x: pattern([1, 2, 3, 3, 4], 5, 9), w: pattern([2, 2, 2, 2, 3], 3, 5) });
    expect(y.shape).toEqual([1, 2, 3, 2, 2]);
    expect(Array.from(y.data)).toEqual([24, 22, -24, -21, 6, 1, 27, 27, 6, -14, -16, -12, -18, -19, 32, 25, 15, -4, -31, -23, -12, 10, 18, 4]);
  });
});

describe('reference conv: what it returns besides the value', () => {
  // x = [1, -2, 3], w = [2, -1], pads (1, 0), b = 0.5: padded [0, 1, -2, 3]
  const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [3], kernelShape: [2], pads: [1, 0], bias: true });
  const result = convDetailed(p, { x: tensor([1, -2, 3], [1, 1, 3]), w: tensor([2, -1], [1, 1, 2]), b: tensor([0.5], [1]) });

  it('y = b + taps inside the input: 0.5 - 1, 0.5 + 2 + 2, 0.5 - 4 - 3', () => {
    expect(Array.from(result.y.data)).toEqual([-0.5, 4.5, -6.5]);
  });

  it('absSum = |b| + Σ|x·w| and terms = 1 + taps inside: the padding tap counts for neither', () => {
    expect(Array.from(result.absSum)).toEqual([1.5, 4.5, 7.5]);
    expect(Array.from(result.terms)).toEqual([2, 3, 3]);
    expect(result.multiplications).toBe(5);
  });

  it('accumulates in float64 from float32 input: 2^24 + 1 + 1 is 16777218, not float32\'s 16777216', () => {
    const q = makeProblem({ inChannels: 3, outChannels: 1, inputShape: [1], kernelShape: [1] });
    const x = { shape: [1, 3, 1], data: Float32Array.from([2 ** 24, 1, 1]) };
    const w = { shape: [1, 3, 1], data: Float32Array.from([1, 1, 1]) };
    const y = conv(q, { x, w });
    expect(y.data).toBeInstanceOf(Float64Array);
    expect(y.data[0]).toBe(16_777_218);
  });

  it('reads nothing outside its operands: a wrong-length x is rejected, not read', () => {
    expect(() => conv(p, { x: { shape: [1, 1, 3], data: new Float64Array(2) }, w: tensor([2, -1], [1, 1, 2]), b: tensor([0.5], [1]) }))
      .toThrow(/x of shape \[1,1,3\] must hold 3 elements, but x\.data\.length=2/);
  });
});
