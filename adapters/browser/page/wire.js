// @ts-check
/**
 * The page side of adapters/browser/wire.ts: tensors as float32 little-endian bytes in base64,
 * with their shape. Loaded by the page runtimes (tfjs.js, ort.js) as an ES module.
 */

/**
 * base64 -> its bytes.
 * @param {string} b64
 * @returns {Uint8Array}
 */
export function base64Bytes(b64) {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * base64 -> Float32Array.
 * @param {{ shape: number[], data: string }} t
 * @returns {Float32Array}
 */
export function decode(t) {
  return new Float32Array(base64Bytes(t.data).buffer);
}

/**
 * Float32Array (or any array of numbers) -> base64 of float32 bytes.
 * @param {ArrayLike<number>} values
 * @returns {string}
 */
export function encode(values) {
  const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
  const bytes = new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/**
 * Runs `task` and turns its result or exception into an answer: `{ ok: true, ...result }` or
 * `{ ok: false, error }` (Node tells a library's exception from a crashed page this way).
 * @param {() => Promise<Record<string, unknown>>} task
 */
export async function answer(task) {
  try {
    return { ok: true, ...(await task()) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
