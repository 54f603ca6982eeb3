/**
 * The one TensorFlow.js engine of the process, and the discipline every tfjs run follows: tfjs
 * keeps a single global engine with one active backend, so each run takes a lock, activates its
 * backend, computes, reads its output and disposes every tensor before the next run starts.
 *
 * Backends: `cpu` (tfjs-backend-cpu, registered by `@tensorflow/tfjs`), `wasm`
 * (`@tensorflow/tfjs-backend-wasm`, binaries loaded from that package's `dist/` folder) and
 * `tensorflow` (`@tensorflow/tfjs-node`, an optional dependency that needs libtensorflow; imported
 * only on request, so a missing package is a reason, never an error).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export { tf };

/** The tfjs namespace as this module imports it. */
export type Tfjs = typeof tf;

/** convcheck backend names of the tfjs backends, and the tfjs backend each one activates. */
export const TFJS_BACKENDS = { 'tfjs-cpu': 'cpu', 'tfjs-wasm': 'wasm', 'tfjs-node': 'tensorflow' } as const;

/** A convcheck tfjs backend name: `tfjs-cpu`, `tfjs-wasm` or `tfjs-node`. */
export type TfjsBackendName = keyof typeof TFJS_BACKENDS;

/** Whether `name` is one of {@link TFJS_BACKENDS}. */
export function isTfjsBackendName(name: string): name is TfjsBackendName {
  return Object.hasOwn(TFJS_BACKENDS, name);
}

/** Version of tfjs-core (`tf.version_core`), the version every tfjs backend reports. */
export const TFJS_VERSION: string = tf.version_core;

const require = createRequire(import.meta.url);

/** The `dist/` folder of @tensorflow/tfjs-backend-wasm, where its `.wasm` binaries are, with a trailing separator. */
function wasmBinaryFolder(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
}

// Warnings only (the "install tfjs-node" banner on first use of cpu); no kernel reads the flag.
tf.enableProdMode();
setWasmPaths(wasmBinaryFolder());

let tail: Promise<unknown> = Promise.resolve();

/**
 * Runs `task` after every task queued before it has settled, so no two tfjs runs interleave: one
 * run's `setBackend` can never switch the engine under another run's computation.
 */
export function runExclusive<T>(task: () => Promise<T>): Promise<T> {
  const result = tail.then(task, task);
  tail = result.catch(() => undefined);
  return result;
}

const TFJS_NODE_PACKAGE = '@tensorflow/tfjs-node';
let tfjsNodeLoad: Promise<void> | undefined;

/**
 * Imports @tensorflow/tfjs-node once (it registers the `tensorflow` backend with the engine it
 * shares). Rejects with the import's own message when the package or libtensorflow is missing.
 */
function loadTfjsNode(): Promise<void> {
  tfjsNodeLoad ??= (async () => {
    // A file URL of the resolved package, so the import does not depend on the caller's location;
    // the specifier is a variable so that type-checking does not need the optional package.
    try {
      const resolved: string = require.resolve(TFJS_NODE_PACKAGE);
      await import(pathToFileURL(resolved).href);
    } catch (error) {
      const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new Error(`tfjs-node: ${TFJS_NODE_PACKAGE} cannot be loaded (an optional dependency that downloads libtensorflow when installed): ${why}`, { cause: error });
    }
  })();
  return tfjsNodeLoad;
}

/**
 * Makes the tfjs backend of `name` the active one, loading it first if needed. Call it inside
 * {@link runExclusive}. Throws an Error naming the backend when it cannot be loaded.
 */
export async function activateTfjsBackend(name: TfjsBackendName): Promise<void> {
  const tfName = TFJS_BACKENDS[name];
  if (tf.getBackend() === tfName) return;
  if (name === 'tfjs-node') await loadTfjsNode();
  let ok: boolean;
  try {
    ok = await tf.setBackend(tfName);
  } catch (error) {
    throw new Error(`${name}: tfjs backend '${tfName}' failed to initialise: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!ok || tf.getBackend() !== tfName) throw new Error(`${name}: tfjs backend '${tfName}' failed to initialise (tf.setBackend returned ${ok}).`);
}

/** Whether the tfjs backend of `name` has a kernel registered under `kernelName` (e.g. `Conv2DBackpropFilter`). */
export function hasKernel(name: TfjsBackendName, kernelName: string): boolean {
  return tf.getKernel(kernelName, TFJS_BACKENDS[name]) !== undefined;
}
