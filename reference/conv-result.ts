/**
 * What a reference conv returns besides its value: the inputs of the tolerance model, computed in
 * the same loop as the value, and the multiplications it performed.
 */
import type { Tensor64 } from '../problem/tensor.ts';

/** Output and error-bound inputs of one reference run. */
export interface ConvResult {
  /** The output `[N, M, ...]`, accumulated in float64. */
  readonly y: Tensor64;
  /** Per output element, `S = Σ|x·w| (+ |b|)`: the scale of the rounding error of any summation order. */
  readonly absSum: Float64Array;
  /** Per output element, the accumulation length n: the number of terms summed (bias included). */
  readonly terms: Int32Array;
  /** Multiplications x·w performed (taps in the padding are skipped, not counted). */
  readonly multiplications: number;
}
