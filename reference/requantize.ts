/**
 * QLinearConv's requantization, computed exactly: `y = sat(rne(acc·x_scale·w_scale/y_scale) + y_zp)`
 * with the scales taken as the exact rationals their float32 values are (a float32 is m·2^e), the
 * product and quotient in BigInt, rounding half to even (ONNX's reference rounds with np.rint;
 * QuantizeLinear says "rounding to nearest ties to even"), then saturation to y's type.
 * No float arithmetic touches the value, so the result is the mathematical one, not an estimate.
 */

/** A rational `num/den` with `den > 0`. */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/**
 * The exact value of a finite number (a float32 is one too) as `num/den`, den a power of two.
 * @example float32Rational(0.375) // { num: 3n, den: 8n }
 */
export function exactRational(v: number): Rational {
  if (!Number.isFinite(v)) throw new RangeError(`exactRational: ${v} is not finite`);
  if (v === 0) return { num: 0n, den: 1n };
  f64[0] = v;
  const hi = u32[1], lo = u32[0];
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) mantissa |= 1n << 52n;
  let exponent = (biased === 0 ? 1 : biased) - 1075;
  while ((mantissa & 1n) === 0n) { mantissa >>= 1n; exponent++; }
  const signed = v < 0 ? -mantissa : mantissa;
  return exponent >= 0 ? { num: signed << BigInt(exponent), den: 1n } : { num: signed, den: 1n << BigInt(-exponent) };
}

/** `a·b`. */
export function multiply(a: Rational, b: Rational): Rational {
  return { num: a.num * b.num, den: a.den * b.den };
}

/** `a/b` for `b ≠ 0`. */
export function divide(a: Rational, b: Rational): Rational {
  const sign = b.num < 0n ? -1n : 1n;
  return { num: a.num * b.den * sign, den: a.den * b.num * sign };
}

/** The integer `v` as a rational. */
export function integer(v: number | bigint): Rational {
  return { num: BigInt(v), den: 1n };
}

/** `num/den` rounded to the nearest integer, ties to even. */
export function roundHalfEven(r: Rational): bigint {
  let q = r.num / r.den; // truncated toward zero
  let rem = r.num - q * r.den;
  if (rem < 0n) { q -= 1n; rem += r.den; } // floor: 0 <= rem < den
  const twice = 2n * rem;
  if (twice > r.den || (twice === r.den && (q & 1n) === 1n)) q += 1n;
  return q;
}

/** The requantization multiplier `x_scale·w_scale/y_scale` of one output channel, exactly. */
export function requantMultiplier(xScale: number, wScale: number, yScale: number): Rational {
  return divide(multiply(exactRational(xScale), exactRational(wScale)), exactRational(yScale));
}

/** `v` saturated to `[min, max]`. */
export function saturate(v: bigint, min: number, max: number): number {
  return v < BigInt(min) ? min : v > BigInt(max) ? max : Number(v);
}

/**
 * One output of QLinearConv: `sat(rne(acc·multiplier) + y_zp)` to `[min, max]`, exactly.
 * @example requantize(3, requantMultiplier(0.5, 1, 1), 10, 0, 255) // 12 (1.5 rounds to 2, the even neighbour)
 */
export function requantize(acc: number, multiplier: Rational, yZeroPoint: number, min: number, max: number): number {
  const r = multiply(integer(acc), multiplier);
  return saturate(roundHalfEven(r) + BigInt(yZeroPoint), min, max);
}
