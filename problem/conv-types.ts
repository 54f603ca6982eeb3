/**
 * The conv types the suite reports on (the article's list, plus 1-D and 3-D), and the type of a
 * plain Conv / ConvTranspose problem. Laws declare which types they cover; a problem generated for
 * a type is labelled with it, so the report's backend × type matrix counts cases per type.
 */
import type { ConvProblem } from './problem.ts';

/** The types of the quantized operators (ONNX ConvInteger, QLinearConv; problem/quantized.ts). */
export const QUANTIZED_CONV_TYPES = ['conv-integer', 'qlinear-conv'] as const;

/** A quantized operator's type. */
export type QuantizedConvType = (typeof QUANTIZED_CONV_TYPES)[number];

/** Every conv type a law can cover: the article's, 1-D and 3-D, and the quantized operators. */
export const CONV_TYPES = [
  'conv1d', 'conv2d', 'conv3d', 'pointwise', 'dilated', 'transposed', 'grouped', 'depthwise', 'pointwise-grouped',
  'depthwise-separable', 'spatially-separable', 'flattened', 'shuffled-grouped', 'channel-shuffle', 'signal', 'resize-conv',
  ...QUANTIZED_CONV_TYPES,
] as const;

/** One conv type. */
export type ConvType = (typeof CONV_TYPES)[number];

/** The types a single Conv / ConvTranspose problem can be (what `problemArb` generates). */
export const PROBLEM_TYPES = [
  'conv1d', 'conv2d', 'conv3d', 'pointwise', 'dilated', 'transposed', 'grouped', 'depthwise', 'pointwise-grouped',
] as const satisfies readonly ConvType[];

/** A type a single problem can have. */
export type ProblemType = (typeof PROBLEM_TYPES)[number];

/** Whether `t` is a quantized operator's type. */
export function isQuantizedConvType(t: string): t is QuantizedConvType {
  return (QUANTIZED_CONV_TYPES as readonly string[]).includes(t);
}

/** Whether `name` is a conv type. */
export function isConvType(name: string): name is ConvType {
  return (CONV_TYPES as readonly string[]).includes(name);
}

/**
 * The type of a problem, most specific first: transposed; depthwise (group = C > 1);
 * pointwise-grouped (group > 1, every kernel size 1); grouped; dilated; pointwise (1x1); else
 * conv1d / conv2d / conv3d by spatial rank.
 * @example convTypeOf(parseDescriptor('g4mb1ic4ih5iw5oc8kh3kw3')) // 'depthwise'
 */
export function convTypeOf(p: ConvProblem): ProblemType {
  const pointwise = p.kernelShape.every((k) => k === 1);
  if (p.op === 'convTranspose') return 'transposed';
  if (p.group > 1 && p.group === p.inChannels) return 'depthwise';
  if (p.group > 1) return pointwise ? 'pointwise-grouped' : 'grouped';
  if (p.dilations.some((d) => d > 1) && !pointwise) return 'dilated';
  if (pointwise) return 'pointwise';
  return (['conv1d', 'conv2d', 'conv3d'] as const)[p.inputShape.length - 1];
}
