import { describe, expect, it } from 'vitest';
import { Random } from '../problem/random.ts';
import { makeProblem, type ConvProblem, type ProblemSpec } from '../problem/problem.ts';
import { sizeOf } from '../problem/shape.ts';
import { tensor, zeros, type Tensor64 } from '../problem/tensor.ts';
import { conv, convDetailed } from './conv.ts';
import {
  axisConvStep, spatiallySeparableConv, spatiallySeparableMultiplications, spatiallySeparableParameters,
  spatiallySeparableRatio,
} from './spatially-separable.ts';

const article5x5 = tensor([3, 3, 2, 1, 0, 0, 0, 1, 3, 1, 3, 1, 2, 2, 3, 2, 0, 0, 2, 2, 2, 0, 0, 0, 1], [1, 1, 5, 5]);
const single3x3 = makeProblem({ inChannels: 1, outChannels: 1, group: 1, inputShape: [5, 5], kernelShape: [3, 3] });

function integers(shape: readonly number[], seed: number): Tensor64 {
  const rng = new Random(seed);
  return tensor(Array.from({ length: sizeOf(shape) }, () => rng.int(-4, 4)), shape);
}

/** The outer-product kernel `W[c, 0, k0, k1, ..] = Π_a K_a[c, k_a]` of the equivalent depthwise conv. */
function outerProductKernel(p: ConvProblem, axisKernels: readonly Tensor64[]): Tensor64 {
  const w = zeros([p.inChannels, 1, ...p.kernelShape]);
  const K = sizeOf(p.kernelShape);
  for (let c = 0; c < p.inChannels; c++) {
    for (let k = 0; k < K; k++) {
      let rest = k, product = 1;
      for (let a = p.kernelShape.length - 1; a >= 0; a--) {
        product *= axisKernels[a].data[c * p.kernelShape[a] + (rest % p.kernelShape[a])];
        rest = Math.floor(rest / p.kernelShape[a]);
      }
      w.data[c * K + k] = product;
    }
  }
  return w;
}

describe('the article, §8.1: spatially separable convolution', () => {
  it('the 3x3 Sobel kernel is a 3x1 column [1,2,1] then a 1x3 row [-1,0,1]', () => {
    const column = tensor([1, 2, 1], [1, 3]), row = tensor([-1, 0, 1], [1, 3]);
    const sobel = tensor([-1, 0, 1, -2, 0, 2, -1, 0, 1], [1, 1, 3, 3]);
    const separable = spatiallySeparableConv(single3x3, article5x5, [column, row]);
    // by hand, top-left window [[3,3,2],[0,0,1],[3,1,2]]: (2-3) + 2·(1-0) + (2-3) = 0
    expect(Array.from(separable.y.data)).toEqual([0, 5, -1, -3, 7, 4, -7, 5, 6]);
    expect(separable.y).toEqual(conv(single3x3, { x: article5x5, w: sobel }));
  });

  it('on a 5x5 image: 45 multiplications for the 3x1 step (a 3x5 result), 27 for the 1x3 step, 72 in all', () => {
    const column = tensor([1, 2, 1], [1, 3]), row = tensor([-1, 0, 1], [1, 3]);
    const step1 = axisConvStep(article5x5, column, { axis: 0, stride: 1, dilation: 1, padBegin: 0, padEnd: 0 });
    expect(step1.y.shape).toEqual([1, 1, 3, 5]);
    expect(step1.multiplications).toBe(45);
    expect(spatiallySeparableConv(single3x3, article5x5, [column, row]).multiplications).toBe(72);
    expect(spatiallySeparableMultiplications(single3x3)).toEqual({ steps: [45, 27], total: 72 });
  });

  it('against 81 for the 3x3 kernel: the ratio (2N-m+1)/((N-m+1)·m) is 72/81 and tends to 2/m', () => {
    expect(convDetailed(single3x3, { x: article5x5, w: zeros([1, 1, 3, 3]) }).multiplications).toBe(81);
    expect(spatiallySeparableRatio(5, 3)).toBeCloseTo(72 / 81, 15);
    expect(spatiallySeparableRatio(1e7, 3)).toBeCloseTo(2 / 3, 6);
    expect(spatiallySeparableRatio(1e7, 5)).toBeCloseTo(2 / 5, 6);
  });

  it('needs 6 parameters instead of 9', () => {
    expect(spatiallySeparableParameters(single3x3)).toBe(6);
    expect(spatiallySeparableParameters({ ...single3x3, bias: true })).toBe(7);
  });
});

const cases: Array<[string, ProblemSpec]> = [
  ['2-D, 3 channels, strides, dilations, asymmetric pads, bias, batch 2', {
    batch: 2, inChannels: 3, outChannels: 3, group: 3, inputShape: [6, 7], kernelShape: [3, 2],
    strides: [2, 1], dilations: [1, 2], pads: [1, 0, 2, 3], bias: true,
  }],
  ['1-D, stride 3, SAME_LOWER', { inChannels: 2, outChannels: 2, group: 2, inputShape: [8], kernelShape: [4], strides: [3], autoPad: 'SAME_LOWER' }],
  ['3-D, depth, height and width kernels, pads', {
    inChannels: 2, outChannels: 2, group: 2, inputShape: [3, 4, 5], kernelShape: [2, 3, 2], strides: [1, 1, 2], pads: [1, 0, 1, 0, 2, 1],
  }],
];

describe('spatiallySeparableConv as steps agrees with the conv of its outer-product kernel, and counts as its formula says', () => {
  it.each(cases)('%s', (_, spec) => {
    const p = makeProblem(spec);
    const x = integers([p.batch, p.inChannels, ...p.inputShape], 5);
    const axisKernels = p.kernelShape.map((k, a) => integers([p.inChannels, k], 10 + a));
    const b = p.bias ? integers([p.outChannels], 20) : undefined;
    const run = spatiallySeparableConv(p, x, axisKernels, b);
    expect(run.y).toEqual(conv(p, { x, w: outerProductKernel(p, axisKernels), ...(b ? { b } : {}) }));
    expect(run.multiplications).toBe(spatiallySeparableMultiplications(p).total);
  });

  it('reads float32 operands and returns float64', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, group: 1, inputShape: [1, 1], kernelShape: [1, 1] });
    const f32 = (v: number): { shape: number[]; data: Float32Array } => ({ shape: [1, 1], data: Float32Array.from([v]) });
    const run = spatiallySeparableConv(p, { shape: [1, 1, 1, 1], data: Float32Array.from([0.1]) }, [f32(3), f32(0.5)]);
    expect(run.y.data).toBeInstanceOf(Float64Array);
    expect(run.y.data[0]).toBe(Math.fround(0.1) * 3 * 0.5);
  });
});

describe('spatiallySeparableConv rejects what it does not define', () => {
  const p = makeProblem({ inChannels: 2, outChannels: 2, group: 2, inputShape: [4, 4], kernelShape: [3, 2], bias: true });
  const x = zeros([1, 2, 4, 4]), kernels = [zeros([2, 3]), zeros([2, 2])], b = zeros([2]);

  it('a problem that is not a per-channel conv', () => {
    expect(() => spatiallySeparableConv({ ...p, op: 'convTranspose' }, x, kernels, b)).toThrow(/spatiallySeparableConv: the problem must be a conv, but op=convTranspose/);
    expect(() => spatiallySeparableConv({ ...p, group: 1 }, x, kernels, b)).toThrow(/group = C = M is required, but group=1, C=2 and M=2/);
    expect(() => spatiallySeparableConv({ ...p, outChannels: 4 }, x, kernels, b)).toThrow(/group = C = M is required, but group=2, C=2 and M=4/);
    expect(() => spatiallySeparableConv({ ...p, dilations: [1, 0] }, x, kernels, b)).toThrow(/dilation must be an integer >= 1, but dilations\[1\]=0/);
  });

  it('kernels that are not one [C, k_a] per axis, and operands of the wrong shape', () => {
    expect(() => spatiallySeparableConv(p, x, [kernels[0]], b)).toThrow(/one 1-D kernel per spatial axis is required \(2\), but 1 were given/);
    expect(() => spatiallySeparableConv(p, x, [kernels[0], zeros([2, 3])], b)).toThrow(/axisKernels\[1\] must have shape \[2,2\]/);
    expect(() => spatiallySeparableConv(p, zeros([1, 2, 4, 3]), kernels, b)).toThrow(/x must have shape \[1,2,4,4\]/);
    expect(() => spatiallySeparableConv(p, x, kernels)).toThrow(/has a bias, but no b tensor was given/);
    expect(() => spatiallySeparableConv({ ...p, bias: false }, x, kernels, b)).toThrow(/a b tensor was given, but the problem has bias=false/);
    expect(() => spatiallySeparableConv(p, x, kernels, zeros([3]))).toThrow(/b must have shape \[2\]/);
  });

  it('an axis step with a bad tensor, axis, kernel or window', () => {
    const w = { axis: 0, stride: 1, dilation: 1, padBegin: 0, padEnd: 0 };
    const k = zeros([2, 3]);
    expect(() => axisConvStep(zeros([2, 4]), k, w)).toThrow(/t must be \[N, C, ...spatial\] with sizes >= 1, but t.shape=\[2,4\]/);
    expect(() => axisConvStep(x, k, { ...w, axis: 2 })).toThrow(/axis must be a spatial axis of t \(0..1\), but axis=2/);
    expect(() => axisConvStep(x, zeros([6]), w)).toThrow(/kernels must be \[C, k\], but kernels.shape=\[6\]/);
    expect(() => axisConvStep(x, zeros([3, 2]), w)).toThrow(/kernels must have shape \[2,2\]/);
    expect(() => axisConvStep(x, zeros([2, 0]), w)).toThrow(/kernel length must be an integer >= 1/);
    expect(() => axisConvStep(x, k, { ...w, stride: 0 })).toThrow(/stride must be an integer >= 1, but stride=0/);
    expect(() => axisConvStep(x, k, { ...w, dilation: 1.5 })).toThrow(/dilation must be an integer >= 1, but dilation=1.5/);
    expect(() => axisConvStep(x, k, { ...w, padBegin: -1 })).toThrow(/padBegin must be an integer >= 0, but padBegin=-1/);
    expect(() => axisConvStep(x, k, { ...w, dilation: 2 })).toThrow(/kernel must fit the padded input on axis 0, but k=3, d=2 and the padded input is 4/);
  });
});
