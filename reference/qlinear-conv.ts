/**
 * ONNX QLinearConv (opset 10), exactly:
 *   acc[n, m, o] = Σ_c Σ_k (x - x_zp)·(w[m] - w_zp[m]) + B[m]          (reference/conv-integer.ts)
 *   y[n, m, o]   = sat_T3(rne(acc·x_scale·w_scale[m]/y_scale) + y_zp)    (reference/requantize.ts)
 * The accumulator is the exact integer, whatever its size: ONNX describes B as "quantized using
 * scale = input scale * weight scale and zero point as 0", i.e. added to the accumulator, and says
 * nothing of int32 limits; an implementation whose int32 accumulator wraps (ONNX's own Python
 * reference casts to int32) gives another answer there, which the laws report.
 */
import { ConvInputError } from '../problem/errors.ts';
import { INT32_RANGE, QUANT_RANGE, wScaleOf, type IntTensor, type QuantizedConvProblem, type QuantizedOperands, type Requantization } from '../problem/quantized.ts';
import { quantizedAccumulate } from './conv-integer.ts';
import { requantize, requantMultiplier, type Rational } from './requantize.ts';

/** Output and inside view of one reference QLinearConv. */
export interface QLinearConvResult {
  /** y `[N, M, ...o]`, y's type. */
  readonly y: IntTensor;
  /** acc + B per output element: exact integers. */
  readonly acc: Float64Array;
  /** The requantization multiplier `x_scale·w_scale[m]/y_scale` of each output channel, exactly. */
  readonly multipliers: readonly Rational[];
  /** `acc·multiplier + y_zp` per element before rounding and saturation, in float64 (relative error below 2^-50): the real value, for reports and the saturation law. */
  readonly real: Float64Array;
  /** Elements whose exact accumulator lies outside int32 (where an int32 accumulator wraps). */
  readonly int32Overflows: number;
}

/**
 * Reference QLinearConv with its accumulators and multipliers.
 * @example qlinearConvDetailed(parseQuantizedDescriptor('QLu8u8u8mb1ic1iw1oc1kw1xs0.5ws1ys1yz10'), { x: ints([3]), w: ints([1]) }).y.data // [12]
 */
export function qlinearConvDetailed(p: QuantizedConvProblem, operands: QuantizedOperands): QLinearConvResult {
  const r = p.requant;
  if (p.operator !== 'QLinearConv' || r === undefined) throw new ConvInputError('operator', `qlinearConv: the problem is ${p.operator}, not QLinearConv.`);
  const { shape, acc } = quantizedAccumulate(p, operands);
  const { y, multipliers, real, int32Overflows } = requantizeAccumulators(p, r, acc, operands.b);
  return { y: { shape, data: y }, acc, multipliers, real, int32Overflows };
}

/**
 * QLinearConv's second half over accumulators `[N, M, ...o]` (the reference's or a backend's
 * ConvInteger): adds B[m] to each, in place, then requantizes it with its output channel's multiplier.
 * Returns y's data and the inside view of {@link QLinearConvResult}; `acc` then holds acc + B.
 */
export function requantizeAccumulators(
  p: QuantizedConvProblem, r: Requantization, acc: Float64Array, b: IntTensor | undefined,
): Omit<QLinearConvResult, 'y' | 'acc'> & { readonly y: Int32Array } {
  const M = p.conv.outChannels;
  const perChannel = acc.length / (p.conv.batch * M);
  const multipliers = Array.from({ length: M }, (_, m) => requantMultiplier(r.xScale, wScaleOf(r, p.perChannel, m), r.yScale));
  const { min, max } = QUANT_RANGE[r.yType];
  const y = new Int32Array(acc.length), real = new Float64Array(acc.length);
  let int32Overflows = 0;
  for (let i = 0; i < acc.length; i++) {
    const m = Math.floor(i / perChannel) % M;
    acc[i] += b?.data[m] ?? 0; // + B[m], in the accumulator's scale
    if (acc[i] < INT32_RANGE.min || acc[i] > INT32_RANGE.max) int32Overflows++;
    y[i] = requantize(acc[i], multipliers[m], r.yZeroPoint, min, max);
    real[i] = (acc[i] * r.xScale * wScaleOf(r, p.perChannel, m)) / r.yScale + r.yZeroPoint;
  }
  return { y, multipliers, real, int32Overflows };
}

/** Reference QLinearConv: y `[N, M, ...o]` in y's type. See {@link qlinearConvDetailed}. */
export function qlinearConv(p: QuantizedConvProblem, operands: QuantizedOperands): IntTensor {
  return qlinearConvDetailed(p, operands).y;
}
