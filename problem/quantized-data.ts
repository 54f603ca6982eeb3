/**
 * Operand data for a quantized problem, drawn from a seed (problem/random.ts) in one of four
 * patterns, each aimed at a way quantized kernels go wrong:
 *
 * - `uniform`: x, w uniform over their types (-128 and 255 included), B uniform in ±n·2^12 (at
 *   most ±2^18; n = C/G·Πk products per output, each below 2^16);
 * - `near`: x and w within ±3 of their zero points, B within ±8: small accumulators, so that a
 *   power-of-two requantization multiplier lands many outputs exactly on rounding ties;
 * - `extreme`: every x and w at the end of its range farthest from its zero point, so every
 *   product of an output has the largest magnitude and one sign: accumulators at their largest
 *   (the int32 limits, with enough channels), outputs saturated; B at the int32 limit of the
 *   accumulator's sign, so that acc + B passes int32 on any problem;
 * - `alternating`: extremes again, w's sign flipping halfway through the input channels, so the
 *   partial sums of a channel-ordered accumulation swing far past the final value.
 */
import { biasShape, inputTensorShape, sizeOf, weightShape } from './shape.ts';
import { INT32_RANGE, QUANT_RANGE, wZeroPointOf, type IntTensor, type QuantizedConvProblem, type QuantizedOperands, type QuantType } from './quantized.ts';
import { Random } from './random.ts';

/** How quantized operand values are drawn. */
export type QuantizedDataMode = 'uniform' | 'near' | 'extreme' | 'alternating';

/** Every pattern, in the order generators shrink them (toward uniform). */
export const QUANTIZED_DATA_MODES: readonly QuantizedDataMode[] = ['uniform', 'near', 'extreme', 'alternating'];

/** Whether `name` is a quantized data mode. */
export function isQuantizedDataMode(name: string): name is QuantizedDataMode {
  return (QUANTIZED_DATA_MODES as readonly string[]).includes(name);
}

/** The end of `type`'s range farthest from `zeroPoint` (the lower end on a tie). */
export function farthestFrom(zeroPoint: number, type: QuantType): number {
  const { min, max } = QUANT_RANGE[type];
  return max - zeroPoint > zeroPoint - min ? max : min;
}

/** The other end of `type`'s range. */
function otherEnd(v: number, type: QuantType): number {
  const { min, max } = QUANT_RANGE[type];
  return v === max ? min : max;
}

function clampTo(v: number, type: QuantType): number {
  const { min, max } = QUANT_RANGE[type];
  return Math.min(max, Math.max(min, v));
}

function filled(shape: readonly number[], value: (i: number) => number): IntTensor {
  const data = new Int32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = value(i);
  return { shape: [...shape], data };
}

/**
 * Operands for `p` drawn from `seed` in `mode`. Deterministic: the same problem, mode and seed
 * give the same tensors on every machine.
 * @example makeQuantizedOperands(p, 'near', 7).x.data // values within ±3 of x's zero point
 */
export function makeQuantizedOperands(p: QuantizedConvProblem, mode: QuantizedDataMode, seed: number): QuantizedOperands {
  const rng = new Random(seed);
  const xShape = inputTensorShape(p.conv), wShape = weightShape(p.conv);
  const perFilter = sizeOf(wShape) / p.conv.outChannels;
  const inPerGroup = p.conv.inChannels / p.conv.group;
  const kernelSize = sizeOf(p.conv.kernelShape);
  const xRange = QUANT_RANGE[p.xType], wRange = QUANT_RANGE[p.wType];
  const xExtreme = farthestFrom(p.xZeroPoint, p.xType);
  const x = filled(xShape, () => {
    if (mode === 'uniform') return rng.int(xRange.min, xRange.max);
    if (mode === 'near') return clampTo(p.xZeroPoint + rng.int(-3, 3), p.xType);
    return xExtreme;
  });
  const w = filled(wShape, (i) => {
    const m = Math.floor(i / perFilter);
    const wz = wZeroPointOf(p, m);
    if (mode === 'uniform') return rng.int(wRange.min, wRange.max);
    if (mode === 'near') return clampTo(wz + rng.int(-3, 3), p.wType);
    const extreme = farthestFrom(wz, p.wType);
    if (mode === 'extreme') return extreme;
    // alternating: the second half of the input channels takes the other end
    const c = Math.floor((i % perFilter) / kernelSize);
    return c < inPerGroup / 2 ? extreme : otherEnd(extreme, p.wType);
  });
  if (!p.conv.bias) return { x, w };
  // uniform B: up to n·2^12 (n products per output, each up to 2^16), so B is of an accumulator's size, at most 2^18
  const bMax = Math.min(2 ** 18, inPerGroup * kernelSize * 2 ** 12);
  const b = filled(biasShape(p.conv), (m) => {
    if (mode === 'uniform') return rng.int(-bMax, bMax);
    if (mode === 'near') return rng.int(-8, 8);
    // extreme: B at the limit of the accumulator's sign, so acc + B leaves int32
    const sign = Math.sign(xExtreme - p.xZeroPoint) * Math.sign(farthestFrom(wZeroPointOf(p, m), p.wType) - wZeroPointOf(p, m));
    return mode === 'extreme' ? (sign < 0 ? INT32_RANGE.min : INT32_RANGE.max) - rng.int(0, 255) * Math.sign(sign || 1) : rng.int(-bMax, bMax);
  });
  return { x, w, b };
}
