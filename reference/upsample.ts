/**
 * Up-sampling by integer factors, nearest or (multi)linear: the resize of resize-convolution
 * (the article's §6.1; Odena, Dumoulin and Olah 2016, "Deconvolution and Checkerboard Artifacts").
 *
 * Coordinate convention: ONNX Resize's `coordinate_transformation_mode = "half_pixel"` (its
 * default; also PyTorch's `align_corners=False` and TensorFlow 2's `tf.image.resize`): output
 * position o of an axis scaled by f reads input coordinate `xs = (o + 0.5)/f - 0.5`.
 * - nearest: ONNX `nearest_mode = "round_prefer_floor"`, index `ceil(xs - 0.5)`; for integer factors
 *   this is always `floor(o/f)`: each input element repeated f times.
 * - bilinear: ONNX `mode = "linear"` on every spatial axis (linear in 1-D, bilinear in 2-D,
 *   trilinear in 3-D), `(1 - t)·x[lo] + t·x[lo + 1]` with `lo = floor(xs)`, `t = xs - lo`, and
 *   neighbour indices clamped to `[0, i-1]` (edge values repeat; ONNX `exclude_outside = 0`).
 * Multilinear interpolation is separable, so it runs one axis at a time.
 */
import { ConvInputError } from '../problem/errors.ts';
import { sizeOf, upsampleOutputSize } from '../problem/shape.ts';
import { checkTensor, type Tensor } from '../problem/tensor.ts';
import { axisView } from './grid-index.ts';
import { checkReferenceOutputSize } from './inputs.ts';
import type { OpResult } from './op-result.ts';

/** Interpolation mode: `nearest`, or `bilinear` (linear on every spatial axis, whatever the rank). */
export type UpsampleMode = 'nearest' | 'bilinear';

const MODES: readonly string[] = ['nearest', 'bilinear'];

/** half_pixel source coordinate of output position o on an axis scaled by f: `(o + 0.5)/f - 0.5`. */
export function halfPixelCoordinate(o: number, factor: number): number {
  return (o + 0.5) / factor - 0.5;
}

/**
 * Reference up-sampling, float64: x `[N, C, ...i]` -> y `[N, C, ...i·f]`, one axis at a time.
 * @example upsample(tensor([1, 2], [1, 1, 2]), [2], 'nearest').y.data // [1, 1, 2, 2]
 */
export function upsample(x: Tensor, factors: readonly number[], mode: UpsampleMode): OpResult {
  checkUpsample(x, factors, mode);
  let t: Tensor = x;
  let multiplications = 0;
  for (let axis = 0; axis < factors.length; axis++) {
    const step = upsampleAxis(t, 2 + axis, factors[axis], mode);
    t = step.y;
    multiplications += step.multiplications;
  }
  return { y: { shape: [...t.shape], data: Float64Array.from(t.data) }, multiplications };
}

/**
 * Up-samples one tensor axis by `factor`:
 * nearest `y[.., o, ..] = t[.., clamp(ceil(xs - 0.5)), ..]`;
 * bilinear `y[.., o, ..] = (1 - frac)·t[.., clamp(lo), ..] + frac·t[.., clamp(lo + 1), ..]`.
 */
function upsampleAxis(t: Tensor, tensorAxis: number, factor: number, mode: UpsampleMode): OpResult {
  const view = axisView(t.shape, tensorAxis);
  const outSize = upsampleOutputSize(view.size, factor);
  const y = new Float64Array(view.outer * outSize * view.inner);
  const clamp = (i: number): number => Math.min(view.size - 1, Math.max(0, i));
  let multiplications = 0;
  for (let u = 0; u < view.outer; u++) {
    for (let o = 0; o < outSize; o++) {
      const xs = halfPixelCoordinate(o, factor);
      const yBase = (u * outSize + o) * view.inner;
      if (mode === 'nearest') {
        const src = (u * view.size + clamp(Math.ceil(xs - 0.5))) * view.inner;
        for (let j = 0; j < view.inner; j++) y[yBase + j] = t.data[src + j];
      } else {
        const lo = Math.floor(xs), frac = xs - lo;
        const src0 = (u * view.size + clamp(lo)) * view.inner, src1 = (u * view.size + clamp(lo + 1)) * view.inner;
        for (let j = 0; j < view.inner; j++) y[yBase + j] = (1 - frac) * t.data[src0 + j] + frac * t.data[src1 + j];
        multiplications += 2 * view.inner;
      }
    }
  }
  const shape = [...t.shape];
  shape[tensorAxis] = outSize;
  return { y: { shape, data: y }, multiplications };
}

/** Output shape of {@link upsample}: `[N, C, ...i·f]`. */
export function upsampleShape(inputShape: readonly number[], factors: readonly number[]): number[] {
  return inputShape.map((size, a) => (a < 2 ? size : upsampleOutputSize(size, factors[a - 2])));
}

/**
 * Multiplications of {@link upsample}: nearest 0; bilinear 2 per element written by each axis step,
 * `Σ_a 2·N·C·Π_{b≤a} i_b·f_b·Π_{b>a} i_b`.
 */
export function upsampleMultiplications(inputShape: readonly number[], factors: readonly number[], mode: UpsampleMode): number {
  if (mode === 'nearest') return 0;
  let total = 0;
  const current = [...inputShape];
  for (let a = 0; a < factors.length; a++) {
    current[2 + a] = upsampleOutputSize(current[2 + a], factors[a]);
    total += 2 * sizeOf(current);
  }
  return total;
}

function checkUpsample(x: Tensor, factors: readonly number[], mode: UpsampleMode): void {
  const rank = x.shape.length - 2;
  if (rank < 1 || x.shape.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new ConvInputError('x.shape', `upsample: x must be [N, C, ...spatial] with sizes >= 1, but x.shape=[${x.shape}].`);
  }
  checkTensor('x', x, x.shape);
  if (factors.length !== rank) {
    throw new ConvInputError('factors', `upsample: one factor per spatial axis is required (${rank}), but factors=[${factors}].`);
  }
  factors.forEach((f, a) => {
    if (!Number.isInteger(f) || f < 1) throw new ConvInputError(`factors[${a}]`, `upsample: factors must be integers >= 1, but factors[${a}]=${f}.`);
  });
  if (!MODES.includes(mode)) throw new ConvInputError('mode', `upsample: mode must be one of ${MODES.join(', ')}, but mode=${String(mode)}.`);
  // the last axis step allocates the whole output (and every earlier step is smaller)
  checkReferenceOutputSize('upsample', upsampleShape(x.shape, factors));
}
