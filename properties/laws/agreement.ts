/** The backend's output equals the reference's under the data mode's criterion. */
import { referenceResult } from '../../compare/run-case.ts';
import { compareToReference, convExactlyComputable } from '../../compare/tolerance.ts';
import { PROBLEM_TYPES } from '../../problem/conv-types.ts';
import { defineLaw, judge } from '../law.ts';
import { operandsOf } from './common.ts';

// exact data: y = y_ref bit for bit; real data: |y - y_ref| ≤ min(γ_n·u·S, λ·√n·u·S) + u·|y_ref| per element
export const agreementLaw = defineLaw('the backend agrees with the reference', {
  math: 'exact: y = y_ref bit for bit; real: |y - y_ref| ≤ min(γ_n·u·S, λ√n·u·S) + u·|y_ref| per element',
  convTypes: PROBLEM_TYPES,
}, async (c, ctx) => {
  const operands = operandsOf(c.problem, c.mode, c.seed);
  const got = await ctx.run(c.problem, operands);
  const reference = referenceResult(c.problem, operands);
  const comparison = compareToReference(reference, { shape: got.shape, data: got.value }, ctx.precision, { exact: convExactlyComputable(ctx.precision, operands, reference.absSum) });
  return judge('backend vs reference', comparison);
});
