// @ts-check
/**
 * Page runtime of an ONNX Runtime Web build, driven by adapters/ort-web.ts. Node builds the
 * single-node Conv / ConvTranspose model (adapters/onnx/model.ts) and sends its bytes; this page
 * creates one session per model and execution provider (cached, least recently used out) and runs
 * it. WebAssembly runs single-threaded (the page is not cross-origin isolated, and one thread is
 * deterministic); the WebGPU builds refuse to fall back to CPU kernels
 * (session.disable_cpu_ep_fallback), so a node the GPU provider cannot take is an error, never a
 * CPU answer.
 */
import { answer, base64Bytes, decode, encode } from './wire.js';

const params = new URL(import.meta.url).searchParams;
const build = params.get('build') ?? 'default';

/** Sessions kept alive at once. */
const MAX_SESSIONS = 32;

/** @type {any} */
let ort;
/** @type {Map<string, Promise<any>>} */
const sessions = new Map();

/**
 * The session of a model on an execution provider, created on first use.
 * @param {string} key @param {string} model @param {string} ep
 */
async function session(key, model, ep) {
  const id = `${ep} ${key}`;
  let s = sessions.get(id);
  if (s !== undefined) {
    sessions.delete(id);
  } else {
    const options = { executionProviders: [ep], logSeverityLevel: 3, ...(ep === 'webgpu' ? { extra: { session: { disable_cpu_ep_fallback: '1' } } } : {}) };
    s = ort.InferenceSession.create(base64Bytes(model), options);
    s.catch(() => sessions.get(id) === s && sessions.delete(id));
  }
  sessions.set(id, s);
  while (sessions.size > MAX_SESSIONS) {
    const [oldest, evicted] = /** @type {[string, Promise<any>]} */ (sessions.entries().next().value);
    sessions.delete(oldest);
    evicted.then((e) => e.release()).catch(() => undefined);
  }
  return s;
}

/** @type {any} */ (window).convcheck = {
  /**
   * Runs a model: feeds { X, W, B? } as wire tensors; answers the output Y.
   * @param {{ key: string, model: string, ep: string, feeds: Record<string, { shape: number[], data: string }> }} r
   */
  run: (r) => answer(async () => {
    const s = await session(r.key, r.model, r.ep);
    /** @type {Record<string, any>} */
    const feeds = {};
    for (const [name, t] of Object.entries(r.feeds)) feeds[name] = new ort.Tensor('float32', decode(t), t.shape);
    const out = await s.run(feeds);
    const y = out[s.outputNames[0]];
    try {
      if (y.type !== 'float32') throw new Error(`output is ${y.type}, not float32`);
      return { shape: Array.from(y.dims), data: encode(await y.getData()) };
    } finally {
      for (const t of Object.values(out)) t.dispose?.();
    }
  }),
};

/** @type {any} */ (window).convcheckReady = answer(async () => {
  ort = await import(/** @type {string} */ (params.get('module')));
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = params.get('wasm');
  ort.env.logLevel = 'error';
  /** @type {Record<string, unknown>} */
  const gpu = {};
  if (build !== 'webgl') {
    const adapter = navigator.gpu === undefined ? null : await navigator.gpu.requestAdapter();
    gpu.webgpu = adapter === null ? 'none' : `${adapter.info?.vendor ?? ''} ${adapter.info?.architecture ?? ''}`.trim();
  }
  if (build === 'webgl') {
    const gl = document.createElement('canvas').getContext('webgl2');
    const debug = gl?.getExtension('WEBGL_debug_renderer_info');
    gpu.webgl = gl === null ? 'none' : String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  }
  return { ort: ort.env.versions?.web ?? 'unknown', build, ...gpu };
});
