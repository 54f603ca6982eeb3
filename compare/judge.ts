/**
 * The one place that judges a result: a backend's output (or one side of a law's equation)
 * against what a correct implementation may give, element by element and over the whole tensor.
 * compareToReference (a backend against the reference) and compareApprox (the two sides of a
 * law) both end here, so every check gets every verdict:
 *
 * - per element: over the expected bound is a fail, over the hard bound is impossible (no correct
 *   kernel can err that much); exact data has both bounds zero;
 * - special values (IEEE 754): an expected NaN must be NaN, an expected ±Inf the same infinity;
 *   where the spec allows a second reading (a padded zero times an infinite weight), NaN is also
 *   accepted (`nanAllowed`); where S passes the precision's largest value a partial sum may
 *   overflow, so ±Inf and NaN are accepted there; the sign of a zero is never judged (ONNX leaves
 *   it open);
 * - over the tensor (at least {@link STATISTICS_MIN_ELEMENTS} elements with their accumulation
 *   lengths): the standardized rounding errors must be unbiased and of the expected size, which
 *   catches truncation or a narrower accumulator that stays under every per-element bound.
 */
import { LARGEST_FINITE, normalizingUnit, type Precision } from '../problem/precision.ts';
import { stridesOf } from '../problem/shape.ts';

/** The first worst element of a comparison. */
export interface WorstElement { readonly index: number; readonly got: number; readonly expected: number; readonly bound: number }

/** Verdict of one output against what a correct implementation may give. */
export type ComparisonVerdict = 'pass' | 'fail' | 'impossible';

/**
 * Statistics of the standardized errors `z_i = (got_i - want_i) / (u·S_i·√((n_i + 1)/3))` over the
 * elements with `S_i > 0` (see {@link errorStatistics} for the model and the limits).
 */
export interface ErrorStatistics {
  /** Elements the statistics are over. */
  readonly elements: number;
  /** `mean(z_i · sign(want_i))`: negative when results are pulled toward zero (truncation). */
  readonly meanSigned: number;
  /** `mean(z_i²)`: about 1/3 or less for a correct float accumulation, 1 at most in the model. */
  readonly meanSquare: number;
  /** The limits the two are held to. */
  readonly meanLimit: number;
  readonly meanSquareLimit: number;
}

/** Metrics and verdict of one output against what a correct implementation may give. */
export interface Comparison {
  readonly verdict: ComparisonVerdict;
  readonly maxAbsError: number;
  readonly maxRelError: number;
  /** Largest distance in float32 units in the last place (NaN vs a number counts as Infinity). */
  readonly maxUlp: number;
  /** Largest `err / (u·S)` with u = u_acc + 2u_in (0 where S = 0 and err = 0). */
  readonly maxNormalizedError: number;
  /** Elements over their bound (or with a wrong special value). */
  readonly overTolerance: number;
  /** The first element over its bound, or the element of largest normalized error if none is. */
  readonly worst?: WorstElement;
  /** Tensor-level error statistics, when the output is large enough and has accumulation lengths. */
  readonly statistics?: ErrorStatistics;
  /** Integer outputs (quantized ops, {@link judgeIntegers}): how many elements are exact and how many took the named allowance. */
  readonly integers?: IntegerCounts;
  readonly message: string;
}

/** What a correct implementation may give, element by element. */
export interface Expectation {
  readonly shape: readonly number[];
  /** The expected value (float64; NaN and ±Inf where IEEE 754 gives them). */
  readonly value: ArrayLike<number>;
  /** Over this distance an element fails. */
  readonly expectedBound: ArrayLike<number>;
  /** Over this distance an element is impossible for a correct kernel (>= expectedBound). */
  readonly hardBound: ArrayLike<number>;
  /** `S = Σ|terms|` per element, the scale of normalized errors. */
  readonly absSum: ArrayLike<number>;
  /** Accumulation length n per element; given, the tensor-level statistics are checked. */
  readonly terms?: ArrayLike<number>;
  /** Per element, 1 where NaN is an allowed answer besides `value` (a second reading of the spec). */
  readonly nanAllowed?: ArrayLike<number>;
}

/** A result to judge: its shape and values. */
export interface Judged {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** Fewest elements the tensor-level statistics are checked over. */
export const STATISTICS_MIN_ELEMENTS = 1000;

/** Standard deviations of the mean allowed (a false alarm below 1e-8 for independent errors). */
const MEAN_SIGMAS = 6;

/**
 * Upper limit of `mean(z²)`. The model bounds `E[z²]` by 1 (every partial sum as large as S); a
 * correct kernel stays near 1/3 or below. A limit of 2 leaves room for correlated errors and still
 * rejects an accumulator half a bit narrower everywhere (`E[z²]` grows with the unit roundoff squared).
 */
const MEAN_SQUARE_LIMIT = 2;

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

/** Row-major multi-index of a flat index: `[n, m, ...spatial]`. */
export function multiIndex(shape: readonly number[], index: number): number[] {
  const strides = stridesOf(shape);
  return shape.map((s, a) => Math.floor(index / strides[a]) % s);
}

/**
 * The error of one element under IEEE 754's special values: 0 when got is an allowed answer
 * (NaN where NaN is expected or allowed, the same infinity, any overflow where the sum's S passes
 * the format's largest value), Infinity when it can never be right (NaN where a number is
 * expected, an infinity where a finite value or the other infinity is).
 */
function elementError(got: number, want: number, nanAllowed: boolean, mayOverflow: boolean): number {
  if (mayOverflow && !Number.isFinite(got)) return 0;
  if (Number.isNaN(got)) return Number.isNaN(want) || nanAllowed ? 0 : Infinity;
  if (Number.isNaN(want)) return Infinity;
  if (!Number.isFinite(want) || !Number.isFinite(got)) return got === want ? 0 : Infinity;
  return Math.abs(got - want);
}

/**
 * The elements whose sum (value and S) an earlier element already had: an open-addressing hash
 * set of indices into `value` and `absSum`, allocated once (no string or Set entry per element, and
 * no size cap: a Set holds at most 2^24 entries, fewer than an output may have).
 */
class SumSet {
  private readonly slots: Int32Array; // index + 1, 0 = empty
  private readonly mask: number;
  private readonly bits = new Float64Array(2);
  private readonly words = new Uint32Array(this.bits.buffer);

  constructor(private readonly value: ArrayLike<number>, private readonly absSum: ArrayLike<number>) {
    const capacity = 2 ** Math.max(4, Math.ceil(Math.log2(value.length * 2)));
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  /** Adds element i; false when an earlier element has the same value and S (-0 and 0 alike). */
  addFirst(i: number): boolean {
    const w = this.value[i] + 0, s = this.absSum[i] + 0;
    this.bits[0] = w;
    this.bits[1] = s;
    let h = Math.imul(this.words[0] ^ Math.imul(this.words[1], 0x85ebca77), 0x9e3779b1) ^ Math.imul(this.words[2] ^ Math.imul(this.words[3], 0xc2b2ae3d), 0x27d4eb2f);
    h ^= h >>> 15;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const j = this.slots[slot] - 1;
      if (j < 0) { this.slots[slot] = i + 1; return true; }
      if (this.value[j] === w && this.absSum[j] === s) return false;
    }
  }
}

/**
 * Tensor-level statistics of the rounding errors. Model (Higham §2.2, §3.1): a float sum of n
 * terms in any order errs by `Σ_j δ_j·s_j` (plus one rounding of the output), each partial sum
 * `|s_j| ≤ S` and `δ_j` the relative rounding error, `|δ_j| ≤ u`, of mean 0 and variance at most
 * `u²/3` under round-to-nearest. So `e = err/(u·S)` has mean 0 and `E[e²] ≤ (n + 1)/3`, and the
 * standardized `z = e/√((n+1)/3)` has `E[z] = 0`, `E[z²] ≤ 1`. Over N elements:
 * `|mean(z·sign(y))| ≤ 6/√N` (the sign of y aligns a bias toward zero, e.g. truncation, which
 * mixed-sign data would otherwise average out) and `mean(z²) ≤ 2`. Elements are independent
 * samples only when they are different sums: an output that repeats another's value and S (a
 * constant input makes every position of a channel the same sum, with the same rounding) is
 * counted once, so N is the number of distinct sums.
 */
export function errorStatistics(got: ArrayLike<number>, want: Expectation, u: number): ErrorStatistics | undefined {
  if (want.terms === undefined || want.value.length < STATISTICS_MIN_ELEMENTS) return undefined;
  let count = 0, sumSigned = 0, sumSquare = 0;
  const seen = new SumSet(want.value, want.absSum);
  for (let i = 0; i < want.value.length; i++) {
    const s = want.absSum[i], w = want.value[i], g = got[i];
    if (!(s > 0) || !Number.isFinite(w) || !Number.isFinite(g)) continue;
    if (!seen.addFirst(i)) continue;
    const z = (g - w) / (u * s * Math.sqrt((want.terms[i] + 1) / 3));
    count++;
    sumSigned += w > 0 ? z : w < 0 ? -z : 0;
    sumSquare += z * z;
  }
  if (count < STATISTICS_MIN_ELEMENTS) return undefined;
  return { elements: count, meanSigned: sumSigned / count, meanSquare: sumSquare / count, meanLimit: MEAN_SIGMAS / Math.sqrt(count), meanSquareLimit: MEAN_SQUARE_LIMIT };
}

/**
 * Judges `got` against `want` under `precision` (whose unit roundoff scales normalized errors
 * and the statistics). Shapes must agree; a different shape is a fail naming both.
 */
export function judge(got: Judged, want: Expectation, precision: Precision): Comparison {
  const n = want.value.length;
  if (got.shape.length !== want.shape.length || got.shape.some((s, a) => s !== want.shape[a]) || got.data.length !== n) {
    return {
      verdict: 'fail', maxAbsError: Infinity, maxRelError: Infinity, maxUlp: Infinity, maxNormalizedError: Infinity, overTolerance: n,
      message: `output shape [${got.shape}] (${got.data.length} elements) differs from the expected [${want.shape}] (${n} elements)`,
    };
  }
  const u = normalizingUnit(precision);
  // a partial sum can only overflow where S passes the format's largest value; there ±Inf and NaN are correct answers
  const largest = LARGEST_FINITE[precision];
  let maxAbs = 0, maxRel = 0, maxUlp = 0, maxNorm = 0, over = 0;
  let impossible = false;
  let firstOver: WorstElement | undefined, worstNorm: WorstElement | undefined;
  for (let i = 0; i < n; i++) {
    const have = got.data[i], expected = want.value[i];
    // an infinite S is an infinite input, whose answer IEEE 754 fixes (accepting any infinity there
    // passed a backend that flips the sign of one); only a finite S past the largest value overflows
    const err = elementError(have, expected, want.nanAllowed?.[i] === 1, want.absSum[i] > largest && Number.isFinite(want.absSum[i]));
    // a NaN or infinite expected value is judged by the special-value rule alone: its S is infinite
    // (or NaN), so would be its bounds, and any finite answer would fit them (Inf -> 0 passed)
    const special = !Number.isFinite(expected);
    const bound = want.expectedBound[i];
    maxAbs = Math.max(maxAbs, err);
    if (expected !== 0 && Number.isFinite(expected)) maxRel = Math.max(maxRel, err / Math.abs(expected));
    maxUlp = Math.max(maxUlp, err === 0 ? 0 : ulpDistance(have, expected));
    const scale = u * want.absSum[i];
    const norm = err === 0 ? 0 : scale > 0 ? err / scale : Infinity;
    if (!worstNorm || norm > maxNorm) worstNorm = { index: i, got: have, expected, bound };
    maxNorm = Math.max(maxNorm, norm);
    if (err !== 0 && (special || !(err <= bound))) {
      over++;
      if (special || !(err <= want.hardBound[i])) impossible = true;
      firstOver ??= { index: i, got: have, expected, bound };
    }
  }
  const statistics = over === 0 ? errorStatistics(got.data, want, u) : undefined;
  const biased = statistics !== undefined && (Math.abs(statistics.meanSigned) > statistics.meanLimit || statistics.meanSquare > statistics.meanSquareLimit);
  const worst = firstOver ?? worstNorm;
  const verdict: ComparisonVerdict = over > 0 ? (impossible ? 'impossible' : 'fail') : biased ? 'fail' : 'pass';
  const at = (w: WorstElement | undefined): string => (w ? `index ${w.index} [${multiIndex(want.shape, w.index)}]: got ${w.got}, expected ${w.expected}, bound ${w.bound}` : '');
  const stats = statistics ? `; over ${statistics.elements} elements mean(z·sign y) ${statistics.meanSigned.toPrecision(3)} (limit ±${statistics.meanLimit.toPrecision(3)}), mean(z²) ${statistics.meanSquare.toPrecision(3)} (limit ${statistics.meanSquareLimit})` : '';
  const message = over > 0
    ? `${over} of ${n} elements over bound${impossible ? ' (beyond the hard bound: impossible for a correct kernel)' : ''}; first at ${at(worst)}`
    : biased
      ? `every element within its bound, but the errors over the tensor are ${Math.abs(statistics.meanSigned) > statistics.meanLimit ? `biased${statistics.meanSigned < 0 ? ' toward zero (truncation?)' : ' away from zero'}` : 'too large for the declared precision'}${stats}`
      : `all ${n} elements within bound (max normalized error ${maxNorm.toPrecision(3)})${stats}`;
  return { verdict, maxAbsError: maxAbs, maxRelError: maxRel, maxUlp, maxNormalizedError: maxNorm, overTolerance: over, ...(worst ? { worst } : {}), ...(statistics ? { statistics } : {}), message };
}

/**
 * What a correct implementation may give for an integer output (ConvInteger, QLinearConv): the
 * exact value, or, where a named allowance opens it, any integer in `[lo, hi]` (`lo <= value <= hi`;
 * `lo = hi = value` where the output is exact).
 */
export interface IntegerExpectation {
  readonly shape: readonly number[];
  /** The exact output. */
  readonly value: ArrayLike<number>;
  readonly lo: ArrayLike<number>;
  readonly hi: ArrayLike<number>;
  /** The allowance's name, as verdicts show it: `tie-neighbour`. */
  readonly allowance: string;
}

/** How an integer output matched: elements equal to the exact value, and elements the allowance admitted. */
export interface IntegerCounts {
  readonly exact: number;
  readonly allowed: number;
  readonly allowance: string;
}

/**
 * Judges integer outputs: each element must equal the exact value or lie in its allowed `[lo, hi]`;
 * anything else (another integer, a fraction, NaN) is impossible for a correct implementation, since
 * the allowance is the whole of what the spec leaves open. Errors count in the output's steps
 * (maxAbsError, maxUlp and maxNormalizedError are all `|got - exact|`). The message says `exact`
 * when every element is, `<allowance> (allowed) at k of n elements` when some took the allowance.
 */
export function judgeIntegers(got: Judged, want: IntegerExpectation): Comparison {
  const n = want.value.length;
  if (got.shape.length !== want.shape.length || got.shape.some((s, a) => s !== want.shape[a]) || got.data.length !== n) {
    return {
      verdict: 'impossible', maxAbsError: Infinity, maxRelError: Infinity, maxUlp: Infinity, maxNormalizedError: Infinity, overTolerance: n,
      message: `output shape [${got.shape}] (${got.data.length} elements) differs from the expected [${want.shape}] (${n} elements)`,
    };
  }
  let exact = 0, allowed = 0, over = 0, maxAbs = 0, maxRel = 0;
  let firstOver: WorstElement | undefined, firstAllowed: WorstElement | undefined;
  for (let i = 0; i < n; i++) {
    const have = got.data[i], expected = want.value[i];
    const err = Number.isNaN(have) ? Infinity : Math.abs(have - expected);
    maxAbs = Math.max(maxAbs, err);
    if (expected !== 0) maxRel = Math.max(maxRel, err / Math.abs(expected));
    const bound = Math.max(expected - want.lo[i], want.hi[i] - expected);
    if (err === 0) exact++;
    else if (Number.isInteger(have) && have >= want.lo[i] && have <= want.hi[i]) { allowed++; firstAllowed ??= { index: i, got: have, expected, bound }; }
    else { over++; firstOver ??= { index: i, got: have, expected, bound }; }
  }
  const at = (w: WorstElement): string => `index ${w.index} [${multiIndex(want.shape, w.index)}]: got ${w.got}, exact ${w.expected}${w.bound > 0 ? ` (${want.allowance} allowed: ${want.lo[w.index]}..${want.hi[w.index]})` : ''}`;
  const message = over > 0
    ? `${over} of ${n} elements are neither exact nor an allowed ${want.allowance} (impossible for a correct implementation); first at ${at(firstOver!)}`
    : allowed > 0
      ? `${want.allowance} (allowed) at ${allowed} of ${n} elements, exact elsewhere; first at ${at(firstAllowed!)}`
      : `exact: all ${n} elements equal the exact result`;
  const worst = firstOver ?? firstAllowed;
  return {
    verdict: over > 0 ? 'impossible' : 'pass', maxAbsError: maxAbs, maxRelError: maxRel, maxUlp: maxAbs, maxNormalizedError: maxAbs, overTolerance: over,
    ...(worst ? { worst } : {}), integers: { exact, allowed, allowance: want.allowance }, message,
  };
}
