/**
 * Spatially separable convolution (the article's §8.1): a kernel that is an outer product of 1-D
 * kernels, applied as one 1-D convolution per spatial axis in turn. In 2-D: a `k×1` column kernel
 * down the height, then a `1×k` row kernel along the width (3x3 Sobel = `[1,2,1]ᵀ · [-1,0,1]`).
 * Rank-generic: in 3-D the steps go depth, height, width. Each channel is filtered on its own, with
 * its own 1-D kernels (depthwise, multiplier 1); the article's single-channel case is C = 1.
 */
import { ConvInputError } from '../problem/errors.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { convOutputSize, inputTensorShape, outputSpatialShape, resolvePads, sizeOf } from '../problem/shape.ts';
import { checkBias } from '../problem/operands.ts';
import { checkTensor, type Tensor } from '../problem/tensor.ts';
import { validateProblem } from '../problem/validate.ts';
import { axisView } from './grid-index.ts';
import type { OpResult } from './op-result.ts';
import { axisTapCount } from './tap-count.ts';
import { addChannelBias } from './tensor-ops.ts';

/** The sliding window of one spatial axis (`axis` 0 is the first spatial axis, tensor axis 2). */
export interface AxisWindow {
  readonly axis: number;
  readonly stride: number;
  readonly dilation: number;
  readonly padBegin: number;
  readonly padEnd: number;
}

/** The window of spatial axis `axis` of a Conv problem, with its resolved pads. */
export function axisWindow(p: ConvProblem, axis: number): AxisWindow {
  const pads = resolvePads(p);
  return { axis, stride: p.strides[axis], dilation: p.dilations[axis], padBegin: pads.begin[axis], padEnd: pads.end[axis] };
}

/**
 * One 1-D convolution along one spatial axis, each channel with its own kernel; the other axes are
 * untouched: `y[n, c, .., o, ..] = Σ_k t[n, c, .., o·s - pb + k·d, ..] · K[c, k]` (padding skipped).
 * t `[N, C, ...spatial]`, kernels `[C, k]`; y has the axis resized to the conv output size.
 */
export function axisConvStep(t: Tensor, kernels: Tensor, window: AxisWindow): OpResult {
  const rank = t.shape.length - 2;
  const { axis, stride, dilation, padBegin, padEnd } = window;
  if (rank < 1 || t.shape.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new ConvInputError('t.shape', `axisConvStep: t must be [N, C, ...spatial] with sizes >= 1, but t.shape=[${t.shape}].`);
  }
  if (!Number.isInteger(axis) || axis < 0 || axis >= rank) {
    throw new ConvInputError('axis', `axisConvStep: axis must be a spatial axis of t (0..${rank - 1}), but axis=${axis}.`);
  }
  checkTensor('t', t, t.shape);
  const [batch, channels] = t.shape;
  if (kernels.shape.length !== 2) throw new ConvInputError('kernels.shape', `axisConvStep: kernels must be [C, k], but kernels.shape=[${kernels.shape}].`);
  const kernel = kernels.shape[1];
  checkTensor('kernels', kernels, [channels, kernel]);
  if (!Number.isInteger(kernel) || kernel < 1) throw new ConvInputError('kernels.shape', `axisConvStep: kernel length must be an integer >= 1, but kernels.shape=[${kernels.shape}].`);
  checkAxisAttributes(window);
  const view = axisView(t.shape, 2 + axis);
  const outSize = convOutputSize(view.size, kernel, stride, dilation, padBegin, padEnd);
  if (outSize < 1) {
    throw new ConvInputError(`kernels.shape`, `axisConvStep: kernel must fit the padded input on axis ${axis}, but k=${kernel}, d=${dilation} and the padded input is ${view.size + padBegin + padEnd}.`);
  }
  const before = view.outer / (batch * channels); // product of the spatial sizes before the axis
  const y = new Float64Array(view.outer * outSize * view.inner);
  let multiplications = 0;
  for (let u = 0; u < view.outer; u++) {
    const c = Math.floor(u / before) % channels;
    for (let o = 0; o < outSize; o++) {
      for (let k = 0; k < kernel; k++) {
        const inPos = o * stride - padBegin + k * dilation;
        if (inPos < 0 || inPos >= view.size) continue; // zero padding
        const weight = kernels.data[c * kernel + k];
        for (let j = 0; j < view.inner; j++) {
          y[(u * outSize + o) * view.inner + j] += t.data[(u * view.size + inPos) * view.inner + j] * weight;
        }
        multiplications += view.inner;
      }
    }
  }
  const shape = [...t.shape];
  shape[2 + axis] = outSize;
  return { y: { shape, data: y }, multiplications };
}

function checkAxisAttributes(w: AxisWindow): void {
  const rules: Array<[string, number, number]> = [['stride', w.stride, 1], ['dilation', w.dilation, 1], ['padBegin', w.padBegin, 0], ['padEnd', w.padEnd, 0]];
  for (const [field, value, min] of rules) {
    if (!Number.isInteger(value) || value < min) throw new ConvInputError(field, `axisConvStep: ${field} must be an integer >= ${min}, but ${field}=${value}.`);
  }
}

/**
 * Reference spatially separable convolution, float64: one {@link axisConvStep} per spatial axis,
 * axis 0 first, then `+ b[c]`. With `axisKernels = [col, row]` in 2-D:
 * `t[n, c, o0, i1] = Σ_a x[n, c, o0·s0 - p0 + a·d0, i1] · col[c, a]`, then
 * `y[n, c, o0, o1] = b[c] + Σ_b t[n, c, o0, o1·s1 - p1 + b·d1] · row[c, b]`.
 * p: a depthwise Conv problem (`group = C = M`) whose kernelShape gives each 1-D kernel's length;
 * x `[N, C, ...]`, `axisKernels[a]` `[C, kernelShape[a]]`, b `[C]`; y `[N, C, ...o]`.
 */
export function spatiallySeparableConv(p: ConvProblem, x: Tensor, axisKernels: readonly Tensor[], b?: Tensor): OpResult {
  checkSpatiallySeparable(p, x, axisKernels, b);
  let t: Tensor = x;
  let multiplications = 0;
  for (let axis = 0; axis < p.inputShape.length; axis++) {
    const step = axisConvStep(t, axisKernels[axis], axisWindow(p, axis));
    t = step.y;
    multiplications += step.multiplications;
  }
  const y = Float64Array.from(t.data);
  if (b !== undefined) addChannelBias(y, b, p.batch, p.outChannels);
  return { y: { shape: [...t.shape], data: y }, multiplications };
}

function checkSpatiallySeparable(p: ConvProblem, x: Tensor, axisKernels: readonly Tensor[], b?: Tensor): void {
  const op = 'spatiallySeparableConv';
  if (p.op !== 'conv') throw new ConvInputError('op', `${op}: the problem must be a conv, but op=${p.op}.`);
  validateProblem(p);
  if (p.group !== p.inChannels || p.outChannels !== p.inChannels) {
    throw new ConvInputError('group', `${op}: each channel is filtered on its own, so group = C = M is required, but group=${p.group}, C=${p.inChannels} and M=${p.outChannels}.`);
  }
  checkTensor('x', x, inputTensorShape(p));
  if (axisKernels.length !== p.inputShape.length) {
    throw new ConvInputError('axisKernels', `${op}: one 1-D kernel per spatial axis is required (${p.inputShape.length}), but ${axisKernels.length} were given.`);
  }
  axisKernels.forEach((k, a) => checkTensor(`axisKernels[${a}]`, k, [p.inChannels, p.kernelShape[a]]));
  checkBias(op, p.bias, b, p.outChannels);
}

/**
 * Multiplications of each axis step and their total. Step a runs on a tensor whose axes before a
 * are already at output size and whose axes after a are still at input size:
 * `N·C·T_a·Π_{b<a} o_b·Π_{b>a} i_b` (T_a = in-input taps along a, `o_a·k_a` without padding).
 * Article §8.1, 5x5 with 3x1 then 1x3: `[45, 27]`, total 72 (vs 81 for the 3x3 kernel).
 */
export function spatiallySeparableMultiplications(p: ConvProblem): { readonly steps: number[]; readonly total: number } {
  const steps = axisStepMultiplications(p, p.inChannels);
  return { steps, total: steps.reduce((s, v) => s + v, 0) };
}

/**
 * Multiplications of the axis steps of a conv problem's window run on `channels` channels:
 * step a is `N·channels·T_a·Π_{b<a} o_b·Π_{b>a} i_b`.
 */
export function axisStepMultiplications(p: ConvProblem, channels: number): number[] {
  const out = outputSpatialShape(p);
  const pads = resolvePads(p);
  return p.inputShape.map((_, a) => {
    const taps = axisTapCount(p.inputShape[a], p.kernelShape[a], p.strides[a], p.dilations[a], pads.begin[a], out[a]);
    return p.batch * channels * taps * sizeOf(out.slice(0, a)) * sizeOf(p.inputShape.slice(a + 1));
  });
}

/** Parameters: `C·Σ_a k_a` (6 instead of 9 for a 3x3 kernel), plus C with a bias. */
export function spatiallySeparableParameters(p: ConvProblem): number {
  return p.inChannels * p.kernelShape.reduce((s, k) => s + k, 0) + (p.bias ? p.outChannels : 0);
}

/**
 * Article §8.1's cost ratio, separable over standard, for an `N×N` image, an `m×m` kernel, stride 1,
 * no padding: `(N·(N-m+1)·m + (N-m+1)²·m) / ((N-m+1)²·m²) = (2N-m+1) / ((N-m+1)·m)`, which tends
 * to `2/m`. (The article writes N-2 for N-m+1: its example has m = 3.)
 * @example spatiallySeparableRatio(5, 3) // 72 / 81
 */
export function spatiallySeparableRatio(imageSize: number, kernelSize: number): number {
  const out = imageSize - kernelSize + 1;
  return (2 * imageSize - kernelSize + 1) / (out * kernelSize);
}
