/** A flattened conv (channel, then one 1-D filter per axis) equals the conv with the rank-1 filter. */
import { makeProblem } from '../../problem/problem.ts';
import { drawTensor, exactRanges } from '../../problem/operand-data.ts';
import type { Tensor } from '../../problem/tensor.ts';
import { flattenedConv } from '../../reference/flattened.ts';
import { compareApprox, exact } from '../approx.ts';
import { labelOf, problemCaseArb } from '../arbitraries/problem-case.ts';
import { allOf, defineLaw, judge } from '../law.ts';
import { reshape } from '../../reference/tensor-ops.ts';
import { chainable, nextSeed, operandsOf, referenceApprox, withBias } from './common.ts';
import { outerProductKernel, runAxisStages, runStage } from './separable-chain.ts';

// per axis 1-D filters after a 1x1 channel filter: conv(x, W) with W[m, c, k_0, k_1, ..] = α[m, c]·β_0[m, k_0]·β_1[m, k_1]...
export const flattenedLaw = defineLaw('a flattened conv equals the conv with the rank-1 filter', {
  math: 'axis filters ∘ channel filter (x) = conv(x, W), W[m, c, k] = α[m, c]·Π_a β_a[m, k_a]',
  convTypes: ['flattened'],
  budgetShare: 0.6,
  cases: (scope) => problemCaseArb({ ...chainable(scope), convTypes: ['conv1d', 'conv2d', 'conv3d', 'dilated'] }),
  describe: (c) => ({ ...labelOf(c), convType: 'flattened' }),
}, async (c, ctx) => {
  const p = c.problem;
  const { x, b } = operandsOf(p, c.mode, c.seed);
  const { wMax } = exactRanges(p);
  const max = Math.max(1, Math.floor(wMax ** (1 / (p.kernelShape.length + 1))));
  const channel = drawTensor([p.outChannels, p.inChannels], c.mode, nextSeed(c.seed, 1), max);
  const spatial = p.kernelShape.map((k, a) => drawTensor([p.outChannels, k], c.mode, nextSeed(c.seed, a + 2), max));
  const lateral = makeProblem({ batch: p.batch, inChannels: p.inChannels, outChannels: p.outChannels, inputShape: p.inputShape, kernelShape: p.inputShape.map(() => 1) });
  const channelStep = await runStage(ctx, lateral, exact(x), reshape(channel, [p.outChannels, p.inChannels, ...p.inputShape.map(() => 1)]));
  const steps = await runAxisStages(ctx, p, channelStep, spatial, b);
  const full = await ctx.run(p, withBias({ x, w: outerProductKernel(spatial, channel) }, b));
  const filters = (ch: Tensor, sp: Tensor[]) => ({ channel: ch, spatial: sp });
  const variant = referenceApprox((xx: Tensor, bb: Tensor | undefined, ch: Tensor, ...sp: Tensor[]) => flattenedConv(p, xx, filters(ch, sp), bb), x, b, channel, ...spatial);
  return allOf([
    judge('channel filter then 1-D filters vs the rank-1 kernel', compareApprox(steps, full, ctx.precision)),
    judge('channel filter then 1-D filters vs the flattened op', compareApprox(steps, variant, ctx.precision)),
  ]);
});
