import { describe, expect, it } from 'vitest';
import { makeOperands } from '../problem/operand-data.ts';
import { ConvInputError } from '../problem/errors.ts';
import { makeProblem } from '../problem/problem.ts';
import { tensor } from '../problem/tensor.ts';
import { conv } from './conv.ts';
import { pointwiseConv, pointwiseMultiplications, pointwiseParameters, pointwiseSourceOffsets } from './pointwise.ts';

const values = (r: { y: { data: Float64Array } }) => Array.from(r.y.data);

describe('pointwise (1x1) conv: a per-pixel matmul over channels', () => {
  it('2-D, two channels to two, with bias: y[:, o] = W·x[:, o] + b', () => {
    const p = makeProblem({ inChannels: 2, outChannels: 2, inputShape: [2, 2], kernelShape: [1, 1], bias: true });
    const x = tensor([1, 2, 3, 4, 10, 20, 30, 40], [1, 2, 2, 2]);
    const w = tensor([1, 2, 3, -1], [2, 2, 1, 1]);
    const r = pointwiseConv(p, { x, w, b: tensor([100, 200], [2]) });
    // m=0: 1·x0 + 2·x1 + 100; m=1: 3·x0 - x1 + 200
    expect(r.y.shape).toEqual([1, 2, 2, 2]);
    expect(values(r)).toEqual([121, 142, 163, 184, 193, 186, 179, 172]);
    expect(r.multiplications).toBe(16);
  });

  it('1-D, stride 2 subsamples and a position whose tap is padding is the bias alone', () => {
    // i5 s2 pads 1,1: o = floor((5+2-1)/2)+1 = 4; taps read x[-1], x[1], x[3], x[5] -> pad, 2, 4, pad
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [5], kernelShape: [1], strides: [2], pads: [1, 1], bias: true });
    const r = pointwiseConv(p, { x: tensor([1, 2, 3, 4, 5], [1, 1, 5]), w: tensor([2], [1, 1, 1]), b: tensor([0.5], [1]) });
    expect(values(r)).toEqual([0.5, 4.5, 8.5, 0.5]);
    expect(r.multiplications).toBe(2);
    expect(Array.from(pointwiseSourceOffsets(p))).toEqual([-1, 1, 3, -1]);
  });

  it('3-D, strides [2, 1, 2] and asymmetric pads', () => {
    // x[0, c] = 1..8 (c=0) and 9..16 (c=1) as [2, 2, 2]; w = [1, -2]; pads begin [0,1,0] end [0,0,1]; o = [1, 3, 2]
    const p = makeProblem({ inChannels: 2, outChannels: 1, inputShape: [2, 2, 2], kernelShape: [1, 1, 1], strides: [2, 1, 2], pads: [0, 1, 0, 0, 0, 1] });
    const x = tensor(Array.from({ length: 16 }, (_, i) => i + 1), [1, 2, 2, 2, 2]);
    const r = pointwiseConv(p, { x, w: tensor([1, -2], [1, 2, 1, 1, 1]) });
    expect(r.y.shape).toEqual([1, 1, 1, 3, 2]);
    // (oh=1, ow=0) reads x[:, 0, 0, 0] = (1, 9): 1 - 18; (oh=2, ow=0) reads (3, 11): 3 - 22
    expect(values(r)).toEqual([0, 0, -17, 0, -19, 0]);
    expect(r.multiplications).toBe(4);
    expect(pointwiseMultiplications(p)).toBe(4);
  });

  it('keeps batch items apart and reads float32 into float64', () => {
    const p = makeProblem({ batch: 2, inChannels: 1, outChannels: 1, inputShape: [2], kernelShape: [1] });
    const r = pointwiseConv(p, { x: { shape: [2, 1, 2], data: Float32Array.from([1, 2, 0.1, 4]) }, w: tensor([3], [1, 1, 1]) });
    expect(r.y.data).toBeInstanceOf(Float64Array);
    expect(values(r)).toEqual([3, 6, 3 * Math.fround(0.1), 12]);
  });

  it('agrees with conv on a problem with stride, pads, SAME_LOWER and a bias', () => {
    for (const spec of [
      { batch: 2, inChannels: 3, outChannels: 4, inputShape: [4, 5], kernelShape: [1, 1], strides: [2, 3], pads: [1, 0, 2, 1], bias: true },
      { inChannels: 2, outChannels: 3, inputShape: [5], kernelShape: [1], strides: [2], autoPad: 'SAME_LOWER' as const },
    ]) {
      const p = makeProblem(spec);
      const operands = makeOperands(p, 'exact', 7);
      expect(values(pointwiseConv(p, operands))).toEqual(Array.from(conv(p, operands).data));
    }
  });
});

describe('pointwise cost', () => {
  it("the article's §8.2 step 2: 5x5x3 to 5x5x128 takes 9,600 multiplications and 384 weights", () => {
    const p = makeProblem({ inChannels: 3, outChannels: 128, inputShape: [5, 5], kernelShape: [1, 1] });
    expect(pointwiseMultiplications(p)).toBe(9600);
    expect(pointwiseParameters(p)).toBe(384);
    expect(pointwiseParameters({ ...p, bias: true })).toBe(512);
  });

  it('counts what the run performs', () => {
    const p = makeProblem({ batch: 2, inChannels: 3, outChannels: 2, inputShape: [3, 4], kernelShape: [1, 1], strides: [1, 2], pads: [2, 1, 0, 3] });
    expect(pointwiseConv(p, makeOperands(p, 'exact', 1)).multiplications).toBe(pointwiseMultiplications(p));
    expect(pointwiseMultiplications(p)).toBe(2 * 2 * 3 * 3 * 2);
  });
});

describe('pointwise errors', () => {
  const p = makeProblem({ inChannels: 2, outChannels: 2, inputShape: [3, 3], kernelShape: [1, 1] });
  const operands = { x: tensor(new Array(18).fill(1), [1, 2, 3, 3]), w: tensor([1, 0, 0, 1], [2, 2, 1, 1]) };

  it('rejects a kernel other than 1, naming the axis', () => {
    const q = { ...p, kernelShape: [1, 3] };
    expect(() => pointwiseConv(q, operands)).toThrow(/pointwiseConv: the kernel must be 1 on every axis, but kernelShape=\[1,3\]\./);
    try { pointwiseConv(q, operands); } catch (e) { expect((e as ConvInputError).field).toBe('kernelShape[1]'); }
  });

  it('rejects group > 1, a ConvTranspose and an invalid problem', () => {
    expect(() => pointwiseConv({ ...p, group: 2 }, operands)).toThrow(/pointwiseConv: group must be 1 \(a grouped 1x1 conv is pointwiseGroupedConv\), but group=2\./);
    expect(() => pointwiseConv({ ...p, op: 'convTranspose' }, operands)).toThrow(/pointwiseConv: the problem must be a conv, but op=convTranspose\./);
    expect(() => pointwiseConv({ ...p, strides: [0, 1] }, operands)).toThrow(/stride must be an integer >= 1, but strides\[0\]=0/);
  });

  it('rejects operands that do not fit: weight shape, data length, missing bias', () => {
    expect(() => pointwiseConv(p, { ...operands, w: tensor([1, 0], [2, 1, 1, 1]) })).toThrow(/w must have shape \[2,2,1,1\]/);
    expect(() => pointwiseConv(p, { ...operands, x: { shape: [1, 2, 3, 3], data: new Float64Array(17) } })).toThrow(/x.data.length=17/);
    expect(() => pointwiseConv({ ...p, bias: true }, operands)).toThrow(/the problem has a bias, but no b tensor was given/);
  });

  it('the cost formulas reject what the op rejects', () => {
    expect(() => pointwiseMultiplications({ ...p, kernelShape: [3, 3] })).toThrow(/pointwiseMultiplications: the kernel must be 1/);
    expect(() => pointwiseParameters({ ...p, kernelShape: [3, 3] })).toThrow(/pointwiseParameters: the kernel must be 1/);
  });
});
