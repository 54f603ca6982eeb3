import { describe, expect, it } from 'vitest';
import { makeOperands } from '../problem/operand-data.ts';
import { makeProblem, withChanges } from '../problem/problem.ts';
import { tensor } from '../problem/tensor.ts';
import { convTransposeDetailed } from './conv-transpose.ts';
import { convDetailed } from './conv.ts';
import { groupedConv, groupedMultiplications, groupedParameters, groupProblem } from './grouped.ts';

const values = (r: { y: { data: Float64Array } }) => Array.from(r.y.data);

describe('grouped conv: g independent convs on channel slices, stacked', () => {
  it('1-D, C=4 to M=2 in 2 groups: filter 0 sees channels 0-1, filter 1 channels 2-3', () => {
    const p = makeProblem({ inChannels: 4, outChannels: 2, group: 2, inputShape: [3], kernelShape: [2] });
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [1, 4, 3]);
    // filter 0: [1,0] on channel 0, [0,1] on channel 1; filter 1: [1,-1] on channel 2, [2,0] on channel 3
    const w = tensor([1, 0, 0, 1, 1, -1, 2, 0], [2, 2, 2]);
    const r = groupedConv(p, { x, w });
    // y0[0] = x0[0] + x1[1] = 1 + 5; y1[0] = x2[0] - x2[1] + 2·x3[0] = 7 - 8 + 20
    expect(values(r)).toEqual([6, 8, 19, 21]);
    expect(r.multiplications).toBe(16); // M·(C/g)·Πo·Πk = 2·2·2·2
  });

  it('3-D, with bias: each group sums its own slice', () => {
    // x [1, 4, 1, 2, 2] = 1..16; kernel [1, 2, 2] covers the whole input: one output per filter
    const p = makeProblem({ inChannels: 4, outChannels: 2, group: 2, inputShape: [1, 2, 2], kernelShape: [1, 2, 2], bias: true });
    const x = tensor(Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 1, 2, 2]);
    const w = tensor([1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, -1, -1, -1, -1], [2, 2, 1, 2, 2]);
    const r = groupedConv(p, { x, w, b: tensor([1, 2], [2]) });
    // y0 = 1+2+3+4 + 1; y1 = (9+10+11+12) - (13+14+15+16) + 2
    expect(r.y.shape).toEqual([1, 2, 1, 1, 1]);
    expect(values(r)).toEqual([11, -14]);
    expect(r.multiplications).toBe(16);
  });

  it('ConvTranspose, 1-D, C=2 to M=4 in 2 groups, stride 2: input channel c scatters only into its group\'s outputs', () => {
    const p = makeProblem({ op: 'convTranspose', inChannels: 2, outChannels: 4, group: 2, inputShape: [2], kernelShape: [2], strides: [2] });
    // w [C=2, M/g=2, k=2]: channel 0 -> outputs 0, 1 with [1,2], [3,4]; channel 1 -> outputs 2, 3 with [5,6], [7,8]
    const r = groupedConv(p, { x: tensor([1, 2, 3, 4], [1, 2, 2]), w: tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]) });
    expect(r.y.shape).toEqual([1, 4, 4]);
    expect(values(r)).toEqual([1, 2, 2, 4, 3, 4, 6, 8, 15, 18, 20, 24, 21, 24, 28, 32]);
    expect(r.multiplications).toBe(16);
  });

  it('equals conv with the group attribute, 2-D and 3-D, padded, strided, dilated, with bias', () => {
    const problems = [
      makeProblem({ batch: 2, inChannels: 6, outChannels: 4, group: 2, inputShape: [5, 4], kernelShape: [3, 2], strides: [2, 1], dilations: [1, 2], pads: [1, 0, 2, 1], bias: true }),
      makeProblem({ inChannels: 3, outChannels: 6, group: 3, inputShape: [3, 3, 4], kernelShape: [2, 2, 2], autoPad: 'SAME_LOWER', strides: [1, 2, 2] }),
    ];
    for (const p of problems) {
      const operands = makeOperands(p, 'exact', 13);
      const r = groupedConv(p, operands);
      const direct = convDetailed(p, operands);
      expect(values(r)).toEqual(Array.from(direct.y.data));
      expect(r.multiplications).toBe(direct.multiplications);
    }
  });

  it('equals ConvTranspose with the group attribute, output_padding and pads included', () => {
    const p = makeProblem({ op: 'convTranspose', inChannels: 4, outChannels: 6, group: 2, inputShape: [3, 2], kernelShape: [3, 2], strides: [2, 3], pads: [1, 0, 0, 1], outputPadding: [1, 2], bias: true });
    const operands = makeOperands(p, 'exact', 17);
    expect(values(groupedConv(p, operands))).toEqual(Array.from(convTransposeDetailed(p, operands).y.data));
  });

  it('groupProblem is the group-1 problem on C/g and M/g channels', () => {
    const p = makeProblem({ inChannels: 6, outChannels: 4, group: 2, inputShape: [5], kernelShape: [3] });
    expect(groupProblem(p)).toEqual(withChanges(p, { group: 1, inChannels: 3, outChannels: 2 }));
  });
});

describe('grouped cost', () => {
  it("the article's §10: g groups divide the weights by g", () => {
    const dense = makeProblem({ inChannels: 8, outChannels: 16, inputShape: [7, 7], kernelShape: [3, 3] });
    const weights = groupedParameters(dense);
    expect(weights).toBe(3 * 3 * 8 * 16); // h·w·Din·Dout
    for (const g of [2, 4, 8]) expect(groupedParameters({ ...dense, group: g }) * g).toBe(weights);
    expect(groupedParameters({ ...dense, group: 2 })).toBe(3 * 3 * 4 * 8 * 2); // (h·w·Din/2·Dout/2)·2
    expect(groupedParameters({ ...dense, group: 2, bias: true })).toBe(576 + 16);
  });

  it('AlexNet conv2 (96 to 256, 5x5, 2 groups) has 307,200 weights', () => {
    expect(groupedParameters(makeProblem({ inChannels: 96, outChannels: 256, group: 2, inputShape: [27, 27], kernelShape: [5, 5], pads: [2, 2, 2, 2] }))).toBe(307_200);
  });

  it('divides the multiplications by g too, and counts what the run performs (conv and ConvTranspose, padded)', () => {
    const dense = makeProblem({ inChannels: 4, outChannels: 4, inputShape: [6], kernelShape: [3] });
    expect(groupedMultiplications(dense)).toBe(4 * 4 * 4 * 3);
    expect(groupedMultiplications({ ...dense, group: 4 }) * 4).toBe(groupedMultiplications(dense));
    for (const p of [
      makeProblem({ batch: 2, inChannels: 4, outChannels: 6, group: 2, inputShape: [4, 3], kernelShape: [3, 3], pads: [3, 1, 0, 2], strides: [1, 2], dilations: [2, 1] }),
      makeProblem({ op: 'convTranspose', inChannels: 4, outChannels: 2, group: 2, inputShape: [3, 3], kernelShape: [3, 2], strides: [2, 1], pads: [2, 1, 1, 0] }),
    ]) {
      expect(groupedConv(p, makeOperands(p, 'exact', 2)).multiplications).toBe(groupedMultiplications(p));
    }
  });
});

describe('grouped errors', () => {
  const p = makeProblem({ inChannels: 4, outChannels: 2, group: 2, inputShape: [3], kernelShape: [2] });
  const x = tensor(new Array(12).fill(1), [1, 4, 3]);

  it('rejects a group that does not divide the channels, for the op and its cost formulas', () => {
    const bad = { ...p, group: 3 };
    expect(() => groupedConv(bad, { x, w: tensor(new Array(8).fill(1), [2, 2, 2]) })).toThrow(/conv: group must divide input channels, but group=3 and C=4\./);
    expect(() => groupedMultiplications(bad)).toThrow(/group must divide input channels/);
    expect(() => groupedParameters(bad)).toThrow(/group must divide input channels/);
    expect(() => groupProblem(bad)).toThrow(/group must divide input channels/);
  });

  it('rejects a weight laid out for the wrong group and a missing bias', () => {
    expect(() => groupedConv(p, { x, w: tensor(new Array(16).fill(1), [2, 4, 2]) })).toThrow(/w must have shape \[2,2,2\], but w.shape=\[2,4,2\]/);
    expect(() => groupedConv({ ...p, bias: true }, { x, w: tensor(new Array(8).fill(1), [2, 2, 2]) })).toThrow(/the problem has a bias, but no b tensor was given/);
  });
});
