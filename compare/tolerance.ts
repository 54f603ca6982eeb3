/**
 * The tolerance model: a per-element bound from the reference's `S = Σ|x·w| (+|b|)`, the
 * accumulation length n and the backend's declared precision, instead of a fixed atol/rtol pair.
 * The judgement itself (special values, statistics, verdicts) is compare/judge.ts.
 *
 * - hard bound (Higham, "Accuracy and Stability of Numerical Algorithms", §3.1, any summation
 *   order): `γ_n·u·S`-style `|ŷ - y| ≤ (γ_n(u_acc) + (1+γ_n(u_acc))·(2u_in + u_in²))·S + u_out·|y|`,
 *   `γ_n(u) = n·u / (1 - n·u)`. Over it is impossible for a correct kernel.
 * - expected bound (rounding errors as random, Higham & Mary 2019): `λ·√n·(u_acc + 2u_in)·S + u_out·|y|`,
 *   λ = 8. Over the smaller of the two bounds is a fail.
 * - exact data (benchdnn's scheme, generalized to integers times a power of two): when every
 *   partial sum is exactly representable, any summation order gives the reference bit for bit,
 *   so the tolerance is zero ({@link exactlyComputable}).
 */
import type { ConvOperands } from '../problem/operands.ts';
import { LARGEST_FINITE, ROUNDOFF, type Precision, type Roundoff } from '../problem/precision.ts';
import type { Tensor } from '../problem/tensor.ts';
import type { ConvResult } from '../reference/conv-result.ts';
import { judge, type Comparison, type Expectation } from './judge.ts';

/** λ of the expected bound. */
export const LAMBDA = 8;

/** `γ_n(u) = n·u / (1 - n·u)`; Infinity when n·u ≥ 1 (no bound). */
export function gamma(n: number, u: number): number {
  const nu = n * u;
  return nu >= 1 ? Infinity : nu / (1 - nu);
}

/** Hard and expected bounds of one output element. */
export function elementBounds(absSum: number, terms: number, reference: number, r: Roundoff): { hard: number; expected: number } {
  const g = gamma(terms, r.accumulate);
  const inputRounding = 2 * r.input + r.input * r.input;
  const stored = r.output * Math.abs(reference);
  const hard = (g + (1 + g) * inputRounding) * absSum + stored;
  const expected = LAMBDA * Math.sqrt(terms) * (r.accumulate + 2 * r.input) * absSum + stored;
  return { hard, expected };
}

/** Per-element expected and hard bounds of a reference result (both zero for exact data). */
export interface Bounds {
  readonly expected: Float64Array;
  readonly hard: Float64Array;
}

/** The tolerance model's bounds of every element of `reference` under `precision`; zero when `exact`. */
export function referenceBounds(reference: Pick<ConvResult, 'y' | 'absSum' | 'terms'>, precision: Precision, exact: boolean): Bounds {
  const length = reference.y.data.length;
  const expected = new Float64Array(length), hard = new Float64Array(length);
  if (exact) return { expected, hard };
  const r = ROUNDOFF[precision];
  for (let i = 0; i < length; i++) {
    const b = elementBounds(reference.absSum[i], reference.terms[i], reference.y.data[i], r);
    hard[i] = b.hard;
    expected[i] = Math.min(b.hard, b.expected);
  }
  return { expected, hard };
}

/** Precisions whose sums of exact data stay exact: float32 accumulation (tf32 rounds inputs only) or wider. */
const EXACT_CAPABLE: Readonly<Partial<Record<Precision, { readonly inputBits: number; readonly sumBits: number; readonly minExponent: number }>>> = {
  fp64: { inputBits: 53, sumBits: 53, minExponent: -1074 },
  fp32: { inputBits: 24, sumBits: 24, minExponent: -149 },
  tf32: { inputBits: 11, sumBits: 24, minExponent: -149 },
};

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Exponents of the lowest and the highest set bit of a finite non-zero number: `v = ±m·2^low`, m odd, `2^high ≤ |v|`. */
function bitRange(v: number): { low: number; high: number } {
  f64[0] = v;
  const lo = u32[0], hi = u32[1];
  const biased = (hi >>> 20) & 0x7ff, mantissaHigh = hi & 0xfffff;
  const unit = biased === 0 ? -1074 : biased - 1075; // exponent of the mantissa's last bit
  const trailing = lo !== 0 ? 31 - Math.clz32(lo & -lo) : mantissaHigh !== 0 ? 32 + 31 - Math.clz32(mantissaHigh & -mantissaHigh) : 52;
  const high = biased === 0 ? unit + (mantissaHigh !== 0 ? 63 - Math.clz32(mantissaHigh) : 31 - Math.clz32(lo)) : biased - 1023;
  return { low: unit + trailing, high };
}

/** The quantum `2^q` (as q) every element of `t` is an integer multiple of, or undefined when some element is not finite or needs more than `bits` significant bits; +Infinity for an all-zero tensor. */
function quantum(t: Tensor, bits: number): number | undefined {
  let q = Infinity;
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i];
    if (v === 0) continue;
    if (!Number.isFinite(v)) return undefined;
    const { low, high } = bitRange(v);
    if (high - low + 1 > bits) return undefined;
    q = Math.min(q, low);
  }
  return q;
}

/**
 * Whether every partial sum of `Σ a·b (+ c)` over the given factor pairs and addends is exactly
 * representable in `precision`, so that any summation order gives the exact result: every input
 * an integer multiple of its tensor's power of two `2^q` with at most the precision's input bits,
 * and with `Q` the smallest quantum of a product or addend, `S ≤ 2^bits·2^Q`, `2^Q` no finer than
 * the smallest subnormal and `S` no larger than the largest float32. This generalizes benchdnn's
 * small-integer scheme to scaled integers (data near the float32 limits, subnormal inputs).
 */
export function exactlyComputable(precision: Precision, factors: ReadonlyArray<readonly [Tensor, Tensor]>, addends: readonly Tensor[], absSum: ArrayLike<number>): boolean {
  const caps = EXACT_CAPABLE[precision];
  if (caps === undefined) return false;
  let Q = Infinity;
  for (const [a, b] of factors) {
    const qa = quantum(a, caps.inputBits), qb = quantum(b, caps.inputBits);
    if (qa === undefined || qb === undefined) return false;
    Q = Math.min(Q, qa + qb);
  }
  for (const c of addends) {
    const qc = quantum(c, caps.inputBits);
    if (qc === undefined) return false;
    Q = Math.min(Q, qc);
  }
  if (Q === Infinity) return true; // every term is zero
  if (Q < caps.minExponent) return false;
  let maxS = 0;
  for (let i = 0; i < absSum.length; i++) maxS = Math.max(maxS, absSum[i]);
  return maxS <= 2 ** caps.sumBits * 2 ** Q && maxS <= LARGEST_FINITE.fp32;
}

/** {@link exactlyComputable} for a Conv / ConvTranspose problem's operands: `Σ x·w + b`. */
export function convExactlyComputable(precision: Precision, operands: ConvOperands, absSum: ArrayLike<number>): boolean {
  return exactlyComputable(precision, [[operands.x, operands.w]], operands.b ? [operands.b] : [], absSum);
}

/** Options of {@link compareToReference}. */
export interface ReferenceComparisonOptions {
  /** Exact data (see {@link exactlyComputable}): zero tolerance. */
  readonly exact: boolean;
  /** Elements where NaN is allowed besides the reference value (a second reading of the spec). */
  readonly nanAllowed?: ArrayLike<number>;
  /** The bounds of this reference, precision and exactness when the caller has them already ({@link referenceBounds}). */
  readonly bounds?: Bounds;
}

/**
 * Compares a backend's output with the reference result: zero tolerance for exact data, else the
 * per-element bounds, special values per IEEE 754 and, over large outputs, the error statistics.
 */
export function compareToReference(reference: ConvResult, got: Tensor, precision: Precision, options: ReferenceComparisonOptions): Comparison {
  const bounds = options.bounds ?? referenceBounds(reference, precision, options.exact);
  const want: Expectation = {
    shape: reference.y.shape, value: reference.y.data, expectedBound: bounds.expected, hardBound: bounds.hard,
    absSum: reference.absSum, ...(options.exact ? {} : { terms: reference.terms }), ...(options.nanAllowed ? { nanAllowed: options.nanAllowed } : {}),
  };
  // exact data: every partial sum is representable in the precision, so the reference's value is the answer
  return judge(got, want, precision);
}
