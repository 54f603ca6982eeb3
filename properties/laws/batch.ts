/** Batch items are independent. */
import { withChanges } from '../../problem/problem.ts';
import { concatLeading, sliceAxis } from '../../reference/tensor-ops.ts';
import { compareApprox, concatChannelsApprox, type Approx } from '../approx.ts';
import { problemCaseArb } from '../arbitraries/problem-case.ts';
import { PROBLEM_TYPES } from '../../problem/conv-types.ts';
import { defineLaw, judge } from '../law.ts';
import { operandsOf, withBias } from './common.ts';

// op(x)[n] = op(x[n]) for every batch item n
export const batchLaw = defineLaw('batch items are computed independently', {
  math: 'op([x_0, ..., x_{N-1}])[n] = op(x_n)',
  convTypes: PROBLEM_TYPES,
  budgetShare: 0.6,
  cases: (scope) => problemCaseArb(scope, { maxBatch: 3 }).filter((c) => c.problem.batch > 1),
}, async (c, ctx) => {
  const p = c.problem;
  const { x, w, b } = operandsOf(p, c.mode, c.seed);
  const whole = await ctx.run(p, withBias({ x, w }, b));
  const single = withChanges(p, { batch: 1 });
  const items: Approx[] = [];
  for (let n = 0; n < p.batch; n++) items.push(await ctx.run(single, withBias({ x: sliceAxis(x, 0, n, 1), w }, b)));
  return judge(`batch ${p.batch} vs ${p.batch} single items`, compareApprox(whole, concatChannelsApprox(items, concatLeading), ctx.precision));
});
