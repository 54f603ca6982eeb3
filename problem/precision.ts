/**
 * The arithmetic precision a backend declares, and the unit roundoffs the tolerance model
 * (compare/tolerance.ts) judges it by.
 */

/** Declared arithmetic precision of a backend; sets the unit roundoff of the tolerance model. */
export type Precision = 'fp64' | 'fp32' | 'tf32' | 'fp16' | 'bf16';

/** Unit roundoffs of a precision: of its inputs, of its accumulation and of its stored output. */
export interface Roundoff { readonly input: number; readonly accumulate: number; readonly output: number }

/**
 * Unit roundoff by declared precision. Inputs are float32 already, so fp32 adds no input rounding;
 * tf32 rounds inputs to 10 mantissa bits (u = 2^-11) and accumulates in fp32; fp16 has u = 2^-11
 * throughout; bf16 rounds inputs to 7 bits (u = 2^-8) and accumulates in fp32.
 */
export const ROUNDOFF: Record<Precision, Roundoff> = {
  fp64: { input: 0, accumulate: 2 ** -53, output: 2 ** -53 },
  fp32: { input: 0, accumulate: 2 ** -24, output: 2 ** -24 },
  tf32: { input: 2 ** -11, accumulate: 2 ** -24, output: 2 ** -24 },
  fp16: { input: 2 ** -11, accumulate: 2 ** -11, output: 2 ** -11 },
  bf16: { input: 2 ** -8, accumulate: 2 ** -24, output: 2 ** -8 },
};

/** The unit `u = u_acc + 2·u_in` normalized errors are measured in: `err / (u·S)` is about 1 for a correct kernel's worst element. */
export function normalizingUnit(precision: Precision): number {
  const r = ROUNDOFF[precision];
  return r.accumulate + 2 * r.input;
}

/**
 * The largest finite value of each precision's output format: a sum whose S exceeds it may
 * overflow in a correct kernel (to ±Inf, or NaN from Inf - Inf). Operands are float32, so fp64
 * backends see float32 inputs but keep their own range.
 */
export const LARGEST_FINITE: Record<Precision, number> = {
  fp64: Number.MAX_VALUE,
  fp32: (2 - 2 ** -23) * 2 ** 127,
  tf32: (2 - 2 ** -23) * 2 ** 127,
  fp16: 65504,
  bf16: (2 - 2 ** -7) * 2 ** 127,
};

/** Every precision, in the order help texts list them. */
export const PRECISIONS = Object.keys(ROUNDOFF) as Precision[];

/** Whether `name` is a declared precision. */
export function isPrecision(name: string): name is Precision {
  return (PRECISIONS as readonly string[]).includes(name);
}
