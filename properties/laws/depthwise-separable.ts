/** Depthwise separable = depthwise then pointwise = one conv with W[m, c, ·] = P[m, c]·D[c, ·]. */
import * as fc from 'fast-check';
import { makeProblem, withChanges } from '../../problem/problem.ts';
import { formatDescriptor } from '../../problem/descriptor.ts';
import { outputSpatialShape, sizeOf } from '../../problem/shape.ts';
import type { Tensor, Tensor64 } from '../../problem/tensor.ts';
import { depthwiseSeparableConv } from '../../reference/depthwise-separable.ts';
import { compareApprox } from '../approx.ts';
import { problemCaseArb, type ProblemCase } from '../arbitraries/problem-case.ts';
import { allOf, defineLaw, judge } from '../law.ts';
import { reshape } from '../../reference/tensor-ops.ts';
import { chainable, nextSeed, operandsOf, referenceApprox, withBias } from './common.ts';
import { runStage } from './separable-chain.ts';

/** A depthwise problem (the first step), the pointwise step's output channels and whether it has a bias. */
interface SeparableCase extends ProblemCase {
  readonly pointwiseOut: number;
  readonly bias: boolean;
}

/** `W[m, c, k] = Σ_j P[m, c·mult + j]·D[c·mult + j, 0, k]`: the standard conv kernel of the two steps. */
function composedKernel(P: Tensor, D: Tensor, inChannels: number): Tensor64 {
  const [M, Q] = P.shape;
  const mult = Q / inChannels;
  const kernelShape = D.shape.slice(2), kernelSize = sizeOf(kernelShape);
  const data = new Float64Array(M * inChannels * kernelSize);
  for (let m = 0; m < M; m++) {
    for (let c = 0; c < inChannels; c++) {
      for (let j = 0; j < mult; j++) {
        const q = c * mult + j;
        for (let k = 0; k < kernelSize; k++) data[(m * inChannels + c) * kernelSize + k] += P.data[m * Q + q] * D.data[q * kernelSize + k];
      }
    }
  }
  return { shape: [M, inChannels, ...kernelShape], data };
}

// pointwise(depthwise(x, D), P) + b = conv(x, W) + b with W[m, c, ·] = Σ_j P[m, c·mult+j]·D[c·mult+j, ·]
export const depthwiseSeparableLaw = defineLaw<SeparableCase>('a depthwise separable conv equals depthwise then pointwise equals one conv with the product kernel', {
  math: 'pointwise(depthwise(x, D), P) = conv(x, W), W[m, c, ·] = Σ_j P[m, c·mult+j]·D[c·mult+j, ·]',
  convTypes: ['depthwise-separable'],
  budgetShare: 0.6,
  cases: (scope) => fc.record({
    base: problemCaseArb({ ...chainable(scope), convTypes: ['depthwise'] }, { bias: false }),
    pointwiseOut: fc.integer({ min: 1, max: 4 }),
    bias: fc.boolean(),
  }).map(({ base, pointwiseOut, bias }) => ({ ...base, pointwiseOut, bias })),
  describe: (c) => ({ descriptor: `${formatDescriptor(c.problem)} > pointwise oc${c.pointwiseOut}${c.bias ? 'b1' : ''}`, convType: 'depthwise-separable', mode: c.mode }),
}, async (c, ctx) => {
  const dw = c.problem;
  const { x, w: D } = operandsOf(dw, c.mode, c.seed);
  const out = outputSpatialShape(dw);
  const pw = makeProblem({ batch: dw.batch, inChannels: dw.outChannels, outChannels: c.pointwiseOut, inputShape: out, kernelShape: out.map(() => 1), bias: c.bias });
  const { w: P, b } = operandsOf(pw, c.mode, nextSeed(c.seed));
  const depthwiseStep = await ctx.run(dw, { x, w: D });
  const twoSteps = await runStage(ctx, pw, depthwiseStep, P, b);
  const standard = withChanges(dw, { group: 1, outChannels: c.pointwiseOut, bias: c.bias });
  const oneConv = await ctx.run(standard, withBias({ x, w: composedKernel(reshape(P, [c.pointwiseOut, dw.outChannels]), D, dw.inChannels) }, b));
  const ds = { depthwise: dw, outChannels: c.pointwiseOut, bias: c.bias };
  const P2 = reshape(P, [c.pointwiseOut, dw.outChannels]);
  const variant = referenceApprox((xx: Tensor, dd: Tensor, pp: Tensor, bb?: Tensor) => depthwiseSeparableConv(ds, xx, dd, pp, bb), x, D, P2, b);
  return allOf([
    judge('depthwise then pointwise vs one conv with the product kernel', compareApprox(twoSteps, oneConv, ctx.precision)),
    judge('depthwise then pointwise vs the depthwise separable op', compareApprox(twoSteps, variant, ctx.precision)),
  ]);
});
