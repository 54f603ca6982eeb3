/**
 * Known discrepancies of TensorFlow.js 4.22 (tfjs-cpu, tfjs-wasm) against the ONNX spec, found by
 * running random Conv / ConvTranspose problems of every attribute through the tfjs adapter in exact
 * data mode (the reference was checked against the spec and ONNX Runtime first). Three wrong-answer
 * bugs, each a class of problems the predicates below recognise exactly (every failure seen was a
 * member; every non-member sampled matched the reference bit for bit):
 *
 * 1. tfjs-core's 3-D SAME padding forgets the clamp at zero (`conv_util.get3DPadAndOutInfo`:
 *    `padAlongDepth = (outDepth - 1) * strideDepth + filterDepth - inDepth`, no `max(0, ...)`; the
 *    2-D path got it in tfjs-core#1581). When the stride steps past the last input elements the
 *    total is negative, `front = floor(total/2)` is -1 and every window reads one element late:
 *    conv3d and conv3dTranspose with 'same' on the cpu and wasm backends.
 * 2. tfjs-wasm's conv2d / depthwiseConv2d (XNNPACK with TensorFlow SAME padding) return zeros or
 *    garbage under 'same' when that total is negative on an axis and the kernel is not 1x1
 *    (tfjs#5907, closed unfixed). conv1d is conv2d there.
 * 3. tfjs-wasm's conv3dTranspose (`NDHWCConv3DBackpropInputV2Impl`, tfjs-backend-wasm
 *    src/cc/conv3d_impl.h) computes its dy loop bounds wrong: the depth bound is
 *    `min(outDepth, filterDepth / strideDepth)` whatever the depth position, and with a stride > 1
 *    on any axis the C-style `DivCeil` / `DivFloor` of negative or offset corners skip taps.
 *    Some members read filter memory out of bounds instead of skipping taps, which happened to
 *    hold zeros in our runs (those members passed): every failure is a member, not every member fails.
 *
 * adapters/tfjs-known.test.ts runs each minimal descriptor on its backend and fails once it stops
 * reproducing, so this list stays true.
 *
 * Also seen, but outside any ONNX problem (so no record; adapters/tfjs.test.ts pins it): tf.conv2dTranspose
 * does not check its outputShape against x, filter and strides; too large a shape reads dy past its
 * end (NaN on cpu, other heap memory on wasm). The adapter derives the shape from the problem and
 * checks that the forward conv maps it back to x (adapters/tfjs/plan.ts).
 *
 * Checked and NOT reproducing in 4.22 (regression tests in adapters/tfjs.test.ts): conv2dTranspose
 * with 'same' and odd pad totals, depthwiseConv2d and conv1d with dilation, conv2d SAME with stride
 * > kernel on cpu (the 2-D clamp is there), explicit asymmetric pads, wasm vs cpu on every mapped
 * op outside the classes above.
 */
import type { ConvProblem } from '../problem/problem.ts';
import { convSamePadTotalUnclamped, outputSpatialShape, resolvePads } from '../problem/shape.ts';
import type { GradientPart } from '../problem/backend.ts';
import { matchKnownDiscrepancy, type KnownDiscrepancy } from '../problem/known-discrepancy.ts';
import { isTfjsBackendName, type TfjsBackendName } from './tfjs/engine.ts';
import { planTfjs } from './tfjs/plan.ts';

const SAME_3D_SUMMARY =
  "conv3d (and conv3dTranspose) with padding 'same' (ONNX SAME_UPPER) reads every window one element late on an axis where the stride steps past the last input elements: tfjs-core's 3-D SAME pad total (ceil(i/s)-1)·s + k - i is not clamped at 0 as the 2-D one is, so a total of -1 or -2 gives a begin pad of -1 instead of 0.";
const SAME_3D_UPSTREAM = 'tfjs-core src/ops/conv_util.ts get3DPadAndOutInfo (the 2-D getPadAndOutInfo got the clamp in https://github.com/tensorflow/tfjs-core/pull/1581)';

/** tfjs-cpu: conv3d / conv3dTranspose 'same' with a negative pad total shifts every window. */
export const TFJS_CPU_CONV3D_SAME_NEGATIVE_PAD: KnownDiscrepancy = {
  id: 'tfjs-cpu-conv3d-same-negative-pad',
  backend: 'tfjs-cpu',
  descriptor: 'mb1ic1id1ih1iw2oc1kd1kh1kw1sd1sh1sw2apU',
  summary: SAME_3D_SUMMARY,
  observed: 'y=[6] (x=[1,2], w=[3]: the window starts at x[1])',
  expected: 'y=[3] of shape [1,1,1,1,1] (SAME_UPPER pads 0: the one window starts at x[0])',
  upstream: SAME_3D_UPSTREAM,
  // the same pads reach the gradients of the same call
  matches: (p) => isConv3dSameWithNegativePad(p),
};

/** tfjs-wasm: the same tfjs-core pad arithmetic reaches the wasm conv3d kernel. */
export const TFJS_WASM_CONV3D_SAME_NEGATIVE_PAD: KnownDiscrepancy = {
  ...TFJS_CPU_CONV3D_SAME_NEGATIVE_PAD,
  id: 'tfjs-wasm-conv3d-same-negative-pad',
  backend: 'tfjs-wasm',
};

/** tfjs-wasm: XNNPACK conv2d / depthwiseConv2d with TensorFlow SAME padding and a negative pad total. */
export const TFJS_WASM_SAME_NEGATIVE_PAD: KnownDiscrepancy = {
  id: 'tfjs-wasm-xnnpack-same-negative-pad',
  backend: 'tfjs-wasm',
  descriptor: 'mb1ic1iw3oc1kw2sw3apU',
  summary: "conv1d / conv2d / depthwiseConv2d with padding 'same' (ONNX SAME_UPPER) return zeros or wrong values when on some axis the stride steps past the last input elements ((ceil(i/s)-1)·s + d·(k-1) + 1 - i < 0, where ONNX and tfjs-cpu pad 0) and the kernel is not 1x1: the wasm backend hands SAME to XNNPACK's TensorFlow-SAME mode, which mishandles that negative total.",
  observed: 'y=[0] (x=[1,2,3], w=[3,4])',
  expected: 'y=[11] of shape [1,1,1] (pads 0: 1·3 + 2·4)',
  upstream: 'https://github.com/tensorflow/tfjs/issues/5907 (conv2d "same" with stride > input gives all zeros on wasm; closed without a fix)',
  // conv2dTranspose's input gradient is an XNNPACK conv2d with the transposed op's 'same', over the transposed output
  matches: (p, part) => (part === undefined ? isXnnpackSameWithNegativePad(p)
    : part === 'input' && sameWithNegativeTotal(p, ['conv2dTranspose'], 'tfjs-wasm') && p.kernelShape.some((k: number) => k > 1)),
};

/** tfjs-wasm: conv3dTranspose's dy loop bounds. */
export const TFJS_WASM_CONV3D_TRANSPOSE_BOUNDS: KnownDiscrepancy = {
  id: 'tfjs-wasm-conv3d-transpose-loop-bounds',
  backend: 'tfjs-wasm',
  descriptor: 'Tmb1ic1id1ih1iw1oc1kd1kh1kw1sd1sh1sw2',
  summary: 'conv3dTranspose drops (or misplaces) taps whenever a stride is > 1 on any axis, or the input depth exceeds the depth begin pad + 1: the wasm kernel bounds the depth loop by min(inDepth, kd / sd) for every output depth, and its integer ceil/floor of negative or offset window corners skip taps once a stride is > 1 (tfjs-backend-wasm src/cc/conv3d_impl.h, NDHWCConv3DBackpropInputV2Impl). Also at stride 1: Tmb1ic1id2ih1iw1oc1kd1kh1kw1 gives y=[3,0] for x=[1,2], w=[3] (expected [3,6]).',
  observed: 'y=[0] (x=[1], w=[3])',
  expected: 'y=[3] of shape [1,1,1,1,1] (one input element times the 1x1x1 kernel)',
  upstream: 'none found; kernel source tfjs-backend-wasm/src/cc/conv3d_impl.h (added 2023 for tfjs 4.x)',
  // conv3d's input gradient runs the same kernel
  matches: (p, part) => (part === undefined ? isConv3dTransposeWithBrokenBounds(p) : part === 'input' && isConv3dInputGradWithBrokenBounds(p)),
};

/** tfjs-wasm: conv3d's weight gradient (Conv3DBackpropFilterV2) drops taps with a stride > 1. */
export const TFJS_WASM_CONV3D_FILTER_GRAD_BOUNDS: KnownDiscrepancy = {
  id: 'tfjs-wasm-conv3d-filter-grad-loop-bounds',
  backend: 'tfjs-wasm',
  descriptor: 'mb1ic1id1ih1iw3oc1kd1kh1kw1sd1sh1sw2',
  summary: 'The weight gradient of conv3d (kernel Conv3DBackpropFilterV2, what tf.grad runs) drops the last output position of a tap, or the first, on an axis with a stride > 1: the wasm kernel bounds the output loop by floor((i + pb - k)/s) where ceil is meant, and takes a C-style ceil of a negative pb - k (tfjs-backend-wasm src/cc/conv3d_impl.h, NDHWCConv3DBackpropFilterV2Impl).',
  observed: 'dW=[1] (x=[1,2,3], dy=[1,1]: only the window at x[0] is summed)',
  expected: 'dW=[4] of shape [1,1,1,1,1] (windows at x[0] and x[2]: 1·1 + 3·1)',
  upstream: 'none found; kernel source tfjs-backend-wasm/src/cc/conv3d_impl.h',
  matches: (p, part) => part === 'weight' && isConv3dFilterGradWithBrokenBounds(p),
};

/**
 * tfjs-wasm: a NaN output comes back as -Infinity. The wasm kernels clamp their outputs to the
 * activation range [-Inf, +Inf] with a max/min that returns the other operand when one is NaN
 * (WebAssembly SIMD's pseudo-min/max, as XNNPACK's f32 microkernels use them), so max(NaN, -Inf)
 * gives -Inf. Found by the special-values law; seen on conv1d, conv2d, depthwiseConv2d and conv3d,
 * in some kernel paths only (which microkernel runs depends on the shapes), so every failure is a
 * member but not every member fails. Matches only calls whose operands hold NaN or ±Inf.
 */
export const TFJS_WASM_NAN_TO_MINUS_INFINITY: KnownDiscrepancy = {
  id: 'tfjs-wasm-nan-clamped-to-minus-infinity',
  backend: 'tfjs-wasm',
  descriptor: 'mb1ic1iw1oc1kw1',
  summary: 'An output that IEEE 754 makes NaN (a NaN operand, Inf·0, Inf - Inf) comes back as -Infinity: the wasm kernels clamp outputs to [-Inf, +Inf] with a max that returns -Inf against a NaN (WebAssembly SIMD pseudo-max, as in XNNPACK\'s f32 microkernels); conv1d, conv2d, depthwiseConv2d and conv3d, in some kernel paths only.',
  observed: 'y=[-Infinity] (x=[-8], w=[NaN])',
  expected: 'y=[NaN] of shape [1,1,1] (-8·NaN; tfjs-cpu gives NaN)',
  upstream: 'none found; XNNPACK f32 microkernels clamp with wasm_f32x4_pmax / pmin (src/f32-gemm, src/f32-dwconv), and tfjs-backend-wasm passes the clamp range for a linear activation',
  matches: (p, part, data) => part === undefined && data?.nonFinite === true && ['conv1d', 'conv2d', 'depthwiseConv2d', 'conv3d'].includes(planOp(p)),
};

/** The tfjs op the wasm backend runs a problem with, or '' when it does not support it. */
function planOp(p: ConvProblem): string {
  const result = planTfjs(p, 'tfjs-wasm');
  return result.ok ? result.plan.op : '';
}

/** Every known tfjs discrepancy, in report order. */
export const TFJS_KNOWN_DISCREPANCIES: readonly KnownDiscrepancy[] = [
  TFJS_CPU_CONV3D_SAME_NEGATIVE_PAD, TFJS_WASM_CONV3D_SAME_NEGATIVE_PAD, TFJS_WASM_SAME_NEGATIVE_PAD, TFJS_WASM_CONV3D_TRANSPOSE_BOUNDS,
  TFJS_WASM_CONV3D_FILTER_GRAD_BOUNDS, TFJS_WASM_NAN_TO_MINUS_INFINITY,
];

/**
 * The input sizes of the forward conv whose SAME pads tfjs computes: the problem's input for a
 * conv, the transposed output `O` for a transposed conv (tfjs's transposed ops are backprops).
 */
function forwardInput(p: ConvProblem): readonly number[] {
  return p.op === 'conv' ? p.inputShape : outputSpatialShape(p);
}

/** Whether the adapter maps `p` onto one of `ops` with padding 'same' and some axis has a negative unclamped SAME total. */
function sameWithNegativeTotal(p: ConvProblem, ops: readonly string[], backend: TfjsBackendName): boolean {
  const result = planTfjs(p, backend);
  if (!result.ok || result.plan.padding !== 'same' || !ops.includes(result.plan.op)) return false;
  const dilations = p.op === 'conv' ? p.dilations : p.dilations.map(() => 1);
  return forwardInput(p).some((i, a) => convSamePadTotalUnclamped(i, p.kernelShape[a], p.strides[a], dilations[a]) < 0);
}

/** Class 1: mapped to conv3d / conv3dTranspose with 'same', and some axis's SAME total is negative. */
function isConv3dSameWithNegativePad(p: ConvProblem): boolean {
  return sameWithNegativeTotal(p, ['conv3d', 'conv3dTranspose'], 'tfjs-cpu'); // 3-D plans are the same on every backend
}

/** Class 2: mapped to conv1d / conv2d / depthwiseConv2d with 'same', a negative SAME total on some axis, and some kernel size > 1. */
function isXnnpackSameWithNegativePad(p: ConvProblem): boolean {
  return sameWithNegativeTotal(p, ['conv1d', 'conv2d', 'depthwiseConv2d'], 'tfjs-wasm') && p.kernelShape.some((k) => k > 1);
}

/**
 * Whether wasm's Conv3DBackpropInputV2 gets its loop bounds wrong for the forward conv with output
 * depth `outDepth`, depth begin pad `padFront` and `strides`: any stride > 1, or (stride 1 on
 * depth) an output depth above `padFront + 1`, where its depth bound `min(outDepth, kd)` is not
 * the window's `min(outDepth, d + 1 + padFront)` for every input depth d.
 */
function backpropInput3dBroken(outDepth: number, padFront: number, strides: readonly number[]): boolean {
  return strides.some((s) => s > 1) || outDepth > padFront + 1;
}

/** Class 3: mapped to conv3dTranspose with a stride > 1, or an input depth above the depth begin pad + 1. */
function isConv3dTransposeWithBrokenBounds(p: ConvProblem): boolean {
  const result = planTfjs(p, 'tfjs-wasm');
  if (!result.ok || result.plan.op !== 'conv3dTranspose') return false;
  return backpropInput3dBroken(p.inputShape[0], resolvePads(p).begin[0], p.strides);
}

/** The same kernel as class 3 as conv3d's input gradient: mapped to conv3d, stride > 1 or output depth above the depth begin pad + 1. */
function isConv3dInputGradWithBrokenBounds(p: ConvProblem): boolean {
  const result = planTfjs(p, 'tfjs-wasm');
  if (!result.ok || result.plan.op !== 'conv3d') return false;
  return backpropInput3dBroken(outputSpatialShape(p)[0], resolvePads(p).begin[0], p.strides);
}

/**
 * Whether wasm's Conv3DBackpropFilterV2 sums the wrong output positions for some tap: per axis and
 * kernel position k its output range is `[max(0, cdivCeil(pb - k, s)), min(o, cdiv(i + pb - k, s)))`
 * with C-style (truncating) division, where the taps inside the input are
 * `[max(0, ceil((pb - k)/s)), min(o, floor((i - 1 + pb - k)/s) + 1))`.
 */
function isConv3dFilterGradWithBrokenBounds(p: ConvProblem): boolean {
  const result = planTfjs(p, 'tfjs-wasm');
  if (!result.ok || result.plan.op !== 'conv3d') return false;
  const out = outputSpatialShape(p), pads = resolvePads(p);
  const range = (lo: number, hi: number): string => (hi <= lo ? 'empty' : `${lo}..${hi}`);
  return p.inputShape.some((i, a) => {
    const s = p.strides[a], pb = pads.begin[a];
    for (let k = 0; k < p.kernelShape[a]; k++) {
      const corner = pb - k;
      const kernelLo = Math.max(0, Math.trunc(corner / s) + (corner % s !== 0 ? 1 : 0));
      const kernelHi = Math.min(out[a], Math.trunc((i + corner) / s));
      const trueLo = Math.max(0, Math.ceil(corner / s));
      const trueHi = Math.min(out[a], Math.floor((i - 1 + corner) / s) + 1);
      if (range(kernelLo, kernelHi) !== range(trueLo, trueHi)) return true;
    }
    return false;
  });
}

/**
 * The records of one tfjs backend, in precedence order: on wasm a conv3dTranspose in both classes
 * 1 and 3 is class 3 (its kernel is wrong either way). tfjs-node has none: its kernels are
 * TensorFlow's C++ ones, never run here.
 */
export function tfjsKnownDiscrepancies(name: TfjsBackendName): readonly KnownDiscrepancy[] {
  switch (name) {
    case 'tfjs-cpu': return [TFJS_CPU_CONV3D_SAME_NEGATIVE_PAD];
    case 'tfjs-wasm': return [TFJS_WASM_CONV3D_TRANSPOSE_BOUNDS, TFJS_WASM_CONV3D_FILTER_GRAD_BOUNDS, TFJS_WASM_CONV3D_SAME_NEGATIVE_PAD, TFJS_WASM_SAME_NEGATIVE_PAD, TFJS_WASM_NAN_TO_MINUS_INFINITY];
    case 'tfjs-node': return [];
  }
}

/** The record of backend `name` (a tfjs one, else none) that explains a wrong answer on `p` (its `part` gradient when given), or undefined. */
export function knownTfjsDiscrepancy(name: string, p: ConvProblem, part?: GradientPart): KnownDiscrepancy | undefined {
  return isTfjsBackendName(name) ? matchKnownDiscrepancy(tfjsKnownDiscrepancies(name), p, part) : undefined;
}
