/**
 * Channel slices and concatenation of `[N, C, ...spatial]` tensors: the article's §10 picture of a
 * grouped convolution cuts the input into channel slices and stacks the groups' outputs back.
 */
import { ConvInputError } from '../problem/errors.ts';
import { sizeOf } from '../problem/shape.ts';
import { checkTensor, type Tensor, type Tensor64 } from '../problem/tensor.ts';

/**
 * The sub-tensor `t[..., from : from + count, ...]` along tensor axis `axis` (a copy, float64).
 * @example sliceAxis(tensor([1, 2, 3, 4, 5, 6], [3, 2]), 0, 1, 2) // [[3, 4], [5, 6]]
 */
export function sliceAxis(t: Tensor, axis: number, from: number, count: number): Tensor64 {
  checkTensorShape('sliceAxis', 't', t);
  if (!Number.isInteger(axis) || axis < 0 || axis >= t.shape.length) {
    throw new ConvInputError('axis', `sliceAxis: axis must be an integer in [0, ${t.shape.length}), but axis=${axis}.`);
  }
  const size = t.shape[axis];
  if (!Number.isInteger(from) || !Number.isInteger(count) || from < 0 || count < 1 || from + count > size) {
    throw new ConvInputError('from', `sliceAxis: the slice [from, from+count) must lie in [0, ${size}) with count >= 1, but from=${from} and count=${count}.`);
  }
  const outer = sizeOf(t.shape.slice(0, axis)), inner = sizeOf(t.shape.slice(axis + 1));
  const shape = t.shape.map((s, a) => (a === axis ? count : s));
  const data = new Float64Array(outer * count * inner);
  // out[o, i, j] = t[o, from + i, j], viewing t as [outer, size, inner]
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < inner; j++) data[(o * count + i) * inner + j] = t.data[(o * size + from + i) * inner + j];
    }
  }
  return { shape, data };
}

/**
 * Channels `from .. from + count - 1` of `t` `[N, C, ...spatial]`: a tensor `[N, count, ...spatial]`.
 * @example sliceChannels(x, 2, 2) // channels 2 and 3 of every batch item
 */
export function sliceChannels(t: Tensor, from: number, count: number): Tensor64 {
  if (t.shape.length < 2) throw new ConvInputError('t.shape', `sliceChannels: t must be [N, C, ...spatial], but t.shape=[${t.shape}].`);
  return sliceAxis(t, 1, from, count);
}

/**
 * Stacks `[N, C_i, ...spatial]` tensors along the channel axis: `[N, Σ C_i, ...spatial]`, part 0's
 * channels first. Every part must have the same batch and spatial sizes.
 */
export function concatChannels(parts: readonly Tensor[]): Tensor64 {
  if (parts.length === 0) throw new ConvInputError('parts', 'concatChannels: there must be at least one part, but parts=[].');
  parts.forEach((part, i) => checkTensorShape('concatChannels', `parts[${i}]`, part));
  const first = parts[0];
  if (first.shape.length < 2) throw new ConvInputError('parts[0].shape', `concatChannels: parts must be [N, C, ...spatial], but parts[0].shape=[${first.shape}].`);
  parts.forEach((part, i) => {
    const same = part.shape.length === first.shape.length && part.shape.every((s, a) => a === 1 || s === first.shape[a]);
    if (!same) {
      throw new ConvInputError(`parts[${i}].shape`, `concatChannels: parts must agree on every axis but channels, but parts[0].shape=[${first.shape}] and parts[${i}].shape=[${part.shape}].`);
    }
  });
  const batch = first.shape[0], spatial = sizeOf(first.shape.slice(2));
  const channels = parts.reduce((sum, part) => sum + part.shape[1], 0);
  const data = new Float64Array(batch * channels * spatial);
  // y[n, offset_i + c, o] = parts[i][n, c, o], offset_i = Σ_{j<i} C_j
  for (let n = 0; n < batch; n++) {
    let offset = 0;
    for (const part of parts) {
      const partChannels = part.shape[1];
      for (let c = 0; c < partChannels; c++) {
        for (let o = 0; o < spatial; o++) data[(n * channels + offset + c) * spatial + o] = part.data[(n * partChannels + c) * spatial + o];
      }
      offset += partChannels;
    }
  }
  return { shape: [batch, channels, ...first.shape.slice(2)], data };
}

/**
 * Throws a ConvInputError unless every size of `t.shape` is an integer >= 1 and `t.data` holds
 * exactly that many elements; `op` and `field` name the caller and the operand in the message.
 */
export function checkTensorShape(op: string, field: string, t: Tensor): void {
  t.shape.forEach((s, a) => {
    if (!Number.isInteger(s) || s < 1) throw new ConvInputError(`${field}.shape[${a}]`, `${op}: every size must be an integer >= 1, but ${field}.shape[${a}]=${s}.`);
  });
  checkTensor(field, t, t.shape);
}
