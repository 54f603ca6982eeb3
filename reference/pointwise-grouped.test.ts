import { describe, expect, it } from 'vitest';
import { makeOperands } from '../problem/operand-data.ts';
import { makeProblem } from '../problem/problem.ts';
import { tensor } from '../problem/tensor.ts';
import { conv } from './conv.ts';
import { pointwiseConv } from './pointwise.ts';
import {
  blockDiagonalWeight, pointwiseGroupedConv, pointwiseGroupedMultiplications, pointwiseGroupedParameters,
} from './pointwise-grouped.ts';

const values = (r: { y: { data: Float64Array } }) => Array.from(r.y.data);
// x [1, 4, 2]: channels [1, 2], [3, 4], [5, 6], [7, 8]
const x4 = tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 4, 2]);

describe('pointwise grouped conv: a block-diagonal matmul', () => {
  it('1-D, C=4 to M=2 in 2 groups: each output sees only its group\'s two channels', () => {
    const p = makeProblem({ inChannels: 4, outChannels: 2, group: 2, inputShape: [2], kernelShape: [1] });
    const r = pointwiseGroupedConv(p, { x: x4, w: tensor([1, 10, 100, 1000], [2, 2, 1]) });
    // y0 = 1·[1,2] + 10·[3,4]; y1 = 100·[5,6] + 1000·[7,8]
    expect(values(r)).toEqual([31, 42, 7500, 8600]);
    expect(r.multiplications).toBe(8);
  });

  it('1-D, C=2 to M=4 in 2 groups (two filters per group), with bias', () => {
    const p = makeProblem({ inChannels: 2, outChannels: 4, group: 2, inputShape: [2], kernelShape: [1], bias: true });
    const r = pointwiseGroupedConv(p, { x: tensor([1, 2, 3, 4], [1, 2, 2]), w: tensor([1, 2, 3, 4], [4, 1, 1]), b: tensor([0, 0, 0, 0.5], [4]) });
    expect(values(r)).toEqual([1, 2, 2, 4, 9, 12, 12.5, 16.5]);
  });

  it('3-D, group = C = M with stride and padding: each channel scaled by its own weight', () => {
    // x [1, 3, 1, 1, 3]; stride 2 on W, pads 1 at the W end: o_W = floor((3+1-1)/2)+1 = 2, taps x[0], x[2]
    const p = makeProblem({ inChannels: 3, outChannels: 3, group: 3, inputShape: [1, 1, 3], kernelShape: [1, 1, 1], strides: [1, 1, 2], pads: [0, 0, 0, 0, 0, 1] });
    const r = pointwiseGroupedConv(p, { x: tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 1, 1, 3]), w: tensor([1, -1, 2], [3, 1, 1, 1, 1]) });
    expect(r.y.shape).toEqual([1, 3, 1, 1, 2]);
    expect(values(r)).toEqual([1, 3, -4, -6, 14, 18]);
    expect(r.multiplications).toBe(6);
  });

  it('blockDiagonalWeight puts each group\'s block on the diagonal and zeros elsewhere', () => {
    const p = makeProblem({ inChannels: 4, outChannels: 2, group: 2, inputShape: [2], kernelShape: [1] });
    const dense = blockDiagonalWeight(p, tensor([1, 10, 100, 1000], [2, 2, 1]));
    expect(dense.shape).toEqual([2, 4, 1]);
    expect(Array.from(dense.data)).toEqual([1, 10, 0, 0, 0, 0, 100, 1000]);
  });

  it('equals the dense 1x1 conv with the block-diagonal weight, and conv with the group', () => {
    const p = makeProblem({ batch: 2, inChannels: 6, outChannels: 9, group: 3, inputShape: [3, 4], kernelShape: [1, 1], strides: [2, 1], pads: [1, 0, 0, 2], bias: true });
    const operands = makeOperands(p, 'exact', 11);
    const grouped = values(pointwiseGroupedConv(p, operands));
    const dense = pointwiseConv({ ...p, group: 1 }, { ...operands, w: blockDiagonalWeight(p, operands.w) });
    expect(grouped).toEqual(values(dense));
    expect(grouped).toEqual(Array.from(conv(p, operands).data));
  });
});

describe('pointwise grouped cost', () => {
  it('is g times cheaper than the dense 1x1, in multiplications and weights', () => {
    const dense = makeProblem({ inChannels: 240, outChannels: 60, inputShape: [28, 28], kernelShape: [1, 1] });
    const grouped = { ...dense, group: 3 };
    expect(pointwiseGroupedMultiplications(dense)).toBe(28 * 28 * 60 * 240);
    expect(pointwiseGroupedMultiplications(grouped) * 3).toBe(pointwiseGroupedMultiplications(dense));
    expect(pointwiseGroupedParameters(grouped)).toBe(60 * 80);
    expect(pointwiseGroupedParameters({ ...grouped, bias: true })).toBe(60 * 80 + 60);
  });

  it('counts what the run performs, padding excluded', () => {
    const p = makeProblem({ batch: 2, inChannels: 4, outChannels: 6, group: 2, inputShape: [3, 3], kernelShape: [1, 1], pads: [1, 2, 0, 1], strides: [2, 2] });
    expect(pointwiseGroupedConv(p, makeOperands(p, 'exact', 3)).multiplications).toBe(pointwiseGroupedMultiplications(p));
  });
});

describe('pointwise grouped errors', () => {
  const p = makeProblem({ inChannels: 4, outChannels: 2, group: 2, inputShape: [2], kernelShape: [1] });
  const w = tensor([1, 10, 100, 1000], [2, 2, 1]);

  it('rejects a kernel other than 1, a group that does not divide C, a ConvTranspose and a wrong weight', () => {
    expect(() => pointwiseGroupedConv({ ...p, kernelShape: [2] }, { x: x4, w })).toThrow(/pointwiseGroupedConv: the kernel must be 1 on every axis, but kernelShape=\[2\]\./);
    expect(() => pointwiseGroupedConv({ ...p, group: 3 }, { x: x4, w })).toThrow(/group must divide input channels, but group=3 and C=4/);
    expect(() => pointwiseGroupedConv({ ...p, op: 'convTranspose' }, { x: x4, w })).toThrow(/the problem must be a conv, but op=convTranspose/);
    expect(() => pointwiseGroupedConv(p, { x: x4, w: tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 4, 1]) })).toThrow(/w must have shape \[2,2,1\]/);
    expect(() => blockDiagonalWeight(p, tensor([1, 2], [2, 1, 1]))).toThrow(/w must have shape \[2,2,1\]/);
    expect(() => pointwiseGroupedMultiplications({ ...p, kernelShape: [2] })).toThrow(/pointwiseGroupedMultiplications: the kernel must be 1/);
  });
});
