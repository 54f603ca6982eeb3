/**
 * The tolerance model: a per-element bound from the reference's `S = Σ|x·w| (+|b|)`, the
 * accumulation length n and the backend's declared precision, instead of a fixed atol/rtol pair.
 *
 * - hard bound (Higham, "Accuracy and Stability of Numerical Algorithms", §3.1, any summation
 *   order): `γ_n·u·S`-style `|ŷ - y| ≤ (γ_n(u_acc) + (1+γ_n(u_acc))·(2u_in + u_in²))·S + u_out·|y|`,
 *   `γ_n(u) = n·u / (1 - n·u)`. Over it is impossible for a correct kernel.
 * - expected bound (rounding errors as random, Higham & Mary 2019): `λ·√n·(u_acc + 2u_in)·S + u_out·|y|`,
 *   λ = 8. Over the smaller of the two bounds is a fail.
 * - exact data mode: zero tolerance, the output must equal the reference bit for bit in float32.
 */
import { ROUNDOFF, type Precision, type Roundoff } from '../problem/precision.ts';
import type { Tensor } from '../problem/tensor.ts';
import type { ConvResult } from '../reference/conv-result.ts';
import type { DataMode } from '../problem/operand-data.ts';

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

/** The first worst element of a comparison. */
export interface WorstElement { readonly index: number; readonly got: number; readonly expected: number; readonly bound: number }

/** Verdict of one output against the reference. */
export type ComparisonVerdict = 'pass' | 'fail' | 'impossible';

/** Metrics of one output against the reference. */
export interface Comparison {
  readonly verdict: ComparisonVerdict;
  readonly maxAbsError: number;
  readonly maxRelError: number;
  /** Largest distance in float32 units in the last place (NaN vs a number counts as Infinity). */
  readonly maxUlp: number;
  /** Largest `err / (u·S)` with u = u_acc + 2u_in (0 where S = 0 and err = 0). */
  readonly maxNormalizedError: number;
  /** Elements over their bound. */
  readonly overTolerance: number;
  /** The first element over its bound, or the element of largest normalized error if none is. */
  readonly worst?: WorstElement;
  readonly message: string;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** Ordered integer image of a float32, so that adjacent floats differ by 1. */
function orderedBits(v: number): number {
  f32[0] = v;
  const bits = i32[0];
  return bits < 0 ? -0x80000000 - bits : bits;
}

/** Distance in float32 ULPs between two numbers (both rounded to float32). */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b ? 0 : Infinity;
  return Math.abs(orderedBits(a) - orderedBits(b));
}

/**
 * Compares a backend's output with the reference result under the data mode's criterion: exact
 * mode needs equality with the float32-rounded reference; real mode the per-element bounds.
 */
export function compareToReference(reference: ConvResult, got: Tensor, precision: Precision, mode: DataMode): Comparison {
  const expected = reference.y;
  if (got.shape.length !== expected.shape.length || got.shape.some((s, a) => s !== expected.shape[a]) || got.data.length !== expected.data.length) {
    return {
      verdict: 'fail', maxAbsError: Infinity, maxRelError: Infinity, maxUlp: Infinity, maxNormalizedError: Infinity, overTolerance: expected.data.length,
      message: `output shape [${got.shape}] (${got.data.length} elements) differs from the reference's [${expected.shape}]`,
    };
  }
  const r = ROUNDOFF[precision];
  const u = r.accumulate + 2 * r.input;
  let maxAbs = 0, maxRel = 0, maxUlp = 0, maxNorm = 0, over = 0;
  let impossible = false;
  let firstOver: WorstElement | undefined;
  let worstNorm: WorstElement | undefined;
  for (let i = 0; i < expected.data.length; i++) {
    const want = expected.data[i];
    const have = got.data[i];
    const err = Number.isNaN(have) ? Infinity : Math.abs(have - want);
    const bounds = mode === 'exact' ? { hard: 0, expected: 0 } : elementBounds(reference.absSum[i], reference.terms[i], want, r);
    const bound = Math.min(bounds.hard, bounds.expected);
    const wantRounded = Math.fround(want);
    const errAgainstRounded = mode === 'exact' ? (Number.isNaN(have) ? Infinity : Math.abs(have - wantRounded)) : err;
    maxAbs = Math.max(maxAbs, err);
    if (want !== 0) maxRel = Math.max(maxRel, err / Math.abs(want));
    maxUlp = Math.max(maxUlp, ulpDistance(have, wantRounded));
    const scale = u * reference.absSum[i];
    const norm = err === 0 ? 0 : scale > 0 ? err / scale : Infinity;
    if (!worstNorm || norm > maxNorm) worstNorm = { index: i, got: have, expected: want, bound };
    maxNorm = Math.max(maxNorm, norm);
    if (errAgainstRounded > bound) {
      over++;
      if (errAgainstRounded > bounds.hard) impossible = true;
      firstOver ??= { index: i, got: have, expected: want, bound };
    }
  }
  const verdict: ComparisonVerdict = over === 0 ? 'pass' : impossible ? 'impossible' : 'fail';
  const worst = firstOver ?? worstNorm;
  const message = verdict === 'pass'
    ? `all ${expected.data.length} elements within bound (max normalized error ${maxNorm.toPrecision(3)})`
    : `${over} of ${expected.data.length} elements over bound${impossible ? ' (beyond the hard bound: impossible for a correct kernel)' : ''}; first at index ${worst?.index}: got ${worst?.got}, expected ${worst?.expected}, bound ${worst?.bound}`;
  return { verdict, maxAbsError: maxAbs, maxRelError: maxRel, maxUlp, maxNormalizedError: maxNorm, overTolerance: over, ...(worst ? { worst } : {}), message };
}
