/**
 * The data half of a case: a data mode and a seed. Tensors are drawn from the seed by
 * `makeOperands` (problem/operand-data.ts), so a shrunk case names its data with one integer.
 *
 *   data = mode seed        mode = "exact" | "real"
 */
import * as fc from 'fast-check';
import type { Precision } from '../../problem/precision.ts';
import type { DataMode } from '../../problem/operand-data.ts';

/** A data mode and the seed of the tensors. */
export interface DataDraw {
  readonly mode: DataMode;
  readonly seed: number;
}

/**
 * Data modes a precision can be judged in: exact mode needs inputs that hold small integers and an
 * fp32 (or wider) accumulator, so fp16 and bf16 get real mode only.
 */
export function modesFor(precision: Precision): DataMode[] {
  return precision === 'fp16' || precision === 'bf16' ? ['real'] : ['exact', 'real'];
}

/** A mode from `modes` (shrinking toward the first) and a non-negative 31-bit seed (shrinking toward 0). */
export function dataArb(modes: readonly DataMode[]): fc.Arbitrary<DataDraw> {
  return fc.record({ mode: fc.constantFrom(...modes), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) });
}
