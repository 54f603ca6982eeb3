/**
 * The tfjs side of a plan (plan.ts): operands in tfjs layouts, the one op call, and the output
 * back in ONNX layout. Bias is added after the op with `tf.add` of the bias reshaped to
 * `[1, ..., 1, M]` (channels-last broadcast): tfjs's conv ops take none, and one float32 add after
 * the sum is within the tolerance model (the bias is a term of S and counts in n).
 */
import type { ConvProblem } from '../../problem/problem.ts';
import type { Tensor } from '../../problem/tensor.ts';
import type { ConvOperands } from '../../problem/operands.ts';
import type { Tensor as TfTensor, Tensor3D, Tensor4D, Tensor5D } from '@tensorflow/tfjs';
import type { Tfjs } from './engine.ts';
import { reshaped, toChannelsFirst, toChannelsLast, toKernelFirst, toKernelLast } from './layout.ts';
import type { TfjsPadding, TfjsPlan } from './plan.ts';

type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** Operands of a plan's call, in tfjs layouts: x `[N, ...spatial, C]`, filter `[...kernel, in, out]`. */
export interface TfjsCallOperands {
  readonly x: Tensor<Float32Array>;
  readonly filter: Tensor<Float32Array>;
}

/** x and w of `p` in the layouts and call rank of `plan` (1-D problems lifted to height 1 when it says so). */
export function toCallOperands(p: ConvProblem, plan: TfjsPlan, operands: Pick<ConvOperands, 'x' | 'w'>): TfjsCallOperands {
  let x = toChannelsLast(operands.x);
  let filter = toKernelLast(operands.w);
  if (plan.multiplier !== undefined) filter = reshaped(filter, [...p.kernelShape, p.inChannels, plan.multiplier]);
  if (plan.lifted) {
    x = reshaped(x, [x.shape[0], 1, ...x.shape.slice(1)]);
    filter = reshaped(filter, [1, ...filter.shape]);
  }
  return { x, filter };
}

/** A channels-last output of the call `[N, ...spatial, M]` as ONNX `[N, M, ...spatial]` (unlifted). */
export function fromCallOutput(plan: TfjsPlan, y: Tensor): Tensor<Float32Array> {
  const unlifted = plan.lifted ? reshaped(y, [y.shape[0], ...y.shape.slice(2)]) : y;
  return toChannelsFirst(unlifted);
}

/** A gradient with respect to the call's filter, as an ONNX weight of `w`'s shape (see {@link toCallOperands}). */
export function fromCallFilter(p: ConvProblem, plan: TfjsPlan, filter: Tensor, wShape: readonly number[]): Tensor<Float32Array> {
  const kernelLast = reshaped(filter, [...p.kernelShape, wShape[1], wShape[0]]);
  return toKernelFirst(kernelLast);
}

/** A gradient with respect to the call's x, as ONNX `[N, C, ...spatial]`. */
export function fromCallInput(plan: TfjsPlan, dx: Tensor): Tensor<Float32Array> {
  return fromCallOutput(plan, dx);
}

/** The padding argument of the op call: a named mode, or explicit NHWC-shaped `[[0,0], [b,e], ..., [0,0]]`. */
export function padArgument(padding: TfjsPadding, callRank: number): 'valid' | 'same' | ExplicitPadding {
  if (typeof padding === 'string') return padding;
  const axis = (a: number): [number, number] => [padding.begin[a], padding.end[a]];
  // tfjs explicit padding is NHWC-shaped; conv1d passes it on to conv2d over [N, 1, W, C]
  return callRank === 1 ? [[0, 0], [0, 0], axis(0), [0, 0]] : [[0, 0], axis(0), axis(1), [0, 0]];
}

function tuple2(v: readonly number[]): [number, number] {
  return [v[0], v[1]];
}

function tuple3(v: readonly number[]): [number, number, number] {
  return [v[0], v[1], v[2]];
}

/**
 * The full output shape `[N, ...O, M]` a transposed op's call takes, from the plan's spatial
 * `outputShape` `O` (a transposed plan always has one) and the call's x and filter shapes
 * (filter `[...kernel, M, C]`, so M is at `callRank`).
 */
export function transposeOutputShape(plan: TfjsPlan, xShape: readonly number[], filterShape: readonly number[]): number[] {
  return [xShape[0], ...(plan.outputShape ?? []), filterShape[plan.callRank]];
}

/**
 * The plan's op call on tfjs tensors (call inside `tf.tidy`): `x` `[N, ...spatial, C]`, `filter`
 * as {@link toCallOperands} lays it out; returns `[N, ...output, M]`.
 */
export function callOp(tf: Tfjs, plan: TfjsPlan, x: TfTensor, filter: TfTensor): TfTensor {
  const pad = padArgument(plan.padding, plan.callRank);
  const named = (): 'valid' | 'same' => {
    if (typeof pad !== 'string') throw new Error(`tfjs ${plan.op} takes only 'valid' or 'same', but the plan has explicit pads.`);
    return pad;
  };
  switch (plan.op) {
    case 'conv1d':
      return tf.conv1d(x as Tensor3D, filter as Tensor3D, plan.strides[0], pad, 'NWC', plan.dilations[0]);
    case 'conv2d':
      return tf.conv2d(x as Tensor4D, filter as Tensor4D, tuple2(plan.strides), pad, 'NHWC', tuple2(plan.dilations));
    case 'depthwiseConv2d':
      return tf.depthwiseConv2d(x as Tensor4D, filter as Tensor4D, tuple2(plan.strides), pad, 'NHWC', tuple2(plan.dilations));
    case 'conv3d':
      return tf.conv3d(x as Tensor5D, filter as Tensor5D, tuple3(plan.strides), named(), 'NDHWC', tuple3(plan.dilations));
    case 'conv2dTranspose': {
      const outputShape = transposeOutputShape(plan, x.shape, filter.shape) as [number, number, number, number];
      return tf.conv2dTranspose(x as Tensor4D, filter as Tensor4D, outputShape, tuple2(plan.strides), pad);
    }
    case 'conv3dTranspose': {
      const outputShape = transposeOutputShape(plan, x.shape, filter.shape) as [number, number, number, number, number];
      return tf.conv3dTranspose(x as Tensor5D, filter as Tensor5D, outputShape, tuple3(plan.strides), named());
    }
  }
}

/** Adds bias `[M]` to a channels-last output `[N, ..., M]`. */
export function addBias(tf: Tfjs, y: TfTensor, bias: Tensor): TfTensor {
  const shape = y.shape.map((_, a) => (a === y.shape.length - 1 ? bias.shape[0] : 1));
  return tf.add(y, tf.tensor(Float32Array.from(bias.data), shape, 'float32'));
}
