/**
 * ONNX Runtime Web as convcheck backends, run in headless Chromium (adapters/browser/): the same
 * single-node Conv / ConvTranspose models as onnxruntime-node (adapters/onnx/model.ts, built in
 * Node and sent as bytes), on four execution providers:
 *
 * - `ort-web-wasm`: `import 'onnxruntime-web'`, provider `wasm` (ORT's C++ CPU kernels, MLAS,
 *   compiled to WebAssembly; one thread);
 * - `ort-web-webgl`: `import 'onnxruntime-web/webgl'`, provider `webgl` (the onnx.js WebGL backend:
 *   GLSL shaders, on SwiftShader through ANGLE here);
 * - `ort-web-webgpu`: `import 'onnxruntime-web'`, provider `webgpu`: ORT's JavaScript WebGPU
 *   kernels (JSEP, WGSL written in TypeScript);
 * - `ort-web-webgpu-native`: `import 'onnxruntime-web/webgpu'`, provider `webgpu`: ORT's native C++
 *   WebGPU execution provider, compiled to WebAssembly. Different code from the JSEP kernels.
 *
 * The WebGPU sessions refuse CPU fallback, so a node its provider does not take fails instead of
 * quietly running on the CPU kernels. `supports()` states what each provider cannot express (see
 * adapters/ort-web-known.ts for the refusals that are findings).
 */
import { SUPPORTED, unsupported, type BackendAvailability, type Support } from '../problem/backend.ts';
import type { ConvProblem } from '../problem/problem.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { validateProblem } from '../problem/validate.ts';
import { browserAvailability, type BrowserBackendOptions, type BrowserBackendPlan, type PageRequest } from './browser/backend.ts';
import { ortBundle, type OrtBuild } from './browser/bundles.ts';
import type { PageInfo } from './browser/bundle-page.ts';
import { fromWire, toWire } from './browser/wire.ts';
import { buildConvModel, ONNX_INPUT_NAMES } from './onnx/model.ts';
import { sessionKey } from './onnxruntime.ts';
import { ortWebKnownDiscrepancies, ortWebLimit, ortWebRefusal } from './ort-web-known.ts';

/** The ORT Web backends: which build each imports and which execution provider it asks for. */
export const ORT_WEB_BACKENDS = {
  'ort-web-wasm': { build: 'default', ep: 'wasm', precision: 'fp32' },
  'ort-web-webgl': { build: 'webgl', ep: 'webgl', precision: 'fp32' },
  'ort-web-webgpu': { build: 'default', ep: 'webgpu', precision: 'fp32' },
  'ort-web-webgpu-native': { build: 'webgpu', ep: 'webgpu', precision: 'fp32' },
} as const satisfies Record<string, { build: OrtBuild; ep: string; precision: string }>;

/** An ORT Web backend name. */
export type OrtWebName = keyof typeof ORT_WEB_BACKENDS;

/** Whether `name` is an ORT Web backend. */
export function isOrtWebName(name: string): name is OrtWebName {
  return Object.hasOwn(ORT_WEB_BACKENDS, name);
}

/** What ORT Web backend `name` can run: any valid problem but what its provider cannot express and the classes it refuses. Never throws. */
export function ortWebSupport(p: ConvProblem, name: OrtWebName): Support {
  try {
    validateProblem(p);
  } catch (error) {
    return unsupported(`${name}: invalid problem: ${error instanceof Error ? error.message : String(error)}`);
  }
  const reason = ortWebLimit(p, name) ?? ortWebRefusal(p, name);
  return reason === undefined ? SUPPORTED : unsupported(reason);
}

/** The plan of ORT Web backend `name`. */
export function ortWebPlan(name: OrtWebName): BrowserBackendPlan {
  const { build, ep, precision } = ORT_WEB_BACKENDS[name];
  return {
    name,
    bundle: ortBundle(build),
    precision,
    knownDiscrepancies: ortWebKnownDiscrepancies(name),
    supports: (p) => ortWebSupport(p, name),
    forward(p: ConvProblem, operands: ConvOperands): PageRequest {
      const feeds: Record<string, ReturnType<typeof toWire>> = { [ONNX_INPUT_NAMES.x]: toWire(operands.x), [ONNX_INPUT_NAMES.w]: toWire(operands.w) };
      if (operands.b !== undefined) feeds[ONNX_INPUT_NAMES.b] = toWire(operands.b);
      return {
        method: 'run',
        request: { key: sessionKey(p), model: Buffer.from(buildConvModel(p)).toString('base64'), ep, feeds },
        decode: (answer) => fromWire(answer, `${name} ${p.op}`),
      };
    },
    identify(info: PageInfo): { version: string } | { unavailable: string } {
      const device = ep === 'webgpu' ? info.webgpu : ep === 'webgl' ? info.webgl : 'WebAssembly, 1 thread';
      if (device === 'none') return { unavailable: `Chromium has no ${ep === 'webgpu' ? 'WebGPU adapter (navigator.gpu.requestAdapter() gave null)' : 'WebGL2 context'}` };
      return { version: `${String(info.ort)} (${String(device)})` };
    },
  };
}

/**
 * The ORT Web backend `name`, or why it is unavailable (no Chromium, with the install command; no
 * WebGPU adapter or WebGL2 context). Never rejects.
 * @example await ortWebAvailability('ort-web-webgpu')
 */
export async function ortWebAvailability(name: OrtWebName, options: BrowserBackendOptions = {}): Promise<BackendAvailability> {
  return browserAvailability(name, () => ortWebPlan(name), options);
}
