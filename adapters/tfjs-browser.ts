/**
 * TensorFlow.js's GPU backends as convcheck backends, run in headless Chromium
 * (adapters/browser/): `tfjs-webgl` (WebGL2 shaders; on a machine without a GPU, ANGLE over
 * SwiftShader) and `tfjs-webgpu` (@tensorflow/tfjs-backend-webgpu's WGSL compute shaders, on
 * SwiftShader's Vulkan). The plan is the Node tfjs adapters' (adapters/tfjs/plan.ts decides which op
 * with which arguments, adapters/tfjs/call.ts lays the operands out); the page makes that one call
 * and adds the bias. CPU forwarding of small ops is off in the page, so the GPU kernel is what
 * answers.
 *
 * Precision: fp32. WebGL renders to float32 textures (WEBGL_RENDER_FLOAT32_ENABLED, highp floats
 * of 23 bits on SwiftShader) and WebGPU computes in f32; adapters/tfjs-browser.test.ts holds both
 * to the fp32 bound on real data, where an fp16 or mediump path would be over it.
 */
import type { BackendAvailability, GradientPart } from '../problem/backend.ts';
import type { ConvProblem } from '../problem/problem.ts';
import type { ConvOperands } from '../problem/operands.ts';
import type { Tensor } from '../problem/tensor.ts';
import { browserAvailability, type BrowserBackendOptions, type BrowserBackendPlan, type PageRequest } from './browser/backend.ts';
import { packageVersion, tfjsBundle } from './browser/bundles.ts';
import type { PageInfo } from './browser/bundle-page.ts';
import { fromWire, toWire } from './browser/wire.ts';
import { fromCallFilter, fromCallInput, fromCallOutput, padArgument, toCallOperands, transposeOutputShape } from './tfjs/call.ts';
import { planTfjs, type TfjsPlan } from './tfjs/plan.ts';
import { tfjsBrowserKnownDiscrepancies } from './tfjs-browser-known.ts';
import { tfjsConvGradientSupport, tfjsSupport } from './tfjs.ts';

/** The tfjs browser backends, by convcheck name, and the tfjs backend each activates in the page. */
export const TFJS_BROWSER_BACKENDS = { 'tfjs-webgl': 'webgl', 'tfjs-webgpu': 'webgpu' } as const;

/** `tfjs-webgl` or `tfjs-webgpu`. */
export type TfjsBrowserName = keyof typeof TFJS_BROWSER_BACKENDS;

/** Whether `name` is a tfjs browser backend. */
export function isTfjsBrowserName(name: string): name is TfjsBrowserName {
  return Object.hasOwn(TFJS_BROWSER_BACKENDS, name);
}

/** The op call as the page makes it: the plan's op and arguments, with the padding and output shape in tfjs's form. */
function pageCall(plan: TfjsPlan, call: { readonly x: Tensor; readonly filter: Tensor }): Record<string, unknown> {
  const rank = plan.callRank;
  const outputShape = plan.outputShape === undefined ? undefined : transposeOutputShape(plan, call.x.shape, call.filter.shape);
  return { op: plan.op, strides: plan.strides, dilations: plan.dilations, pad: padArgument(plan.padding, rank), ...(outputShape ? { outputShape } : {}) };
}

function mustPlan(p: ConvProblem, name: TfjsBrowserName): TfjsPlan {
  const result = planTfjs(p, name);
  if (!result.ok) throw new Error(result.reason); // run() checked support first
  return result.plan;
}

/** The plan of tfjs backend `name`. */
export function tfjsBrowserPlan(name: TfjsBrowserName): BrowserBackendPlan {
  return {
    name,
    bundle: tfjsBundle(),
    precision: 'fp32',
    knownDiscrepancies: tfjsBrowserKnownDiscrepancies(name),
    supports: (p) => tfjsSupport(p, name),
    forward(p: ConvProblem, operands: ConvOperands): PageRequest {
      const plan = mustPlan(p, name);
      const call = toCallOperands(p, plan, operands);
      return {
        method: 'run',
        request: { backend: name, call: pageCall(plan, call), x: toWire(call.x), filter: toWire(call.filter), ...(operands.b !== undefined ? { bias: toWire(operands.b) } : {}) },
        decode: (answer) => fromCallOutput(plan, fromWire(answer, `${name} ${plan.op}`)),
      };
    },
    gradients: {
      supports: tfjsConvGradientSupport(name),
      request(p: ConvProblem, part: GradientPart, operands: { readonly x: Tensor; readonly w: Tensor }, dy: Tensor): PageRequest {
        const plan = mustPlan(p, name);
        const call = toCallOperands(p, plan, operands);
        const dyCall = toCallOperands(p, plan, { x: dy, w: operands.w }).x; // dy in the call's layout, like x
        return {
          method: 'gradient',
          request: { backend: name, part, call: pageCall(plan, call), x: toWire(call.x), filter: toWire(call.filter), dy: toWire(dyCall) },
          decode: (answer) => {
            const got = fromWire(answer, `${name} ${part} gradient of ${plan.op}`);
            return part === 'input' ? fromCallInput(plan, got) : fromCallFilter(p, plan, got, operands.w.shape);
          },
        };
      },
    },
    identify(info: PageInfo): { version: string } | { unavailable: string } {
      const backends = info.backends as Record<string, { ok: boolean; error?: string; device?: string; missingKernels?: string[] }> | undefined;
      const mine = backends?.[name];
      if (mine === undefined || !mine.ok) return { unavailable: `tfjs backend '${TFJS_BROWSER_BACKENDS[name]}' did not initialise in Chromium: ${mine?.error ?? 'no answer'}` };
      if (mine.missingKernels !== undefined && mine.missingKernels.length > 0) return { unavailable: `tfjs backend '${TFJS_BROWSER_BACKENDS[name]}' lacks kernels ${mine.missingKernels.join(', ')}` };
      const version = name === 'tfjs-webgpu' ? packageVersion('@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js') : String(info.tfjs);
      return { version: `${version} (${mine.device ?? 'unknown device'})` };
    },
  };
}

/**
 * The tfjs browser backend `name`, or why it is unavailable (no Chromium, with the install command;
 * no WebGL2 or WebGPU device). Never rejects.
 * @example await tfjsBrowserAvailability('tfjs-webgpu')
 */
export async function tfjsBrowserAvailability(name: TfjsBrowserName, options: BrowserBackendOptions = {}): Promise<BackendAvailability> {
  return browserAvailability(name, () => tfjsBrowserPlan(name), options);
}
