/**
 * Rounding to IEEE 754 binary16 (half precision): 11 significant bits, exponents -14..15,
 * subnormals down to 2^-24, overflow to infinity at 65520; ties to even. Node 20 has no
 * Math.f16round, and the fp16-accumulation mutant needs one.
 */

function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  const diff = v - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The binary16 value nearest to `v` (ties to even), as a number.
 * @example roundToFloat16(2049) // 2048; roundToFloat16(1 / 3) // 0.333251953125
 */
export function roundToFloat16(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  const sign = v < 0 ? -1 : 1;
  const a = Math.abs(v);
  if (a >= 65520) return sign * Infinity;
  let exponent = Math.floor(Math.log2(a));
  if (2 ** exponent > a) exponent--; // log2 may round up near powers of two
  if (2 ** (exponent + 1) <= a) exponent++;
  const ulp = 2 ** (Math.max(exponent, -14) - 10);
  return sign * roundHalfEven(a / ulp) * ulp;
}
