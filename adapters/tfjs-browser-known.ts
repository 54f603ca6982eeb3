/**
 * Known discrepancies of TensorFlow.js 4.22's GPU backends (tfjs-webgl, tfjs-webgpu) against the
 * ONNX spec, found by running the laws on them in headless Chromium (adapters/tfjs-browser.ts).
 *
 * tfjs-core's 3-D SAME pad arithmetic (adapters/tfjs-known.ts, class 1: `get3DPadAndOutInfo`
 * without the clamp at 0) is in the op, not the kernel, so it reaches both GPU backends: conv3d
 * and conv3dTranspose with 'same' read every window one element late when the stride steps past
 * the last input elements. The GPU kernels then read the shifted window like cpu does (y=[6] on
 * the minimal problem).
 *
 * adapters/tfjs-browser-known.test.ts runs each minimal descriptor on its backend and fails once
 * it stops reproducing, and checks on random problems that members fail and non-members agree.
 */
import type { KnownDiscrepancy } from '../problem/known-discrepancy.ts';
import { TFJS_CPU_CONV3D_SAME_NEGATIVE_PAD } from './tfjs-known.ts';
import type { TfjsBrowserName } from './tfjs-browser.ts';

/** tfjs-webgl: tfjs-core's 3-D SAME pads reach the WebGL conv3d kernels. */
export const TFJS_WEBGL_CONV3D_SAME_NEGATIVE_PAD: KnownDiscrepancy = {
  ...TFJS_CPU_CONV3D_SAME_NEGATIVE_PAD,
  id: 'tfjs-webgl-conv3d-same-negative-pad',
  backend: 'tfjs-webgl',
};

/** tfjs-webgpu: the same through the WebGPU conv3d kernels. */
export const TFJS_WEBGPU_CONV3D_SAME_NEGATIVE_PAD: KnownDiscrepancy = {
  ...TFJS_CPU_CONV3D_SAME_NEGATIVE_PAD,
  id: 'tfjs-webgpu-conv3d-same-negative-pad',
  backend: 'tfjs-webgpu',
};

/** Every tfjs browser record, in report order. */
export const TFJS_BROWSER_KNOWN_DISCREPANCIES: readonly KnownDiscrepancy[] = [TFJS_WEBGL_CONV3D_SAME_NEGATIVE_PAD, TFJS_WEBGPU_CONV3D_SAME_NEGATIVE_PAD];

/** The records of one tfjs browser backend, in precedence order. */
export function tfjsBrowserKnownDiscrepancies(name: TfjsBrowserName): readonly KnownDiscrepancy[] {
  return TFJS_BROWSER_KNOWN_DISCREPANCIES.filter((r) => r.backend === name);
}
