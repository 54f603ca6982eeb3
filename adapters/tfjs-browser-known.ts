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
 * tfjs-webgl's packed depthwise shader adds and subtracts an epsilon of 1e-15, so outputs that cancel
 * to exactly 0 come back as -1e-15 (seen in exact data only; a correct fp32 sum gives 0).
 *
 * adapters/tfjs-browser-known.test.ts runs each minimal descriptor on its backend and fails once
 * it stops reproducing, and checks on random problems that members fail and non-members agree.
 */
import type { KnownDiscrepancy } from '../problem/known-discrepancy.ts';
import { subnormalFlushRecord } from './ort-web-known.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { planTfjs } from './tfjs/plan.ts';
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

/** tfjs-webgl: the packed depthwise shader's epsilon. */
export const TFJS_WEBGL_DEPTHWISE_PACKED_EPSILON: KnownDiscrepancy = {
  id: 'tfjs-webgl-depthwise-packed-epsilon',
  backend: 'tfjs-webgl',
  descriptor: 'g2mb1ic2ih2iw2oc2kh2kw2',
  summary: 'depthwiseConv2d with channel multiplier 1 and a width stride <= 2 runs the packed depthwise shader (DepthwiseConvPacked2DProgram, WEBGL_PACK_DEPTHWISECONV), which starts its sums at 1e-15 and subtracts 1e-15 at the end ("intialize dotProd with a small epsilon seems to reduce GPU accuracy loss"): once a product of magnitude >= 2^-26 has absorbed the epsilon, an output whose exact sum is 0 comes back as -1e-15. Off by 1e-15 absolute, invisible beside any nonzero output, but never the bit-exact 0 an fp32 sum of these integers is; only outputs that cancel to 0 show it, so not every member fails.',
  observed: 'y=[-1e-15, 0] (x=[1,-1,1,-1, 0,0,0,0], w all 1: channel 0 sums 1-1+1-1)',
  expected: 'y=[0,0] of shape [1,2,1,1]',
  upstream: 'tfjs-backend-webgl src/conv_packed_gpu_depthwise.ts (and conv_packed_gpu.ts, behind WEBGL_EXP_CONV, off by default)',
  matches: (p, part) => part === undefined && isWebglPackedDepthwise(p),
};

/** Whether tfjs-webgl runs `p` on its packed depthwise shader: depthwiseConv2d, multiplier 1, width stride <= 2. */
export function isWebglPackedDepthwise(p: ConvProblem): boolean {
  const result = planTfjs(p, 'tfjs-webgl');
  return result.ok && result.plan.op === 'depthwiseConv2d' && result.plan.multiplier === 1 && result.plan.strides[result.plan.strides.length - 1] <= 2;
}

/** Every tfjs browser record, in report order. */
/** Subnormals flushed on tfjs's GPU backends (the shaders' flush-to-zero, see ort-web-known.ts). */
export const TFJS_WEBGL_SUBNORMALS = subnormalFlushRecord('tfjs-webgl', 'mb1ic1iw1oc1kw1', 'y=[0] (x=[2^-140], w=[2^20])', 'y=[2^-120]');
export const TFJS_WEBGPU_SUBNORMALS = subnormalFlushRecord('tfjs-webgpu', 'mb1ic1iw1oc1kw1', 'y=[0] (x=[2^-140], w=[2^20])', 'y=[2^-120]');

export const TFJS_BROWSER_KNOWN_DISCREPANCIES: readonly KnownDiscrepancy[] = [
  TFJS_WEBGL_CONV3D_SAME_NEGATIVE_PAD, TFJS_WEBGL_DEPTHWISE_PACKED_EPSILON, TFJS_WEBGL_SUBNORMALS, TFJS_WEBGPU_CONV3D_SAME_NEGATIVE_PAD, TFJS_WEBGPU_SUBNORMALS,
];

/** The records of one tfjs browser backend, in precedence order. */
export function tfjsBrowserKnownDiscrepancies(name: TfjsBrowserName): readonly KnownDiscrepancy[] {
  return TFJS_BROWSER_KNOWN_DISCREPANCIES.filter((r) => r.backend === name);
}
