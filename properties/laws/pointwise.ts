/** A 1x1 conv is a per-pixel matmul over channels; a pointwise grouped conv a block-diagonal one. */
import { withChanges } from '../../problem/problem.ts';
import type { Tensor } from '../../problem/tensor.ts';
import { pointwiseConv } from '../../reference/pointwise.ts';
import { blockDiagonalWeight, pointwiseGroupedConv } from '../../reference/pointwise-grouped.ts';
import { compareApprox } from '../approx.ts';
import { allOf, defineLaw, judge, type Judgement } from '../law.ts';
import { operandsOf, referenceApprox, withBias } from './common.ts';

// y[n, :, o] = W·x[n, :, o·s - pb] + b, W [M, C] (block-diagonal with g blocks when grouped)
export const pointwiseLaw = defineLaw('a 1x1 conv is a per-pixel matmul over channels, and a pointwise grouped conv a block-diagonal one', {
  math: 'y[n, :, o] = W·x[n, :, o·s - pb] + b; grouped: W = blockdiag(W_0, ..., W_{g-1})',
  convTypes: ['pointwise', 'pointwise-grouped'],
}, async (c, ctx) => {
  const p = c.problem;
  const { x, w, b } = operandsOf(p, c.mode, c.seed);
  const got = await ctx.run(p, withBias({ x, w }, b));
  const op = p.group === 1 ? pointwiseConv : pointwiseGroupedConv;
  const matmul = referenceApprox((xx: Tensor, ww: Tensor, bb?: Tensor) => op(p, withBias({ x: xx, w: ww }, bb)), x, w, b);
  const checks: Judgement[] = [judge(p.group === 1 ? 'conv vs per-pixel matmul' : 'grouped conv vs per-pixel block-diagonal matmul', compareApprox(got, matmul, ctx.precision))];
  if (p.group > 1) {
    const dense = await ctx.run(withChanges(p, { group: 1 }), withBias({ x, w: blockDiagonalWeight(p, w) }, b));
    checks.push(judge(`group ${p.group} vs group 1 with the block-diagonal weight`, compareApprox(got, dense, ctx.precision)));
  }
  return allOf(checks);
});
