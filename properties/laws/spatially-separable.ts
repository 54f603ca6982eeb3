/** A spatially separable conv (one 1-D conv per axis) equals the conv with the outer-product kernel. */
import { withChanges } from '../../problem/problem.ts';
import { drawTensor, exactRanges } from '../../problem/operand-data.ts';
import type { Tensor } from '../../problem/tensor.ts';
import { spatiallySeparableConv } from '../../reference/spatially-separable.ts';
import { compareApprox, exact } from '../approx.ts';
import { labelOf, problemCaseArb } from '../arbitraries/problem-case.ts';
import { allOf, defineLaw, judge } from '../law.ts';
import { chainable, nextSeed, operandsOf, referenceApprox, withBias } from './common.ts';
import { outerProductKernel, runAxisStages } from './separable-chain.ts';

// conv_{k_0}(...conv_{k_{r-1}}(x)) per channel = conv(x, K_0 ⊗ K_1 ⊗ ...) (3x3 Sobel = [1,2,1]ᵀ·[-1,0,1])
export const spatiallySeparableLaw = defineLaw('a spatially separable conv equals the conv with the outer-product kernel', {
  math: 'conv_axis0(conv_axis1(x, K_1), K_0)... = conv(x, K_0 ⊗ K_1 ⊗ ...), per channel',
  convTypes: ['spatially-separable'],
  budgetShare: 0.6,
  // Any conv's spatial attributes, made depthwise with multiplier 1 (group = C = M).
  cases: (scope) => problemCaseArb({ ...chainable(scope), convTypes: ['conv1d', 'conv2d', 'conv3d', 'dilated', 'depthwise'] })
    .map((c) => ({ ...c, problem: withChanges(c.problem, { group: c.problem.inChannels, outChannels: c.problem.inChannels }) })),
  describe: (c) => ({ ...labelOf(c), convType: 'spatially-separable' }),
}, async (c, ctx) => {
  const p = c.problem;
  const { x, b } = operandsOf(p, c.mode, c.seed);
  const { wMax } = exactRanges(p);
  const kernels = p.kernelShape.map((k, a) => drawTensor([p.inChannels, k], c.mode, nextSeed(c.seed, a + 1), Math.max(1, Math.floor(wMax ** (1 / p.kernelShape.length)))));
  const steps = await runAxisStages(ctx, p, exact(x), kernels, b);
  const full = await ctx.run(p, withBias({ x, w: outerProductKernel(kernels) }, b));
  const variant = referenceApprox((xx: Tensor, bb: Tensor | undefined, ...ks: Tensor[]) => spatiallySeparableConv(p, xx, ks, bb), x, b, ...kernels);
  return allOf([
    judge('1-D convs per axis vs the outer-product kernel', compareApprox(steps, full, ctx.precision)),
    judge('1-D convs per axis vs the spatially separable op', compareApprox(steps, variant, ctx.precision)),
  ]);
});
