/**
 * A dense row-major tensor: a shape and its data. The reference reads Float32Array or Float64Array
 * and always writes Float64Array.
 */
import { ConvInputError } from './errors.ts';
import { sizeOf } from './shape.ts';

/** Element storage convcheck accepts. */
export type TensorData = Float32Array | Float64Array;

/** A dense row-major tensor, e.g. `{ shape: [1, 1, 5, 5], data }`. */
export interface Tensor<D extends TensorData = TensorData> {
  readonly shape: readonly number[];
  readonly data: D;
}

/** A float64 tensor: what every reference op returns. */
export type Tensor64 = Tensor<Float64Array>;

/** A tensor of the shape, filled with zeros (float64). */
export function zeros(shape: readonly number[]): Tensor64 {
  return { shape: [...shape], data: new Float64Array(sizeOf(shape)) };
}

/** A tensor from nested arrays or a flat list with a shape: `tensor([1, 2, 3, 4], [2, 2])`. */
export function tensor(values: ArrayLike<number>, shape: readonly number[]): Tensor64 {
  const t = { shape: [...shape], data: Float64Array.from(values) };
  checkTensor('tensor', t, shape);
  return t;
}

/** Throws unless `t` has exactly `shape` and as many data elements as the shape holds. */
export function checkTensor(field: string, t: Tensor, shape: readonly number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((s, a) => s !== shape[a])) {
    throw new ConvInputError(`${field}.shape`, `${field} must have shape [${shape}], but ${field}.shape=[${t.shape}].`);
  }
  const n = sizeOf(shape);
  if (t.data.length !== n) {
    throw new ConvInputError(`${field}.data.length`, `${field} of shape [${shape}] must hold ${n} elements, but ${field}.data.length=${t.data.length}.`);
  }
}

/** Float32 copy of a tensor (rounding each element to nearest float32). */
export function toFloat32(t: Tensor): Tensor<Float32Array> {
  return { shape: [...t.shape], data: Float32Array.from(t.data) };
}

/** Inner product `Σ a[i]·b[i]` of two tensors of the same size, in float64. */
export function dot(a: Tensor, b: Tensor): number {
  if (a.data.length !== b.data.length) throw new ConvInputError('b.data.length', `dot: sizes must match, but ${a.data.length} and ${b.data.length}.`);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += a.data[i] * b.data[i];
  return sum;
}
