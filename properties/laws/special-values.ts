/**
 * Special values propagate as IEEE 754 says: a NaN or an infinity placed in x, w or b reaches
 * exactly the outputs whose sums read it (Inf + -Inf and Inf·0 give NaN, Inf + a number Inf), and
 * every other output stays finite and correct. Where ONNX leaves room, every reading it allows is
 * accepted: the sign of a zero result is not judged, and a padded zero times an infinite weight
 * may be NaN (reference/padded-products.ts).
 */
import { referenceResult } from '../../compare/run-case.ts';
import { compareToReference, convExactlyComputable } from '../../compare/tolerance.ts';
import { allowedNaNs, finitePart } from '../../compare/special-values.ts';
import { PROBLEM_TYPES } from '../../problem/conv-types.ts';
import { makeOperands } from '../../problem/operand-data.ts';
import type { ConvOperands } from '../../problem/operands.ts';
import { problemCaseArb } from '../arbitraries/problem-case.ts';
import { defineLaw, judge } from '../law.ts';

// y = conv(x, w) + b in IEEE 754 arithmetic: NaN where a sum reads NaN, Inf + -Inf or Inf·0; ±Inf where it reads one infinity; else finite and exact
export const specialValuesLaw = defineLaw('special values reach exactly the outputs whose sums read them', {
  math: 'y = Σ x·w + b in IEEE 754: NaN ⇐ NaN, Inf - Inf or Inf·0 in the sum; ±Inf ⇐ one infinity; else finite (NaN also allowed for 0_pad·Inf)',
  convTypes: PROBLEM_TYPES,
  budgetShare: 0.6,
  // exact data with one to three NaN, ±Inf or -0 placed in x, w or b (problem/operand-data.ts 'special')
  cases: (scope) => problemCaseArb({ ...scope, modes: ['special'] }),
}, async (c, ctx) => {
  const operands = makeOperands(c.problem, 'special', c.seed);
  const got = await ctx.run(c.problem, operands);
  const reference = referenceResult(c.problem, operands);
  const finite: ConvOperands = { x: finitePart(operands.x), w: finitePart(operands.w), ...(operands.b ? { b: finitePart(operands.b) } : {}) };
  const finiteS = referenceResult(c.problem, finite).absSum;
  const exact = convExactlyComputable(ctx.precision, finite, finiteS);
  const nanAllowed = allowedNaNs(c.problem, operands.w, finiteS, ctx.precision);
  const comparison = compareToReference(reference, { shape: got.shape, data: got.value }, ctx.precision, { exact, nanAllowed });
  const specials = [operands.x, operands.w, ...(operands.b ? [operands.b] : [])].reduce((n, t) => n + t.data.filter((v) => !Number.isFinite(v)).length, 0);
  return judge(`${specials} NaN/Inf in the operands; backend vs IEEE 754 reference`, comparison);
});
