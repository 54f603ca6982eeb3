/**
 * Named quantized golden cases (ConvInteger, QLinearConv): ONNX's own examples at their shapes,
 * the edges quantized kernels get wrong (ties, the tie-neighbour allowance, saturation, extreme
 * zero points, int8 weights of -128, padding as the zero point, int32 limits), and the int8 layers
 * of MobileNet v2's bottleneck (per-channel int8 weights, uint8 activations, as a QDQ-converted
 * TFLite model runs them), full size (corpus `networks`) and scaled down like golden/networks.ts
 * (corpus `small`, committed in golden/corpus-quantized/).
 */
import { formatQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import { makeQuantizedProblem, validateQuantizedProblem, type QuantizedConvProblem, type QuantizedProblemSpec } from '../problem/quantized.ts';
import type { QuantizedDataMode } from '../problem/quantized-data.ts';
import type { QuantizedConvType } from '../problem/conv-types.ts';
import { fnv1a32, type CaseChain } from './golden-case.ts';
import type { CorpusName } from './corpus.ts';

/** What a quantized case is meant to cover; each has a rule in golden/quantized-tags.ts. */
export type QuantizedTag =
  | 'exact-ties' | 'tie-neighbour' | 'saturation' | 'extreme-zero-points' | 'weight-minus-128' | 'padding-zero-point'
  | 'int32-limit' | 'int32-overflow' | 'per-channel' | 'bias' | '1-d' | '3-d' | 'grouped' | 'depthwise';

/** A named quantized golden case. */
export interface QuantizedGoldenCase {
  /** Unique name, also the case's directory: `[a-z0-9-]+`. */
  readonly name: string;
  /** The validated problem; its name is the case name. */
  readonly problem: QuantizedConvProblem;
  /** `formatQuantizedDescriptor(problem)`. */
  readonly descriptor: string;
  readonly mode: QuantizedDataMode;
  /** Seed of `makeQuantizedOperands(problem, mode, seed)`: FNV-1a of the name. */
  readonly seed: number;
  readonly type: QuantizedConvType;
  readonly tags: readonly QuantizedTag[];
  readonly source: string;
  readonly note: string;
  readonly chain?: CaseChain;
}

/** What {@link defineQuantizedCase} needs. */
interface QuantizedCaseDefinition {
  readonly name: string;
  readonly spec: QuantizedProblemSpec;
  readonly mode: QuantizedDataMode;
  readonly tags?: readonly QuantizedTag[];
  readonly source: string;
  readonly note: string;
  readonly chain?: CaseChain;
}

const CASE_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** A validated quantized case, named after its problem, seeded by the FNV-1a of its name. */
export function defineQuantizedCase(d: QuantizedCaseDefinition): QuantizedGoldenCase {
  if (!CASE_NAME.test(d.name)) throw new Error(`golden case name must match ${CASE_NAME}, but name=${JSON.stringify(d.name)}.`);
  const problem = validateQuantizedProblem(makeQuantizedProblem({ ...d.spec, conv: { ...d.spec.conv, name: d.name } }));
  return {
    name: d.name, problem, descriptor: formatQuantizedDescriptor(problem), mode: d.mode, seed: fnv1a32(d.name),
    type: problem.operator === 'ConvInteger' ? 'conv-integer' : 'qlinear-conv', tags: d.tags ?? [], source: d.source, note: d.note,
    ...(d.chain !== undefined ? { chain: d.chain } : {}),
  };
}

const ONNX_TESTS = 'ONNX backend tests test_basic_convinteger, test_convinteger_with_padding and test_qlinearconv (onnx/backend/test/case/node/convinteger.py, qlinearconv.py)';
const ONNX_SPEC = 'ONNX Operators.md, ConvInteger-10 and QLinearConv-10';
const MOBILENET_V2 = 'Sandler et al. 2018, "MobileNetV2: Inverted Residuals and Linear Bottlenecks", Tables 1 and 2; int8 as TFLite quantizes it (Jacob et al. 2018, "Quantization and Training of Neural Networks for Efficient Integer-Arithmetic-Only Inference", §2: per-channel symmetric int8 weights, asymmetric uint8 activations, int32 bias of scale x_scale·w_scale)';

/** ReLU6's output quantized to uint8: scale 6/255, zero point 0. */
const RELU6_SCALE = Math.fround(6 / 255);

/** Per-channel weight scales around `base` (0.5× to 1.5×), deterministic: the golden ratio's fractional steps. */
function channelScales(count: number, base: number): number[] {
  return Array.from({ length: count }, (_, m) => Math.fround(base * (0.5 + (((m + 1) * 0.6180339887) % 1))));
}

/** The three layers of MobileNet v2's bottleneck "112² x 16, t = 6, c = 24, s = 2" at width `c`, map `size`, with the int8 parameters. */
function mobilenetV2Int8(prefix: string, c: number, size: number, note: (step: string) => string): QuantizedGoldenCase[] {
  const expanded = 6 * c, out = Math.max(1, Math.round((24 / 16) * c));
  const chainName = `${prefix}mobilenet-v2-int8-bottleneck`;
  const common = { operator: 'QLinearConv' as const, xType: 'u8' as const, wType: 's8' as const, yType: 'u8' as const, mode: 'uniform' as const };
  return [
    defineQuantizedCase({
      name: `${prefix}mobilenet-v2-int8-expand`, mode: common.mode, source: MOBILENET_V2, tags: ['per-channel', 'bias'], chain: { name: chainName, step: 1, of: 3 },
      note: note(`step 1 of 3: 1x1 expansion ${c} -> ${expanded} on ${size}x${size}; input the previous block's linear output (u8, zero point 128), output ReLU6 (scale 6/255, zero point 0), int8 weights per channel, zero point 0`),
      spec: { ...common, conv: { inChannels: c, outChannels: expanded, inputShape: [size, size], kernelShape: [1, 1], bias: true }, xScale: Math.fround(0.1), xZeroPoint: 128, wScale: channelScales(expanded, 0.001), wZeroPoint: Array(expanded).fill(0), yScale: RELU6_SCALE, yZeroPoint: 0 },
    }),
    defineQuantizedCase({
      name: `${prefix}mobilenet-v2-int8-dw-s2`, mode: common.mode, source: MOBILENET_V2, tags: ['per-channel', 'bias', 'depthwise'], chain: { name: chainName, step: 2, of: 3 },
      note: note(`step 2 of 3: 3x3 depthwise, stride 2, ${expanded} channels, ${size}x${size} -> ${size / 2}x${size / 2}, TensorFlow SAME (SAME_UPPER); ReLU6 in and out`),
      spec: { ...common, conv: { group: expanded, inChannels: expanded, outChannels: expanded, inputShape: [size, size], kernelShape: [3, 3], strides: [2, 2], autoPad: 'SAME_UPPER', bias: true }, xScale: RELU6_SCALE, xZeroPoint: 0, wScale: channelScales(expanded, 0.001), wZeroPoint: Array(expanded).fill(0), yScale: RELU6_SCALE, yZeroPoint: 0 },
    }),
    defineQuantizedCase({
      name: `${prefix}mobilenet-v2-int8-project`, mode: common.mode, source: MOBILENET_V2, tags: ['per-channel', 'bias'], chain: { name: chainName, step: 3, of: 3 },
      note: note(`step 3 of 3: linear 1x1 projection ${expanded} -> ${out} on ${size / 2}x${size / 2}; ReLU6 in, linear out (scale 0.15, zero point 128)`),
      spec: { ...common, conv: { inChannels: expanded, outChannels: out, inputShape: [size / 2, size / 2], kernelShape: [1, 1], bias: true }, xScale: RELU6_SCALE, xZeroPoint: 0, wScale: channelScales(out, 0.003), wZeroPoint: Array(out).fill(0), yScale: Math.fround(0.15), yZeroPoint: 128 },
    }),
  ];
}

/** The small quantized corpus: committed in golden/corpus-quantized/. */
export const QUANTIZED_SMALL: readonly QuantizedGoldenCase[] = [
  defineQuantizedCase({
    name: 'q-convinteger-basic', mode: 'uniform', source: ONNX_TESTS,
    note: 'test_basic_convinteger\'s shape: 3x3 uint8 x with x_zero_point 1, 2x2 uint8 w',
    spec: { operator: 'ConvInteger', conv: { inChannels: 1, outChannels: 1, inputShape: [3, 3], kernelShape: [2, 2] }, xZeroPoint: 1 },
  }),
  defineQuantizedCase({
    name: 'q-convinteger-padding-zero-point', mode: 'uniform', source: ONNX_TESTS, tags: ['padding-zero-point'],
    note: 'test_convinteger_with_padding\'s shape with x_zero_point 200: the padding holds 200 and adds nothing; a kernel padding with 0 adds -200·(w - w_zp) per padded tap',
    spec: { operator: 'ConvInteger', conv: { inChannels: 2, outChannels: 2, inputShape: [3, 3], kernelShape: [2, 2], pads: [1, 1, 1, 1] }, xZeroPoint: 200, wZeroPoint: 3 },
  }),
  defineQuantizedCase({
    name: 'q-convinteger-s8-extremes', mode: 'extreme', source: ONNX_SPEC, tags: ['extreme-zero-points', 'weight-minus-128', 'padding-zero-point'],
    note: 'int8 x and w with zero points at the ends (x_zp -128, w_zp 127): every x is 127 and every w -128, products (127 + 128)·(-128 - 127) = -65025, the largest magnitude 8-bit operands give',
    spec: { operator: 'ConvInteger', conv: { inChannels: 3, outChannels: 2, inputShape: [4, 4], kernelShape: [3, 3], pads: [1, 1, 1, 1] }, xType: 's8', wType: 's8', xZeroPoint: -128, wZeroPoint: 127 },
  }),
  defineQuantizedCase({
    name: 'q-convinteger-u8s8-1d-strided-dilated', mode: 'uniform', source: ONNX_SPEC, tags: ['1-d', 'per-channel'],
    note: '1-D ConvInteger, uint8 x and int8 w, stride 2 and dilation 2 with asymmetric pads, w_zero_point per output channel',
    spec: { operator: 'ConvInteger', conv: { inChannels: 2, outChannels: 3, inputShape: [11], kernelShape: [3], strides: [2], dilations: [2], pads: [2, 1] }, wType: 's8', xZeroPoint: 17, wZeroPoint: [-128, 0, 127] },
  }),
  defineQuantizedCase({
    name: 'q-convinteger-3d-grouped', mode: 'uniform', source: ONNX_SPEC, tags: ['3-d', 'grouped'],
    note: '3-D grouped ConvInteger (group 2) with SAME_UPPER padding',
    spec: { operator: 'ConvInteger', conv: { group: 2, inChannels: 4, outChannels: 2, inputShape: [3, 4, 4], kernelShape: [2, 2, 2], autoPad: 'SAME_UPPER' }, xType: 's8', wType: 'u8', xZeroPoint: 5, wZeroPoint: 128 },
  }),
  defineQuantizedCase({
    name: 'q-convinteger-int32-limit', mode: 'extreme', source: ONNX_SPEC, tags: ['int32-limit', 'extreme-zero-points', '1-d'],
    note: '33,025 products of -65025 (x = 255 with x_zp 0, w = 0 with w_zp 255): y = -2147450625, within int32 by 33,023 (one more channel would leave ConvInteger\'s int32 output); partial sums of a float32 accumulator lose bits past 2^24',
    spec: { operator: 'ConvInteger', conv: { inChannels: 33025, outChannels: 1, inputShape: [1], kernelShape: [1] }, wZeroPoint: 255 },
  }),
  defineQuantizedCase({
    name: 'q-qlinear-ties-to-even', mode: 'near', source: ONNX_SPEC, tags: ['exact-ties', 'padding-zero-point'],
    note: 'power-of-two scales (multiplier 2^-1 exactly, every evaluation exact): accumulators near the zero points land on k + 1/2, which must round to the even k; round half away from zero fails here',
    spec: { operator: 'QLinearConv', conv: { inChannels: 2, outChannels: 2, inputShape: [5, 5], kernelShape: [3, 3], pads: [1, 1, 1, 1] }, xScale: 0.5, xZeroPoint: 100, wScale: 0.25, wZeroPoint: 7, yScale: 0.25, yZeroPoint: 120 },
  }),
  defineQuantizedCase({
    name: 'q-qlinear-ties-s8', mode: 'near', source: ONNX_SPEC, tags: ['exact-ties'],
    note: 'int8 in and out, multiplier 2^-2: ties at k + 1/2 of both signs (-2.5 rounds to -2, 2.5 to 2)',
    spec: { operator: 'QLinearConv', conv: { inChannels: 3, outChannels: 2, inputShape: [6], kernelShape: [2] }, xType: 's8', wType: 's8', yType: 's8', xScale: 1, xZeroPoint: -3, wScale: 0.125, wZeroPoint: 2, yScale: 0.5, yZeroPoint: -10 },
  }),
  defineQuantizedCase({
    name: 'q-qlinear-tie-neighbour', mode: 'near', source: ONNX_SPEC, tags: ['tie-neighbour'],
    note: 'x_scale 1.5, w_scale 2^-2, y_scale 3: the multiplier is 2^-3 exactly, but w_scale/y_scale is no float32, so an evaluation in that order may land either side of a tie: there both neighbours are allowed (the tie-neighbour allowance)',
    spec: { operator: 'QLinearConv', conv: { inChannels: 2, outChannels: 1, inputShape: [4, 4], kernelShape: [2, 2] }, wType: 's8', xScale: 1.5, xZeroPoint: 128, wScale: 0.25, wZeroPoint: 0, yScale: 3, yZeroPoint: 128 },
  }),
  defineQuantizedCase({
    name: 'q-qlinear-saturation', mode: 'uniform', source: ONNX_SPEC, tags: ['saturation', 'bias'],
    note: 'y_scale small enough that most outputs pass 0 or 255: they must stop exactly there',
    spec: { operator: 'QLinearConv', conv: { inChannels: 3, outChannels: 2, inputShape: [4, 4], kernelShape: [2, 2], bias: true }, wType: 's8', xScale: 0.02, xZeroPoint: 128, wScale: 0.01, wZeroPoint: 0, yScale: 0.02, yZeroPoint: 128 },
  }),
  defineQuantizedCase({
    name: 'q-qlinear-per-channel-s8', mode: 'uniform', source: ONNX_SPEC, tags: ['per-channel', 'extreme-zero-points', 'bias'],
    note: 'int8 everywhere, per-channel w scales and zero points (-128, 127, 0, 64) on w\'s output axis',
    spec: { operator: 'QLinearConv', conv: { inChannels: 2, outChannels: 4, inputShape: [5, 4], kernelShape: [2, 3], strides: [2, 1], bias: true }, xType: 's8', wType: 's8', yType: 's8', xScale: 0.05, xZeroPoint: 0, wScale: [0.001, 0.002, 0.0005, 0.004], wZeroPoint: [-128, 127, 0, 64], yScale: 0.02, yZeroPoint: -5 },
  }),
  defineQuantizedCase({
    name: 'q-qlinear-int32-overflow', mode: 'extreme', source: ONNX_SPEC, tags: ['int32-overflow', 'extreme-zero-points', '1-d'],
    note: '33,026 products of 65025 sum to 2147515650, past int32: the exact requantization is 64 (times 2^-25); an int32 accumulator wraps to -2147451646 and gives -64 (ONNX Runtime: known discrepancy ort-qlinearconv-int32-accumulator-wraps)',
    spec: { operator: 'QLinearConv', conv: { inChannels: 33026, outChannels: 1, inputShape: [1], kernelShape: [1] }, xType: 's8', wType: 's8', yType: 's8', xScale: 1, xZeroPoint: -128, wScale: 1, wZeroPoint: -128, yScale: 2 ** 25, yZeroPoint: 0 },
  }),
  defineQuantizedCase({
    name: 'q-qlinear-onnx-example', mode: 'uniform', source: ONNX_TESTS, tags: ['per-channel'],
    note: 'test_qlinearconv\'s problem (7x7 uint8, a 1x1 kernel, w_scale and w_zero_point as 1-D tensors of one element) on seeded data',
    spec: { operator: 'QLinearConv', conv: { inChannels: 1, outChannels: 1, inputShape: [7, 7], kernelShape: [1, 1] }, xScale: Math.fround(0.00369204697), xZeroPoint: 132, wScale: [Math.fround(0.00172794575)], wZeroPoint: [255], yScale: Math.fround(0.00162681262), yZeroPoint: 123 },
  }),
  ...mobilenetV2Int8('scaled-', 4, 16, (step) => `mobilenet-v2-int8 scaled: 4 input channels on 16x16 (expansion t = 6, stride 2, SAME kept); ${step}`),
];

/** Full-size quantized network layers (generated on demand, corpus `networks`). */
export const QUANTIZED_NETWORKS: readonly QuantizedGoldenCase[] = mobilenetV2Int8('', 16, 112, (step) => `the bottleneck "112² x 16, bottleneck, t = 6, c = 24, s = 2" in int8; ${step}`);

/** The quantized cases of a corpus, in a fixed order. */
export function quantizedCorpusCases(corpus: CorpusName): readonly QuantizedGoldenCase[] {
  if (corpus === 'small') return QUANTIZED_SMALL;
  if (corpus === 'networks') return QUANTIZED_NETWORKS;
  return [...QUANTIZED_SMALL, ...QUANTIZED_NETWORKS];
}
