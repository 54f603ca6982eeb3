/**
 * Raw per-axis draws of a problem: small integers that shrink toward 1 (sizes) and 0 (pads).
 * They are raw on purpose: `buildProblem` (problem.ts) repairs them into a valid problem, so every
 * draw is used and shrinking a raw value always gives a smaller valid problem.
 *
 *   axis = input kernel stride dilation padBegin padEnd outputPadding outputShapeCut
 */
import * as fc from 'fast-check';

/** Raw draws of one spatial axis. */
export interface RawAxis {
  readonly input: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly padBegin: number;
  readonly padEnd: number;
  /** Reduced modulo max(stride, dilation) to meet the output_padding rule. */
  readonly outputPadding: number;
  /**
   * How much smaller than the full transposed output a requested output_shape is (reduced to fit);
   * negative: how far past it, kept below the stride with output_padding (the extension ONNX's
   * test_convtranspose_output_shape uses).
   */
  readonly outputShapeCut: number;
}

/** Largest sizes per spatial rank, so a case runs in milliseconds (3-D gets the smallest). */
export interface AxisLimits {
  readonly input: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly pad: number;
}

/** Limits by spatial rank: spatial ≤ 8 in 1-D, ≤ 6 in 2-D, ≤ 4 in 3-D. */
export const AXIS_LIMITS: Record<1 | 2 | 3, AxisLimits> = {
  1: { input: 8, kernel: 4, stride: 3, dilation: 3, pad: 2 },
  2: { input: 6, kernel: 3, stride: 3, dilation: 3, pad: 2 },
  3: { input: 4, kernel: 2, stride: 2, dilation: 2, pad: 1 },
};

/** One raw axis within `limits`. */
function rawAxisArb(limits: AxisLimits): fc.Arbitrary<RawAxis> {
  return fc.record({
    input: fc.integer({ min: 1, max: limits.input }),
    kernel: fc.integer({ min: 1, max: limits.kernel }),
    stride: fc.integer({ min: 1, max: limits.stride }),
    dilation: fc.integer({ min: 1, max: limits.dilation }),
    padBegin: fc.integer({ min: 0, max: limits.pad }),
    padEnd: fc.integer({ min: 0, max: limits.pad }),
    outputPadding: fc.integer({ min: 0, max: 2 }),
    outputShapeCut: fc.integer({ min: -2, max: 3 }),
  });
}

/** `rank` raw axes. */
export function rawAxesArb(rank: 1 | 2 | 3): fc.Arbitrary<RawAxis[]> {
  return fc.array(rawAxisArb(AXIS_LIMITS[rank]), { minLength: rank, maxLength: rank });
}
