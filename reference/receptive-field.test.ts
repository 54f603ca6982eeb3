import { describe, expect, it } from 'vitest';
import { ConvInputError } from '../problem/errors.ts';
import { makeProblem } from '../problem/problem.ts';
import { effectiveKernelSize, sizeOf, stridesOf } from '../problem/shape.ts';
import { tensor, type Tensor64 } from '../problem/tensor.ts';
import { conv } from './conv.ts';
import { layerOf, receptiveField, stackStride, type ReceptiveLayer } from './receptive-field.ts';

/** A square layer on `rank` axes. */
function layer(kernel: number, stride: number, dilation: number, rank = 1): ReceptiveLayer {
  const fill = (v: number): number[] => Array.from({ length: rank }, () => v);
  return { kernel: fill(kernel), stride: fill(stride), dilation: fill(dilation) };
}

/** Runs the stack as reference convs (one channel, all-ones weights, no padding) on `x`. */
function runStack(layers: readonly ReceptiveLayer[], x: Tensor64): Tensor64 {
  let y = x;
  for (const l of layers) {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: y.shape.slice(2), kernelShape: l.kernel, strides: l.stride, dilations: l.dilation });
    y = conv(p, { x: y, w: tensor(new Float64Array(sizeOf(l.kernel)).fill(1), [1, 1, ...l.kernel]) });
  }
  return y;
}

/**
 * The input positions that influence the first output of the stack, found by probing: a one-hot
 * input at each position, through the reference convs. Weights are positive, so an output is nonzero
 * exactly when some path connects it to the hot position.
 */
function influencingPositions(layers: readonly ReceptiveLayer[], inputShape: readonly number[]): number[][] {
  const strides = stridesOf(inputShape);
  const found: number[][] = [];
  for (let q = 0; q < sizeOf(inputShape); q++) {
    const x = new Float64Array(sizeOf(inputShape));
    x[q] = 1;
    if (runStack(layers, tensor(x, [1, 1, ...inputShape])).data[0] !== 0) found.push(strides.map((s, a) => Math.floor(q / s) % inputShape[a]));
  }
  return found;
}

/** Per axis, last minus first influencing position plus one. */
function extent(positions: number[][], rank: number): number[] {
  return Array.from({ length: rank }, (_, a) => Math.max(...positions.map((p) => p[a])) - Math.min(...positions.map((p) => p[a])) + 1);
}

const RATES_1_2_4 = [layer(3, 1, 1, 2), layer(3, 1, 2, 2), layer(3, 1, 4, 2)];

describe('receptive field: the formula r = 1 + Σ (k-1)·d·Π(earlier strides)', () => {
  it('article §7: stacked 3x3 at rates 1, 2, 4 see 3x3, 7x7 and 15x15', () => {
    expect(receptiveField(RATES_1_2_4.slice(0, 1))).toEqual([3, 3]);
    expect(receptiveField(RATES_1_2_4.slice(0, 2))).toEqual([7, 7]);
    expect(receptiveField(RATES_1_2_4)).toEqual([15, 15]);
  });

  it('strides multiply the reach of every later layer: k3s2 then k3s1 sees 1 + 2 + 2·2 = 7', () => {
    expect(receptiveField([layer(3, 2, 1), layer(3, 1, 1)])).toEqual([7]);
    // the order matters: the last layer's stride moves outputs, it widens nothing
    expect(receptiveField([layer(3, 1, 1), layer(3, 2, 1)])).toEqual([5]);
    expect(receptiveField([layer(3, 2, 1), layer(3, 2, 1), layer(3, 1, 1)])).toEqual([15]);
    expect(receptiveField([layer(5, 2, 2), layer(3, 3, 2)])).toEqual([1 + 4 * 2 + 2 * 2 * 2]);
  });

  it('axes are independent: a 3x1 then a 1x3 layer sees 3x3; a kernel [5, 1] dilated [1, 3] sees [5, 1]', () => {
    const tall: ReceptiveLayer = { kernel: [3, 1], stride: [1, 1], dilation: [1, 1] };
    const wide: ReceptiveLayer = { kernel: [1, 3], stride: [1, 1], dilation: [1, 1] };
    expect(receptiveField([tall, wide])).toEqual([3, 3]);
    expect(receptiveField([{ kernel: [5, 1], stride: [1, 2], dilation: [1, 3] }])).toEqual([5, 1]);
  });

  it('one layer sees its dilated kernel span d·(k-1)+1; layerOf reads it off a problem; no layer sees 1', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [9, 9, 9], kernelShape: [3, 2, 1], dilations: [3, 2, 4], strides: [2, 1, 1] });
    expect(receptiveField([layerOf(p)])).toEqual([7, 3, 1]);
    expect(stackStride([layerOf(p), layerOf(p)])).toEqual([4, 1, 1]);
    expect(receptiveField([], 3)).toEqual([1, 1, 1]);
  });

  it('one layer sees exactly the effective kernel size problem/shape.ts gives the conv output formula', () => {
    for (let k = 1; k <= 5; k++) {
      for (let d = 1; d <= 4; d++) expect(receptiveField([layer(k, 2, d)])).toEqual([effectiveKernelSize(k, d)]);
    }
  });

  it('rejects a layer with the wrong rank or a non-integer / < 1 attribute, naming it', () => {
    expect(() => receptiveField([layer(3, 1, 1, 2), layer(3, 1, 1, 1)])).toThrow(/layers\[1\]\.kernel=\[3\]/);
    expect(() => receptiveField([layer(3, 0, 1)])).toThrow(ConvInputError);
    expect(() => receptiveField([layer(3, 0, 1)])).toThrow(/stride must be an integer >= 1, but layers\[0\]\.stride\[0\]=0/);
    expect(() => receptiveField([layer(2.5, 1, 1)])).toThrow(/layers\[0\]\.kernel\[0\]=2.5/);
    expect(() => receptiveField([layer(3, 1, Number.NaN)])).toThrow(/dilation\[0\]=NaN/);
  });
});

describe('receptive field: the set of inputs one output of the reference stack reads', () => {
  it('1-D rates 1, 2, 4: every one of the 3, 7, 15 positions influences output 0, and no other', () => {
    for (const depth of [1, 2, 3]) {
      const layers = [layer(3, 1, 1), layer(3, 1, 2), layer(3, 1, 4)].slice(0, depth);
      const r = receptiveField(layers)[0];
      const found = influencingPositions(layers, [r + 3]); // a longer input: outputs beyond 0 exist
      expect(found).toEqual(Array.from({ length: r }, (_, j) => [j]));
    }
  });

  it('2-D rates 1, 2, 4: the 15x15 block, all 225 positions of it', () => {
    const found = influencingPositions(RATES_1_2_4, [17, 16]);
    expect(found.length).toBe(225);
    expect(extent(found, 2)).toEqual(receptiveField(RATES_1_2_4));
  });

  it('strided k3s2 then k3s1: positions 0..6, as the formula says 7', () => {
    const layers = [layer(3, 2, 1), layer(3, 1, 1)];
    expect(influencingPositions(layers, [11])).toEqual([[0], [1], [2], [3], [4], [5], [6]]);
    expect(receptiveField(layers)).toEqual([7]);
  });

  it('a 1x1 stride-2 layer under a 3-tap layer leaves gaps: the field spans 5 but reads 3 positions', () => {
    const layers = [layer(1, 2, 1), layer(3, 1, 1)];
    const found = influencingPositions(layers, [8]);
    expect(found).toEqual([[0], [2], [4]]);
    expect(extent(found, 1)).toEqual(receptiveField(layers));
  });

  it('3-D, mixed per-axis attributes: the extent of the read set is the formula on every axis', () => {
    const layers: ReceptiveLayer[] = [
      { kernel: [2, 3, 1], stride: [1, 2, 1], dilation: [1, 1, 1] },
      { kernel: [2, 2, 3], stride: [1, 1, 1], dilation: [2, 1, 2] },
    ];
    const r = receptiveField(layers);
    expect(r).toEqual([4, 5, 5]);
    expect(extent(influencingPositions(layers, [5, 6, 6]), 3)).toEqual(r);
  });
});
