/**
 * What every reference op of an article type returns: its value and the multiplications it
 * performed. The cost laws compare that count to the type's formula. `ConvResult`
 * (reference/conv-result.ts) has these two fields too, so a conv result is an `OpResult`.
 */
import type { Tensor64 } from '../problem/tensor.ts';

/** Output of one reference op run, and how many multiplications it took. */
export interface OpResult {
  /** The output tensor, accumulated in float64. */
  readonly y: Tensor64;
  /** Multiplications actually performed: taps in the zero padding are skipped, not counted. */
  readonly multiplications: number;
}
