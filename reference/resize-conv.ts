/**
 * Resize-convolution (the article's §6.1; Odena, Dumoulin and Olah 2016): up-sample by nearest or
 * bilinear interpolation, then convolve. Every output pixel then sees the same number of input
 * taps, so the checkerboard of a transposed conv whose kernel size is not a multiple of its
 * stride cannot appear.
 */
import { ConvInputError } from '../problem/errors.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { upsampleOutputSize } from '../problem/shape.ts';
import { checkTensor } from '../problem/tensor.ts';
import { validateProblem } from '../problem/validate.ts';
import { convDetailed } from './conv.ts';
import type { ConvOperands } from '../problem/operands.ts';
import type { OpResult } from './op-result.ts';
import { spatialTapCount } from './tap-count.ts';
import { upsample, upsampleMultiplications, type UpsampleMode } from './upsample.ts';

/** How the input is resized before the conv: one integer factor per spatial axis, and the mode. */
export interface ResizeSpec {
  readonly factors: readonly number[];
  readonly mode: UpsampleMode;
}

/**
 * Reference resize-convolution, float64: `y = conv(p, upsample(x, factors, mode), w, b)`.
 * p: the conv on the resized input (its inputShape is the up-sampled size `i·f`);
 * x `[N, C, ...i]` (before resizing), w and b as p says; y `[N, M, ...o]`.
 * See reference/upsample.ts for the coordinate convention (ONNX Resize half_pixel).
 */
export function resizeConv(p: ConvProblem, resize: ResizeSpec, operands: ConvOperands): OpResult {
  checkTensor('x', operands.x, resizeConvInputShape(p, resize));
  const resized = upsample(operands.x, resize.factors, resize.mode);
  const convolved = convDetailed(p, { ...operands, x: resized.y });
  return { y: convolved.y, multiplications: resized.multiplications + convolved.multiplications };
}

/**
 * Shape of x before resizing, `[N, C, ...inputShape/f]`. Throws a ConvInputError when p is not a
 * valid conv or a factor does not divide p's input size.
 */
export function resizeConvInputShape(p: ConvProblem, resize: ResizeSpec): number[] {
  if (p.op !== 'conv') throw new ConvInputError('op', `resizeConv: the problem must be a conv, but op=${p.op}.`);
  validateProblem(p);
  if (resize.factors.length !== p.inputShape.length) {
    throw new ConvInputError('factors', `resizeConv: one factor per spatial axis is required (${p.inputShape.length}), but factors=[${resize.factors}].`);
  }
  const small = p.inputShape.map((size, a) => {
    const f = resize.factors[a];
    if (!Number.isInteger(f) || f < 1) throw new ConvInputError(`factors[${a}]`, `resizeConv: factors must be integers >= 1, but factors[${a}]=${f}.`);
    const before = Math.floor(size / f);
    if (upsampleOutputSize(before, f) !== size) {
      throw new ConvInputError(`factors[${a}]`, `resizeConv: the factor must divide the conv's input size, but factors[${a}]=${f} and inputShape[${a}]=${size}.`);
    }
    return before;
  });
  return [p.batch, p.inChannels, ...small];
}

/** Multiplications: the up-sampling's (0 for nearest) plus the conv's `N·M·(C/g)·T` (T = in-input taps). */
export function resizeConvMultiplications(p: ConvProblem, resize: ResizeSpec): number {
  const resizing = upsampleMultiplications(resizeConvInputShape(p, resize), resize.factors, resize.mode);
  return resizing + p.batch * p.outChannels * (p.inChannels / p.group) * spatialTapCount(p);
}

/** Parameters: the conv's `M·(C/g)·Πk`, plus M with a bias; resizing has none. */
export function resizeConvParameters(p: ConvProblem): number {
  return p.outChannels * (p.inChannels / p.group) * p.kernelShape.reduce((s, k) => s * k, 1) + (p.bias ? p.outChannels : 0);
}
