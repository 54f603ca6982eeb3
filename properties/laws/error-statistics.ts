/**
 * Over a large output, the rounding errors of a correct float accumulation are unbiased and of
 * the declared precision's size (compare/judge.ts `errorStatistics`): a kernel that truncates
 * instead of rounding, or accumulates in a narrower type, can stay under every per-element bound
 * and still fail here. Cases are problems with at least a few thousand outputs, on real data.
 */
import * as fc from 'fast-check';
import { referenceResult } from '../../compare/run-case.ts';
import { STATISTICS_MIN_ELEMENTS } from '../../compare/judge.ts';
import { compareToReference, convExactlyComputable } from '../../compare/tolerance.ts';
import { convTypeOf, type ConvType } from '../../problem/conv-types.ts';
import type { DataMode } from '../../problem/operand-data.ts';
import { makeProblem, type ConvProblem } from '../../problem/problem.ts';
import { outputTensorShape, sizeOf } from '../../problem/shape.ts';
import { formatDescriptor } from '../../problem/descriptor.ts';
import { dataArb } from '../arbitraries/data.ts';
import { defineLaw, judge, type CaseLabel, type LawScope } from '../law.ts';
import { operandsOf } from './common.ts';

/** Data modes whose errors are rounding errors (the exact modes have none to measure). */
const INEXACT: readonly DataMode[] = ['real', 'large-first', 'cancellation', 'wide-range'];

/** A large Conv or ConvTranspose problem and its data. */
interface LargeCase {
  readonly problem: ConvProblem;
  readonly mode: DataMode;
  readonly seed: number;
}

/** The types the large problems come in. */
const LARGE_TYPES: readonly ConvType[] = ['conv1d', 'conv2d', 'depthwise', 'transposed'];

/**
 *   large = type channels kernel stride, sized so the output has at least 2·10^3 elements
 * conv1d, conv2d, depthwise (2-D, C in 2..8, group C) or transposed (1-D or 2-D); C in 1..8,
 * M in 4..16, kernel 2..5, stride 1..2 (conv).
 */
function largeProblemArb(types: readonly ConvType[]): fc.Arbitrary<ConvProblem> {
  return fc.record({
    type: fc.constantFrom(...LARGE_TYPES.filter((t) => types.includes(t))),
    transposedRank: fc.constantFrom(1, 2),
    inChannels: fc.integer({ min: 1, max: 8 }),
    multiplier: fc.integer({ min: 1, max: 4 }),
    outChannels: fc.integer({ min: 4, max: 16 }),
    kernel: fc.integer({ min: 2, max: 5 }),
    stride: fc.integer({ min: 1, max: 2 }),
  }).map((r) => {
    const depthwise = r.type === 'depthwise';
    const op = r.type === 'transposed' ? 'convTranspose' : 'conv';
    const rank = r.type === 'conv1d' || (r.type === 'transposed' && r.transposedRank === 1) ? 1 : 2;
    const inChannels = depthwise ? Math.max(2, r.inChannels) : r.inChannels;
    const outChannels = depthwise ? inChannels * r.multiplier : r.outChannels;
    // enough positions for 2,000 outputs: per channel 2000 / M, as a line or a square
    const positions = Math.ceil(2000 / outChannels) * (op === 'conv' ? r.stride * r.stride : 1);
    const side = rank === 1 ? positions + r.kernel : Math.ceil(Math.sqrt(positions)) + r.kernel;
    const spatial = Array.from({ length: rank }, () => side);
    return makeProblem({
      op, inChannels, outChannels, group: depthwise ? inChannels : 1, inputShape: spatial,
      kernelShape: spatial.map(() => r.kernel), strides: spatial.map(() => (op === 'conv' ? r.stride : 1)),
    });
  }).filter((p) => sizeOf(outputTensorShape(p)) >= 2 * STATISTICS_MIN_ELEMENTS);
}

// with z_i = (y_i - y_ref_i) / (u·S_i·√((n_i + 1)/3)) over N ≥ 10^3 distinct sums: |mean(z·sign y_ref)| ≤ 6/√N and mean(z²) ≤ 2
export const errorStatisticsLaw = defineLaw<LargeCase>('over a large output the rounding errors are unbiased and of the declared precision\'s size', {
  math: 'z = (y - y_ref)/(u·S·√((n+1)/3)) over N ≥ 10^3 distinct sums: |mean(z·sign y_ref)| ≤ 6/√N, mean(z²) ≤ 2',
  convTypes: ['conv1d', 'conv2d', 'depthwise', 'transposed'],
  budgetShare: 0.2,
  cases: (scope: LawScope) => fc.record({
    problem: largeProblemArb(scope.convTypes),
    data: dataArb(scope.modes.filter((m) => INEXACT.includes(m)).length > 0 ? scope.modes.filter((m) => INEXACT.includes(m)) : ['real']),
  }).map(({ problem, data }) => ({ problem, ...data })),
  describe: (c: LargeCase): CaseLabel => ({ descriptor: formatDescriptor(c.problem), convType: convTypeOf(c.problem), mode: c.mode }),
}, async (c, ctx) => {
  const operands = operandsOf(c.problem, c.mode, c.seed);
  const got = await ctx.run(c.problem, operands);
  const reference = referenceResult(c.problem, operands);
  const comparison = compareToReference(reference, { shape: got.shape, data: got.value }, ctx.precision, { exact: convExactlyComputable(ctx.precision, operands, reference.absSum) });
  return judge('error statistics over the output', comparison);
});
