import { describe, expect, it } from 'vitest';
import { makeOperands } from '../problem/operand-data.ts';
import { ConvInputError } from '../problem/errors.ts';
import { withChanges } from '../problem/problem.ts';
import { tensor } from '../problem/tensor.ts';
import { channelShuffle } from './channel-shuffle.ts';
import { conv } from './conv.ts';
import {
  checkShuffledGrouped, makeShuffledGrouped, shuffledGroupedConv, shuffledGroupedMultiplications,
  shuffledGroupedParameters, unshuffledSecondWeight, type ShuffledGroupedProblem,
} from './shuffled-grouped.ts';

const values = (r: { y: { data: Float64Array } }) => Array.from(r.y.data);

describe('shuffled grouped conv: GConv1, shuffle by g1, GConv2', () => {
  // 1-D width 1: pure channel arithmetic. GConv1 (g1 = 2) is the identity; the shuffle by 2 turns
  // channels [x0, x1, x2, x3] into [x0, x2, x1, x3]; GConv2 (g2 = 2) sums each pair.
  const spec = makeShuffledGrouped(
    { inChannels: 4, outChannels: 4, group: 2, inputShape: [1], kernelShape: [1] },
    { outChannels: 2, group: 2, kernelShape: [1] },
  );
  const x = tensor([1, 2, 3, 4], [1, 4, 1]);
  const identity = tensor([1, 0, 0, 1, 1, 0, 0, 1], [4, 2, 1]);
  const pairSums = tensor([1, 1, 1, 1], [2, 2, 1]);

  it('mixes the groups: GConv2\'s group 0 sees x0 and x2, group 1 sees x1 and x3', () => {
    const r = shuffledGroupedConv(spec, x, identity, pairSums);
    expect(values(r)).toEqual([4, 6]); // without the shuffle it would be [1+2, 3+4] = [3, 7]
    expect(r.multiplications).toBe(8 + 4);
  });

  it('3-D, with a GConv2 bias: the shuffle sits between the two grouped convs', () => {
    // GConv1: C=2 -> 4, g1 = 2, kernel [2,1,1] on input [2,1,1]: filters pick x_c[0] or x_c[1] -> y1 = [1, 2, 3, 4]
    // shuffle by 2 -> [1, 3, 2, 4]; GConv2: 4 -> 2, g2 = 2, w2 = [1, 10], [100, 1000], b2 = [0.5, 0]
    const spec3 = makeShuffledGrouped(
      { inChannels: 2, outChannels: 4, group: 2, inputShape: [2, 1, 1], kernelShape: [2, 1, 1] },
      { outChannels: 2, group: 2, kernelShape: [1, 1, 1], bias: true },
    );
    expect(spec3.second.inputShape).toEqual([1, 1, 1]);
    const r = shuffledGroupedConv(
      spec3, tensor([1, 2, 3, 4], [1, 2, 2, 1, 1]), tensor([1, 0, 0, 1, 1, 0, 0, 1], [4, 1, 2, 1, 1]),
      tensor([1, 10, 100, 1000], [2, 2, 1, 1, 1]), undefined, tensor([0.5, 0], [2]),
    );
    expect(r.y.shape).toEqual([1, 2, 1, 1, 1]);
    expect(values(r)).toEqual([31.5, 4200]);
    expect(r.multiplications).toBe(12);
  });

  it('2-D ShuffleNet-like unit (3x3 grouped then 1x1 grouped) equals conv, shuffle, conv', () => {
    const unit = makeShuffledGrouped(
      { batch: 2, inChannels: 6, outChannels: 6, group: 3, inputShape: [5, 4], kernelShape: [3, 3], pads: [1, 1, 1, 1], bias: true },
      { outChannels: 4, group: 2, kernelShape: [1, 1], strides: [2, 1], bias: true },
    );
    const one = makeOperands(unit.first, 'exact', 21), two = makeOperands(unit.second, 'exact', 22);
    const r = shuffledGroupedConv(unit, one.x, one.w, two.w, one.b, two.b);
    const chained = conv(unit.second, { ...two, x: channelShuffle(conv(unit.first, one), 3) });
    expect(values(r)).toEqual(Array.from(chained.data));
    expect(r.multiplications).toBe(shuffledGroupedMultiplications(unit));
  });

  it('GConv2 on the shuffled channels = a dense conv on the unshuffled ones with unshuffledSecondWeight', () => {
    const unit = makeShuffledGrouped(
      { inChannels: 6, outChannels: 6, group: 2, inputShape: [4], kernelShape: [3], pads: [1, 1] },
      { outChannels: 6, group: 3, kernelShape: [2] },
    );
    const one = makeOperands(unit.first, 'exact', 31), two = makeOperands(unit.second, 'exact', 32);
    const dense = unshuffledSecondWeight(unit, two.w);
    expect(dense.shape).toEqual([6, 6, 2]);
    const viaDense = conv(withChanges(unit.second, { group: 1 }), { x: conv(unit.first, one), w: dense });
    expect(values(shuffledGroupedConv(unit, one.x, one.w, two.w))).toEqual(Array.from(viaDense.data));
  });

  it('unshuffledSecondWeight places w2 where the shuffle took each channel from', () => {
    // M1 = 4, g1 = 2: shuffled channel j reads unshuffled [0, 2, 1, 3][j]; GConv2 g2 = 2, 1x1, w2 = [[1, 2], [3, 4]]
    const dense = unshuffledSecondWeight(spec, tensor([1, 2, 3, 4], [2, 2, 1]));
    expect(Array.from(dense.data)).toEqual([1, 0, 2, 0, 0, 3, 0, 4]);
  });
});

describe('shuffled grouped cost', () => {
  it('adds the two grouped convs: multiplications and weights', () => {
    const unit = makeShuffledGrouped(
      { inChannels: 240, outChannels: 60, group: 3, inputShape: [28, 28], kernelShape: [1, 1] },
      { outChannels: 240, group: 3, kernelShape: [1, 1] },
    );
    expect(shuffledGroupedMultiplications(unit)).toBe(28 * 28 * 60 * 80 + 28 * 28 * 240 * 20);
    expect(shuffledGroupedParameters(unit)).toBe(60 * 80 + 240 * 20);
  });
});

describe('shuffled grouped errors', () => {
  const spec = makeShuffledGrouped(
    { inChannels: 4, outChannels: 4, group: 2, inputShape: [3], kernelShape: [2] },
    { outChannels: 2, group: 2, kernelShape: [1] },
  );
  const x = tensor(new Array(12).fill(1), [1, 4, 3]);
  const w1 = tensor(new Array(16).fill(1), [4, 2, 2]);
  const w2 = tensor([1, 1, 1, 1], [2, 2, 1]);

  it('rejects steps that do not chain: channels, spatial shape, batch', () => {
    const channels: ShuffledGroupedProblem = { ...spec, second: { ...spec.second, inChannels: 2, group: 1 } };
    expect(() => shuffledGroupedConv(channels, x, w1, w2)).toThrow(/shuffledGroupedConv: the steps must chain, second.inChannels must equal first.outChannels, but first.outChannels=4 and second.inChannels=2\./);
    const shape: ShuffledGroupedProblem = { ...spec, second: { ...spec.second, inputShape: [3] } };
    expect(() => shuffledGroupedConv(shape, x, w1, w2)).toThrow(/second.inputShape must be first's output \[2\], but second.inputShape=\[3\]/);
    const batch: ShuffledGroupedProblem = { ...spec, second: { ...spec.second, batch: 2 } };
    expect(() => checkShuffledGrouped(batch)).toThrow(/first.batch=1 and second.batch=2/);
  });

  it('rejects a ConvTranspose step and an invalid step, naming the step in the field', () => {
    expect(() => checkShuffledGrouped({ ...spec, first: { ...spec.first, op: 'convTranspose' } })).toThrow(/the first step must be a conv, but first.op=convTranspose/);
    const bad: ShuffledGroupedProblem = { ...spec, second: { ...spec.second, group: 3 } };
    expect(() => checkShuffledGrouped(bad)).toThrow(/shuffledGroupedConv: second step: conv: group must divide input channels, but group=3 and C=4\./);
    try { checkShuffledGrouped(bad); } catch (e) { expect((e as ConvInputError).field).toBe('second.group'); }
  });

  it('rejects operands that do not fit their step', () => {
    expect(() => shuffledGroupedConv(spec, x, w1, tensor([1, 1, 1, 1], [1, 4, 1]))).toThrow(/w2 must have shape \[2,2,1\], but w2.shape=\[1,4,1\]/);
    expect(() => shuffledGroupedConv(spec, x, tensor(new Array(8).fill(1), [4, 1, 2]), w2)).toThrow(/w1 must have shape \[4,2,2\]/);
    expect(() => shuffledGroupedConv(spec, tensor([1, 2, 3], [1, 1, 3]), w1, w2)).toThrow(/x must have shape \[1,4,3\]/);
    expect(() => shuffledGroupedConv({ ...spec, first: { ...spec.first, bias: true } }, x, w1, w2)).toThrow(/the first step has a bias, but no b1 tensor was given/);
    expect(() => shuffledGroupedConv(spec, x, w1, w2, undefined, tensor([1, 2], [2]))).toThrow(/a b2 tensor was given, but the second step has bias=false/);
    expect(() => unshuffledSecondWeight(spec, tensor([1, 2], [2, 1, 1]))).toThrow(/w2 must have shape \[2,2,1\]/);
  });
});
