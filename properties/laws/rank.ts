/** A size-1 leading spatial axis changes nothing (3-D with depth 1 = 2-D; 2-D with height 1 = 1-D). */
import { withChanges, type ConvProblem } from '../../problem/problem.ts';
import { compareApprox, rearrange } from '../approx.ts';
import { problemCaseArb } from '../arbitraries/problem-case.ts';
import { PROBLEM_TYPES } from '../../problem/conv-types.ts';
import { defineLaw, judge } from '../law.ts';
import { reshape } from '../../reference/tensor-ops.ts';
import { operandsOf, withBias } from './common.ts';

/** `p` with a new first spatial axis of input 1, kernel 1, stride 1, dilation 1, no pad. */
function withLeadingAxis(p: ConvProblem): ConvProblem {
  return withChanges(p, {
    inputShape: [1, ...p.inputShape], kernelShape: [1, ...p.kernelShape], strides: [1, ...p.strides], dilations: [1, ...p.dilations],
    padsBegin: [0, ...p.padsBegin], padsEnd: [0, ...p.padsEnd], outputPadding: [0, ...p.outputPadding],
    outputShape: p.outputShape === undefined ? undefined : [1, ...p.outputShape],
  });
}

/** A tensor `[A, B, ...s]` as `[A, B, 1, ...s]`. */
function addAxis<T extends { shape: readonly number[] }>(t: T): number[] {
  return [t.shape[0], t.shape[1], 1, ...t.shape.slice(2)];
}

// op_{r+1}(x with a size-1 axis in front, w likewise) = op_r(x, w) with that axis added
export const rankLaw = defineLaw('a conv with a size-1 leading spatial axis equals the conv of one rank lower', {
  math: 'op_3D(x[:, :, None], w[:, :, None]) = op_2D(x, w)[:, :, None]; 2-D with height 1 = 1-D',
  convTypes: PROBLEM_TYPES.filter((t) => t !== 'conv3d'),
  cases: (scope) => problemCaseArb(scope, { ranks: [1, 2] }),
}, async (c, ctx) => {
  const p = c.problem;
  const { x, w, b } = operandsOf(p, c.mode, c.seed);
  const lower = await ctx.run(p, withBias({ x, w }, b));
  const higher = await ctx.run(withLeadingAxis(p), withBias({ x: reshape(x, addAxis(x)), w: reshape(w, addAxis(w)) }, b));
  return judge(`rank ${p.inputShape.length + 1} with a size-1 axis vs rank ${p.inputShape.length}`, compareApprox(rearrange(higher, (t) => reshape(t, lower.shape)), lower, ctx.precision));
});
