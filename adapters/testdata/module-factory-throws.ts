/** Test fixture: a default export factory that throws (a missing GPU, say). */
export default function makeBackend(): never {
  throw new Error('no CUDA device');
}
