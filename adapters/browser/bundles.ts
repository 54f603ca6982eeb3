/**
 * The bundles the browser pages load, each from an installed npm package (nothing is fetched from
 * the network): TensorFlow.js with its webgl and webgpu backends, ONNX Runtime Web's default build
 * (wasm and its JavaScript WebGPU kernels, "JSEP"), its WebGL build, and its `/webgpu` build (the
 * native C++ WebGPU execution provider compiled to WebAssembly). A package that cannot be resolved
 * makes the bundle throw with the package's name, so its backends are listed unavailable.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BundleSpec } from './host.ts';

const require = createRequire(import.meta.url);

/** The folder of the page runtimes (page/*.js). */
const PAGE_FOLDER = fileURLToPath(new URL('./page/', import.meta.url));

/** The `dist/` folder of an installed package, found through a file it exports. */
function distFolder(pkg: string, exported: string): string {
  try {
    return path.dirname(require.resolve(exported));
  } catch (error) {
    throw new Error(`npm package ${pkg} is not installed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); run npm ci.`, { cause: error });
  }
}

function pageFiles(...names: string[]): Record<string, string> {
  return Object.fromEntries(['wire.js', ...names].map((n) => [`/page/${n}`, path.join(PAGE_FOLDER, n)]));
}

/** Version of an installed package (read from its package.json next to its dist folder). */
export function packageVersion(pkg: string, exported: string): string {
  const dist = distFolder(pkg, exported);
  const json = require(path.join(path.dirname(dist), 'package.json')) as { version: string };
  return json.version;
}

/** TensorFlow.js (tf.min.js: core, cpu, webgl) and tfjs-backend-webgpu, with the tfjs page runtime. */
export function tfjsBundle(): BundleSpec {
  const tfjs = distFolder('@tensorflow/tfjs', '@tensorflow/tfjs/dist/tf.min.js');
  const webgpu = distFolder('@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js');
  return {
    name: 'tfjs',
    files: {
      '/tfjs/tf.min.js': path.join(tfjs, 'tf.min.js'),
      '/tfjs/tf-backend-webgpu.min.js': path.join(webgpu, 'tf-backend-webgpu.min.js'),
      ...pageFiles('tfjs.js'),
    },
    page: { name: 'tfjs', scripts: ['/tfjs/tf.min.js', '/tfjs/tf-backend-webgpu.min.js'], module: '/page/tfjs.js' },
  };
}

/** The ONNX Runtime Web builds: which module, and which WebAssembly files it loads. */
export const ORT_BUILDS = {
  /** `import 'onnxruntime-web'`: wasm (CPU kernels) and webgpu (JavaScript kernels, JSEP). */
  default: { module: 'ort.min.mjs', wasm: ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'] },
  /** `import 'onnxruntime-web/webgl'`: the WebGL execution provider (no WebAssembly). */
  webgl: { module: 'ort.webgl.min.mjs', wasm: [] },
  /** `import 'onnxruntime-web/webgpu'`: the native C++ WebGPU execution provider. */
  webgpu: { module: 'ort.webgpu.min.mjs', wasm: ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'] },
} as const;

/** An ONNX Runtime Web build. */
export type OrtBuild = keyof typeof ORT_BUILDS;

/** The ORT page of one build; the runtime reads which module to import from its own URL. */
export function ortBundle(build: OrtBuild): BundleSpec {
  const dist = distFolder('onnxruntime-web', 'onnxruntime-web/ort-wasm-simd-threaded.wasm');
  const { module, wasm } = ORT_BUILDS[build];
  const files: Record<string, string> = { ...pageFiles('ort.js') };
  for (const f of [module, ...wasm]) files[`/ort/${f}`] = path.join(dist, f);
  const query = new URLSearchParams({ module: `/ort/${module}`, wasm: '/ort/', build });
  return { name: `ort-${build}`, files, page: { name: `ort-${build}`, scripts: [], module: `/page/ort.js?${query}` } };
}
