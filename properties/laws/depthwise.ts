/** Depthwise conv is grouped conv with group = channels, channel multiplier included. */
import { withChanges } from '../../problem/problem.ts';
import { concatChannels, sliceAxis, sliceChannels } from '../../reference/tensor-ops.ts';
import { depthwiseConv } from '../../reference/depthwise.ts';
import type { Tensor } from '../../problem/tensor.ts';
import { compareApprox, concatChannelsApprox, type Approx } from '../approx.ts';
import { allOf, defineLaw, judge } from '../law.ts';
import { operandsOf, referenceApprox, withBias } from './common.ts';

// conv_{g=C}(x, w)[:, c·mult + j] = conv_1(x[:, c], w[c·mult + j]) = depthwise(x, w)[:, c·mult + j]
export const depthwiseLaw = defineLaw('a depthwise conv is a grouped conv with one group per channel, channel multiplier included', {
  math: 'conv_{g=C}(x, w)[:, c·mult+j] = conv_1(x[:, c], w[c·mult+j]) = depthwise(x, w)[:, c·mult+j]',
  convTypes: ['depthwise'],
}, async (c, ctx) => {
  const p = c.problem;
  const { x, w, b } = operandsOf(p, c.mode, c.seed);
  const mult = p.outChannels / p.inChannels;
  const grouped = await ctx.run(p, withBias({ x, w }, b));
  const single = withChanges(p, { group: 1, inChannels: 1, outChannels: mult });
  const perChannel: Approx[] = [];
  for (let ch = 0; ch < p.inChannels; ch++) {
    perChannel.push(await ctx.run(single, {
      x: sliceChannels(x, ch, 1), w: sliceAxis(w, 0, ch * mult, mult), ...(b ? { b: sliceAxis(b, 0, ch * mult, mult) } : {}),
    }));
  }
  const variant = referenceApprox((xx: Tensor, ww: Tensor, bb?: Tensor) => depthwiseConv(p, withBias({ x: xx, w: ww }, bb)), x, w, b);
  return allOf([
    judge(`group ${p.group} vs ${p.inChannels} single-channel convs`, compareApprox(grouped, concatChannelsApprox(perChannel, concatChannels), ctx.precision)),
    judge('group = C vs the depthwise op', compareApprox(grouped, variant, ctx.precision)),
  ]);
});
