/** Moving x's zero point by δ moves ConvInteger by δ times the weights its window meets inside the input. */
import * as fc from 'fast-check';
import { judgeIntegers } from '../../compare/judge.ts';
import { inputTensorShape, sizeOf } from '../../problem/shape.ts';
import { QUANT_RANGE, validateQuantizedProblem } from '../../problem/quantized.ts';
import { conv } from '../../reference/conv.ts';
import { quantizedCaseArb, quantizedLabel, type QuantizedCase } from '../arbitraries/quantized.ts';
import { defineLaw, judge } from '../law.ts';
import { quantizedOperandsOf, shiftedOperands } from './quantized-common.ts';

/** A case with the zero point x's moves to (within x's type, not its own). */
interface ZeroPointShiftCase extends QuantizedCase {
  readonly movedZeroPoint: number;
}

// ConvInteger(x; x_zp + δ) = ConvInteger(x; x_zp) - δ·Σ_{taps inside x} (w - w_zp[m]): the padding moves with the zero point and adds nothing either way
export const zeroPointShiftLaw = defineLaw<ZeroPointShiftCase>('shifting x\'s zero point by δ shifts ConvInteger by δ times the weight sum of the window inside the input', {
  math: 'ConvInteger(x; x_zp + δ) = ConvInteger(x; x_zp) - δ·Σ_{k: o·s - pb + k·d inside x} (w[m, c, k] - w_zp[m])',
  convTypes: ['conv-integer'],
  cases: (scope) => fc.record({ base: quantizedCaseArb(scope), delta: fc.integer({ min: 1, max: 8 }), down: fc.boolean() }).map(({ base, delta, down }) => {
    const { min, max } = QUANT_RANGE[base.problem.xType];
    const z = base.problem.xZeroPoint;
    const moved = down ? (z - delta >= min ? z - delta : z + delta) : (z + delta <= max ? z + delta : z - delta);
    return { ...base, movedZeroPoint: moved };
  }),
  describe: quantizedLabel,
}, async (c, ctx) => {
  const p = c.problem;
  const operands = quantizedOperandsOf(c);
  const delta = c.movedZeroPoint - p.xZeroPoint;
  const moved = validateQuantizedProblem({ ...p, xZeroPoint: c.movedZeroPoint });
  const before = await ctx.runQuantized(p, operands);
  const after = await ctx.runQuantized(moved, operands);
  // Σ over the taps inside x of (w - w_zp[m]): the float reference Conv of a tensor of ones (zero-padded) with the shifted weights
  const ones = { shape: inputTensorShape(p.conv), data: new Float64Array(sizeOf(inputTensorShape(p.conv))).fill(1) };
  const sums = conv(p.conv, { x: ones, w: shiftedOperands(p, operands).w }).data;
  const expected = Float64Array.from(before.output.data, (y, i) => y - delta * sums[i]);
  return judge(`ConvInteger(x_zp ${delta > 0 ? '+' : '-'} ${Math.abs(delta)}) vs ConvInteger(x_zp) - δ·Σ(w - w_zp) inside x`, judgeIntegers(after.output, { shape: before.output.shape, value: expected, lo: expected, hi: expected, allowance: 'none' }));
});
