/** QLinearConv is ConvInteger plus the bias, requantized: the integer part and the rounding part of the op are separable. */
import { judgeIntegers } from '../../compare/judge.ts';
import { quantizedExpectation } from '../../compare/quantized-tolerance.ts';
import { QUANT_RANGE, wScaleOf } from '../../problem/quantized.ts';
import { requantize, requantMultiplier } from '../../reference/requantize.ts';
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
  const M = p.conv.outChannels, plane = integerPart.output.data.length / (p.conv.batch * M);
  const { min, max } = QUANT_RANGE[r.yType];
  const acc = Float64Array.from(integerPart.output.data, (v, i) => v + (operands.b?.data[Math.floor(i / plane) % M] ?? 0));
  const multipliers = Array.from({ length: M }, (_, m) => requantMultiplier(r.xScale, wScaleOf(r, p.perChannel, m), r.yScale));
  const y = Int32Array.from(acc, (a, i) => requantize(a, multipliers[Math.floor(i / plane) % M], r.yZeroPoint, min, max));
  return judge('QLinearConv vs requantize(ConvInteger + B)', judgeIntegers(got.output, quantizedExpectation(p, acc, y)));
});
