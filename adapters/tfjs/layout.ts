/**
 * Layout conversions between ONNX and TensorFlow.js, done on plain arrays (no tfjs kernel takes
 * part, so a tfjs answer is the conv op's alone):
 * - activations: ONNX channels-first `[N, C, ...spatial]` <-> tfjs channels-last `[N, ...spatial, C]`;
 * - kernels: ONNX `[A, B, ...kernel]` <-> tfjs `[...kernel, B, A]`. That one permutation serves
 *   Conv (`[M, C, kh, kw]` -> filter `[kh, kw, C, M]`), depthwise (`[C·mult, 1, kh, kw]` ->
 *   `[kh, kw, 1, C·mult]`, read as `[kh, kw, C, mult]` since ONNX output channel `c·mult + q`
 *   is row-major `[C, mult]`) and ConvTranspose (`[C, M, kh, kw]` -> `[kh, kw, M, C]`: tfjs's
 *   conv2dTranspose filter is `[kh, kw, outDepth, inDepth]`).
 */
import { ConvInputError } from '../../problem/errors.ts';
import { sizeOf, stridesOf } from '../../problem/shape.ts';
import type { Tensor } from '../../problem/tensor.ts';

/** Moves axis `from` of a row-major tensor to position `to` (the others keep their order). */
export function moveAxis(t: Tensor, from: number, to: number): Tensor<Float32Array> {
  const rank = t.shape.length;
  const order = [...Array(rank).keys()];
  order.splice(to, 0, ...order.splice(from, 1));
  return permute(t, order);
}

/** `out.shape[a] = t.shape[order[a]]`, with `out[i_0, ...] = t[...]` at the permuted index. */
export function permute(t: Tensor, order: readonly number[]): Tensor<Float32Array> {
  const outShape = order.map((a) => t.shape[a]);
  const inStrides = stridesOf(t.shape);
  const stepOf = order.map((a) => inStrides[a]); // input stride of each output axis
  const out = new Float32Array(sizeOf(outShape));
  const index = new Array<number>(outShape.length).fill(0);
  let source = 0;
  for (let q = 0; q < out.length; q++) {
    out[q] = t.data[source];
    for (let a = outShape.length - 1; a >= 0; a--) { // odometer over the output index
      index[a]++;
      source += stepOf[a];
      if (index[a] < outShape[a]) break;
      source -= stepOf[a] * outShape[a];
      index[a] = 0;
    }
  }
  return { shape: outShape, data: out };
}

/** `[N, C, ...spatial]` -> `[N, ...spatial, C]`. */
export function toChannelsLast(t: Tensor): Tensor<Float32Array> {
  return moveAxis(t, 1, t.shape.length - 1);
}

/** `[N, ...spatial, C]` -> `[N, C, ...spatial]`. */
export function toChannelsFirst(t: Tensor): Tensor<Float32Array> {
  return moveAxis(t, t.shape.length - 1, 1);
}

/** ONNX kernel `[A, B, ...kernel]` -> tfjs filter `[...kernel, B, A]`. */
export function toKernelLast(w: Tensor): Tensor<Float32Array> {
  const rank = w.shape.length;
  const kernelAxes = [...Array(rank - 2).keys()].map((a) => a + 2);
  return permute(w, [...kernelAxes, 1, 0]);
}

/** tfjs filter `[...kernel, B, A]` -> ONNX kernel `[A, B, ...kernel]` (inverse of {@link toKernelLast}). */
export function toKernelFirst(f: Tensor): Tensor<Float32Array> {
  const rank = f.shape.length;
  return permute(f, [rank - 1, rank - 2, ...[...Array(rank - 2).keys()]]);
}

/** The same data under another shape of equal size (a view: data is shared). */
export function reshaped<D extends Float32Array | Float64Array>(t: Tensor<D>, shape: readonly number[]): Tensor<D> {
  if (sizeOf(shape) !== t.data.length) throw new ConvInputError('shape', `reshape: shape must hold ${t.data.length} elements like [${t.shape}], but shape=[${shape}] holds ${sizeOf(shape)}.`);
  return { shape: [...shape], data: t.data };
}
