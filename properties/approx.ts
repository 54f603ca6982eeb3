/**
 * A computed tensor with a per-element error bound: what a law compares when both sides come from
 * the backend under test (metamorphic laws) rather than from the reference. Each backend run
 * contributes the tolerance model's bound for its precision (zero in exact mode); linear
 * combinations and chained runs propagate the bounds. Two sides differ only if
 * `|left - right| > left.bound + right.bound`.
 */
import { ROUNDOFF, type Precision } from '../problem/precision.ts';
import { stridesOf } from '../problem/shape.ts';
import type { Tensor } from '../problem/tensor.ts';
import { ulpDistance, type Comparison, type WorstElement } from '../compare/tolerance.ts';
import { addChannelBias, mapTensor } from '../reference/tensor-ops.ts';

/** A value `[...shape]` with a bound on its error and the scale `S = Σ|terms|` of each element. */
export interface Approx {
  readonly shape: readonly number[];
  readonly value: Float64Array;
  /** Per element, the largest error a correct computation can have. */
  readonly bound: Float64Array;
  /** Per element, the sum of absolute values of the terms that make it (for normalized errors). */
  readonly absSum: Float64Array;
}

/** An exactly known tensor: bound zero, scale |value|. */
export function exact(t: Tensor): Approx {
  return { shape: [...t.shape], value: Float64Array.from(t.data), bound: new Float64Array(t.data.length), absSum: Float64Array.from(t.data, Math.abs) };
}

/** The value as a float64 tensor. */
function valueOf(a: Approx): Tensor<Float64Array> {
  return { shape: [...a.shape], data: a.value };
}

/** Float64 rounding of a sum of k terms costs at most about `k·2^-53·Σ|terms|`: a safe slack. */
const F64_SLACK = 2 ** -50;

/**
 * `Σ coef_i · parts_i` (all of one shape), computed in float64; bounds add as `Σ|coef_i|·bound_i`
 * plus the float64 rounding of the combination.
 */
export function combine(terms: ReadonlyArray<readonly [number, Approx]>): Approx {
  const shape = terms[0][1].shape;
  const n = terms[0][1].value.length;
  const value = new Float64Array(n), bound = new Float64Array(n), absSum = new Float64Array(n);
  for (const [coef, part] of terms) {
    if (part.value.length !== n) throw new Error(`combine: parts must have one shape, but [${shape}] and [${part.shape}]`);
    for (let i = 0; i < n; i++) {
      value[i] += coef * part.value[i];
      bound[i] += Math.abs(coef) * part.bound[i] + F64_SLACK * Math.abs(coef * part.value[i]);
      absSum[i] += Math.abs(coef) * part.absSum[i];
    }
  }
  return { shape: [...shape], value, bound, absSum };
}

/** An Approx rearranged by a tensor op applied to value, bound and scale alike. */
export function rearrange(a: Approx, op: (t: Tensor) => Tensor): Approx {
  const v = op(valueOf(a));
  return {
    shape: [...v.shape], value: Float64Array.from(v.data),
    bound: Float64Array.from(op({ shape: a.shape, data: a.bound }).data),
    absSum: Float64Array.from(op({ shape: a.shape, data: a.absSum }).data),
  };
}

/** Row-major multi-index of a flat index: `[n, m, ...spatial]`. */
export function multiIndex(shape: readonly number[], index: number): number[] {
  const strides = stridesOf(shape);
  return shape.map((s, a) => Math.floor(index / strides[a]) % s);
}

/**
 * Compares `got` with `want` element by element: a failure wherever `|got - want|` exceeds the sum
 * of their bounds. Returns the Comparison of compare/tolerance.ts (verdict pass or fail; the
 * normalized error uses the precision's `u` and the larger of the two scales).
 */
export function compareApprox(got: Approx, want: Approx, precision: Precision): Comparison {
  if (got.shape.length !== want.shape.length || got.shape.some((s, a) => s !== want.shape[a])) {
    return {
      verdict: 'fail', maxAbsError: Infinity, maxRelError: Infinity, maxUlp: Infinity, maxNormalizedError: Infinity, overTolerance: want.value.length,
      message: `shape [${got.shape}] differs from [${want.shape}]`,
    };
  }
  const r = ROUNDOFF[precision];
  const u = r.accumulate + 2 * r.input;
  let maxAbs = 0, maxRel = 0, maxUlp = 0, maxNorm = 0, over = 0;
  let firstOver: WorstElement | undefined, worstNorm: WorstElement | undefined;
  for (let i = 0; i < want.value.length; i++) {
    const have = got.value[i], expected = want.value[i];
    const err = Number.isNaN(have) || Number.isNaN(expected) ? Infinity : Math.abs(have - expected);
    const bound = got.bound[i] + want.bound[i];
    const scale = u * Math.max(got.absSum[i], want.absSum[i]);
    const norm = err === 0 ? 0 : scale > 0 ? err / scale : Infinity;
    maxAbs = Math.max(maxAbs, err);
    if (expected !== 0) maxRel = Math.max(maxRel, err / Math.abs(expected));
    maxUlp = Math.max(maxUlp, ulpDistance(have, expected));
    if (!worstNorm || norm > maxNorm) worstNorm = { index: i, got: have, expected, bound };
    maxNorm = Math.max(maxNorm, norm);
    if (!(err <= bound)) {
      over++;
      firstOver ??= { index: i, got: have, expected, bound };
    }
  }
  const worst = firstOver ?? worstNorm;
  const at = (w: WorstElement | undefined): string => (w ? `index ${w.index} [${multiIndex(want.shape, w.index)}]: got ${w.got}, expected ${w.expected}, bound ${w.bound}` : '');
  const message = over === 0
    ? `all ${want.value.length} elements within bound (max normalized error ${maxNorm.toPrecision(3)})`
    : `${over} of ${want.value.length} elements over bound; first at ${at(worst)}`;
  return { verdict: over === 0 ? 'pass' : 'fail', maxAbsError: maxAbs, maxRelError: maxRel, maxUlp, maxNormalizedError: maxNorm, overTolerance: over, ...(worst ? { worst } : {}), message };
}

/**
 * Slack of a value the reference computed in float64 (a variant op, a matrix product): any
 * summation of up to 2^10 terms errs by less than `2^-43·S`; `2^-40·S` is far below any float32
 * error (`2^-24·S`), so it never hides a backend's mistake.
 */
const REFERENCE_SLACK = 2 ** -40;

/** A reference (float64) value with its scale `S` (the same op on absolute operands): bound `2^-40·S`. */
export function referenceSide(y: Tensor, absSum: Tensor): Approx {
  return { shape: [...y.shape], value: Float64Array.from(y.data), bound: Float64Array.from(absSum.data, (s) => REFERENCE_SLACK * s), absSum: Float64Array.from(absSum.data) };
}

/** Approximations joined along the channel axis (`[N, C_i, ...]` parts). */
export function concatChannelsApprox(parts: readonly Approx[], concat: (ts: readonly Tensor[]) => Tensor): Approx {
  const pick = (f: (a: Approx) => Float64Array): Float64Array => Float64Array.from(concat(parts.map((a) => ({ shape: a.shape, data: f(a) }))).data);
  const value = concat(parts.map(valueOf));
  return { shape: [...value.shape], value: Float64Array.from(value.data), bound: pick((a) => a.bound), absSum: pick((a) => a.absSum) };
}

/** `a + b[m]` on every element of channel m (`a` is `[N, M, ...]`); the bias is exact. */
export function addChannelBiasApprox(a: Approx, b: Tensor): Approx {
  const [batch, channels] = a.shape;
  const value = Float64Array.from(a.value), absSum = Float64Array.from(a.absSum);
  addChannelBias(value, b, batch, channels);
  addChannelBias(absSum, mapTensor(b, Math.abs), batch, channels);
  const bound = Float64Array.from(a.bound, (e, i) => e + F64_SLACK * Math.abs(value[i]));
  return { shape: [...a.shape], value, bound, absSum };
}

/** `⟨a, t⟩ = Σ a_i·t_i` as a one-element Approx (bound `Σ bound_i·|t_i|` plus float64 rounding). */
export function dotApprox(a: Approx, t: Tensor): Approx {
  if (t.data.length !== a.value.length) throw new Error(`dotApprox: sizes must match, but ${a.value.length} and ${t.data.length}`);
  let value = 0, bound = 0, absSum = 0, magnitude = 0;
  for (let i = 0; i < a.value.length; i++) {
    value += a.value[i] * t.data[i];
    bound += a.bound[i] * Math.abs(t.data[i]);
    absSum += a.absSum[i] * Math.abs(t.data[i]);
    magnitude += Math.abs(a.value[i] * t.data[i]);
  }
  const rounding = a.value.length * 2 ** -53 * magnitude * 2;
  return { shape: [1], value: Float64Array.of(value), bound: Float64Array.of(bound + rounding), absSum: Float64Array.of(absSum) };
}
