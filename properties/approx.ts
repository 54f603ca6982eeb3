/**
 * A computed tensor with a per-element error bound: what a law compares when both sides come from
 * the backend under test (metamorphic laws) rather than from the reference. Each backend run
 * contributes the tolerance model's bounds for its precision (zero for exact data): the expected
 * bound and the hard bound; linear combinations and chained runs propagate both. Two sides differ
 * if `|left - right| > left.bound + right.bound`, impossibly so past the sum of the hard bounds;
 * compare/judge.ts decides.
 */
import type { Tensor } from '../problem/tensor.ts';
import type { Precision } from '../problem/precision.ts';
import { judge, type Comparison, type Expectation } from '../compare/judge.ts';
import { addChannelBias, mapTensor } from '../reference/tensor-ops.ts';

/** A value `[...shape]` with a bound on its error and the scale `S = Σ|terms|` of each element. */
export interface Approx {
  readonly shape: readonly number[];
  readonly value: Float64Array;
  /** Per element, the largest error a correct computation is expected to have (over it: fail). */
  readonly bound: Float64Array;
  /** Per element, the largest error any correct computation can have (over it: impossible); >= bound. */
  readonly hard: Float64Array;
  /** Per element, the sum of absolute values of the terms that make it (for normalized errors). */
  readonly absSum: Float64Array;
}

/** An exactly known tensor: bound zero, scale |value|. */
export function exact(t: Tensor): Approx {
  return { shape: [...t.shape], value: Float64Array.from(t.data), bound: new Float64Array(t.data.length), hard: new Float64Array(t.data.length), absSum: Float64Array.from(t.data, Math.abs) };
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
  const value = new Float64Array(n), bound = new Float64Array(n), hard = new Float64Array(n), absSum = new Float64Array(n);
  for (const [coef, part] of terms) {
    if (part.value.length !== n) throw new Error(`combine: parts must have one shape, but [${shape}] and [${part.shape}]`);
    for (let i = 0; i < n; i++) {
      const rounding = F64_SLACK * Math.abs(coef * part.value[i]);
      value[i] += coef * part.value[i];
      bound[i] += Math.abs(coef) * part.bound[i] + rounding;
      hard[i] += Math.abs(coef) * part.hard[i] + rounding;
      absSum[i] += Math.abs(coef) * part.absSum[i];
    }
  }
  return { shape: [...shape], value, bound, hard, absSum };
}

/** An Approx rearranged by a tensor op applied to value, bound and scale alike. */
export function rearrange(a: Approx, op: (t: Tensor) => Tensor): Approx {
  const v = op(valueOf(a));
  return {
    shape: [...v.shape], value: Float64Array.from(v.data),
    bound: Float64Array.from(op({ shape: a.shape, data: a.bound }).data),
    hard: Float64Array.from(op({ shape: a.shape, data: a.hard }).data),
    absSum: Float64Array.from(op({ shape: a.shape, data: a.absSum }).data),
  };
}

/**
 * Compares `got` with `want` element by element through compare/judge.ts: a failure wherever
 * `|got - want|` exceeds the sum of their bounds, impossible past the sum of their hard bounds;
 * NaN equals NaN and an infinity itself. The normalized error uses the precision's `u` and the
 * larger of the two scales.
 */
export function compareApprox(got: Approx, want: Approx, precision: Precision): Comparison {
  const n = want.value.length;
  const sum = (a: Float64Array, b: Float64Array): Float64Array => (a.length === n && b.length === n ? Float64Array.from(a, (v, i) => v + b[i]) : new Float64Array(n));
  const expectation: Expectation = {
    shape: want.shape, value: want.value, expectedBound: sum(got.bound, want.bound), hardBound: sum(got.hard, want.hard),
    absSum: got.absSum.length === n ? Float64Array.from(want.absSum, (s, i) => Math.max(s, got.absSum[i])) : want.absSum,
  };
  return judge({ shape: got.shape, data: got.value }, expectation, precision);
}

/**
 * Slack of a value the reference computed in float64 (a variant op, a matrix product): any
 * summation of up to 2^10 terms errs by less than `2^-43·S`; `2^-40·S` is far below any float32
 * error (`2^-24·S`), so it never hides a backend's mistake.
 */
const REFERENCE_SLACK = 2 ** -40;

/** A reference (float64) value with its scale `S` (the same op on absolute operands): bound `2^-40·S`. */
export function referenceSide(y: Tensor, absSum: Tensor): Approx {
  const slack = Float64Array.from(absSum.data, (s) => REFERENCE_SLACK * s);
  return { shape: [...y.shape], value: Float64Array.from(y.data), bound: slack, hard: Float64Array.from(slack), absSum: Float64Array.from(absSum.data) };
}

/** Approximations joined along the channel axis (`[N, C_i, ...]` parts). */
export function concatChannelsApprox(parts: readonly Approx[], concat: (ts: readonly Tensor[]) => Tensor): Approx {
  const pick = (f: (a: Approx) => Float64Array): Float64Array => Float64Array.from(concat(parts.map((a) => ({ shape: a.shape, data: f(a) }))).data);
  const value = concat(parts.map(valueOf));
  return { shape: [...value.shape], value: Float64Array.from(value.data), bound: pick((a) => a.bound), hard: pick((a) => a.hard), absSum: pick((a) => a.absSum) };
}

/** `a + b[m]` on every element of channel m (`a` is `[N, M, ...]`); the bias is exact. */
export function addChannelBiasApprox(a: Approx, b: Tensor): Approx {
  const [batch, channels] = a.shape;
  const value = Float64Array.from(a.value), absSum = Float64Array.from(a.absSum);
  addChannelBias(value, b, batch, channels);
  addChannelBias(absSum, mapTensor(b, Math.abs), batch, channels);
  const bound = Float64Array.from(a.bound, (e, i) => e + F64_SLACK * Math.abs(value[i]));
  const hard = Float64Array.from(a.hard, (e, i) => e + F64_SLACK * Math.abs(value[i]));
  return { shape: [...a.shape], value, bound, hard, absSum };
}

/** `⟨a, t⟩ = Σ a_i·t_i` as a one-element Approx (bound `Σ bound_i·|t_i|` plus float64 rounding). */
export function dotApprox(a: Approx, t: Tensor): Approx {
  if (t.data.length !== a.value.length) throw new Error(`dotApprox: sizes must match, but ${a.value.length} and ${t.data.length}`);
  let value = 0, bound = 0, hard = 0, absSum = 0, magnitude = 0;
  for (let i = 0; i < a.value.length; i++) {
    value += a.value[i] * t.data[i];
    bound += a.bound[i] * Math.abs(t.data[i]);
    hard += a.hard[i] * Math.abs(t.data[i]);
    absSum += a.absSum[i] * Math.abs(t.data[i]);
    magnitude += Math.abs(a.value[i] * t.data[i]);
  }
  const rounding = a.value.length * 2 ** -53 * magnitude * 2;
  return { shape: [1], value: Float64Array.of(value), bound: Float64Array.of(bound + rounding), hard: Float64Array.of(hard + rounding), absSum: Float64Array.of(absSum) };
}
