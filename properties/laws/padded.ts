/** Padding is an explicit zero pad (conv) or a crop of the full output (transposed conv). */
import { withChanges } from '../../problem/problem.ts';
import { outputSpatialShape } from '../../problem/shape.ts';
import { compareApprox, rearrange } from '../approx.ts';
import { problemCaseArb } from '../arbitraries/problem-case.ts';
import { PROBLEM_TYPES } from '../../problem/conv-types.ts';
import { defineLaw, judge } from '../law.ts';
import { padSpatial, remapSpatial } from '../../reference/tensor-ops.ts';
import { explicitPads, linearPart, operandsOf } from './common.ts';

/** Zero pads and output_padding, one per axis. */
function zerosLike(values: readonly number[]): number[] {
  return values.map(() => 0);
}

// conv_pads(x) = conv_VALID(zero-pad(x, pb, pe));  convT_pads,op(x)[o] = convT_0(x)[o + pb] (zero past the full output: output_padding)
export const paddedLaw = defineLaw('a padded conv equals the VALID conv of the zero-padded input, and a padded transposed conv the cropped full output', {
  math: 'conv_p(x) = conv_VALID(pad(x, pb, pe)); convT_p,op(x)[o] = convT_0(x)[o + pb], 0 past the end',
  convTypes: PROBLEM_TYPES,
  cases: (scope) => problemCaseArb(scope).filter((c) => {
    const e = explicitPads(c.problem);
    return e.padsBegin.some((v) => v > 0) || e.padsEnd.some((v) => v > 0) || c.problem.outputPadding.some((v) => v > 0);
  }),
}, async (c, ctx) => {
  const p = linearPart(c.problem);
  const { x, w } = operandsOf(p, c.mode, c.seed);
  const padded = await ctx.run(p, { x, w });
  const explicit = explicitPads(p);
  const noPads = { padsBegin: zerosLike(p.inputShape), padsEnd: zerosLike(p.inputShape) };
  if (p.op === 'conv') {
    const xPadded = padSpatial(x, explicit.padsBegin, explicit.padsEnd);
    const valid = await ctx.run(withChanges(explicit, { ...noPads, inputShape: xPadded.shape.slice(2) }), { x: xPadded, w });
    return judge('padded vs VALID on the zero-padded input', compareApprox(padded, valid, ctx.precision));
  }
  const full = await ctx.run(withChanges(explicit, { ...noPads, outputPadding: zerosLike(p.inputShape) }), { x, w });
  const out = outputSpatialShape(p);
  const cropped = rearrange(full, (t) => remapSpatial(t, out, explicit.padsBegin.map((pb) => (o: number) => o + pb)));
  return judge('padded vs the full output cropped by the pads', compareApprox(padded, cropped, ctx.precision));
});
