/**
 * The data half of a case: a data mode and a seed. Tensors are drawn from the seed by
 * `makeOperands` (problem/operand-data.ts), so a shrunk case names its data with one integer.
 *
 *   data = mode seed        mode = "exact" | "real" | "sparse" | "zero-sum" | ... (problem/operand-data.ts)
 */
import * as fc from 'fast-check';
import type { Precision } from '../../problem/precision.ts';
import { DATA_MODES, type DataMode } from '../../problem/operand-data.ts';

/** A data mode and the seed of the tensors. */
export interface DataDraw {
  readonly mode: DataMode;
  readonly seed: number;
}

/**
 * Data modes every law and the gate draw from for a precision (problem/operand-data.ts): all of
 * them but `special` (the special-values law's own); fp16, whose largest value is 65504, gets the
 * modes whose magnitudes it holds. Exactness is decided from the data (compare/tolerance.ts), so
 * an fp16 or bf16 backend is judged by its bounds whatever the mode.
 */
export function modesFor(precision: Precision): DataMode[] {
  const all = DATA_MODES.filter((m) => m !== 'special');
  return precision === 'fp16' ? ['real', 'sparse', 'zero-sum', 'cancellation'] : all;
}

/** How often each mode is drawn relative to the others: exact (bit for bit) and real data most, each stress mode once. */
const MODE_WEIGHT: Partial<Record<DataMode, number>> = { exact: 3, real: 3 };

/** A mode from `modes` (shrinking toward the first) and a non-negative 31-bit seed (shrinking toward 0). */
export function dataArb(modes: readonly DataMode[]): fc.Arbitrary<DataDraw> {
  const mode = fc.oneof(...modes.map((m) => ({ arbitrary: fc.constant(m), weight: MODE_WEIGHT[m] ?? 1 })));
  return fc.record({ mode, seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) });
}
