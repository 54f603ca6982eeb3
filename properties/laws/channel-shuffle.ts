/**
 * Channel shuffle (ShuffleNet) is the permutation "view C as (g, C/g), transpose, flatten";
 * shuffling by g then by C/g is the identity; and a grouped conv after a shuffle equals a dense
 * conv whose block-diagonal weight has its input channels permuted.
 */
import * as fc from 'fast-check';
import { makeProblem, withChanges } from '../../problem/problem.ts';
import { formatDescriptor } from '../../problem/descriptor.ts';
import type { Tensor, Tensor64 } from '../../problem/tensor.ts';
import { sizeOf } from '../../problem/shape.ts';
import { compareApprox } from '../approx.ts';
import { dataArb, type DataDraw } from '../arbitraries/data.ts';
import { problemCaseArb, type ProblemCase } from '../arbitraries/problem-case.ts';
import { allOf, defineLaw, expectThat, judge } from '../law.ts';
import { chainable, nextSeed, operandsOf, withBias } from './common.ts';

/**
 * The shuffle as the law states it: output channel `j·g + i` is input channel `i·(C/g) + j`
 * (reshape `[g, C/g]`, transpose to `[C/g, g]`, flatten).
 */
function shuffledSource(channels: number, groups: number): number[] {
  const perGroup = channels / groups;
  return Array.from({ length: channels }, (_, out) => (out % groups) * perGroup + Math.floor(out / groups));
}

/** A channel count, a group count dividing it, and spatial sizes. */
interface ShuffleCase extends DataDraw {
  readonly batch: number;
  readonly groups: number;
  readonly perGroup: number;
  readonly spatial: readonly number[];
}

/** `x[n, c, q] = (n·C + c)·S + q + 1`: every element distinct, so the channel moves can be read off. */
function labelled(batch: number, channels: number, spatial: readonly number[]): Tensor64 {
  const shape = [batch, channels, ...spatial];
  return { shape, data: Float64Array.from({ length: sizeOf(shape) }, (_, i) => i + 1) };
}

// shuffle(x, g)[:, j·g + i] = x[:, i·(C/g) + j];  shuffle(shuffle(x, g), C/g) = x
export const shufflePermutationLaw = defineLaw<ShuffleCase>('channel shuffle is the transpose permutation, and shuffling by g then by C/g is the identity', {
  math: 'shuffle(x, g)[:, j·g + i] = x[:, i·C/g + j]; shuffle(shuffle(x, g), C/g) = x',
  convTypes: ['channel-shuffle'],
  structural: true,
  cases: (scope) => fc.record({
    data: dataArb(scope.modes), batch: fc.integer({ min: 1, max: 2 }), groups: fc.integer({ min: 1, max: 4 }), perGroup: fc.integer({ min: 1, max: 4 }),
    spatial: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
  }).map(({ data, ...rest }) => ({ ...data, ...rest })),
  describe: (c) => ({ descriptor: `shuffle mb${c.batch} C${c.groups * c.perGroup} g${c.groups} [${c.spatial}]`, convType: 'channel-shuffle', mode: c.mode }),
}, async (c, ctx) => {
  const channels = c.groups * c.perGroup;
  const x = labelled(c.batch, channels, c.spatial);
  const y = ctx.aux.channelShuffle(x, c.groups);
  const back = ctx.aux.channelShuffle(y, c.perGroup);
  const size = sizeOf(c.spatial);
  const source = shuffledSource(channels, c.groups);
  let moved = true;
  for (let n = 0; n < c.batch && moved; n++) {
    for (let out = 0; out < channels && moved; out++) {
      for (let q = 0; q < size; q++) moved &&= y.data[(n * channels + out) * size + q] === x.data[(n * channels + source[out]) * size + q];
    }
  }
  return allOf([
    expectThat(y.shape.join() === x.shape.join(), `shuffle changed the shape [${x.shape}] to [${y.shape}]`),
    expectThat(moved, `shuffle by g=${c.groups} of C=${channels} is not output j·g+i <- input i·(C/g)+j (expected channel order [${source}])`),
    expectThat(back.data.every((v, i) => v === x.data[i]), `shuffle by ${c.groups} then by ${c.perGroup} is not the identity`),
  ]);
});

/** Two grouped convs around a shuffle (a ShuffleNet unit) and the data. */
interface ShuffledGroupedCase extends ProblemCase {
  readonly secondGroups: number;
  readonly secondOut: number;
}

/**
 * The dense weight `[M, C, ...k]` of grouped weight `w` whose input channel j reads the shuffled
 * channel `source[j]`: `dense[m, source[g·C/G + c]] = w[m, c]` for m in group g.
 */
function permutedBlockDiagonal(w: Tensor, outChannels: number, inChannels: number, groups: number, source: readonly number[]): Tensor64 {
  const kernelSize = sizeOf(w.shape.slice(2)), inPerGroup = inChannels / groups, outPerGroup = outChannels / groups;
  const data = new Float64Array(outChannels * inChannels * kernelSize);
  for (let m = 0; m < outChannels; m++) {
    const g = Math.floor(m / outPerGroup);
    for (let c = 0; c < inPerGroup; c++) {
      const to = source[g * inPerGroup + c];
      for (let k = 0; k < kernelSize; k++) data[(m * inChannels + to) * kernelSize + k] = w.data[(m * inPerGroup + c) * kernelSize + k];
    }
  }
  return { shape: [outChannels, inChannels, ...w.shape.slice(2)], data };
}

// gconv2(shuffle(gconv1(x), g1)) = conv(gconv1(x), W2'), W2'[m, source[j]] = blockdiag(W2)[m, j]
export const shuffledGroupedLaw = defineLaw<ShuffledGroupedCase>('a grouped conv after a channel shuffle equals a dense conv with permuted block-diagonal weights', {
  math: 'gconv2(shuffle(gconv1(x), g1)) = conv(gconv1(x), W2\'), W2\'[m, source(j)] = blockdiag(W2)[m, j]',
  convTypes: ['shuffled-grouped'],
  budgetShare: 0.6,
  cases: (scope) => fc.record({
    base: problemCaseArb({ ...chainable(scope), convTypes: ['grouped', 'pointwise-grouped'] }),
    secondGroups: fc.integer({ min: 1, max: 3 }),
    secondOut: fc.integer({ min: 1, max: 2 }),
  }).map(({ base, secondGroups, secondOut }) => ({ ...base, secondGroups, secondOut }))
    .filter((c) => c.problem.outChannels % c.secondGroups === 0),
  describe: (c) => ({ descriptor: `${formatDescriptor(c.problem)} > shuffle g${c.problem.group} > g${c.secondGroups} oc${c.secondGroups * c.secondOut}`, convType: 'shuffled-grouped', mode: c.mode }),
}, async (c, ctx) => {
  const first = c.problem;
  const { x, w, b } = operandsOf(first, c.mode, c.seed);
  const y1 = await ctx.run(first, withBias({ x, w }, b));
  const spatial = y1.shape.slice(2);
  const channels = first.outChannels;
  const second = makeProblem({ batch: first.batch, inChannels: channels, outChannels: c.secondGroups * c.secondOut, group: c.secondGroups, inputShape: spatial, kernelShape: spatial.map(() => 1) });
  const w2 = operandsOf(second, c.mode, nextSeed(c.seed)).w;
  const shuffled = ctx.aux.channelShuffle({ shape: y1.shape, data: y1.value }, first.group);
  const boundShuffled = ctx.aux.channelShuffle({ shape: y1.shape, data: y1.bound }, first.group);
  const viaShuffle = await ctx.run(second, { x: shuffled, w: w2 }, Float64Array.from(boundShuffled.data));
  const dense = withChanges(second, { group: 1 });
  const denseW = permutedBlockDiagonal(w2, second.outChannels, channels, c.secondGroups, shuffledSource(channels, first.group));
  const folded = await ctx.run(dense, { x: { shape: y1.shape, data: y1.value }, w: denseW }, y1.bound);
  return judge('grouped conv of the shuffle vs dense conv with permuted weights', compareApprox(viaShuffle, folded, ctx.precision));
});
