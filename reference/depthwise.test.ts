import { describe, expect, it } from 'vitest';
import { makeOperands } from '../problem/operand-data.ts';
import { makeProblem } from '../problem/problem.ts';
import { tensor } from '../problem/tensor.ts';
import { conv } from './conv.ts';
import { depthwiseConv, depthwiseMultiplications, depthwiseMultiplier, depthwiseParameters } from './depthwise.ts';

const values = (r: { y: { data: Float64Array } }) => Array.from(r.y.data);

describe('depthwise conv', () => {
  it('1-D, two channels each filtered on its own', () => {
    // x channels [1,2,3,4] and [5,6,7,8]; kernels [1,1] and [1,-1]
    const p = makeProblem({ inChannels: 2, outChannels: 2, group: 2, inputShape: [4], kernelShape: [2] });
    const r = depthwiseConv(p, { x: tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 4]), w: tensor([1, 1, 1, -1], [2, 1, 2]) });
    expect(values(r)).toEqual([3, 5, 7, -1, -1, -1]);
    expect(r.multiplications).toBe(12);
  });

  it('1-D, multiplier 2, dilation 2, pads 1 and bias: output channel c·2 + j uses input channel c', () => {
    // taps read x[o-1] and x[o+1]; channel 0 kernels [1,2], [3,-1]; channel 1 kernels [0,1], [1,1] with b = 10
    const p = makeProblem({ inChannels: 2, outChannels: 4, group: 2, inputShape: [4], kernelShape: [2], dilations: [2], pads: [1, 1], bias: true });
    const r = depthwiseConv(p, {
      x: tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 4]), w: tensor([1, 2, 3, -1, 0, 1, 1, 1], [4, 1, 2]), b: tensor([0, 0, 0, 10], [4]),
    });
    expect(depthwiseMultiplier(p)).toBe(2);
    expect(r.y.shape).toEqual([1, 4, 4]);
    expect(values(r)).toEqual([4, 7, 10, 3, -2, 0, 2, 9, 6, 7, 8, 0, 16, 22, 24, 17]);
    expect(r.multiplications).toBe(24);
    expect(depthwiseMultiplications(p)).toBe(24);
  });

  it('3-D, multiplier 2, stride 2 on H and a pad at the H end', () => {
    // x [1, 2, 1, 3, 3] = 1..18; kernel [1, 2, 2]; o = [1, 2, 2]
    const p = makeProblem({ inChannels: 2, outChannels: 4, group: 2, inputShape: [1, 3, 3], kernelShape: [1, 2, 2], strides: [1, 2, 1], pads: [0, 0, 0, 0, 1, 0] });
    const x = tensor(Array.from({ length: 18 }, (_, i) => i + 1), [1, 2, 1, 3, 3]);
    const w = tensor([1, 0, 0, 1, 0, 1, 1, 0, 2, 0, 0, 0, 0, 0, 0, -1], [4, 1, 1, 2, 2]);
    const r = depthwiseConv(p, { x, w });
    expect(r.y.shape).toEqual([1, 4, 1, 2, 2]);
    // (m=0, o=(0,0,0)): x[0,0,0] + x[0,1,1] = 1 + 5; (m=3, o=(0,0,0)): -x[1][1][1] = -14
    expect(values(r)).toEqual([6, 8, 7, 8, 6, 8, 8, 9, 20, 22, 32, 34, -14, -15, 0, 0]);
    expect(r.multiplications).toBe(48);
  });

  it('reads float32, accumulates and returns float64', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, group: 1, inputShape: [2], kernelShape: [2] });
    const r = depthwiseConv(p, { x: { shape: [1, 1, 2], data: Float32Array.from([0.1, 0.2]) }, w: tensor([1, 1], [1, 1, 2]) });
    expect(r.y.data).toBeInstanceOf(Float64Array);
    expect(r.y.data[0]).toBe(Math.fround(0.1) + Math.fround(0.2));
  });

  it('agrees with conv with group = C, on 2-D with SAME_UPPER, stride, dilation, batch 2 and bias', () => {
    const p = makeProblem({
      batch: 2, inChannels: 3, outChannels: 6, group: 3, inputShape: [5, 6], kernelShape: [3, 2],
      strides: [2, 1], dilations: [1, 2], autoPad: 'SAME_UPPER', bias: true,
    });
    const operands = makeOperands(p, 'exact', 5);
    const r = depthwiseConv(p, operands);
    expect(values(r)).toEqual(Array.from(conv(p, operands).data));
    expect(r.multiplications).toBe(depthwiseMultiplications(p));
  });
});

describe('depthwise cost', () => {
  it("the article's §8.2 step 1: 7x7x3 to 5x5x3 with 3x3 takes 675 multiplications and 27 weights", () => {
    const p = makeProblem({ inChannels: 3, outChannels: 3, group: 3, inputShape: [7, 7], kernelShape: [3, 3] });
    expect(depthwiseMultiplications(p)).toBe(675);
    expect(depthwiseParameters(p)).toBe(27);
    expect(depthwiseParameters({ ...p, bias: true })).toBe(30);
  });

  it('counts what the run performs with a pad larger than the kernel', () => {
    const p = makeProblem({ inChannels: 2, outChannels: 6, group: 2, inputShape: [3, 2], kernelShape: [2, 2], pads: [3, 0, 1, 2], strides: [1, 2] });
    expect(depthwiseConv(p, makeOperands(p, 'exact', 9)).multiplications).toBe(depthwiseMultiplications(p));
  });
});

describe('depthwise errors', () => {
  const p = makeProblem({ inChannels: 2, outChannels: 2, group: 2, inputShape: [4], kernelShape: [2] });
  const operands = { x: tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 4]), w: tensor([1, 1, 1, -1], [2, 1, 2]) };

  it('rejects group other than C, naming both', () => {
    expect(() => depthwiseConv({ ...p, group: 1 }, operands)).toThrow(/depthwiseConv: group must equal the input channels, but group=1 and C=2\./);
    expect(() => depthwiseMultiplications({ ...p, group: 1 })).toThrow(/depthwiseMultiplications: group must equal the input channels/);
    expect(() => depthwiseParameters({ ...p, group: 1 })).toThrow(/depthwiseParameters: group must equal the input channels/);
  });

  it('rejects M not a multiple of C, a ConvTranspose, a wrong weight shape and a stray bias', () => {
    expect(() => depthwiseConv({ ...p, outChannels: 3 }, operands)).toThrow(/group must divide output channels, but group=2 and M=3/);
    expect(() => depthwiseConv({ ...p, op: 'convTranspose' }, operands)).toThrow(/depthwiseConv: the problem must be a conv, but op=convTranspose/);
    expect(() => depthwiseConv(p, { ...operands, w: tensor([1, 1, 1, -1], [1, 2, 2]) })).toThrow(/w must have shape \[2,1,2\]/);
    expect(() => depthwiseConv(p, { ...operands, b: tensor([1, 2], [2]) })).toThrow(/a b tensor was given, but the problem has bias=false/);
  });
});
