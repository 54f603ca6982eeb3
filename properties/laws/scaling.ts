/**
 * Scaling by powers of two is exact: x·2^a and w·2^b (b·2^(a+b) for the bias) give y·2^(a+b),
 * bit for bit in binary floating point as long as nothing overflows or underflows. The exponents
 * are chosen from the declared precision's range to reach its edges: results near its largest
 * value, and inputs below its smallest normal (subnormals, which a flush-to-zero kernel loses),
 * so an implementation that clips, saturates, zeroes large values or flushes subnormals fails.
 */
import * as fc from 'fast-check';
import type { DataMode } from '../../problem/operand-data.ts';
import type { ConvOperands } from '../../problem/operands.ts';
import type { Precision } from '../../problem/precision.ts';
import type { Tensor } from '../../problem/tensor.ts';
import { PROBLEM_TYPES } from '../../problem/conv-types.ts';
import { referenceResult } from '../../compare/run-case.ts';
import { compareApprox, type Approx } from '../approx.ts';
import { problemCaseArb, type ProblemCase } from '../arbitraries/problem-case.ts';
import { defineLaw, judge, vacuous } from '../law.ts';
import { operandsOf } from './common.ts';

/** Where the scaled run lands: near the largest finite value, with subnormal inputs, or anywhere in between. */
const TARGETS = ['large', 'subnormal', 'moderate'] as const;
type Target = (typeof TARGETS)[number];

/** A problem case, a target and a fraction placing the exponents within the target's range. */
interface ScalingCase extends ProblemCase {
  readonly target: Target;
  readonly fraction: number;
}

/** Exponents of the normal range of each precision's format (inputs and results are stored in it). */
const NORMAL_RANGE: Record<Precision, { readonly min: number; readonly max: number; readonly subnormalBits: number }> = {
  fp64: { min: -126, max: 127, subnormalBits: 23 }, // operands are float32
  fp32: { min: -126, max: 127, subnormalBits: 23 },
  tf32: { min: -126, max: 127, subnormalBits: 23 },
  bf16: { min: -126, max: 127, subnormalBits: 7 },
  fp16: { min: -14, max: 15, subnormalBits: 10 },
};

/** Modes whose data stays well inside float32 before scaling (the others sit at its edges already). */
const SCALABLE: readonly DataMode[] = ['exact', 'real', 'sparse', 'zero-sum', 'cancellation', 'large-first'];

/** `floor(log2 |v|)` over the non-zero elements: their smallest and largest exponent, or undefined if all are zero. */
function exponentRange(t: Tensor): { low: number; high: number } | undefined {
  let low = Infinity, high = -Infinity;
  for (const v of t.data) {
    if (v === 0) continue;
    const e = Math.floor(Math.log2(Math.abs(v)));
    low = Math.min(low, e);
    high = Math.max(high, e);
  }
  return low === Infinity ? undefined : { low, high };
}

/**
 * The exponents a (for x) and b (for w) of a case, or undefined when the data leaves no room.
 * large: the largest sum S·2^(a+b) just below 2^max (the headroom `2^(max-1)` covers rounding);
 * subnormal: x's smallest non-zero element below 2^min, yet not below the last subnormal bit;
 * moderate: a and b anywhere that keeps every product and sum normal.
 */
function exponents(c: ScalingCase, operands: ConvOperands, maxS: number, precision: Precision): { a: number; b: number } | undefined {
  const range = NORMAL_RANGE[precision];
  const ex = exponentRange(operands.x), ew = exponentRange(operands.w);
  if (ex === undefined || ew === undefined || maxS === 0) return undefined;
  const sTop = Math.ceil(Math.log2(maxS));
  // the smallest product must stay normal (exact integers may go subnormal; their significands are short, judged by the data)
  const productLow = ex.low + ew.low;
  const lift = (lo: number, hi: number): number => Math.round(lo + c.fraction * (hi - lo));
  if (c.target === 'large') {
    const total = range.max - 1 - sTop;
    // x·2^a and w·2^b both normal and finite, their sums just below the largest value
    const lo = Math.max(range.min - ex.low, total - (range.max - 1 - ew.high)), hi = Math.min(range.max - 1 - ex.high, total - (range.min - ew.low));
    if (lo > hi) return undefined;
    const a = lift(lo, hi);
    return { a, b: total - a };
  }
  if (c.target === 'subnormal') {
    // x's smallest element lands in [min - subnormalBits + 3, min - 1]: a subnormal with room for its bits
    const a = lift(range.min - range.subnormalBits + 3 - ex.low, range.min - 1 - ex.low);
    const b = Math.min(range.max - 1 - sTop - a, range.min - productLow - a + 8); // products back in the normal range
    if (b + ew.high > range.max - 1) return undefined;
    return { a, b };
  }
  const total = lift(range.min + 8 - productLow, range.max - 8 - sTop);
  const a = Math.round(total * c.fraction);
  return { a, b: total - a };
}

/** `t·2^k`, exactly (float64 scaling by a power of two). */
function scaled(t: Tensor, k: number): Tensor {
  return { shape: t.shape, data: Float64Array.from(t.data, (v) => v * 2 ** k) };
}

/** An Approx times 2^k: value, bounds and scale alike. */
function scaledApprox(y: Approx, k: number): Approx {
  const times = (a: Float64Array): Float64Array => Float64Array.from(a, (v) => v * 2 ** k);
  return { shape: y.shape, value: times(y.value), bound: times(y.bound), hard: times(y.hard), absSum: times(y.absSum) };
}

// op(x·2^a, w·2^b, b·2^(a+b)) = op(x, w, b)·2^(a+b) exactly, a and b reaching the precision's largest values and its subnormals
export const scalingLaw = defineLaw<ScalingCase>('scaling x by 2^a and w by 2^b scales the output by 2^(a+b), up to the largest values and down to subnormals', {
  math: 'op(x·2^a, w·2^b, b·2^(a+b)) = op(x, w, b)·2^(a+b), near 2^max and with subnormal x',
  convTypes: PROBLEM_TYPES,
  budgetShare: 0.6,
  cases: (scope) => fc.record({
    base: problemCaseArb({ ...scope, modes: scope.modes.filter((m) => SCALABLE.includes(m)) }),
    target: fc.constantFrom(...TARGETS),
    fraction: fc.double({ min: 0, max: 1, noNaN: true }),
  }).map(({ base, target, fraction }) => ({ ...base, target, fraction })),
}, async (c, ctx) => {
  const operands = operandsOf(c.problem, c.mode, c.seed);
  const maxS = referenceResult(c.problem, operands).absSum.reduce((m, s) => Math.max(m, s), 0);
  const e = exponents(c, operands, maxS, ctx.precision);
  if (e === undefined) return vacuous(`the data leaves no room to reach ${c.target} values (all x or all w zero, or too wide a range)`);
  const y = await ctx.run(c.problem, operands);
  const big: ConvOperands = { x: scaled(operands.x, e.a), w: scaled(operands.w, e.b), ...(operands.b ? { b: scaled(operands.b, e.a + e.b) } : {}) };
  const yScaled = await ctx.run(c.problem, big);
  return judge(`${c.target}: x·2^${e.a}, w·2^${e.b} vs y·2^${e.a + e.b}`, compareApprox(yScaled, scaledApprox(y, e.a + e.b), ctx.precision));
});
