/**
 * How many window taps land inside the input (not in the zero padding): the exact multiplication
 * count of a sliding window, which the reference ops skip padding for. Closed-form per axis; the
 * count of a multi-axis window is the product over axes, because a tap is inside iff it is inside
 * on every axis.
 */
import type { ConvProblem } from '../problem/problem.ts';
import { outputSpatialShape, resolvePads } from '../problem/shape.ts';

/**
 * Taps inside the input along one axis, over all output positions:
 * `#{(o, k) : 0 ≤ o < output, 0 ≤ k < kernel, 0 ≤ o·s - pb + k·d < input}`.
 * Without padding that is `output · kernel`.
 * @example axisTapCount(5, 3, 1, 1, 0, 3) // 9
 */
export function axisTapCount(input: number, kernel: number, stride: number, dilation: number, padBegin: number, output: number): number {
  let taps = 0;
  for (let k = 0; k < kernel; k++) {
    // o·s - pb + k·d ≥ 0  and  o·s - pb + k·d ≤ input - 1
    const first = Math.max(0, Math.ceil((padBegin - k * dilation) / stride));
    const last = Math.min(output - 1, Math.floor((input - 1 + padBegin - k * dilation) / stride));
    taps += Math.max(0, last - first + 1);
  }
  return taps;
}

/** Taps inside the input of one channel pair of a Conv problem: `Π_axis axisTapCount(axis)`. */
export function spatialTapCount(p: ConvProblem): number {
  const pads = resolvePads(p);
  const out = outputSpatialShape(p);
  let taps = 1;
  for (let a = 0; a < p.inputShape.length; a++) {
    taps *= axisTapCount(p.inputShape[a], p.kernelShape[a], p.strides[a], p.dilations[a], pads.begin[a], out[a]);
  }
  return taps;
}
