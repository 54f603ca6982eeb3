/** A grouped conv is the concatenation of g independent convs on channel slices. */
import { concatChannels, sliceAxis, sliceChannels } from '../../reference/tensor-ops.ts';
import { groupProblem } from '../../reference/grouped.ts';
import { compareApprox, concatChannelsApprox, type Approx } from '../approx.ts';
import { problemCaseArb } from '../arbitraries/problem-case.ts';
import { defineLaw, judge } from '../law.ts';
import { operandsOf, withBias } from './common.ts';

// op_g(x, w) = concat_j op_1(x[:, j·C/g : (j+1)·C/g], w_j), w_j = block j of w along its first axis
export const groupedLaw = defineLaw('a grouped conv is the concatenation of independent convs on channel slices', {
  math: 'op_g(x, w) = concat_j op_1(x[:, jC/g:(j+1)C/g], w[block j])',
  convTypes: ['grouped', 'depthwise', 'pointwise-grouped', 'transposed'],
  cases: (scope) => problemCaseArb(scope).filter((c) => c.problem.group > 1),
}, async (c, ctx) => {
  const p = c.problem;
  const { x, w, b } = operandsOf(p, c.mode, c.seed);
  const whole = await ctx.run(p, withBias({ x, w }, b));
  const one = groupProblem(p);
  const inPerGroup = p.inChannels / p.group, outPerGroup = p.outChannels / p.group;
  const block = p.op === 'conv' ? outPerGroup : inPerGroup; // w's first axis: filters (Conv) or input channels (ConvTranspose)
  const parts: Approx[] = [];
  for (let g = 0; g < p.group; g++) {
    parts.push(await ctx.run(one, {
      x: sliceChannels(x, g * inPerGroup, inPerGroup),
      w: sliceAxis(w, 0, g * block, block),
      ...(b ? { b: sliceAxis(b, 0, g * outPerGroup, outPerGroup) } : {}),
    }));
  }
  return judge(`group ${p.group} vs ${p.group} concatenated group-1 convs`, compareApprox(whole, concatChannelsApprox(parts, concatChannels), ctx.precision));
});
