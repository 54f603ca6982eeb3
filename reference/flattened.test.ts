import { describe, expect, it } from 'vitest';
import { Random } from '../problem/random.ts';
import { makeProblem, type ConvProblem, type ProblemSpec } from '../problem/problem.ts';
import { sizeOf } from '../problem/shape.ts';
import { tensor, zeros, type Tensor64 } from '../problem/tensor.ts';
import { conv } from './conv.ts';
import { flattenedConv, flattenedMultiplications, flattenedParameters, type FlattenedFilters } from './flattened.ts';

function integers(shape: readonly number[], seed: number): Tensor64 {
  const rng = new Random(seed);
  return tensor(Array.from({ length: sizeOf(shape) }, () => rng.int(-4, 4)), shape);
}

function filtersFor(p: ConvProblem, seed: number): FlattenedFilters {
  return {
    channel: integers([p.outChannels, p.inChannels], seed),
    spatial: p.kernelShape.map((k, a) => integers([p.outChannels, k], seed + 1 + a)),
  };
}

/** The rank-1 3-D filter `W[m, c, k0, k1, ..] = α[m, c] · Π_a filter_a[m, k_a]` of the equivalent standard conv. */
function rankOneKernel(p: ConvProblem, f: FlattenedFilters): Tensor64 {
  const K = sizeOf(p.kernelShape);
  const w = zeros([p.outChannels, p.inChannels, ...p.kernelShape]);
  for (let m = 0; m < p.outChannels; m++) {
    for (let c = 0; c < p.inChannels; c++) {
      for (let k = 0; k < K; k++) {
        let rest = k, product = f.channel.data[m * p.inChannels + c];
        for (let a = p.kernelShape.length - 1; a >= 0; a--) {
          product *= f.spatial[a].data[m * p.kernelShape[a] + (rest % p.kernelShape[a])];
          rest = Math.floor(rest / p.kernelShape[a]);
        }
        w.data[(m * p.inChannels + c) * K + k] = product;
      }
    }
  }
  return w;
}

describe('the article, §9: flattened convolution (Jin et al. 2014)', () => {
  it('applies a channel filter, then a vertical filter, then a horizontal filter (hand-checked)', () => {
    // x: channel 0 = [[1,2],[3,4]], channel 1 = [[10,20],[30,40]]
    // channel step α = [1, 0.5]: [[6,12],[18,24]]; vertical β = [1,1]: [[24,36]]; horizontal γ = [1,-1]: [[-12]]
    const p = makeProblem({ inChannels: 2, outChannels: 1, inputShape: [2, 2], kernelShape: [2, 2] });
    const x = tensor([1, 2, 3, 4, 10, 20, 30, 40], [1, 2, 2, 2]);
    const filters = { channel: tensor([1, 0.5], [1, 2]), spatial: [tensor([1, 1], [1, 2]), tensor([1, -1], [1, 2])] };
    const run = flattenedConv(p, x, filters);
    expect(run.y.shape).toEqual([1, 1, 1, 1]);
    expect(Array.from(run.y.data)).toEqual([-12]);
    // channel 1·2·4 = 8, vertical 2 taps on 2 columns = 4, horizontal 2 taps on 1 row = 2
    expect(run.multiplications).toBe(14);
    expect(flattenedMultiplications(p)).toEqual({ channel: 8, spatial: [4, 2], total: 14 });
  });

  it('gives each filter its own three 1-D filters, and adds a bias per filter', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 2, inputShape: [1, 2], kernelShape: [1, 2], bias: true });
    const x = tensor([3, 5], [1, 1, 1, 2]);
    const filters = { channel: tensor([1, 2], [2, 1]), spatial: [tensor([1, -1], [2, 1]), tensor([1, 1, 1, 0], [2, 2])] };
    // filter 0: 3 + 5 = 8, + 0.5; filter 1: 2·(-1)·3 = -6, - 1
    expect(Array.from(flattenedConv(p, x, filters, tensor([0.5, -1], [2])).y.data)).toEqual([8.5, -7]);
  });

  it('has M·(C + kh + kw) parameters instead of M·C·kh·kw: 36 vs 108 for 4 filters of 3x3x3', () => {
    const p = makeProblem({ inChannels: 3, outChannels: 4, inputShape: [5, 5], kernelShape: [3, 3] });
    expect(flattenedParameters(p)).toBe(36);
    expect(flattenedParameters({ ...p, bias: true })).toBe(40);
  });
});

const cases: Array<[string, ProblemSpec]> = [
  ['2-D, strides, dilations, asymmetric pads, bias, batch 2', {
    batch: 2, inChannels: 3, outChannels: 4, inputShape: [6, 5], kernelShape: [3, 2], strides: [2, 1], dilations: [1, 2], pads: [2, 1, 0, 1], bias: true,
  }],
  ['1-D (a channel filter and one spatial filter), SAME_UPPER', { inChannels: 2, outChannels: 3, inputShape: [7], kernelShape: [4], strides: [2], autoPad: 'SAME_UPPER' }],
  ['3-D, four 1-D filters', { inChannels: 2, outChannels: 2, inputShape: [3, 4, 4], kernelShape: [2, 2, 3], pads: [0, 1, 1, 1, 0, 1], dilations: [2, 1, 1] }],
];

describe('flattenedConv as steps agrees with the conv of its rank-1 filter, and counts as its formula says', () => {
  it.each(cases)('%s', (_, spec) => {
    const p = makeProblem(spec);
    const x = integers([p.batch, p.inChannels, ...p.inputShape], 3);
    const filters = filtersFor(p, 30);
    const b = p.bias ? integers([p.outChannels], 40) : undefined;
    const run = flattenedConv(p, x, filters, b);
    expect(run.y).toEqual(conv(p, { x, w: rankOneKernel(p, filters), ...(b ? { b } : {}) }));
    expect(run.multiplications).toBe(flattenedMultiplications(p).total);
  });

  it('reads float32 operands and returns float64', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [1], kernelShape: [1] });
    const f32 = (v: number): { shape: number[]; data: Float32Array } => ({ shape: [1, 1], data: Float32Array.from([v]) });
    const run = flattenedConv(p, { shape: [1, 1, 1], data: Float32Array.from([0.1]) }, { channel: f32(3), spatial: [f32(0.5)] });
    expect(run.y.data).toBeInstanceOf(Float64Array);
    expect(run.y.data[0]).toBe(3 * Math.fround(0.1) * 0.5);
  });
});

describe('flattenedConv rejects what it does not define', () => {
  const p = makeProblem({ inChannels: 2, outChannels: 3, inputShape: [4, 4], kernelShape: [3, 2], bias: true });
  const x = zeros([1, 2, 4, 4]), b = zeros([3]);
  const filters = { channel: zeros([3, 2]), spatial: [zeros([3, 3]), zeros([3, 2])] };

  it('a problem that is not a standard conv', () => {
    expect(() => flattenedConv({ ...p, op: 'convTranspose' }, x, filters, b)).toThrow(/flattenedConv: the problem must be a conv, but op=convTranspose/);
    const grouped = makeProblem({ inChannels: 2, outChannels: 2, group: 2, inputShape: [4, 4], kernelShape: [3, 2] });
    expect(() => flattenedConv(grouped, x, { channel: zeros([2, 2]), spatial: [zeros([2, 3]), zeros([2, 2])] })).toThrow(/group must be 1, but group=2/);
    expect(() => flattenedConv({ ...p, kernelShape: [5, 2] }, x, filters, b)).toThrow(/kernel must fit the padded input on axis 0/);
  });

  it('filters and operands of the wrong shape, a missing or unexpected bias', () => {
    expect(() => flattenedConv(p, x, { ...filters, channel: zeros([2, 3]) }, b)).toThrow(/filters.channel must have shape \[3,2\]/);
    expect(() => flattenedConv(p, x, { ...filters, spatial: [zeros([3, 3])] }, b)).toThrow(/one spatial filter per axis is required \(2\), but 1 were given/);
    expect(() => flattenedConv(p, x, { ...filters, spatial: [zeros([3, 3]), zeros([3, 3])] }, b)).toThrow(/filters.spatial\[1\] must have shape \[3,2\]/);
    expect(() => flattenedConv(p, zeros([2, 2, 4, 4]), filters, b)).toThrow(/x must have shape \[1,2,4,4\]/);
    expect(() => flattenedConv(p, x, filters)).toThrow(/has a bias, but no b tensor was given/);
    expect(() => flattenedConv({ ...p, bias: false }, x, filters, b)).toThrow(/a b tensor was given, but the problem has bias=false/);
    expect(() => flattenedConv(p, x, filters, zeros([2]))).toThrow(/b must have shape \[3\]/);
  });
});
