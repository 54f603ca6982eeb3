/** QLinearConv saturates exactly where the real value passes y's type limits, and nowhere else. */
import { judgeIntegers } from '../../compare/judge.ts';
import { REQUANT_GAMMA } from '../../compare/quantized-tolerance.ts';
import { QUANT_RANGE, wScaleOf } from '../../problem/quantized.ts';
import { conv } from '../../reference/conv.ts';
import { withChanges } from '../../problem/problem.ts';
import { quantizedCaseArb, quantizedLabel, type QuantizedCase } from '../arbitraries/quantized.ts';
import { defineLaw, judge } from '../law.ts';
import { quantizedOperandsOf, shiftedOperands } from './quantized-common.ts';

/** γ_4 of the requantization rule, as a float. */
const GAMMA = Number(REQUANT_GAMMA.num) / Number(REQUANT_GAMMA.den);

// real = Conv((x - x_zp)·x_scale, (w - w_zp)·w_scale)/y_scale + B·x_scale·w_scale/y_scale + y_zp (float64); y = max where real > max + 1/2, min where real < min - 1/2, else within 1/2 of real
export const saturationLaw = defineLaw<QuantizedCase>('QLinearConv saturates exactly where the real value passes the limits of y\'s type', {
  math: 'real = Conv(dequant(x), dequant(w))/y_scale + y_zp: y = max ⇔ real ≥ max + 1/2, y = min ⇔ real ≤ min - 1/2, else |y - real| ≤ 1/2',
  convTypes: ['qlinear-conv'],
  cases: (scope) => quantizedCaseArb(scope, { strategies: ['saturating'] }),
  describe: quantizedLabel,
}, async (c, ctx) => {
  const p = c.problem, r = p.requant!;
  const operands = quantizedOperandsOf(c);
  const got = await ctx.runQuantized(p, operands);
  // the real value, from the float64 reference Conv of the dequantized operands (not the exact integer path)
  const shifted = shiftedOperands(p, operands);
  const M = p.conv.outChannels, perFilter = shifted.w.data.length / M;
  const x = { shape: shifted.x.shape, data: Float64Array.from(shifted.x.data, (v) => v * r.xScale) };
  const w = { shape: shifted.w.shape, data: Float64Array.from(shifted.w.data, (v, i) => v * wScaleOf(r, p.perChannel, Math.floor(i / perFilter))) };
  const dequantized = conv(withChanges(p.conv, { bias: false }), { x, w }).data;
  const plane = dequantized.length / (p.conv.batch * M);
  const { min, max } = QUANT_RANGE[r.yType];
  const lo = new Float64Array(dequantized.length), hi = new Float64Array(dequantized.length);
  for (let i = 0; i < dequantized.length; i++) {
    const m = Math.floor(i / plane) % M;
    const scaled = (dequantized[i] + (operands.b?.data[m] ?? 0) * r.xScale * wScaleOf(r, p.perChannel, m)) / r.yScale;
    // how far a correct evaluation may stray: the rule's γ_4 plus float64 slack
    const slack = GAMMA * Math.abs(scaled) + 2 ** -40 * (Math.abs(scaled) + 1);
    const real = scaled + r.yZeroPoint;
    lo[i] = Math.min(max, Math.max(min, Math.ceil(real - 0.5 - slack)));
    hi[i] = Math.min(max, Math.max(min, Math.floor(real + 0.5 + slack)));
  }
  return judge('QLinearConv vs the real value, saturated', judgeIntegers(got.output, { shape: got.output.shape, value: got.reference.y.data, lo, hi, allowance: 'rounding of an interior value' }));
});
