/**
 * Known discrepancies of ONNX Runtime Web 1.30 against the ONNX spec, per execution provider, found
 * by running the laws on adapters/ort-web.ts in headless Chromium (exact data, shrunk), and what
 * each provider cannot express (`ortWebLimit`, plain unsupported).
 *
 * Wrong answers:
 * 1. `ort-web-webgpu` (JSEP) and `ort-web-webgl` compute Conv SAME_UPPER / SAME_LOWER pads with
 *    `PoolConvUtil.adjustPadAndReturnShape` (js/web/lib/wasm/jsep/util.ts and its onnxjs copy
 *    js/web/lib/onnxjs/util.ts): `padNeeded = (ceil(i/s) - 1)·s + k - i` is not clamped at 0, so when
 *    the stride steps past the last input elements the begin pad is -1 (SAME_UPPER: floor(t/2);
 *    SAME_LOWER: floor((t+1)/2), so there from t <= -2) and every window reads one element late.
 *    JSEP's 3-D path (conv3d_naive_webgpu.ts `get3DPadAndOutInfo`, from tfjs) has the same
 *    unclamped SAME_UPPER total.
 * 2. `ort-web-webgpu`: 3-D Conv ignores `group` (conv3d_naive_webgpu.ts sums over every input
 *    channel with `getW(d2, d1, ...)`, reading the weight `[M, C/group, ...]` as `[M, C, ...]`).
 * 3. `ort-web-webgpu`: ConvTranspose with 2 input and 1 output channel per group returns zeros, the
 *    bias included (conv_backprop_webgpu.ts: inputChannelsPerGroup 2 gives aComponents 2 and
 *    outputChannelsPerGroup 1 makes bComponents = aComponents, so the weight is read as vec2 in the
 *    per-channel branch; the output is never written, most likely a shader that does not compile).
 * 4. `ort-web-webgpu`: ConvTranspose with asymmetric pads (explicit, SAME_LOWER's or output_shape's)
 *    uses `floor((begin + end) / 2)` as the begin pad on each axis (conv_backprop_webgpu.ts:
 *    `pads = effectiveFilterDims - 1 - floor((pads[0] + pads[2]) / 2)`): the output is shifted
 *    wherever that differs from the begin pad.
 *
 * 7. `ort-web-webgl`: ConvTranspose with output_shape keeps the pads attribute (NOTSET), and its
 *    SAME total leaves out output_padding: it crops at the wrong begin pad.
 * 8. `ort-web-webgpu-native`: grouped ConvTranspose with 1 output channel per group and an even
 *    number of input channels per group is wrong past the first group.
 * 6. `ort-web-webgpu`: Conv with zero begin pads and end pads > 0 whose kernel is 1x1 (strides and
 *    dilations 1) or the size of the input runs as a matrix product that never sees the end pads
 *    (conv.ts tests `attributes.pads[0]` and `pads[1]`, the two begin pads).
 * 5. `ort-web-webgl` and `ort-web-webgpu`: ConvTranspose SAME_* with output_padding > 0 (no
 *    output_shape) returns an output of i·s + output_padding: onnx.js's conv-transpose.ts (and
 *    JSEP's copy) passes the pads where computeTotalPad takes output_padding.
 *
 * Refusals (reported unsupported, naming the record): Conv SAME_* with a dilation > 1 on every
 * provider (the C++ check of onnxruntime-node and the JavaScript copy in adjustPadAndReturnShape);
 * ConvTranspose with output_padding >= stride on wasm and the native WebGPU provider (the C++
 * check of adapters/onnxruntime-known.ts); ConvTranspose SAME_* with output_padding and a positive
 * total pad on wasm, JSEP and native (session creation fails in ORT Web's shape inference, where
 * onnxruntime-node 1.30 runs the model).
 *
 * adapters/ort-web-known.test.ts runs each minimal descriptor on its backend and fails once it
 * stops reproducing, and checks on random problems that members fail and non-members agree.
 */
import type { ConvProblem } from '../problem/problem.ts';
import type { KnownDiscrepancy } from '../problem/known-discrepancy.ts';
import { convSamePadTotalUnclamped, effectiveKernelSize, resolvePads, splitPadding } from '../problem/shape.ts';
import {
  isConvSameWithDilation, isConvTransposeOutputPaddingAtLeastStride, ORT_CONV_SAME_DILATION, ORT_CONV_TRANSPOSE_OUTPUT_PADDING,
} from './onnxruntime-known.ts';
import type { OrtWebName } from './ort-web.ts';

const JS_SAME_DILATION = 'error: "Dilation not supported for SAME_UPPER or SAME_LOWER" (x=[1,2], w=[3,4])';

/** Conv SAME_* with dilation refused, one record per provider (the same class as onnxruntime-node's). */
function sameDilationRecord(backend: OrtWebName, observed: string): KnownDiscrepancy {
  return { ...ORT_CONV_SAME_DILATION, id: `${backend}-conv-same-dilation-refused`, backend, observed };
}

export const ORT_WEB_WASM_CONV_SAME_DILATION = sameDilationRecord('ort-web-wasm', ORT_CONV_SAME_DILATION.observed.replace('error: ', 'error: "failed to call OrtRun()" with '));
export const ORT_WEB_WEBGPU_NATIVE_CONV_SAME_DILATION = sameDilationRecord('ort-web-webgpu-native', ORT_CONV_SAME_DILATION.observed.replace('error: ', 'error: "failed to call OrtRun()" with '));
export const ORT_WEB_WEBGPU_CONV_SAME_DILATION = sameDilationRecord('ort-web-webgpu', JS_SAME_DILATION);
/** The WebGL provider is 2-D only, so its minimal problem is 2-D. */
export const ORT_WEB_WEBGL_CONV_SAME_DILATION: KnownDiscrepancy = {
  ...sameDilationRecord('ort-web-webgl', JS_SAME_DILATION), descriptor: 'mb1ic1ih1iw2oc1kh1kw2dh1dw2apU',
  expected: 'y=[8,3] of shape [1,1,1,2] (pads 1,1 on width; taps at 0 and 2 of [0,1,2,0])',
};

/** ConvTranspose output_padding >= stride refused by the C++ shape check (wasm and the native WebGPU provider). */
function outputPaddingRecord(backend: OrtWebName): KnownDiscrepancy {
  return {
    ...ORT_CONV_TRANSPOSE_OUTPUT_PADDING, id: `${backend}-convtranspose-output-padding-ge-stride-refused`, backend,
    observed: ORT_CONV_TRANSPOSE_OUTPUT_PADDING.observed.replace('error: ', 'error: "failed to call OrtRun()" with '),
  };
}

export const ORT_WEB_WASM_CONV_TRANSPOSE_OUTPUT_PADDING = outputPaddingRecord('ort-web-wasm');
export const ORT_WEB_WEBGPU_NATIVE_CONV_TRANSPOSE_OUTPUT_PADDING = outputPaddingRecord('ort-web-webgpu-native');

const SAME_NEGATIVE_SUMMARY = (where: string): string =>
  `Conv with auto_pad SAME_UPPER or SAME_LOWER reads every window one element late on an axis where the stride steps past the last input elements: ${where} computes the total pad (ceil(i/s)-1)·s + k - i without the clamp at 0 (ONNX pads 0 there), so its begin pad (SAME_UPPER floor(t/2), SAME_LOWER floor((t+1)/2)) is -1 for a total of -1 (SAME_UPPER) or -2.`;

/** JSEP: SAME pads with a negative total (1-D, 2-D, and 3-D SAME_UPPER). */
export const ORT_WEB_WEBGPU_SAME_NEGATIVE_PAD: KnownDiscrepancy = {
  id: 'ort-web-webgpu-same-negative-pad',
  backend: 'ort-web-webgpu',
  descriptor: 'mb1ic1iw2oc1kw1sw2apU',
  summary: SAME_NEGATIVE_SUMMARY("ORT's JavaScript WebGPU kernels (PoolConvUtil.adjustPadAndReturnShape in js/web/lib/wasm/jsep/util.ts; the 3-D conv's get3DPadAndOutInfo in conv3d_naive_webgpu.ts for SAME_UPPER)"),
  observed: 'y=[6] (x=[1,2], w=[3]: the window starts at x[1])',
  expected: 'y=[3] of shape [1,1,1] (SAME_UPPER pads 0: the one window starts at x[0])',
  upstream: 'none found; kernel source js/web/lib/wasm/jsep/util.ts (PoolConvUtil.adjustPadAndReturnShape)',
  matches: (p, part) => part === undefined && isJsSameWithNegativeBeginPad(p, [1, 2, 3]),
};

/** onnx.js WebGL: the same pad arithmetic (the copy in js/web/lib/onnxjs/util.ts). */
export const ORT_WEB_WEBGL_SAME_NEGATIVE_PAD: KnownDiscrepancy = {
  ...ORT_WEB_WEBGPU_SAME_NEGATIVE_PAD,
  id: 'ort-web-webgl-same-negative-pad',
  backend: 'ort-web-webgl',
  descriptor: 'mb1ic1ih1iw2oc1kh1kw1sh1sw2apU',
  summary: SAME_NEGATIVE_SUMMARY("the WebGL provider (PoolConvUtil.adjustPadAndReturnShape in js/web/lib/onnxjs/util.ts, the copy JSEP's is kept in sync with)"),
  expected: 'y=[3] of shape [1,1,1,1] (SAME_UPPER pads 0: the one window starts at x[0])',
  upstream: 'none found; kernel source js/web/lib/onnxjs/util.ts (PoolConvUtil.adjustPadAndReturnShape)',
  matches: (p, part) => part === undefined && isJsSameWithNegativeBeginPad(p, [2]),
};

/** JSEP: 3-D Conv ignores groups. */
export const ORT_WEB_WEBGPU_CONV3D_GROUPS_IGNORED: KnownDiscrepancy = {
  id: 'ort-web-webgpu-conv3d-group-ignored',
  backend: 'ort-web-webgpu',
  descriptor: 'g2mb1ic2id1ih1iw1oc2kd1kh1kw1',
  summary: "3-D Conv with group > 1 is computed as if every output channel read every input channel: ORT's JavaScript WebGPU 3-D conv (conv3d_naive_webgpu.ts, Conv3DNaive) loops over all C input channels and reads the weight [M, C/group, kd, kh, kw] as [M, C, kd, kh, kw], so grouped and depthwise 3-D convs mix channels and read past each filter.",
  observed: 'y=[11,4] (x=[1,2], w=[3,4]: channel 0 sums 1·3 + 2·4, channel 1 reads 1·4 and a weight past the end)',
  expected: 'y=[3,8] of shape [1,2,1,1,1] (one channel per group: 1·3 and 2·4)',
  upstream: 'none found; kernel source js/web/lib/wasm/jsep/webgpu/ops/3rd-party/conv3d_naive_webgpu.ts',
  matches: (p, part) => part === undefined && p.op === 'conv' && p.inputShape.length === 3 && p.group > 1,
};

/** JSEP: ConvTranspose with 2 input and 1 output channel per group gives zeros. */
export const ORT_WEB_WEBGPU_CONV_TRANSPOSE_TWO_TO_ONE: KnownDiscrepancy = {
  id: 'ort-web-webgpu-convtranspose-2-to-1-channel-zeros',
  backend: 'ort-web-webgpu',
  descriptor: 'Tmb1ic2iw1oc1kw1',
  summary: "ConvTranspose with exactly 2 input channels and 1 output channel per group returns all zeros, bias included: ORT's JavaScript WebGPU ConvTranspose (conv_backprop_webgpu.ts) vectorises the 2 input channels (aComponents 2) and, for 1 output channel per group, sets bComponents = aComponents, so the per-channel branch reads the weight as vec2 where it accumulates a scalar; the output buffer is never written (most likely a shader that fails to compile). Other channel counts (1 or >= 3 in, or >= 2 out per group) are right.",
  observed: 'y=[0] (x=[1,2], w=[3,4]; with a bias b=[1] also y=[0])',
  expected: 'y=[11] of shape [1,1,1] (1·3 + 2·4)',
  upstream: 'none found; kernel source js/web/lib/wasm/jsep/webgpu/ops/3rd-party/conv_backprop_webgpu.ts (createConvTranspose2DProgramInfo)',
  matches: (p, part) => part === undefined && p.op === 'convTranspose' && p.inputShape.length <= 2
    && p.inChannels / p.group === 2 && p.outChannels / p.group === 1,
};

/** JSEP: ConvTranspose takes floor((begin + end) / 2) as its begin pad. */
export const ORT_WEB_WEBGPU_CONV_TRANSPOSE_ASYMMETRIC_PADS: KnownDiscrepancy = {
  id: 'ort-web-webgpu-convtranspose-asymmetric-pads',
  backend: 'ort-web-webgpu',
  descriptor: 'Tmb1ic1iw3oc1kw2pw1ew0',
  summary: "ConvTranspose crops the full output at the wrong place: ORT's JavaScript WebGPU ConvTranspose averages the begin and end pads (conv_backprop_webgpu.ts: pads = effectiveFilterDims - 1 - floor((pads[0] + pads[2]) / 2)), so unequal pads (explicit, or SAME_LOWER's with an odd total) crop at floor((begin + end)/2); and with output_shape and auto_pad NOTSET, VALID or SAME_LOWER it keeps the pads attribute (or 0) instead of deriving the pads from output_shape. Wrong wherever the begin pad it uses differs from ONNX's; 1-D problems with output_shape only after a 2-D ConvTranspose of the same shape ran in the page (right when run alone: history-dependent, so not every member fails).",
  observed: 'y=[3,10,17] (x=[1,2,3], w=[3,4]: the full output [3,10,17,12] cropped at 0)',
  expected: 'y=[10,17,12] of shape [1,1,3] (the full output cropped by 1 at the beginning, 0 at the end)',
  upstream: 'none found; kernel source js/web/lib/wasm/jsep/webgpu/ops/3rd-party/conv_backprop_webgpu.ts (createConvTranspose2DProgramInfo)',
  matches: (p, part) => part === undefined && isConvTransposeWithAveragedPadsWrong(p),
};

const SAME_OUTPUT_PADDING_REFUSED_SUMMARY = "ConvTranspose with auto_pad SAME_UPPER or SAME_LOWER, no output_shape, and an axis with output_padding > 0 and a positive total pad (output_padding + d·(k-1) + 1 - s > 0) is refused when the session is created: ORT Web's graph shape inference infers another output size than ONNX's i·s (\"[ShapeInferenceError] Can't merge shape info ... Inferred=3 Declared=2\" on the minimal problem). onnxruntime-node 1.30 runs the same model and gives the spec's answer.";

/** ConvTranspose SAME with output_padding refused at session creation (the C++ graph's shape inference; wasm, JSEP and native alike). */
function sameOutputPaddingRecord(backend: OrtWebName): KnownDiscrepancy {
  return {
    id: `${backend}-convtranspose-same-output-padding-refused`,
    backend,
    descriptor: 'Tmb1ic1iw1oc1kw2sw2opw1apU',
    summary: SAME_OUTPUT_PADDING_REFUSED_SUMMARY,
    observed: 'error: "Can\'t create a session ... [ShapeInferenceError] Can\'t merge shape info. Both inferred and declared dimension have values but they differ. Inferred=3 Declared=2" (x=[1], w=[3,4])',
    expected: 'y=[3,4] of shape [1,1,2] (output i·s = 2; total pad 1: the full output [3,4,0] cropped at the end)',
    upstream: 'none found; onnxruntime-node 1.30 (the same version) runs the model',
    matches: (p, part) => part === undefined && isConvTransposeSameOutputPaddingRefused(p),
  };
}

export const ORT_WEB_WASM_CONV_TRANSPOSE_SAME_OUTPUT_PADDING = sameOutputPaddingRecord('ort-web-wasm');
export const ORT_WEB_WEBGPU_CONV_TRANSPOSE_SAME_OUTPUT_PADDING = sameOutputPaddingRecord('ort-web-webgpu');
export const ORT_WEB_WEBGPU_NATIVE_CONV_TRANSPOSE_SAME_OUTPUT_PADDING = sameOutputPaddingRecord('ort-web-webgpu-native');

const SAME_OUTPUT_PADDING_SHAPE_SUMMARY = (who: string): string =>
  `ConvTranspose with auto_pad SAME_UPPER or SAME_LOWER, no output_shape and output_padding > 0 on an axis returns an output of i·s + output_padding on that axis instead of ONNX's i·s: ${who} computes the total pad with the pads where output_padding belongs (computeTotalPad(inDim, stride, pads[i], ...) in calculateOutputShapeAndPads), then adds output_padding to the output size.`;

/** onnx.js WebGL: SAME ConvTranspose with output_padding returns the wrong output shape. */
export const ORT_WEB_WEBGL_CONV_TRANSPOSE_SAME_OUTPUT_PADDING_SHAPE: KnownDiscrepancy = {
  id: 'ort-web-webgl-convtranspose-same-output-padding-shape',
  backend: 'ort-web-webgl',
  descriptor: 'Tmb1ic1ih1iw1oc1kh1kw1sh1sw2oph0opw1apU',
  summary: SAME_OUTPUT_PADDING_SHAPE_SUMMARY('the WebGL provider (js/web/lib/onnxjs/backends/webgl/ops/conv-transpose.ts)'),
  observed: 'y=[0,3,0] of shape [1,1,1,3] (x=[1], w=[3])',
  expected: 'y=[3,0] of shape [1,1,1,2] (output i·s = 2; the full output [3,0] with total pad 0)',
  upstream: 'none found; kernel source js/web/lib/onnxjs/backends/webgl/ops/conv-transpose.ts (calculateOutputShapeAndPads)',
  matches: (p, part) => part === undefined && p.inputShape.length === 2 && isConvTransposeSameWithOutputPadding(p),
};

/** JSEP: the same output size where the session is created (a total pad of 0 on every axis with output_padding). */
export const ORT_WEB_WEBGPU_CONV_TRANSPOSE_SAME_OUTPUT_PADDING_SHAPE: KnownDiscrepancy = {
  ...ORT_WEB_WEBGL_CONV_TRANSPOSE_SAME_OUTPUT_PADDING_SHAPE,
  id: 'ort-web-webgpu-convtranspose-same-output-padding-shape',
  backend: 'ort-web-webgpu',
  descriptor: 'Tmb1ic1iw1oc1kw1sw2opw1apU',
  summary: SAME_OUTPUT_PADDING_SHAPE_SUMMARY("ORT's JavaScript WebGPU ConvTranspose (js/web/lib/wasm/jsep/webgpu/ops/conv-transpose.ts, the copy of the WebGL provider's)") + ' Where the total pad is positive the session is refused first (ort-web-webgpu-convtranspose-same-output-padding-refused).',
  observed: 'y=[0,3,0] of shape [1,1,3] (x=[1], w=[3])',
  expected: 'y=[3,0] of shape [1,1,2] (output i·s = 2; the full output [3,0] with total pad 0)',
  upstream: 'none found; kernel source js/web/lib/wasm/jsep/webgpu/ops/conv-transpose.ts (calculateOutputShapeAndPads)',
  matches: (p, part) => part === undefined && p.inputShape.length <= 2 && isConvTransposeSameWithOutputPadding(p) && !isConvTransposeSameOutputPaddingRefused(p),
};

/** JSEP: the matmul shortcut of a 1x1 (or input-sized) Conv checks only the begin pads. */
export const ORT_WEB_WEBGPU_MATMUL_END_PADS_IGNORED: KnownDiscrepancy = {
  id: 'ort-web-webgpu-conv-matmul-end-pads-ignored',
  backend: 'ort-web-webgpu',
  descriptor: 'mb1ic1iw1oc1kw1ew1',
  summary: "Conv (1-D or 2-D, group 1) with zero begin pads, an end pad > 0, and either a 1x1 kernel with strides and dilations 1 or a kernel as large as the input, is run as a plain matrix product: ORT's JavaScript WebGPU conv2d takes that shortcut when attributes.pads[0] and pads[1] are 0, which are the two begin pads (ONNX orders pads as begins then ends), so the end pads are not seen; the output rows past the input are read out of bounds of x (WebGPU's robust access gives some value of the buffer, or 0, so some members happen to come out right: every failure seen is a member, not every member fails).",
  observed: 'y=[3,3] (x=[1], w=[3]: the padded position repeats x[0]·w)',
  expected: 'y=[3,0] of shape [1,1,2] (end pad 1: the padded position is 0)',
  upstream: 'none found; kernel source js/web/lib/wasm/jsep/webgpu/ops/conv.ts (conv2d: sameSize and the 1x1 condition test attributes.pads[0] and pads[1] only)',
  matches: (p, part) => part === undefined && isJsepMatmulWithEndPads(p),
};

/** onnx.js WebGL: ConvTranspose with output_shape keeps the pads attribute. */
export const ORT_WEB_WEBGL_CONV_TRANSPOSE_OUTPUT_SHAPE_PADS: KnownDiscrepancy = {
  id: 'ort-web-webgl-convtranspose-begin-pad',
  backend: 'ort-web-webgl',
  descriptor: 'Tmb1ic1ih1iw2oc1kh1kw2oh1ow2',
  summary: "ConvTranspose crops the full output at the wrong place when ONNX's begin pad is not the one the WebGL provider uses: with output_shape and auto_pad NOTSET it keeps the pads attribute instead of the pads output_shape implies (calculateOutputShapeAndPads distributes a total only for SAME_UPPER / SAME_LOWER), and for SAME_* its total leaves out output_padding (js/web/lib/onnxjs/backends/webgl/ops/conv-transpose.ts; the shader reads only the begin pads).",
  observed: 'y=[3,10] (x=[1,2], w=[3,4]: the full output [3,10,8] cropped at 0)',
  expected: 'y=[10,8] of shape [1,1,1,2] (output_shape 2 of the full 3: the larger half of the total pad 1 at the beginning)',
  upstream: 'none found; kernel source js/web/lib/onnxjs/backends/webgl/ops/conv-transpose.ts',
  matches: (p, part) => part === undefined && isWebglConvTransposeBeginPadWrong(p),
};

/** Native WebGPU: grouped ConvTranspose with one output channel per group and an even number of input channels per group. */
export const ORT_WEB_WEBGPU_NATIVE_CONV_TRANSPOSE_GROUPED_ONE_OUTPUT: KnownDiscrepancy = {
  id: 'ort-web-webgpu-native-convtranspose-grouped-1-output-channel',
  backend: 'ort-web-webgpu-native',
  descriptor: 'Tg2mb1ic4iw1oc2kw1',
  summary: "Grouped ConvTranspose (group > 1) with 1 output channel per group and an even number of input channels per group gives zeros or wrong sums for every group but the first: ORT's native WebGPU ConvTranspose (onnxruntime/core/providers/webgpu/nn/, its channel-vectorised program) reads the wrong input channels past group 0 when it packs the input channels by 2 or 4. Odd input channels per group, 2 or more output channels per group, and group 1 are right.",
  observed: 'y=[11,0] (x=[1,2,3,4], w=[3,4,5,6]: group 1 gives 0)',
  expected: 'y=[11,39] of shape [1,2,1] (1·3 + 2·4 and 3·5 + 4·6)',
  upstream: 'none found; the native provider\'s ConvTranspose (onnxruntime/core/providers/webgpu/nn/conv_transpose.cc and its backprop program); the line is not identified',
  matches: (p, part) => part === undefined && p.op === 'convTranspose' && p.inputShape.length <= 2 && p.group > 1
    && p.outChannels / p.group === 1 && (p.inChannels / p.group) % 2 === 0,
};

/**
 * Native WebGPU: 1-D and 2-D Conv with group 1, input channels ≡ 6 (mod 12) and output channels a
 * multiple of 4. Found by the special-values law (whose case happened to have such channels),
 * then mapped on a grid and on random problems: every failure is a member; 3 of 47 members
 * agreed (strides and kernel sizes decide which program runs). 3-D Conv is right.
 */
export const ORT_WEB_WEBGPU_NATIVE_CONV_CHANNELS_6_MOD_12: KnownDiscrepancy = {
  id: 'ort-web-webgpu-native-conv-6-mod-12-input-channels',
  backend: 'ort-web-webgpu-native',
  descriptor: 'mb1ic6iw2oc4kw1sw2',
  summary: "1-D and 2-D Conv (group 1) with C ≡ 6 (mod 12) input channels and a multiple of 4 output channels gives wrong sums: ORT's native WebGPU Conv (onnxruntime/core/providers/webgpu/nn/, its channel-vectorised programs) mishandles that channel count (C = 6, 18, 30 fail; 5, 7, 8, 10, 12, 14, 22, 26, 38 are right); 3-D Conv, other channel counts and grouped convs are right. Not every member fails.",
  observed: 'wrong sums on every output channel (exact data, seed 3 of problem/operand-data.ts)',
  expected: 'the reference bit for bit (ort-web-webgpu, the JavaScript kernels, agrees)',
  upstream: 'none found; onnxruntime/core/providers/webgpu/nn/conv.cc and its programs; the line is not identified',
  matches: (p, part) => part === undefined && p.op === 'conv' && p.inputShape.length <= 2 && p.group === 1 && p.inChannels % 12 === 6 && p.outChannels % 4 === 0,
};

/** A GPU backend that flushes subnormal inputs to zero. */
export function subnormalFlushRecord(backend: string, descriptor: string, observed: string, expected: string): KnownDiscrepancy {
  return {
    id: `${backend}-subnormals-flushed`,
    backend,
    descriptor,
    summary: 'Subnormal inputs (0 < |x| < 2^-126) are read as zero: the GPU shaders run with flush-to-zero (SwiftShader here; WGSL and GLSL ES allow an implementation to flush subnormals), so products that are normal numbers are lost. Found by the scaling law (x·2^a with x subnormal, w·2^b large); matches only calls whose data holds a subnormal.',
    observed, expected,
    upstream: 'WGSL §14.6.1 and GLSL ES 3.00 §4.5.1: subnormals may be flushed; ONNX Conv is float32 arithmetic, which has them',
    matches: (_p, part, data) => part === undefined && data?.subnormal === true,
  };
}

/** Subnormals flushed on ORT Web's GPU providers. */
export const ORT_WEB_WEBGL_SUBNORMALS = subnormalFlushRecord('ort-web-webgl', 'mb1ic1ih1iw1oc1kh1kw1', 'y=[0] (x=[2^-140], w=[2^20])', 'y=[2^-120]');
export const ORT_WEB_WEBGPU_SUBNORMALS = subnormalFlushRecord('ort-web-webgpu', 'mb1ic1iw1oc1kw1', 'y=[0] (x=[2^-140], w=[2^20])', 'y=[2^-120]');
export const ORT_WEB_WEBGPU_NATIVE_SUBNORMALS = subnormalFlushRecord('ort-web-webgpu-native', 'mb1ic1iw1oc1kw1', 'y=[0] (x=[2^-140], w=[2^20])', 'y=[2^-120]');

/** Every ORT Web record, in report order. */
export const ORT_WEB_KNOWN_DISCREPANCIES: readonly KnownDiscrepancy[] = [
  ORT_WEB_WASM_CONV_SAME_DILATION, ORT_WEB_WASM_CONV_TRANSPOSE_OUTPUT_PADDING, ORT_WEB_WASM_CONV_TRANSPOSE_SAME_OUTPUT_PADDING,
  ORT_WEB_WEBGL_CONV_SAME_DILATION, ORT_WEB_WEBGL_SAME_NEGATIVE_PAD, ORT_WEB_WEBGL_CONV_TRANSPOSE_SAME_OUTPUT_PADDING_SHAPE,
  ORT_WEB_WEBGL_CONV_TRANSPOSE_OUTPUT_SHAPE_PADS,
  ORT_WEB_WEBGPU_CONV_SAME_DILATION, ORT_WEB_WEBGPU_CONV_TRANSPOSE_SAME_OUTPUT_PADDING, ORT_WEB_WEBGPU_SAME_NEGATIVE_PAD,
  ORT_WEB_WEBGPU_CONV3D_GROUPS_IGNORED, ORT_WEB_WEBGPU_CONV_TRANSPOSE_TWO_TO_ONE, ORT_WEB_WEBGPU_CONV_TRANSPOSE_ASYMMETRIC_PADS,
  ORT_WEB_WEBGPU_CONV_TRANSPOSE_SAME_OUTPUT_PADDING_SHAPE, ORT_WEB_WEBGPU_MATMUL_END_PADS_IGNORED,
  ORT_WEB_WEBGPU_NATIVE_CONV_SAME_DILATION, ORT_WEB_WEBGPU_NATIVE_CONV_TRANSPOSE_OUTPUT_PADDING, ORT_WEB_WEBGPU_NATIVE_CONV_TRANSPOSE_SAME_OUTPUT_PADDING,
  ORT_WEB_WEBGPU_NATIVE_CONV_TRANSPOSE_GROUPED_ONE_OUTPUT, ORT_WEB_WEBGPU_NATIVE_CONV_CHANNELS_6_MOD_12,
  ORT_WEB_WEBGL_SUBNORMALS, ORT_WEB_WEBGPU_SUBNORMALS, ORT_WEB_WEBGPU_NATIVE_SUBNORMALS,
];

/** The records of one ORT Web backend, in precedence order. */
export function ortWebKnownDiscrepancies(name: OrtWebName): readonly KnownDiscrepancy[] {
  return ORT_WEB_KNOWN_DISCREPANCIES.filter((r) => r.backend === name);
}

/**
 * Whether the JavaScript SAME arithmetic gives a negative begin pad on some axis of Conv `p` of a
 * rank in `ranks`: dilations all 1 (a dilation is refused), total `t` from
 * {@link convSamePadTotalUnclamped}, begin {@link splitPadding}'s: `floor(t/2)` (SAME_UPPER) or `ceil(t/2)`
 * (SAME_LOWER; JSEP's 3-D path refuses SAME_LOWER).
 */
export function isJsSameWithNegativeBeginPad(p: ConvProblem, ranks: readonly number[]): boolean {
  if (p.op !== 'conv' || !ranks.includes(p.inputShape.length) || p.dilations.some((d) => d > 1)) return false;
  const mode = p.autoPad;
  if (mode !== 'SAME_UPPER' && (mode !== 'SAME_LOWER' || p.inputShape.length === 3)) return false;
  return p.inputShape.some((i, a) => {
    const t = convSamePadTotalUnclamped(i, p.kernelShape[a], p.strides[a], 1);
    return splitPadding(t, mode).begin < 0;
  });
}

/**
 * Whether JSEP's ConvTranspose (1-D or 2-D) crops `p` at another begin pad than ONNX: it averages
 * the pads it has, `floor((begin + end)/2)`, and with output_shape it has the pads attribute
 * (NOTSET), zeros (VALID, SAME_LOWER) or SAME_UPPER's own split instead of the pads output_shape gives.
 * 1-D problems with output_shape come out right when run alone and wrong after a 2-D ConvTranspose
 * of the same shape ran in the page: they are members that do not always fail.
 */
export function isConvTransposeWithAveragedPadsWrong(p: ConvProblem): boolean {
  if (p.op !== 'convTranspose' || p.inputShape.length > 2) return false;
  const pads = resolvePads(p);
  const underived = p.outputShape !== undefined && p.autoPad !== 'SAME_UPPER';
  return pads.begin.some((b, a) => {
    const [jb, je] = !underived ? [b, pads.end[a]] : p.autoPad === 'NOTSET' ? [p.padsBegin[a], p.padsEnd[a]] : [0, 0];
    return Math.floor((jb + je) / 2) !== b;
  });
}

/**
 * Whether the WebGL ConvTranspose crops `p` at another begin pad than ONNX: it takes the pads
 * attribute (NOTSET, also with output_shape), 0 (VALID), or splits a SAME total computed without
 * output_padding, `(i-1)·s + d·(k-1) + 1 - out` with `out` output_shape or `i·s`.
 */
export function isWebglConvTransposeBeginPadWrong(p: ConvProblem): boolean {
  if (p.op !== 'convTranspose' || p.inputShape.length !== 2) return false;
  const pads = resolvePads(p);
  return pads.begin.some((b, a) => {
    let begin: number;
    if (p.autoPad === 'NOTSET') begin = p.padsBegin[a];
    else if (p.autoPad === 'VALID') begin = 0;
    else {
      const out = p.outputShape !== undefined ? p.outputShape[a] : p.inputShape[a] * p.strides[a];
      const total = (p.inputShape[a] - 1) * p.strides[a] + effectiveKernelSize(p.kernelShape[a], p.dilations[a]) - out;
      begin = splitPadding(total, p.autoPad).begin; // negative totals too: no clamp here
    }
    return begin !== b;
  });
}

/**
 * Whether JSEP runs Conv `p` through its matmul shortcut although it has end pads: 1-D or 2-D,
 * group 1, every begin pad 0, some end pad > 0, and a 1x1 kernel with strides and dilations 1, or
 * a kernel the size of the input on every axis.
 */
export function isJsepMatmulWithEndPads(p: ConvProblem): boolean {
  if (p.op !== 'conv' || p.inputShape.length > 2 || p.group !== 1) return false;
  const pads = resolvePads(p);
  if (pads.begin.some((b) => b !== 0) || !pads.end.some((e) => e > 0)) return false;
  const pointwise = p.kernelShape.every((k, a) => k === 1 && p.strides[a] === 1 && p.dilations[a] === 1);
  const inputSized = p.kernelShape.every((k, a) => k === p.inputShape[a]);
  return pointwise || inputSized;
}

/** Whether ConvTranspose `p` has auto_pad SAME_*, no output_shape, and output_padding > 0 on some axis. */
export function isConvTransposeSameWithOutputPadding(p: ConvProblem): boolean {
  return p.op === 'convTranspose' && (p.autoPad === 'SAME_UPPER' || p.autoPad === 'SAME_LOWER') && p.outputShape === undefined
    && p.outputPadding.some((o) => o > 0);
}

/** The refused part: some axis with output_padding > 0 and a positive total pad `op + d·(k-1) + 1 - s`. */
export function isConvTransposeSameOutputPaddingRefused(p: ConvProblem): boolean {
  return isConvTransposeSameWithOutputPadding(p)
    && p.outputPadding.some((o, a) => o > 0 && o + effectiveKernelSize(p.kernelShape[a], p.dilations[a]) - p.strides[a] > 0);
}

/** The refusals: classes a backend answers with an error although ONNX defines them (reported unsupported with the record's id). */
const REFUSALS: ReadonlyArray<{ readonly record: KnownDiscrepancy; readonly refuses: (p: ConvProblem) => boolean; readonly reason: string }> = [
  ...[ORT_WEB_WASM_CONV_SAME_DILATION, ORT_WEB_WEBGL_CONV_SAME_DILATION, ORT_WEB_WEBGPU_CONV_SAME_DILATION, ORT_WEB_WEBGPU_NATIVE_CONV_SAME_DILATION].map((record) => ({
    record, refuses: isConvSameWithDilation,
    reason: `Conv with auto_pad SAME_UPPER/SAME_LOWER and a dilation > 1 is refused ("Dilation not supported for ... SAME_UPPER or ... SAME_LOWER"; known discrepancy ${record.id}); explicit pads work.`,
  })),
  ...[ORT_WEB_WASM_CONV_TRANSPOSE_OUTPUT_PADDING, ORT_WEB_WEBGPU_NATIVE_CONV_TRANSPOSE_OUTPUT_PADDING].map((record) => ({
    record, refuses: isConvTransposeOutputPaddingAtLeastStride,
    reason: `ConvTranspose with output_padding >= stride on an axis is refused (ORT bounds output_padding by the stride alone, not by stride or dilation; known discrepancy ${record.id}).`,
  })),
  ...[ORT_WEB_WASM_CONV_TRANSPOSE_SAME_OUTPUT_PADDING, ORT_WEB_WEBGPU_CONV_TRANSPOSE_SAME_OUTPUT_PADDING, ORT_WEB_WEBGPU_NATIVE_CONV_TRANSPOSE_SAME_OUTPUT_PADDING].map((record) => ({
    record, refuses: isConvTransposeSameOutputPaddingRefused,
    reason: `ConvTranspose with auto_pad SAME_*, output_padding > 0 and a positive total pad is refused at session creation ("[ShapeInferenceError] Can't merge shape info"; known discrepancy ${record.id}).`,
  })),
];

/** What a provider says when it refuses a refusal record's minimal problem (for the tests that keep the records true). */
export function ortWebRefusalMessage(record: KnownDiscrepancy): RegExp {
  if (record.id.includes('same-dilation')) return /Dilation not supported for (AutoPadType::)?SAME_UPPER or (AutoPadType::)?SAME_LOWER/;
  if (record.id.includes('same-output-padding')) return /\[ShapeInferenceError\] Can't merge shape info.*Inferred=3 Declared=2/;
  return /output_padding \(1\) may be too large for stride \(1\)/;
}

/** Why backend `name` refuses `p` (a class it answers with an error), or undefined. One reason per class, so reports count them together. */
export function ortWebRefusal(p: ConvProblem, name: OrtWebName): string | undefined {
  const refusal = REFUSALS.find((r) => r.record.backend === name && r.refuses(p));
  return refusal === undefined ? undefined : `${name}: ${refusal.reason}`;
}

/**
 * What a provider cannot express at all (its own "not supported" errors), or undefined. Plain
 * unsupported verdicts, no records: the WebGL provider runs 2-D Conv and ConvTranspose only;
 * JSEP has no 3-D ConvTranspose, and its 3-D Conv takes only VALID, SAME_UPPER or pads that are
 * all equal; the native WebGPU provider's 3-D Conv has no groups. ConvTranspose with
 * output_padding >= stride is not run on JSEP and WebGL: ORT's shape inference refuses it with
 * auto_pad SAME, and ONNX's bound on output_padding is ambiguous there (see
 * ort-convtranspose-output-padding-ge-stride-refused).
 */
export function ortWebLimit(p: ConvProblem, name: OrtWebName): string | undefined {
  const rank = p.inputShape.length;
  switch (name) {
    case 'ort-web-webgl':
      if (rank !== 2) return `${name}: the WebGL provider runs 2-D Conv and ConvTranspose only ("currently only support 2-dimensional conv"), but the problem is ${rank}-D.`;
      break;
    case 'ort-web-webgpu':
      if (p.op === 'convTranspose' && rank === 3) return `${name}: the JavaScript WebGPU ConvTranspose is 1-D and 2-D only ("currently only support 2-dimensional conv").`;
      if (p.op === 'conv' && rank === 3 && p.autoPad === 'SAME_LOWER') return `${name}: the JavaScript WebGPU 3-D Conv takes no SAME_LOWER ("Unknown padding parameter: SAME_LOWER").`;
      if (p.op === 'conv' && rank === 3 && p.autoPad === 'NOTSET' && new Set([...p.padsBegin, ...p.padsEnd]).size > 1) {
        return `${name}: the JavaScript WebGPU 3-D Conv takes explicit pads only when all six are equal ("Unsupported padding parameter").`;
      }
      break;
    case 'ort-web-webgpu-native':
      if (p.op === 'conv' && rank === 3 && p.group > 1) return `${name}: the native WebGPU 3-D Conv has no groups ("Conv3D does not support grouped convolution").`;
      if (p.op === 'convTranspose' && rank === 3) return `${name}: the native WebGPU ConvTranspose is 1-D and 2-D only ("Only Conv2d or Conv1d are supported").`;
      break;
    case 'ort-web-wasm':
      break;
  }
  if ((name === 'ort-web-webgl' || name === 'ort-web-webgpu') && isConvTransposeOutputPaddingAtLeastStride(p)) {
    return `${name}: ConvTranspose with output_padding >= stride is not run: ORT's shape inference refuses it with auto_pad SAME, and ONNX's bound on output_padding is ambiguous there (see ort-convtranspose-output-padding-ge-stride-refused).`;
  }
  return undefined;
}
