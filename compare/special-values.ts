/**
 * How a case whose operands hold NaN or ±Inf is judged (an ONNX test's data, a user's fixture):
 * by IEEE 754's special-value rule, as compare/judge.ts applies it, and never by the rounding
 * bounds, which a non-finite S = Σ|x·w| makes infinite (or NaN) so that any answer fits them.
 * Per output element: where the reference is NaN the answer must be NaN, where it is ±Inf the
 * same infinity; where a padded zero meets an infinite or NaN weight NaN is allowed too
 * (reference/padded-products.ts), and so it is where the finite terms' S passes the precision's
 * largest value (a partial sum may overflow to the infinity opposite an infinite term's, and
 * Inf - Inf is NaN); the finite elements are judged as usual, bit for bit when the finite part of
 * the data is exact.
 */
import type { ConvOperands } from '../problem/operands.ts';
import { LARGEST_FINITE, type Precision } from '../problem/precision.ts';
import type { ConvProblem } from '../problem/problem.ts';
import type { Tensor } from '../problem/tensor.ts';
import { referenceResult } from './reference-result.ts';
import { paddedInfiniteProducts } from '../reference/padded-products.ts';
import { convExactlyComputable } from './tolerance.ts';

/** `t` with its non-finite elements replaced by 0: what the exactness of the finite part is judged on. */
export function finitePart(t: Tensor): Tensor {
  return { shape: t.shape, data: Float64Array.from(t.data, (v) => (Number.isFinite(v) ? v : 0)) };
}

/** `x: 1 NaN, 1 +Inf; w: 2 -Inf`, or undefined when every operand is finite. */
export function describeSpecialValues(operands: ConvOperands): string | undefined {
  const parts: string[] = [];
  for (const [name, t] of [['x', operands.x], ['w', operands.w], ['b', operands.b]] as const) {
    if (t === undefined) continue;
    let nan = 0, pos = 0, neg = 0;
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i];
      if (Number.isNaN(v)) nan++;
      else if (v === Infinity) pos++;
      else if (v === -Infinity) neg++;
    }
    const counts = [[nan, 'NaN'], [pos, '+Inf'], [neg, '-Inf']].filter(([n]) => (n as number) > 0).map(([n, what]) => `${n} ${what}`);
    if (counts.length > 0) parts.push(`${name}: ${counts.join(', ')}`);
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * Per output element, 1 where NaN is a correct answer besides the reference's: a padded zero meets
 * an infinite or NaN weight (reference/padded-products.ts), or the finite terms' S (`finiteS`, the
 * S of the operands' finite part) passes the precision's largest value, so that a correct kernel's
 * partial sum may overflow to the infinity opposite an infinite term's: 3e38 + 3e38 - Inf is NaN in
 * float32, -Inf in float64.
 */
export function allowedNaNs(p: ConvProblem, w: Tensor, finiteS: ArrayLike<number>, precision: Precision): Uint8Array {
  const allowed = paddedInfiniteProducts(p, w);
  const largest = LARGEST_FINITE[precision];
  for (let i = 0; i < allowed.length; i++) if (finiteS[i] > largest) allowed[i] = 1;
  return allowed;
}

/** How to judge a case with special values: the comparison's options and the note its message starts with. */
export interface SpecialValueJudgement {
  readonly exact: boolean;
  readonly nanAllowed: Uint8Array;
  readonly note: string;
}

/**
 * The judgement of a problem whose operands hold NaN or ±Inf, or undefined when they are all
 * finite (then the usual bounds apply). Small problems only in practice (test data); the finite
 * part's reference is computed on this thread for its S.
 */
export function specialValueJudgement(p: ConvProblem, operands: ConvOperands, precision: Precision): SpecialValueJudgement | undefined {
  const found = describeSpecialValues(operands);
  if (found === undefined) return undefined;
  const finite: ConvOperands = { x: finitePart(operands.x), w: finitePart(operands.w), ...(operands.b ? { b: finitePart(operands.b) } : {}) };
  const finiteS = referenceResult(p, finite).absSum;
  return {
    exact: convExactlyComputable(precision, finite, finiteS),
    nanAllowed: allowedNaNs(p, operands.w, finiteS, precision),
    note: `special values (${found}) judged by IEEE 754: NaN where the reference is NaN, the same infinity where it is infinite (NaN also allowed where a padded zero meets an infinite weight, or where the finite terms may overflow)`,
  };
}
