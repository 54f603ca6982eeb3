/** QLinearConv is ConvInteger plus the bias, requantized: the integer part and the rounding part of the op are separable. */
import { judgeIntegers } from '../../compare/judge.ts';
import { quantizedExpectation } from '../../compare/quantized-tolerance.ts';
import { requantizeAccumulators } from '../../reference/qlinear-conv.ts';
import { convIntegerOf, quantizedCaseArb, quantizedLabel, type QuantizedCase } from '../arbitraries/quantized.ts';
import { defineLaw, judge } from '../law.ts';
import { quantizedOperandsOf } from './quantized-common.ts';

// QLinearConv(x, w, B) = sat(rne((ConvInteger(x, w) + B[m])·x_scale·w_scale[m]/y_scale) + y_zp), up to the tie-neighbour allowance of the requantization
export const requantizeLaw = defineLaw<QuantizedCase>('QLinearConv equals the requantized ConvInteger plus bias', {
  math: 'QLinearConv(x, w, B) = sat(rne((ConvInteger(x, w) + B[m])·x_scale·w_scale[m]/y_scale) + y_zp), ties to even',
  convTypes: ['qlinear-conv'],
  // per tensor: the backend's ConvInteger side needs no per-channel w_zero_point (per-channel QLinearConv is the split law's)
  cases: (scope) => quantizedCaseArb(scope, { perChannel: false }),
  describe: quantizedLabel,
}, async (c, ctx) => {
  const p = c.problem, r = p.requant!;
  const operands = quantizedOperandsOf(c);
  const got = await ctx.runQuantized(p, operands);
  const integerPart = await ctx.runQuantized(convIntegerOf(p), { x: operands.x, w: operands.w });
  const acc = Float64Array.from(integerPart.output.data);
  const { y } = requantizeAccumulators(p, r, acc, operands.b); // acc is now ConvInteger + B[m]
  return judge('QLinearConv vs requantize(ConvInteger + B)', judgeIntegers(got.output, quantizedExpectation(p, acc, y)));
});
