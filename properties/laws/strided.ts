/** Striding is subsampling (conv) or zero-insertion of the input (transposed conv). */
import { withChanges } from '../../problem/problem.ts';
import { outputSpatialShape } from '../../problem/shape.ts';
import { compareApprox, rearrange } from '../approx.ts';
import { problemCaseArb } from '../arbitraries/problem-case.ts';
import { PROBLEM_TYPES } from '../../problem/conv-types.ts';
import { defineLaw, judge } from '../law.ts';
import { remapSpatial, subsampleSpatial, zeroInsertSpatial } from '../../reference/tensor-ops.ts';
import { explicitPads, linearPart, ones, operandsOf } from './common.ts';

// conv_s(x) = conv_1(x)[::s];  convT_s(x) = crop_pb(convT_1(x↑s))  (x↑s: s-1 zeros between inputs; crop: drop pb, keep o)
export const stridedLaw = defineLaw('a strided conv equals the stride-1 conv subsampled, and a strided transposed conv the stride-1 one of the zero-inserted input', {
  math: 'conv_s(x) = conv_1(x)[::s]; convT_s(x) = convT_1(x↑s) cropped to [pb, pb + o)',
  convTypes: PROBLEM_TYPES,
  cases: (scope) => problemCaseArb(scope).filter((c) => c.problem.strides.some((s) => s > 1)),
}, async (c, ctx) => {
  const p = linearPart(c.problem);
  const { x, w } = operandsOf(p, c.mode, c.seed);
  const strided = await ctx.run(p, { x, w });
  const explicit = explicitPads(p);
  if (p.op === 'conv') {
    const unit = await ctx.run(withChanges(explicit, { strides: ones(p) }), { x, w });
    return judge('strided vs stride 1 subsampled', compareApprox(strided, rearrange(unit, (t) => subsampleSpatial(t, p.strides)), ctx.precision));
  }
  // Stride 1 on the zero-inserted input, no pads, no output_padding: the full transposed output.
  const spread = zeroInsertSpatial(x, p.strides);
  const full = withChanges(explicit, {
    strides: ones(p), inputShape: spread.shape.slice(2), padsBegin: p.inputShape.map(() => 0), padsEnd: p.inputShape.map(() => 0), outputPadding: p.inputShape.map(() => 0),
  });
  const unit = await ctx.run(full, { x: spread, w });
  const out = outputSpatialShape(p);
  const cropped = rearrange(unit, (t) => remapSpatial(t, out, explicit.padsBegin.map((pb) => (o: number) => o + pb)));
  return judge('strided vs stride 1 on the zero-inserted input', compareApprox(strided, cropped, ctx.precision));
});
