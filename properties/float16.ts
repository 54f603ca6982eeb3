/**
 * Rounding to a narrower binary float format, ties to even: IEEE 754 binary16 (half precision:
 * 11 significant bits, exponents -14..15, subnormals down to 2^-24, overflow to infinity at 65520)
 * and, through {@link roundToBits}, bfloat16. Node 20 has no Math.f16round, and the fp16- and
 * bf16-accumulation mutants need one.
 */
import { exactRational, roundHalfEven } from '../reference/requantize.ts';

/**
 * The value nearest to `v` (ties to even) with `significantBits` significant bits and exponents
 * down to `minExponent` (below it, subnormals of that exponent's ulp); no overflow: the format's
 * largest value is the caller's. Zero, infinities and NaN come back as they are.
 * @example roundToBits(1 + 2 ** -9, 8, -126) // 1 (bfloat16, a tie to even)
 */
export function roundToBits(v: number, significantBits: number, minExponent: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  const sign = v < 0 ? -1 : 1;
  const a = Math.abs(v);
  let exponent = Math.floor(Math.log2(a));
  if (2 ** exponent > a) exponent--; // log2 may round up near powers of two
  if (2 ** (exponent + 1) <= a) exponent++;
  const ulp = 2 ** (Math.max(exponent, minExponent) - (significantBits - 1));
  return sign * Number(roundHalfEven(exactRational(a / ulp))) * ulp;
}

/**
 * The binary16 value nearest to `v` (ties to even), as a number.
 * @example roundToFloat16(2049) // 2048; roundToFloat16(1 / 3) // 0.333251953125
 */
export function roundToFloat16(v: number): number {
  if (Number.isFinite(v) && Math.abs(v) >= 65520) return (v < 0 ? -1 : 1) * Infinity;
  return roundToBits(v, 11, -14);
}
