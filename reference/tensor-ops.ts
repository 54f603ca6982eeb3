/**
 * Tensor rearrangements, in one place: channel slices and concatenation of `[N, C, ...spatial]`
 * tensors (the article's §10 picture of a grouped convolution cuts the input into channel slices
 * and stacks the groups' outputs back), and the spatial rearrangements the laws are stated with:
 * crop, zero-pad, subsample, zero-insert, flip, leading-axis concatenation, channel permutation.
 * Tensors are `[A, B, ...spatial]` (activations `[N, C, ...]`, weights `[M, C/g, ...k]`); every
 * spatial op maps each output coordinate of an axis to an input coordinate or to nothing (a zero).
 */
import { ConvInputError } from '../problem/errors.ts';
import { sizeOf, stridesOf } from '../problem/shape.ts';
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

/** Where output coordinate `out` of one axis reads its input coordinate, or -1 for a zero. */
export type AxisMap = (out: number) => number;

/**
 * The general spatial rearrangement: `y[a, b, out] = x[a, b, in]` with `in[axis] = maps[axis](out[axis])`,
 * zero where any map gives -1 or a coordinate outside the input.
 */
export function remapSpatial(t: Tensor, outSpatial: readonly number[], maps: readonly AxisMap[]): Tensor64 {
  const inSpatial = t.shape.slice(2);
  if (maps.length !== inSpatial.length || outSpatial.length !== inSpatial.length) {
    throw new ConvInputError('maps', `remapSpatial: one map per spatial axis (${inSpatial.length}), but got ${maps.length} maps and outSpatial=[${outSpatial}].`);
  }
  const outer = t.shape[0] * t.shape[1];
  const inSize = sizeOf(inSpatial), outSize = sizeOf(outSpatial);
  const inStrides = stridesOf(inSpatial);
  // Per axis, the input offset of every output coordinate (-1: zero).
  const offsets = outSpatial.map((n, axis) => Array.from({ length: n }, (_, out) => {
    const inCoord = maps[axis](out);
    return inCoord < 0 || inCoord >= inSpatial[axis] ? -1 : inCoord * inStrides[axis];
  }));
  const outStrides = stridesOf(outSpatial);
  const data = new Float64Array(outer * outSize);
  for (let q = 0; q < outSize; q++) {
    let inOffset = 0;
    for (let axis = 0; axis < outSpatial.length && inOffset >= 0; axis++) {
      const off = offsets[axis][Math.floor(q / outStrides[axis]) % outSpatial[axis]];
      inOffset = off < 0 ? -1 : inOffset + off;
    }
    if (inOffset < 0) continue;
    for (let o = 0; o < outer; o++) data[o * outSize + q] = t.data[o * inSize + inOffset];
  }
  return { shape: [t.shape[0], t.shape[1], ...outSpatial], data };
}

/** The window `[begin, begin + size)` of each spatial axis. */
export function cropSpatial(t: Tensor, begin: readonly number[], size: readonly number[]): Tensor64 {
  return remapSpatial(t, size, begin.map((b) => (out: number) => out + b));
}

/** Zeros added before and after each spatial axis. */
export function padSpatial(t: Tensor, before: readonly number[], after: readonly number[]): Tensor64 {
  const spatial = t.shape.slice(2);
  return remapSpatial(t, spatial.map((n, a) => n + before[a] + after[a]), before.map((b) => (out: number) => out - b));
}

/** Every `step`-th element of each spatial axis, starting at 0: size `ceil(n / step)`. */
export function subsampleSpatial(t: Tensor, steps: readonly number[]): Tensor64 {
  const spatial = t.shape.slice(2);
  return remapSpatial(t, spatial.map((n, a) => Math.ceil(n / steps[a])), steps.map((s) => (out: number) => out * s));
}

/** `factor - 1` zeros inserted between neighbours on each spatial axis: size `(n-1)·factor + 1`. */
export function zeroInsertSpatial(t: Tensor, factors: readonly number[]): Tensor64 {
  const spatial = t.shape.slice(2);
  return remapSpatial(t, spatial.map((n, a) => (n - 1) * factors[a] + 1), factors.map((f) => (out: number) => (out % f === 0 ? out / f : -1)));
}

/** Each spatial axis reversed (a kernel flipped for true convolution). */
export function flipSpatial(t: Tensor): Tensor64 {
  const spatial = t.shape.slice(2);
  return remapSpatial(t, spatial, spatial.map((n) => (out: number) => n - 1 - out));
}

/**
 * Tensors joined along their leading axis (batch of activations, filters of a Conv weight); the
 * other dimensions must agree.
 */
export function concatLeading(parts: readonly Tensor[]): Tensor64 {
  const rest = parts[0].shape.slice(1).join(',');
  for (const p of parts) {
    if (p.shape.slice(1).join(',') !== rest) throw new ConvInputError('parts', `concatLeading: shapes must agree off axis 0, but [${parts[0].shape}] and [${p.shape}].`);
  }
  const data = new Float64Array(parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { shape: [parts.reduce((n, p) => n + p.shape[0], 0), ...parts[0].shape.slice(1)], data };
}

/** `y[.., j, ..] = x[.., perm[j], ..]` along axis 0 or 1. */
export function permuteAxis(t: Tensor, axis: 0 | 1, perm: readonly number[]): Tensor64 {
  const slices = perm.map((from) => sliceAxis(t, axis, from, 1));
  return axis === 0 ? concatLeading(slices) : concatChannels(slices);
}

/** The same data under another shape of equal size. */
export function reshape(t: Tensor, shape: readonly number[]): Tensor64 {
  if (sizeOf(shape) !== t.data.length) throw new ConvInputError('shape', `reshape: [${t.shape}] has ${t.data.length} elements, but [${shape}] holds ${sizeOf(shape)}.`);
  return { shape: [...shape], data: Float64Array.from(t.data) };
}

/** Elementwise `f(x)` of a tensor. */
export function mapTensor(t: Tensor, f: (v: number, index: number) => number): Tensor64 {
  return { shape: [...t.shape], data: Float64Array.from(t.data, f) };
}

/** A tensor of the shape filled with `value`. */
export function filled(shape: readonly number[], value: number): Tensor64 {
  return { shape: [...shape], data: new Float64Array(sizeOf(shape)).fill(value) };
}

/** `y[n, c, ...] += b[c]` in place, for y `[N, C, ...]`. */
export function addChannelBias(y: Float64Array, b: Tensor, batch: number, channels: number): void {
  const size = y.length / (batch * channels);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      for (let o = 0; o < size; o++) y[(n * channels + c) * size + o] += b.data[c];
    }
  }
}
