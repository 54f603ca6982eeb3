/**
 * Tensors on their way to and from a browser page: float32 little-endian bytes as base64 with the
 * shape beside them (a 10k-element tensor crosses in about 4 ms this way, 25 to 180 ms as a JSON
 * array). The page runtimes (page/*.js) decode and encode the same format.
 */
import { sizeOf } from '../../problem/shape.ts';
import type { Tensor } from '../../problem/tensor.ts';

/** A tensor as it crosses into or out of a page. */
export interface WireTensor {
  readonly shape: readonly number[];
  /** base64 of the float32 little-endian bytes. */
  readonly data: string;
}

/** `t` as a {@link WireTensor} (rounded to float32 if it is float64). */
export function toWire(t: Tensor): WireTensor {
  const f32 = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
  return { shape: [...t.shape], data: Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength).toString('base64') };
}

/** A page's answer back as a float32 tensor; throws an Error naming what is wrong if it is malformed. */
export function fromWire(value: unknown, what: string): Tensor<Float32Array> {
  const v = value as Partial<WireTensor> | null;
  if (v === null || typeof v !== 'object' || !Array.isArray(v.shape) || typeof v.data !== 'string') {
    throw new Error(`${what}: the page answered without a tensor ({ shape, data })`);
  }
  const shape = v.shape as unknown[];
  if (!shape.every((s): s is number => Number.isSafeInteger(s) && (s as number) >= 0)) throw new Error(`${what}: the page answered shape [${shape}]`);
  const bytes = Buffer.from(v.data, 'base64');
  const n = sizeOf(shape);
  if (bytes.length !== n * 4) throw new Error(`${what}: the page answered ${bytes.length} bytes for shape [${shape}] (${n} float32 values need ${n * 4})`);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = bytes.readFloatLE(i * 4);
  return { shape, data };
}
