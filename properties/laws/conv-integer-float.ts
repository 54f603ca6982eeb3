/** ConvInteger is float Conv of the zero-point-shifted operands: the quantized op is the float op in disguise. */
import { exact, compareApprox } from '../approx.ts';
import { quantizedCaseArb, quantizedLabel, type QuantizedCase } from '../arbitraries/quantized.ts';
import { defineLaw, judge } from '../law.ts';
import { quantizedOperandsOf, shiftedOperands } from './quantized-common.ts';

// ConvInteger(x, w; x_zp, w_zp) = Conv(x - x_zp, w - w_zp[m]): the padded input holds x_zp, which the shift turns into Conv's zero padding
export const convIntegerFloatLaw = defineLaw<QuantizedCase>('ConvInteger equals float Conv of the zero-point-shifted operands', {
  math: 'ConvInteger(x, w; x_zp, w_zp) = Conv(x - x_zp, w - w_zp[m]), exactly (small integers are exact in float)',
  convTypes: ['conv-integer'],
  cases: (scope) => quantizedCaseArb(scope),
  describe: quantizedLabel,
}, async (c, ctx) => {
  const operands = quantizedOperandsOf(c);
  const got = await ctx.runQuantized(c.problem, operands);
  const float = await ctx.run(c.problem.conv, shiftedOperands(c.problem, operands));
  return judge('ConvInteger vs Conv(x - x_zp, w - w_zp)', compareApprox(exact({ shape: got.output.shape, data: Float64Array.from(got.output.data) }), float, ctx.precision));
});
