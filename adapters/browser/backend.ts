/**
 * A browser backend from its plan: what it supports, how one problem becomes one request to its
 * bundle's page, and how the answer becomes the output. Everything else is shared here: the
 * availability check (Chromium found, the page opens, the device is there), the time limit of a
 * request, the error messages, and the browser's lifetime (retained on creation, released on
 * dispose). Plans: adapters/tfjs-browser.ts (tfjs-webgl, tfjs-webgpu) and adapters/ort-web.ts
 * (ort-web-wasm, ort-web-webgl, ort-web-webgpu, ort-web-webgpu-native).
 */
import {
  UnsupportedError, type Backend, type BackendAvailability, type CallOptions, type ConvGradients, type GradientPart, type Support,
} from '../../problem/backend.ts';
import { errorMessage } from '../../compare/backend-call.ts';
import { formatDescriptor } from '../../problem/descriptor.ts';
import type { KnownDiscrepancy } from '../../problem/known-discrepancy.ts';
import { checkOperands, type ConvOperands } from '../../problem/operands.ts';
import type { Precision } from '../../problem/precision.ts';
import type { ConvProblem } from '../../problem/problem.ts';
import type { Tensor } from '../../problem/tensor.ts';
import type { PageInfo } from './bundle-page.ts';
import { findChromium } from './chromium.ts';
import { bundlePage, releaseBrowserHost, retainBrowserHost, type BundleSpec } from './host.ts';

/** One request to a page runtime: `window.convcheck[method](request)`, and how its answer becomes a tensor. */
export interface PageRequest {
  readonly method: string;
  readonly request: unknown;
  decode(answer: Readonly<Record<string, unknown>>): Tensor;
}

/** What a browser backend is, beside the shared machinery. */
export interface BrowserBackendPlan {
  readonly name: string;
  readonly bundle: BundleSpec;
  readonly precision: Precision;
  readonly knownDiscrepancies: readonly KnownDiscrepancy[];
  /** Whether the backend can run `p`; must not throw. */
  supports(p: ConvProblem): Support;
  /** The request that runs supported problem `p` (operands checked). */
  forward(p: ConvProblem, operands: ConvOperands): PageRequest;
  /** Optional gradients: which parts it supports and the request for one. */
  readonly gradients?: {
    supports(p: ConvProblem, part: GradientPart): Support;
    request(p: ConvProblem, part: GradientPart, operands: { readonly x: Tensor; readonly w: Tensor }, dy: Tensor): PageRequest;
  };
  /** From what the page said when ready: the version string, or why the backend cannot run there. */
  identify(info: PageInfo): { readonly version: string } | { readonly unavailable: string };
}

/** Options of {@link createBrowserBackend}. */
export interface BrowserBackendOptions {
  /** Time limit of one request in the page (default 50 s, below the runner's 60 s). */
  readonly requestTimeoutMs?: number;
}

/** Default time limit of one page request. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 50_000;

/**
 * The backend of `plan`, or why it is unavailable here: Chromium missing (with the install
 * command), the page failing to open, or the device missing (the plan's `identify`). Opens the
 * bundle's page (launching Chromium once per process). Never rejects.
 */
export async function createBrowserBackend(plan: BrowserBackendPlan, options: BrowserBackendOptions = {}): Promise<BackendAvailability> {
  const chromium = findChromium();
  if (!chromium.found) return { available: false, name: plan.name, reason: `${plan.name}: ${chromium.reason}` };
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const page = bundlePage(plan.bundle);
  retainBrowserHost();
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    await releaseBrowserHost();
  };
  let identity;
  try {
    identity = plan.identify(await page.info());
  } catch (error) {
    await release();
    return { available: false, name: plan.name, reason: `${plan.name}: ${errorMessage(error)}` };
  }
  if ('unavailable' in identity) {
    await release();
    return { available: false, name: plan.name, reason: `${plan.name}: ${identity.unavailable}` };
  }

  const send = async (p: ConvProblem, what: string, r: PageRequest, call: CallOptions | undefined): Promise<Tensor> => {
    let answer;
    try {
      answer = await page.call(r.method, r.request, timeoutMs, call?.started);
    } catch (error) {
      throw new Error(`${plan.name} failed on ${what}${formatDescriptor(p)}: ${errorMessage(error)}`, { cause: error });
    }
    return r.decode(answer);
  };

  const planGradients = plan.gradients;
  let gradients: ConvGradients | undefined;
  if (planGradients !== undefined) {
    const part = (g: GradientPart): ConvGradients['input'] => async (p, operands, dy, call) => {
      const support = planGradients.supports(p, g);
      if (!support.supported) throw new UnsupportedError(support.reason);
      return send(p, `the ${g} gradient of `, planGradients.request(p, g, operands, dy), call);
    };
    gradients = { supports: (p, part) => planGradients.supports(p, part), input: part('input'), weight: part('weight') };
  }

  const backend: Backend = {
    name: plan.name,
    version: identity.version,
    precision: plan.precision,
    knownDiscrepancies: plan.knownDiscrepancies,
    supports: (p) => plan.supports(p),
    // the page runs one call at a time (bundle-page.ts), so calls may overlap
    queuesCalls: true,
    async run(p: ConvProblem, operands: ConvOperands, call?: CallOptions): Promise<Tensor> {
      const support = plan.supports(p);
      if (!support.supported) throw new UnsupportedError(support.reason);
      checkOperands(p, operands);
      return send(p, '', plan.forward(p, operands), call);
    },
    ...(gradients !== undefined ? { gradients } : {}),
    dispose: release,
  };
  return { available: true, backend };
}

/**
 * The backend of the plan `makePlan` builds, or why it is unavailable: the plan itself cannot be
 * made (a bundle's npm package is missing), or {@link createBrowserBackend}'s reasons. Never rejects.
 */
export async function browserAvailability(name: string, makePlan: () => BrowserBackendPlan, options: BrowserBackendOptions = {}): Promise<BackendAvailability> {
  let plan: BrowserBackendPlan;
  try {
    plan = makePlan();
  } catch (error) {
    return { available: false, name, reason: `${name}: ${errorMessage(error)}` };
  }
  return createBrowserBackend(plan, options);
}
