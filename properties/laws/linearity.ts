/** Conv and transposed conv are linear in x and in w, and the bias adds per output channel. */
import * as fc from 'fast-check';
import { withChanges } from '../../problem/problem.ts';
import type { Tensor } from '../../problem/tensor.ts';
import { addChannelBiasApprox, combine, compareApprox } from '../approx.ts';
import { problemCaseArb, type ProblemCase } from '../arbitraries/problem-case.ts';
import { PROBLEM_TYPES } from '../../problem/conv-types.ts';
import { allOf, defineLaw, judge } from '../law.ts';
import { linearPart, nextSeed, operandsOf } from './common.ts';

/** A problem case with the two coefficients of the linear combination. */
interface LinearityCase extends ProblemCase {
  readonly alpha: number;
  readonly beta: number;
}

const coefficient = fc.integer({ min: -3, max: 3 }).filter((v) => v !== 0);

function mix(alpha: number, a: Tensor, beta: number, b: Tensor): Tensor<Float64Array> {
  return { shape: [...a.shape], data: Float64Array.from(a.data, (v, i) => alpha * v + beta * b.data[i]) };
}

// op(αx1 + βx2, w) = α·op(x1, w) + β·op(x2, w);  op(x, αw1 + βw2) = α·op(x, w1) + β·op(x, w2);  op_b(x, w) = op(x, w) + b[m]
export const linearityLaw = defineLaw<LinearityCase>('conv is linear in x and in w, and the bias adds per channel', {
  math: 'op(αx1+βx2, w) = α·op(x1, w) + β·op(x2, w); op(x, αw1+βw2) = α·op(x, w1) + β·op(x, w2); op_b(x) = op(x) + b[m]',
  convTypes: PROBLEM_TYPES,
  budgetShare: 0.6,
  cases: (scope) => fc.record({ base: problemCaseArb(scope), alpha: coefficient, beta: coefficient }).map(({ base, alpha, beta }) => ({ ...base, alpha, beta })),
}, async (c, ctx) => {
  const p = linearPart(c.problem);
  const withBias = withChanges(c.problem, { bias: true });
  const one = operandsOf(withBias, c.mode, c.seed);
  const two = operandsOf(withBias, c.mode, nextSeed(c.seed));
  const { alpha, beta } = c;
  const y1 = await ctx.run(p, { x: one.x, w: one.w });
  const y2 = await ctx.run(p, { x: two.x, w: one.w });
  const yMixedX = await ctx.run(p, { x: mix(alpha, one.x, beta, two.x), w: one.w });
  const yW2 = await ctx.run(p, { x: one.x, w: two.w });
  const yMixedW = await ctx.run(p, { x: one.x, w: mix(alpha, one.w, beta, two.w) });
  const yBias = await ctx.run(withBias, one);
  return allOf([
    judge(`op(${alpha}·x1 + ${beta}·x2) vs ${alpha}·op(x1) + ${beta}·op(x2)`, compareApprox(yMixedX, combine([[alpha, y1], [beta, y2]]), ctx.precision)),
    judge(`op(${alpha}·w1 + ${beta}·w2) vs ${alpha}·op(w1) + ${beta}·op(w2)`, compareApprox(yMixedW, combine([[alpha, y1], [beta, yW2]]), ctx.precision)),
    judge('op with bias vs op + b[m]', compareApprox(yBias, addChannelBiasApprox(y1, one.b!), ctx.precision)),
  ]);
});
