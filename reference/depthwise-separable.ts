/**
 * Depthwise separable convolution (the article's §8.2; MobileNet, Xception): a depthwise step that
 * filters every input channel on its own, then a pointwise (1x1) step that mixes channels.
 * Written as those two steps, never as a conv with a combined kernel: that equivalence is a law.
 */
import { ConvInputError } from '../problem/errors.ts';
import { makeProblem, withChanges, type ConvProblem, type ProblemSpec } from '../problem/problem.ts';
import { inputTensorShape, outputSpatialShape, outputTensorShape, resolvePads, sizeOf, weightShape } from '../problem/shape.ts';
import { checkBias } from '../problem/operands.ts';
import { checkTensor, type Tensor } from '../problem/tensor.ts';
import { validateProblem } from '../problem/validate.ts';
import { gridPositions, windowInputOffset } from './grid-index.ts';
import type { OpResult } from './op-result.ts';
import { spatialTapCount } from './tap-count.ts';

/** A depthwise separable convolution: a depthwise step `C -> C·multiplier`, then a 1x1 step to `M`. */
export interface DepthwiseSeparableProblem {
  /** The depthwise step as a Conv problem: `group = C`, `outChannels = C·multiplier`, no bias. */
  readonly depthwise: ConvProblem;
  /** M: output channels of the pointwise step. */
  readonly outChannels: number;
  /** Whether a bias `[M]` is added after the pointwise step. */
  readonly bias: boolean;
}

/**
 * What {@link makeDepthwiseSeparable} needs: a Conv spec (its spatial attributes, `pads` and
 * `auto_pad` are the depthwise step's; `outChannels` and `bias` the pointwise step's), and the
 * depthwise channel multiplier (filters per input channel; default 1).
 */
export interface DepthwiseSeparableSpec extends Omit<ProblemSpec, 'op' | 'group' | 'outputPadding' | 'outputShape' | 'name'> {
  multiplier?: number;
}

/**
 * Builds a {@link DepthwiseSeparableProblem} (not validated: the op validates).
 * @example makeDepthwiseSeparable({ inChannels: 3, outChannels: 128, inputShape: [7, 7], kernelShape: [3, 3] })
 */
export function makeDepthwiseSeparable(spec: DepthwiseSeparableSpec): DepthwiseSeparableProblem {
  const multiplier = spec.multiplier ?? 1;
  const depthwise = makeProblem({
    batch: spec.batch, inChannels: spec.inChannels, outChannels: spec.inChannels * multiplier, group: spec.inChannels,
    inputShape: spec.inputShape, kernelShape: spec.kernelShape, strides: spec.strides, dilations: spec.dilations,
    pads: spec.pads, autoPad: spec.autoPad,
  });
  return { depthwise, outChannels: spec.outChannels, bias: spec.bias ?? false };
}

/**
 * The standard Conv with the same input, output and spatial attributes (`group = 1`, `C -> M`):
 * what the separable op replaces, and what the law "separable = conv with `W[m,c,·] = P[m,c]·D[c,·]`"
 * compares against (multiplier 1).
 */
export function standardConvProblem(p: DepthwiseSeparableProblem): ConvProblem {
  return withChanges(p.depthwise, { group: 1, outChannels: p.outChannels, bias: p.bias });
}

/** Depthwise channel multiplier: `depthwise.outChannels / C`. */
export function channelMultiplier(p: DepthwiseSeparableProblem): number {
  return p.depthwise.outChannels / p.depthwise.inChannels;
}

/**
 * Reference depthwise separable convolution, float64:
 * depthwise `y1[n, c·mult+j, o] = Σ_k x[n, c, o·s - pb + k·d] · D[c·mult+j, 0, k]`, then
 * pointwise `y[n, m, o] = b[m] + Σ_q P[m, q] · y1[n, q, o]`.
 * x `[N, C, ...]`, depthwiseW `[C·mult, 1, ...k]`, pointwiseW `[M, C·mult]`, b `[M]`; y `[N, M, ...o]`.
 */
export function depthwiseSeparableConv(
  p: DepthwiseSeparableProblem, x: Tensor, depthwiseW: Tensor, pointwiseW: Tensor, b?: Tensor,
): OpResult {
  checkDepthwiseSeparable(p, x, depthwiseW, pointwiseW, b);
  const step1 = depthwiseStep(p.depthwise, x, depthwiseW);
  const step2 = pointwiseStep(step1.y, pointwiseW, b);
  return { y: step2.y, multiplications: step1.multiplications + step2.multiplications };
}

/**
 * Depthwise step: every input channel c has its own `mult` kernels;
 * `y1[n, c·mult+j, o] = Σ_k x[n, c, o·s - pb + k·d] · D[c·mult+j, 0, k]` (taps in the padding skipped).
 */
export function depthwiseStep(dw: ConvProblem, x: Tensor, depthwiseW: Tensor): OpResult {
  checkDepthwiseStep(dw, x, depthwiseW);
  const mult = dw.outChannels / dw.inChannels;
  const outShape = outputSpatialShape(dw);
  const outPositions = gridPositions(outShape), kernelPositions = gridPositions(dw.kernelShape);
  const inSize = sizeOf(dw.inputShape), outSize = outPositions.length, kernelSize = kernelPositions.length;
  const geometry = { strides: dw.strides, dilations: dw.dilations, padsBegin: resolvePads(dw).begin };
  const y1 = new Float64Array(dw.batch * dw.outChannels * outSize);
  let multiplications = 0;
  for (let n = 0; n < dw.batch; n++) {
    for (let c = 0; c < dw.inChannels; c++) {
      for (let j = 0; j < mult; j++) {
        const q = c * mult + j;
        for (let o = 0; o < outSize; o++) {
          let acc = 0;
          for (let k = 0; k < kernelSize; k++) {
            const inOffset = windowInputOffset(outPositions[o], kernelPositions[k], dw.inputShape, geometry);
            if (inOffset < 0) continue; // zero padding
            acc += x.data[(n * dw.inChannels + c) * inSize + inOffset] * depthwiseW.data[q * kernelSize + k];
            multiplications++;
          }
          y1[(n * dw.outChannels + q) * outSize + o] = acc;
        }
      }
    }
  }
  return { y: { shape: outputTensorShape(dw), data: y1 }, multiplications };
}

/**
 * Pointwise (1x1) step: `y[n, m, o] = b[m] + Σ_q P[m, q] · y1[n, q, o]`.
 * y1 `[N, Q, ...o]`, pointwiseW `[M, Q]`, b `[M]`; y `[N, M, ...o]`.
 */
export function pointwiseStep(y1: Tensor, pointwiseW: Tensor, b?: Tensor): OpResult {
  if (y1.shape.length < 3) throw new ConvInputError('y1.shape', `pointwiseStep: y1 must be [N, Q, ...spatial], but y1.shape=[${y1.shape}].`);
  const [batch, q1] = y1.shape;
  checkTensor('y1', y1, y1.shape);
  const outChannels = pointwiseW.shape[0];
  checkTensor('pointwiseW', pointwiseW, [outChannels, q1]);
  if (b !== undefined) checkTensor('b', b, [outChannels]);
  const spatial = y1.shape.slice(2);
  const size = sizeOf(spatial);
  const y = new Float64Array(batch * outChannels * size);
  let multiplications = 0;
  for (let n = 0; n < batch; n++) {
    for (let m = 0; m < outChannels; m++) {
      for (let o = 0; o < size; o++) {
        let acc = b === undefined ? 0 : b.data[m];
        for (let q = 0; q < q1; q++) acc += pointwiseW.data[m * q1 + q] * y1.data[(n * q1 + q) * size + o];
        multiplications += q1;
        y[(n * outChannels + m) * size + o] = acc;
      }
    }
  }
  return { y: { shape: [batch, outChannels, ...spatial], data: y }, multiplications };
}

/** Throws a ConvInputError unless `p` is a depthwise separable problem and the tensors fit it. */
function checkDepthwiseSeparable(p: DepthwiseSeparableProblem, x: Tensor, depthwiseW: Tensor, pointwiseW: Tensor, b?: Tensor): void {
  const op = 'depthwiseSeparableConv';
  checkDepthwiseStep(p.depthwise, x, depthwiseW);
  if (!Number.isInteger(p.outChannels) || p.outChannels < 1) {
    throw new ConvInputError('outChannels', `${op}: outChannels must be an integer >= 1, but outChannels=${p.outChannels}.`);
  }
  if (typeof p.bias !== 'boolean') throw new ConvInputError('bias', `${op}: bias must be true or false, but bias=${String(p.bias)}.`);
  checkTensor('pointwiseW', pointwiseW, [p.outChannels, p.depthwise.outChannels]);
  checkBias(op, p.bias, b, p.outChannels);
}

/** Throws a ConvInputError unless `dw` is a depthwise Conv (group = C, no bias) and x, w fit it. */
function checkDepthwiseStep(dw: ConvProblem, x: Tensor, depthwiseW: Tensor): void {
  const op = 'depthwiseSeparableConv';
  if (dw.op !== 'conv') throw new ConvInputError('depthwise.op', `${op}: the depthwise step must be a conv, but depthwise.op=${dw.op}.`);
  if (dw.bias) throw new ConvInputError('depthwise.bias', `${op}: the bias belongs to the pointwise step, but depthwise.bias=true.`);
  validateProblem(dw);
  if (dw.group !== dw.inChannels) {
    throw new ConvInputError('depthwise.group', `${op}: the depthwise step must have group = C, but group=${dw.group} and C=${dw.inChannels}.`);
  }
  checkTensor('x', x, inputTensorShape(dw));
  checkTensor('depthwiseW', depthwiseW, weightShape(dw));
}

/** Multiplications of each step (taps in the padding are not multiplied). */
export interface SeparableMultiplications {
  readonly depthwise: number;
  readonly pointwise: number;
  readonly total: number;
}

/**
 * Multiplication count: depthwise `N·C·mult·T` (T = in-input taps of one channel, `Πk·Πo` without
 * padding), pointwise `N·M·C·mult·Πo`. Article §8.2: 7x7x3 -> 5x5x128 with 3x3 is 675 + 9,600.
 */
export function depthwiseSeparableMultiplications(p: DepthwiseSeparableProblem): SeparableMultiplications {
  const dw = p.depthwise;
  const depthwise = dw.batch * dw.outChannels * spatialTapCount(dw);
  const pointwise = dw.batch * p.outChannels * dw.outChannels * sizeOf(outputSpatialShape(dw));
  return { depthwise, pointwise, total: depthwise + pointwise };
}

/** Parameters: depthwise `C·mult·Πk`, pointwise `M·C·mult`, bias `M` when present. */
export function depthwiseSeparableParameters(p: DepthwiseSeparableProblem): number {
  const dw = p.depthwise;
  return dw.outChannels * sizeOf(dw.kernelShape) + p.outChannels * dw.outChannels + (p.bias ? p.outChannels : 0);
}

/**
 * Article §8.2's cost ratio, separable over standard, for stride 1, no padding and multiplier 1:
 * `(h²·D + Nc·D) / (Nc·h²·D) = 1/Nc + 1/h²`, with `kernelSize = h²` (or `Πk` in N-d).
 * @example depthwiseSeparableRatio(128, 9) // 1/128 + 1/9 = 10,275 / 86,400
 */
export function depthwiseSeparableRatio(outChannels: number, kernelSize: number): number {
  return 1 / outChannels + 1 / kernelSize;
}

/** The output of a depthwise separable problem, `[N, M, ...o]`. */
export function depthwiseSeparableOutputShape(p: DepthwiseSeparableProblem): number[] {
  return [p.depthwise.batch, p.outChannels, ...outputSpatialShape(p.depthwise)];
}
