/** The backend's ConvInteger and QLinearConv agree with the exact reference: exact, or the tie-neighbour the requantization rule allows. */
import { quantizedCaseArb, quantizedLabel, type QuantizedCase } from '../arbitraries/quantized.ts';
import { defineLaw, judge } from '../law.ts';
import { quantizedOperandsOf } from './quantized-common.ts';

// ConvInteger: y = Σ (x - x_zp)(w - w_zp) exactly; QLinearConv: y ∈ sat(rne([r(1 - γ4), r(1 + γ4)]) + y_zp), r = acc·x_scale·w_scale/y_scale, exactly y_ref where every evaluation is exact
export const quantizedAgreementLaw = defineLaw<QuantizedCase>('the backend\'s ConvInteger and QLinearConv agree with the exact reference', {
  math: 'ConvInteger: y = y_ref; QLinearConv: y = y_ref, or its tie-neighbour where r = acc·x_scale·w_scale/y_scale is within γ4·|r| of k + 1/2',
  convTypes: ['conv-integer', 'qlinear-conv'],
  cases: (scope) => quantizedCaseArb(scope, { int32Limit: 0.3 }),
  describe: quantizedLabel,
}, async (c, ctx) => {
  const got = await ctx.runQuantized(c.problem, quantizedOperandsOf(c));
  return judge('backend vs exact reference', got.comparison);
});
