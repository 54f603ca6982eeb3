import { describe, expect, it } from 'vitest';
import { Random } from '../problem/random.ts';
import { makeProblem } from '../problem/problem.ts';
import { sizeOf, weightShape } from '../problem/shape.ts';
import { tensor, zeros, type Tensor, type Tensor64 } from '../problem/tensor.ts';
import { conv, convDetailed } from './conv.ts';
import {
  channelMultiplier, depthwiseSeparableConv, depthwiseSeparableMultiplications, depthwiseSeparableOutputShape,
  depthwiseSeparableParameters, depthwiseSeparableRatio, depthwiseStep, makeDepthwiseSeparable, pointwiseStep,
  standardConvProblem, type DepthwiseSeparableProblem, type DepthwiseSeparableSpec,
} from './depthwise-separable.ts';

/** Small integers, so every sum below is exact in float64 whatever the order. */
function integers(shape: readonly number[], seed: number): Tensor64 {
  const rng = new Random(seed);
  return tensor(Array.from({ length: sizeOf(shape) }, () => rng.int(-4, 4)), shape);
}

interface Operands { x: Tensor64; depthwiseW: Tensor64; pointwiseW: Tensor64; b?: Tensor64 }

function operandsFor(p: DepthwiseSeparableProblem, seed: number): Operands {
  const dw = p.depthwise;
  const x = integers([dw.batch, dw.inChannels, ...dw.inputShape], seed);
  const depthwiseW = integers(weightShape(dw), seed + 1);
  const pointwiseW = integers([p.outChannels, dw.outChannels], seed + 2);
  return p.bias ? { x, depthwiseW, pointwiseW, b: integers([p.outChannels], seed + 3) } : { x, depthwiseW, pointwiseW };
}

/** The combined kernel `W[m, c, k] = Σ_j P[m, c·mult+j] · D[c·mult+j, 0, k]` of the equivalent standard conv. */
function combinedKernel(p: DepthwiseSeparableProblem, depthwiseW: Tensor, pointwiseW: Tensor): Tensor64 {
  const C = p.depthwise.inChannels, mult = channelMultiplier(p), K = sizeOf(p.depthwise.kernelShape);
  const w = zeros([p.outChannels, C, ...p.depthwise.kernelShape]);
  for (let m = 0; m < p.outChannels; m++) {
    for (let c = 0; c < C; c++) {
      for (let j = 0; j < mult; j++) {
        const q = c * mult + j;
        for (let k = 0; k < K; k++) w.data[(m * C + c) * K + k] += pointwiseW.data[m * C * mult + q] * depthwiseW.data[q * K + k];
      }
    }
  }
  return w;
}

describe('the article, §8.2: depthwise separable convolution', () => {
  const p = makeDepthwiseSeparable({ inChannels: 3, outChannels: 128, inputShape: [7, 7], kernelShape: [3, 3] });

  it('7x7x3 -> 5x5x128 with 3x3 takes 675 + 9,600 = 10,275 multiplications, counted and by formula', () => {
    const { x, depthwiseW, pointwiseW } = operandsFor(p, 1);
    const run = depthwiseSeparableConv(p, x, depthwiseW, pointwiseW);
    expect(run.y.shape).toEqual([1, 128, 5, 5]);
    expect(run.multiplications).toBe(10_275);
    expect(depthwiseSeparableMultiplications(p)).toEqual({ depthwise: 675, pointwise: 9_600, total: 10_275 });
  });

  it('where the standard 3x3x3 conv with 128 filters takes 86,400', () => {
    const standard = standardConvProblem(p);
    expect(standard).toMatchObject({ group: 1, inChannels: 3, outChannels: 128, inputShape: [7, 7], kernelShape: [3, 3] });
    expect(convDetailed(standard, { x: zeros([1, 3, 7, 7]), w: zeros([128, 3, 3, 3]) }).multiplications).toBe(86_400);
  });

  it('so the ratio is 1/Nc + 1/h² = 10,275 / 86,400 (about 12%)', () => {
    expect(depthwiseSeparableRatio(128, 9)).toBeCloseTo(10_275 / 86_400, 15);
    expect(depthwiseSeparableRatio(128, 9)).toBeGreaterThan(0.118);
    expect(depthwiseSeparableRatio(128, 9)).toBeLessThan(0.12);
  });

  it('needs 3·9 + 128·3 = 411 parameters (539 with a bias) instead of 3,456', () => {
    expect(depthwiseSeparableParameters(p)).toBe(411);
    expect(depthwiseSeparableParameters({ ...p, bias: true })).toBe(539);
  });
});

describe('depthwiseSeparableConv, hand-checked', () => {
  it('filters each channel on its own, then mixes channels per pixel, then adds the bias', () => {
    // channel 0 = 1..9 with the diagonal kernel [[1,0],[0,1]]: [[1+5, 2+6], [4+8, 5+9]] = [[6,8],[12,14]]
    // channel 1 = ones with the box kernel [[1,1],[1,1]]: 4 everywhere
    const p = makeDepthwiseSeparable({ inChannels: 2, outChannels: 2, inputShape: [3, 3], kernelShape: [2, 2], bias: true });
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1], [1, 2, 3, 3]);
    const depthwiseW = tensor([1, 0, 0, 1, 1, 1, 1, 1], [2, 1, 2, 2]);
    const pointwiseW = tensor([1, 1, 2, -1], [2, 2]);
    const run = depthwiseSeparableConv(p, x, depthwiseW, pointwiseW, tensor([0.5, -1], [2]));
    // m0 = ch0 + ch1 + 0.5; m1 = 2·ch0 - ch1 - 1
    expect(Array.from(run.y.data)).toEqual([10.5, 12.5, 16.5, 18.5, 7, 11, 19, 23]);
    expect(run.multiplications).toBe(2 * 4 * 4 + 2 * 2 * 4);
  });

  it('applies a channel multiplier: one channel, two 1-D kernels, then 1x1 back to one channel', () => {
    const p = makeDepthwiseSeparable({ inChannels: 1, multiplier: 2, outChannels: 1, inputShape: [4], kernelShape: [2] });
    const step1 = depthwiseStep(p.depthwise, tensor([1, 2, 3, 4], [1, 1, 4]), tensor([1, 1, 1, -1], [2, 1, 2]));
    expect(Array.from(step1.y.data)).toEqual([3, 5, 7, -1, -1, -1]);
    const run = depthwiseSeparableConv(p, tensor([1, 2, 3, 4], [1, 1, 4]), tensor([1, 1, 1, -1], [2, 1, 2]), tensor([1, 10], [1, 2]));
    expect(Array.from(run.y.data)).toEqual([-7, -5, -3]);
    expect(channelMultiplier(p)).toBe(2);
  });

  it('reads float32 operands and returns float64', () => {
    const p = makeDepthwiseSeparable({ inChannels: 1, outChannels: 1, inputShape: [1], kernelShape: [1] });
    const f32 = (v: number, shape: number[]): Tensor => ({ shape, data: Float32Array.from([v]) });
    const run = depthwiseSeparableConv(p, f32(0.1, [1, 1, 1]), f32(3, [1, 1, 1]), f32(1, [1, 1]));
    expect(run.y.data).toBeInstanceOf(Float64Array);
    expect(run.y.data[0]).toBe(Math.fround(0.1) * 3);
  });
});

const cases: Array<[string, DepthwiseSeparableSpec]> = [
  ['2-D, stride 2, asymmetric pads, bias, batch 2', { batch: 2, inChannels: 3, outChannels: 4, inputShape: [6, 5], kernelShape: [3, 3], strides: [2, 2], pads: [1, 0, 2, 1], bias: true }],
  ['1-D, dilation 2, multiplier 3', { inChannels: 2, multiplier: 3, outChannels: 5, inputShape: [9], kernelShape: [3], dilations: [2], pads: [1, 1] }],
  ['3-D, SAME_UPPER, multiplier 2', { inChannels: 2, multiplier: 2, outChannels: 3, inputShape: [3, 4, 4], kernelShape: [2, 3, 2], autoPad: 'SAME_UPPER' }],
];

describe('depthwiseSeparableConv as steps agrees with its equivalent standard conv, and counts as its formula says', () => {
  it.each(cases)('%s', (_, spec) => {
    const p = makeDepthwiseSeparable(spec);
    const { x, depthwiseW, pointwiseW, b } = operandsFor(p, 7);
    const run = depthwiseSeparableConv(p, x, depthwiseW, pointwiseW, b);
    const standard = conv(standardConvProblem(p), { x, w: combinedKernel(p, depthwiseW, pointwiseW), ...(b ? { b } : {}) });
    expect(run.y).toEqual(standard);
    expect(run.y.shape).toEqual(depthwiseSeparableOutputShape(p));
    expect(run.multiplications).toBe(depthwiseSeparableMultiplications(p).total);
  });
});

describe('depthwiseSeparableConv rejects what it does not define', () => {
  const p = makeDepthwiseSeparable({ inChannels: 2, outChannels: 3, inputShape: [4, 4], kernelShape: [3, 3], bias: true });
  const ok = operandsFor(p, 3);
  const run = (q: DepthwiseSeparableProblem, o: Partial<Operands> & { b?: Tensor64 | undefined } = {}): unknown => {
    const merged = { ...ok, ...o };
    return depthwiseSeparableConv(q, merged.x, merged.depthwiseW, merged.pointwiseW, 'b' in o ? o.b : ok.b);
  };

  it('a depthwise step that is not a depthwise conv', () => {
    expect(() => run({ ...p, depthwise: { ...p.depthwise, op: 'convTranspose' } })).toThrow(/depthwise step must be a conv, but depthwise.op=convTranspose/);
    expect(() => run({ ...p, depthwise: { ...p.depthwise, bias: true } })).toThrow(/bias belongs to the pointwise step/);
    const grouped = makeProblem({ inChannels: 2, outChannels: 2, group: 1, inputShape: [4, 4], kernelShape: [3, 3] });
    expect(() => run({ ...p, depthwise: grouped }, { depthwiseW: zeros([2, 2, 3, 3]) })).toThrow(/group = C, but group=1 and C=2/);
    expect(() => run({ ...p, depthwise: { ...p.depthwise, strides: [0, 1] } })).toThrow(/stride must be an integer >= 1, but strides\[0\]=0/);
  });

  it('bad outChannels or bias flag', () => {
    expect(() => run({ ...p, outChannels: 0 })).toThrow(/outChannels must be an integer >= 1, but outChannels=0/);
    expect(() => run({ ...p, outChannels: 1.5 })).toThrow(/outChannels=1.5/);
    expect(() => run({ ...p, bias: 'yes' as unknown as boolean })).toThrow(/bias must be true or false, but bias=yes/);
  });

  it('operands of the wrong shape, a missing or unexpected bias', () => {
    expect(() => run(p, { x: zeros([1, 2, 4, 5]) })).toThrow(/x must have shape \[1,2,4,4\]/);
    expect(() => run(p, { depthwiseW: zeros([2, 2, 3, 3]) })).toThrow(/depthwiseW must have shape \[2,1,3,3\]/);
    expect(() => run(p, { pointwiseW: zeros([3, 3]) })).toThrow(/pointwiseW must have shape \[3,2\]/);
    expect(() => run(p, { b: undefined })).toThrow(/has a bias, but no b tensor was given/);
    expect(() => run({ ...p, bias: false })).toThrow(/a b tensor was given, but the problem has bias=false/);
    expect(() => run(p, { b: zeros([2]) })).toThrow(/b must have shape \[3\]/);
    expect(() => run(p, { x: { shape: [1, 2, 4, 4], data: new Float64Array(31) } })).toThrow(/x.data.length=31/);
  });

  it('a pointwise step given a tensor that is not [N, Q, ...] or weights that do not match it', () => {
    expect(() => pointwiseStep(zeros([2, 3]), zeros([1, 3]))).toThrow(/y1 must be \[N, Q, ...spatial\], but y1.shape=\[2,3\]/);
    expect(() => pointwiseStep(zeros([1, 3, 2]), zeros([2, 2]))).toThrow(/pointwiseW must have shape \[2,3\]/);
    expect(() => pointwiseStep(zeros([1, 3, 2]), zeros([2, 3]), zeros([3]))).toThrow(/b must have shape \[2\]/);
  });
});
