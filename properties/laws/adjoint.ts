/** Transposed conv is the adjoint of conv with the same attributes. */
import { withChanges, type ConvProblem } from '../../problem/problem.ts';
import type { Tensor } from '../../problem/tensor.ts';
import { explicitAttributes, outputSpatialShape } from '../../problem/shape.ts';
import { adjointProblem } from '../../reference/conv-transpose.ts';
import { compareApprox, dotApprox, rearrange } from '../approx.ts';
import { type ProblemCase } from '../arbitraries/problem-case.ts';
import { PROBLEM_TYPES } from '../../problem/conv-types.ts';
import { defineLaw, judge } from '../law.ts';
import { cropSpatial } from '../../reference/tensor-ops.ts';
import { linearPart, nextSeed, operandsOf } from './common.ts';

/**
 * The Conv whose adjoint a ConvTranspose problem is: input = the transposed output, channels
 * swapped, same kernel, strides, dilations, group and resolved pads. Its output is the transposed
 * input, longer by `floor(output_padding / stride)` where output_padding ≥ stride (dilation > stride).
 */
function convOfTranspose(t: ConvProblem): ConvProblem {
  // A negative end pad (output_shape past the full output) adds input the conv never reads: pad 0.
  const pads = explicitAttributes(t);
  return withChanges(t, {
    op: 'conv', inChannels: t.outChannels, outChannels: t.inChannels, inputShape: outputSpatialShape(t),
    padsBegin: pads.padsBegin, padsEnd: pads.padsEnd, autoPad: 'NOTSET', outputPadding: t.inputShape.map(() => 0), outputShape: undefined, bias: false,
  });
}

/**
 * A case as a pair of adjoint problems with their operands: the conv (the case itself, or the conv
 * a transposed case is the adjoint of), its transposed twin, x and w of the conv, and y shaped
 * like the conv's output (the transposed input). Bias is left out: adjointness is of the linear part.
 */
export function adjointPair(c: ProblemCase): { convP: ConvProblem; transP: ConvProblem; x: Tensor; w: Tensor; y: Tensor } {
  const given = linearPart(c.problem);
  const convP = given.op === 'conv' ? given : convOfTranspose(given);
  const transP = given.op === 'conv' ? adjointProblem(given) : given;
  const { x, w } = operandsOf(convP, c.mode, c.seed);
  const y = operandsOf(transP, c.mode, nextSeed(c.seed)).x;
  return { convP, transP, x, w, y };
}

// ⟨conv(x), y⟩ = ⟨x, convT(y)⟩ for the same kernel, strides, dilations, pads, groups (and output_padding)
export const adjointLaw = defineLaw('transposed conv is the adjoint of conv', {
  math: '⟨conv(x), y⟩ = ⟨x, convT(y)⟩ with the same attributes',
  convTypes: PROBLEM_TYPES,
}, async (c, ctx) => {
  const { convP, transP, x, w, y } = adjointPair(c);
  const convX = await ctx.run(convP, { x, w });
  const transY = await ctx.run(transP, { x: y, w });
  // ⟨conv(x), y⟩ reads conv(x) only where the transposed conv's input is (the leading part).
  const convXCropped = rearrange(convX, (t) => cropSpatial(t, y.shape.slice(2).map(() => 0), y.shape.slice(2)));
  return judge('⟨conv(x), y⟩ vs ⟨x, convT(y)⟩', compareApprox(dotApprox(convXCropped, y), dotApprox(transY, x), ctx.precision));
});
