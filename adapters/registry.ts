/**
 * Every backend convcheck knows, with its availability on this machine. Adapters register here;
 * a backend that cannot load (tfjs-node without libtensorflow) is listed as unavailable with the
 * reason, never an error.
 */
import type { BackendAvailability } from '../problem/backend.ts';
import { referenceBackend } from './reference.ts';
import { fileURLToPath } from 'node:url';
import { createProcessBackend } from './process-backend.ts';
import { torchAvailability } from './torch.ts';

/** A named way to create a backend; `create` resolves to its availability. */
export interface BackendFactory {
  readonly name: string;
  readonly create: () => Promise<BackendAvailability>;
}

/** The built-in backends, in report order. Adapters add one line each below. */
export const BACKEND_FACTORIES: readonly BackendFactory[] = [
  { name: 'reference', create: async () => ({ available: true, backend: referenceBackend }) },
  // The reference's fast path (reference/conv-fast.ts) as a backend, so every law runs on it too.
  { name: 'reference-fast', create: async () => ({ available: true, backend: (await import('./reference-fast.ts')).referenceFastBackend }) },
  // adapters register here (one entry each)
  { name: 'onnxruntime', create: async () => ({ available: true, backend: await (await import('./onnxruntime.ts')).createOnnxRuntimeBackend() }) },
  // TensorFlow.js: cpu and wasm always; tfjs-node unavailable (with its reason) unless @tensorflow/tfjs-node is installed.
  { name: 'tfjs-cpu', create: async () => (await import('./tfjs.ts')).tfjsAvailability('tfjs-cpu') },
  { name: 'tfjs-wasm', create: async () => (await import('./tfjs.ts')).tfjsAvailability('tfjs-wasm') },
  { name: 'tfjs-node', create: async () => (await import('./tfjs.ts')).tfjsAvailability('tfjs-node') },
  // Browser backends (adapters/browser/): the GPU kernels of tfjs and ONNX Runtime Web in headless Chromium; unavailable (with the install command) without Chromium.
  { name: 'tfjs-webgl', create: async () => (await import('./tfjs-browser.ts')).tfjsBrowserAvailability('tfjs-webgl') },
  { name: 'tfjs-webgpu', create: async () => (await import('./tfjs-browser.ts')).tfjsBrowserAvailability('tfjs-webgpu') },
  { name: 'ort-web-wasm', create: async () => (await import('./ort-web.ts')).ortWebAvailability('ort-web-wasm') },
  { name: 'ort-web-webgl', create: async () => (await import('./ort-web.ts')).ortWebAvailability('ort-web-webgl') },
  { name: 'ort-web-webgpu', create: async () => (await import('./ort-web.ts')).ortWebAvailability('ort-web-webgpu') },
  { name: 'ort-web-webgpu-native', create: async () => (await import('./ort-web.ts')).ortWebAvailability('ort-web-webgpu-native') },
  // The example external implementation (docs/protocol.md); unavailable without python3 + numpy.
  { name: 'ext:numpy-conv', create: async () => ({ available: true, backend: await createProcessBackend(`python3 '${fileURLToPath(new URL('../examples/numpy_conv.py', import.meta.url))}'`) }) },
  // PyTorch over the process protocol (examples/torch_conv.py); unavailable, with the reason, where `import torch` fails.
  { name: 'ext:torch', create: () => torchAvailability() },
];

/** The built-in backends that run in headless Chromium (their law suite is properties/browser-backends.test.ts). */
export const BROWSER_BACKEND_NAMES: readonly string[] = ['tfjs-webgl', 'tfjs-webgpu', 'ort-web-wasm', 'ort-web-webgl', 'ort-web-webgpu', 'ort-web-webgpu-native'];

/** Creates every built-in backend; unavailable ones carry their reason. */
export async function availableBackends(names?: readonly string[]): Promise<BackendAvailability[]> {
  const chosen = names === undefined ? BACKEND_FACTORIES : BACKEND_FACTORIES.filter((f) => names.includes(f.name));
  const results: BackendAvailability[] = [];
  for (const factory of chosen) {
    try {
      results.push(await factory.create());
    } catch (error) {
      results.push({ available: false, name: factory.name, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}
