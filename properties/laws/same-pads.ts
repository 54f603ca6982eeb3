/** SAME_UPPER / SAME_LOWER (and a transposed output_shape) are the explicit pads they stand for. */
import { formatDescriptor } from '../../problem/descriptor.ts';
import { compareApprox } from '../approx.ts';
import { problemCaseArb } from '../arbitraries/problem-case.ts';
import { PROBLEM_TYPES } from '../../problem/conv-types.ts';
import { defineLaw, judge } from '../law.ts';
import { explicitPads, operandsOf } from './common.ts';

// op_SAME_UPPER(x) = op_pads(x) with total pad split smaller half first; SAME_LOWER larger half first; output_shape likewise
export const samePadsLaw = defineLaw('SAME_UPPER, SAME_LOWER and output_shape equal the explicit pads they stand for', {
  math: 'op_SAME(x) = op_pads(x), total pad split floor/ceil: UPPER puts the extra pad at the end, LOWER at the beginning',
  convTypes: PROBLEM_TYPES,
  cases: (scope) => problemCaseArb(scope).filter((c) => c.problem.autoPad === 'SAME_UPPER' || c.problem.autoPad === 'SAME_LOWER' || c.problem.outputShape !== undefined),
}, async (c, ctx) => {
  const operands = operandsOf(c.problem, c.mode, c.seed);
  const explicit = explicitPads(c.problem);
  const auto = await ctx.run(c.problem, operands);
  const pads = await ctx.run(explicit, operands);
  return judge(`${c.problem.autoPad}${c.problem.outputShape ? ' with output_shape' : ''} vs explicit ${formatDescriptor(explicit)}`, compareApprox(auto, pads, ctx.precision));
});
