/**
 * The tolerance rule of the quantized ops: which outputs a correct implementation may give.
 *
 * ConvInteger: its integer sum has one answer, so the output must be exact.
 *
 * QLinearConv: the accumulator `acc = Σ (x - x_zp)(w - w_zp) + B` is an exact integer, and so is
 * everything after the rounding (`+ y_zp`, saturation). What ONNX leaves open is how the real value
 * `r = acc·x_scale·w_scale/y_scale` is evaluated: the scales are float32, and the spec fixes neither
 * the precision nor the order (ONNX Runtime's MLAS forms `x_scale·w_scale/y_scale` in float32 and
 * multiplies `float(acc)` by it; ONNX's Python reference works in float64; others fold the scales
 * into a fixed-point multiplier). We admit every evaluation that rounds at most four times in
 * float32 (or finer): two roundings forming the multiplier from three scales, one converting acc to
 * a float (exact up to 2^24), one for the product. By Higham's Lemma 3.1 its result is
 * `r̂ = r(1 + θ)`, `|θ| ≤ γ_4 = 4u/(1 - 4u)`, `u = 2^-24`. Rounding to nearest (ties to even) is
 * monotone, so the allowed outputs are `sat(rne(v) + y_zp)` for `v` in `[r - γ_4|r|, r + γ_4|r|]`:
 * the exact output, and its neighbour only where that interval holds a rounding boundary, i.e.
 * where r lies within `γ_4|r|` of a tie (`k + 1/2`): the `tie-neighbour` allowance.
 *
 * Where every value an evaluation can meet is itself a float32 (acc, every product and quotient of
 * acc, x_scale, w_scale, 1/y_scale), every evaluation order is exact and computes r itself: then
 * `δ = 0` and the output must be bit-exact, exact ties included, which must round to even. The tie
 * laws use such scales (powers of two), so round-half-away-from-zero cannot hide in the allowance.
 */
import type { IntegerExpectation } from './judge.ts';
import { outputRange, quantizedOutputShape, wScaleOf, type QuantizedConvProblem } from '../problem/quantized.ts';
import { sizeOf } from '../problem/shape.ts';
import { divide, exactRational, integer, multiply, roundHalfEven, saturate, type Rational } from '../reference/requantize.ts';

/** The unit roundoff of float32. */
export const FLOAT32_UNIT_ROUNDOFF = 2 ** -24;

/** Float32 roundings the rule admits in evaluating r (see the module comment). */
export const REQUANT_ROUNDINGS = 4;

/** `γ_4 = 4u/(1 - 4u)` with `u = 2^-24`: exactly `1/(2^22 - 1)`. */
export const REQUANT_GAMMA: Rational = { num: 1n, den: 2n ** 22n - 1n };

/** The name of the allowance, as verdicts show it. */
export const TIE_NEIGHBOUR = 'tie-neighbour';

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/**
 * Whether the rational is exactly a float32 value: a dyadic `n·2^e` with an odd `n` of at most 24
 * bits, `e ≥ -149` (the last subnormal bit) and below 2^128.
 */
export function isFloat32Value(r: Rational): boolean {
  if (r.num === 0n) return true;
  const g = gcd(r.num, r.den);
  let n = r.num / g;
  const d = r.den / g;
  if ((d & (d - 1n)) !== 0n) return false; // not dyadic
  if (n < 0n) n = -n;
  let e = -(bitLength(d) - 1);
  while ((n & 1n) === 0n) { n >>= 1n; e++; }
  const bits = bitLength(n);
  return bits <= 24 && e >= -149 && e + bits - 1 <= 127;
}

/** The float32-exactness of one channel's scale-only values: `x_scale·w_scale`, `x_scale/y_scale`, `w_scale/y_scale`, `1/y_scale`, the multiplier. */
function scalesExact(xs: Rational, ws: Rational, ys: Rational): boolean {
  return [multiply(xs, ws), divide(xs, ys), divide(ws, ys), divide(integer(1), ys), divide(multiply(xs, ws), ys)].every(isFloat32Value);
}

/** Whether every value an evaluation of `acc·x_scale·w_scale/y_scale` meets, in any order, is a float32 (so every order is exact). */
function evaluationExact(acc: Rational, xs: Rational, ws: Rational, ys: Rational): boolean {
  const ax = multiply(acc, xs), aw = multiply(acc, ws);
  return [acc, ax, aw, divide(acc, ys), multiply(ax, ws), divide(ax, ys), divide(aw, ys), divide(multiply(ax, ws), ys)].every(isFloat32Value);
}

/**
 * The allowed outputs of a quantized problem, element by element, given its exact accumulators
 * (acc + B for QLinearConv) and exact outputs `y`: `lo = hi = y` for ConvInteger and wherever the
 * evaluation of r is exact in every order; else the outputs of `[r(1 - γ_4), r(1 + γ_4)]`.
 */
export function quantizedExpectation(p: QuantizedConvProblem, acc: Float64Array, y: Int32Array): IntegerExpectation {
  const shape = quantizedOutputShape(p);
  if (sizeOf(shape) !== acc.length || y.length !== acc.length) throw new Error(`quantizedExpectation: ${acc.length} accumulators and ${y.length} outputs for y of shape [${shape}]`);
  const lo = Int32Array.from(y), hi = Int32Array.from(y);
  const r = p.requant;
  if (r === undefined) return { shape, value: y, lo, hi, allowance: TIE_NEIGHBOUR };
  const M = p.conv.outChannels;
  const perChannel = acc.length / (p.conv.batch * M);
  const { min, max } = outputRange(p);
  const xs = exactRational(r.xScale), ys = exactRational(r.yScale);
  const channels = Array.from({ length: M }, (_, m) => {
    const ws = exactRational(wScaleOf(r, p.perChannel, m));
    return { ws, multiplier: divide(multiply(xs, ws), ys), scalesExact: scalesExact(xs, ws, ys) };
  });
  const D = REQUANT_GAMMA.den; // γ = 1/D, so r·(1 ± γ) = r·(D ± 1)/D
  for (let i = 0; i < acc.length; i++) {
    if (acc[i] === 0) continue; // r = 0 in every evaluation
    const c = channels[Math.floor(i / perChannel) % M];
    const a = integer(acc[i]);
    if (c.scalesExact && evaluationExact(a, xs, c.ws, ys)) continue;
    const real = multiply(a, c.multiplier);
    const low = multiply(real, { num: D - 1n, den: D }), high = multiply(real, { num: D + 1n, den: D });
    const [from, to] = real.num < 0n ? [high, low] : [low, high];
    lo[i] = saturate(roundHalfEven(from) + BigInt(r.yZeroPoint), min, max);
    hi[i] = saturate(roundHalfEven(to) + BigInt(r.yZeroPoint), min, max);
  }
  return { shape, value: y, lo, hi, allowance: TIE_NEIGHBOUR };
}
