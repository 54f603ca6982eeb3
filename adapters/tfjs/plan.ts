/**
 * How a convcheck problem maps onto one TensorFlow.js 4.22 op call, or why it cannot: the whole
 * of `supports()` for the tfjs backends. A problem is mapped only when the call computes exactly
 * the ONNX answer; nothing is approximated and no second op helps out (no tf.pad before a conv,
 * no slicing of groups).
 *
 * Ops (tfjs-core/src/ops, read in 4.22): conv1d, conv2d, depthwiseConv2d, conv2dTranspose take
 * 'valid', 'same' or explicit per-axis pads; conv3d and conv3dTranspose take only 'valid' or
 * 'same'. tfjs 'same' is ONNX SAME_UPPER (`conv_util.getPadAndOutInfo`: top = floor(total/2)).
 * conv1d, conv2d and conv3d assert "Either strides or dilations must be 1" over all axes together
 * (depthwiseConv2d leaves it to its kernel: tfjs-cpu's asserts it, tfjs-wasm's computes it); conv2dTranspose and conv3dTranspose take no dilations; no op is grouped
 * except depthwiseConv2d (group = C). A 1-D depthwise or transposed problem runs on the 2-D op
 * with a unit height axis (exactly what tf.conv1d itself does with conv2d).
 *
 * Padding, per problem: SAME_UPPER whose pads are tfjs's 'same' -> 'same'; VALID -> 'valid';
 * otherwise explicit pads where the op takes them; otherwise zero pads -> 'valid' and SAME_UPPER
 * pads -> 'same'; otherwise unsupported. A transposed op is tfjs's backprop of a forward conv
 * over the transposed output `O`, with `outputShape` given: its pads are that forward conv's, of
 * which tfjs reads the begin pads and the output size only.
 */
import type { ConvProblem } from '../../problem/problem.ts';
import { convOutputSize, convSamePads, outputSpatialShape, resolvePads, type ResolvedPads } from '../../problem/shape.ts';
import { validateProblem } from '../../problem/validate.ts';
import type { TfjsBackendName } from './engine.ts';

/** Every tfjs backend a plan is made for: the Node ones (engine.ts) and the browser ones (adapters/tfjs-browser.ts). */
export type TfjsPlanTarget = TfjsBackendName | 'tfjs-webgl' | 'tfjs-webgpu';

/** Backends whose depthwiseConv2d kernel computes strides and dilations both > 1 (cpu's and webgl's assert against it). */
const STRIDED_DILATED_DEPTHWISE: readonly TfjsPlanTarget[] = ['tfjs-wasm', 'tfjs-webgpu'];

/** The tfjs ops problems map onto. */
export type TfjsOp = 'conv1d' | 'conv2d' | 'conv3d' | 'depthwiseConv2d' | 'conv2dTranspose' | 'conv3dTranspose';

/** Pads as the op call takes them: a named mode, or explicit `[begin, end]` per axis of the op. */
export type TfjsPadding = 'valid' | 'same' | { readonly begin: readonly number[]; readonly end: readonly number[] };

/** One tfjs op call that computes a problem exactly. */
export interface TfjsPlan {
  readonly op: TfjsOp;
  /** Spatial rank of the call: the problem's, or 2 for a 1-D problem lifted to a 2-D op (height 1). */
  readonly callRank: number;
  /** Whether a 1-D problem runs on a 2-D op with a unit height axis in front. */
  readonly lifted: boolean;
  /** Per axis of the call. */
  readonly strides: readonly number[];
  /** Per axis of the call (all 1 for transposed ops, which take none). */
  readonly dilations: readonly number[];
  readonly padding: TfjsPadding;
  /** Transposed ops: the spatial output shape `O` per axis of the call. */
  readonly outputShape?: readonly number[];
  /** depthwiseConv2d: the channel multiplier `M / C`. */
  readonly multiplier?: number;
}

/** A plan, or the reason there is none. */
export type TfjsPlanResult = { readonly ok: true; readonly plan: TfjsPlan } | { readonly ok: false; readonly reason: string };

const ONE_AXIS_2D = (v: number): number[] => [1, v];

function refuse(reason: string): TfjsPlanResult {
  return { ok: false, reason: `tfjs: ${reason}` };
}

function samePads(a: ResolvedPads, b: ResolvedPads): boolean {
  return a.begin.every((v, i) => v === b.begin[i]) && a.end.every((v, i) => v === b.end[i]);
}

function allZero(pads: ResolvedPads): boolean {
  return [...pads.begin, ...pads.end].every((v) => v === 0);
}

function formatPads(pads: ResolvedPads): string {
  return `begin [${pads.begin}], end [${pads.end}]`;
}

/**
 * The padding argument that means `pads` exactly, or undefined. `sameUpper` is what tfjs's
 * 'same' stands for (ONNX SAME_UPPER pads of the forward conv); named modes come first when the
 * problem asks for them, so the ops' own 'same' / 'valid' paths are what runs.
 */
function choosePadding(p: ConvProblem, pads: ResolvedPads, sameUpper: ResolvedPads, takesExplicit: boolean): TfjsPadding | undefined {
  if (p.autoPad === 'SAME_UPPER' && samePads(pads, sameUpper)) return 'same';
  if (p.autoPad === 'VALID' && allZero(pads)) return 'valid';
  if (takesExplicit) return { begin: pads.begin, end: pads.end };
  if (allZero(pads)) return 'valid';
  if (samePads(pads, sameUpper)) return 'same';
  return undefined;
}

function forwardSameUpper(p: ConvProblem): ResolvedPads {
  const begin: number[] = [], end: number[] = [];
  p.inputShape.forEach((i, a) => {
    const pads = convSamePads(i, p.kernelShape[a], p.strides[a], p.dilations[a], 'SAME_UPPER');
    begin.push(pads.begin); end.push(pads.end);
  });
  return { begin, end };
}

/** tfjs 'same' of a transposed op: SAME_UPPER pads of the forward conv over the output `O` (no dilation). */
function transposedSameUpper(p: ConvProblem, output: readonly number[]): ResolvedPads {
  const begin: number[] = [], end: number[] = [];
  output.forEach((o, a) => {
    const pads = convSamePads(o, p.kernelShape[a], p.strides[a], 1, 'SAME_UPPER');
    begin.push(pads.begin); end.push(pads.end);
  });
  return { begin, end };
}

/**
 * The padding argument of a transposed op. tfjs's backprop kernels read only the begin pads and
 * the forward conv's output size (which must be x's), so a named mode means the problem exactly
 * when its begin pads match and its forward output over `O` is x's size: 'valid' (begin 0,
 * `floor((O-k)/s) + 1`), 'same' (SAME_UPPER's begin, `ceil(O/s)`). The end pad then follows from
 * `O`, even a negative one (output_shape past the full output).
 */
function chooseTransposedPadding(p: ConvProblem, pads: ResolvedPads, output: readonly number[], takesExplicit: boolean): TfjsPadding | undefined {
  const same = transposedSameUpper(p, output);
  const fits = (begin: readonly number[], forward: (o: number, a: number) => number): boolean =>
    pads.begin.every((b, a) => b === begin[a]) && output.every((o, a) => forward(o, a) === p.inputShape[a]);
  const validFits = fits(pads.begin.map(() => 0), (o, a) => convOutputSize(o, p.kernelShape[a], p.strides[a], 1, 0, 0));
  const sameFits = fits(same.begin, (o, a) => convOutputSize(o, 1, p.strides[a], 1, 0, 0)); // ceil(O/s)
  if (p.autoPad === 'SAME_UPPER' && sameFits) return 'same';
  if (p.autoPad === 'VALID' && validFits) return 'valid';
  if (takesExplicit) return { begin: pads.begin, end: pads.end };
  if (validFits) return 'valid';
  if (sameFits) return 'same';
  return undefined;
}

function lift(p: ConvProblem, plan: Omit<TfjsPlan, 'callRank' | 'lifted'>, lifted: boolean): TfjsPlan {
  if (!lifted) return { ...plan, callRank: p.inputShape.length, lifted };
  const padding = typeof plan.padding === 'string' ? plan.padding : { begin: [0, ...plan.padding.begin], end: [0, ...plan.padding.end] };
  return {
    ...plan, callRank: 2, lifted, padding,
    strides: ONE_AXIS_2D(plan.strides[0]), dilations: ONE_AXIS_2D(plan.dilations[0]),
    ...(plan.outputShape !== undefined ? { outputShape: ONE_AXIS_2D(plan.outputShape[0]) } : {}),
  };
}

/**
 * The named padding that means a conv problem's resolved pads exactly, for ops that take no
 * explicit pads: 'same' for SAME_UPPER's pads, 'valid' for zero pads (SAME_UPPER first, as
 * {@link planTfjs} chooses), else undefined.
 */
export function namedPaddingFor(p: ConvProblem): 'valid' | 'same' | undefined {
  const padding = choosePadding(p, resolvePads(p), forwardSameUpper(p), false);
  return typeof padding === 'string' ? padding : undefined;
}

function planConv(p: ConvProblem, backend: TfjsPlanTarget): TfjsPlanResult {
  const rank = p.inputShape.length;
  const depthwise = p.group > 1 && p.group === p.inChannels;
  if (p.group > 1 && !depthwise) {
    return refuse(`grouped conv other than depthwise (group=${p.group}, C=${p.inChannels}): tfjs has no grouped convolution op, only depthwiseConv2d (group = C).`);
  }
  if (depthwise && rank === 3) return refuse(`3-D depthwise conv (group=C=${p.inChannels}): tfjs depthwiseConv2d is 2-D only and conv3d has no groups.`);
  if (p.strides.some((s) => s > 1) && p.dilations.some((d) => d > 1)) {
    const both = `strides and dilations both > 1 (strides=[${p.strides}], dilations=[${p.dilations}])`;
    if (!depthwise) return refuse(`${both}: tfjs conv1d, conv2d and conv3d require all strides or all dilations to be 1 ("Either strides or dilations must be 1").`);
    // depthwiseConv2d leaves the check to its kernels: cpu's and webgl's assert it, wasm's (XNNPACK) and webgpu's compute it
    if (!STRIDED_DILATED_DEPTHWISE.includes(backend)) return refuse(`${both}: the ${backend} depthwiseConv2d kernel requires all strides or all dilations to be 1 ("Either strides or dilations must be 1"${backend === 'tfjs-node' ? '; not verified on tfjs-node, so not run' : ''}).`);
  }
  const pads = resolvePads(p);
  const padding = choosePadding(p, pads, forwardSameUpper(p), rank < 3);
  if (padding === undefined) {
    return refuse(`3-D pads ${formatPads(pads)} are neither zero nor SAME_UPPER's (${formatPads(forwardSameUpper(p))}): tfjs conv3d takes only 'valid' or 'same'.`);
  }
  const op: TfjsOp = depthwise ? 'depthwiseConv2d' : (['conv1d', 'conv2d', 'conv3d'] as const)[rank - 1];
  const plan = { op, strides: p.strides, dilations: p.dilations, padding, ...(depthwise ? { multiplier: p.outChannels / p.inChannels } : {}) };
  return { ok: true, plan: lift(p, plan, depthwise && rank === 1) };
}

function planConvTranspose(p: ConvProblem): TfjsPlanResult {
  const rank = p.inputShape.length;
  if (p.group > 1) {
    return refuse(`grouped transposed conv (group=${p.group}, C=${p.inChannels}, M=${p.outChannels}): tfjs conv2dTranspose and conv3dTranspose have no groups (no depthwise transposed op either).`);
  }
  if (p.dilations.some((d) => d > 1)) return refuse(`dilated transposed conv (dilations=[${p.dilations}]): tfjs conv2dTranspose and conv3dTranspose take no dilations.`);
  const pads = resolvePads(p);
  const output = outputSpatialShape(p);
  // tfjs computes dx as the backprop of a forward conv over O: that conv must give back x's size
  const forward = output.map((o, a) => convOutputSize(o, p.kernelShape[a], p.strides[a], 1, pads.begin[a], pads.end[a]));
  const axis = forward.findIndex((f, a) => f !== p.inputShape[a]);
  if (axis >= 0) {
    return refuse(`transposed output ${output[axis]} on axis ${axis} is not one a forward conv maps back to the input size ${p.inputShape[axis]} (it gives ${forward[axis]}; outputPadding=[${p.outputPadding}], strides=[${p.strides}]): tfjs derives the transposed conv from that forward conv.`);
  }
  const padding = chooseTransposedPadding(p, pads, output, rank < 3);
  if (padding === undefined) {
    return refuse(`3-D transposed pads ${formatPads(pads)} are neither zero nor the SAME_UPPER pads of the forward conv (${formatPads(transposedSameUpper(p, output))}), at the beginning with the forward conv's output size: tfjs conv3dTranspose takes only 'valid' or 'same'.`);
  }
  const op: TfjsOp = rank === 3 ? 'conv3dTranspose' : 'conv2dTranspose';
  const plan = { op, strides: p.strides, dilations: p.strides.map(() => 1), padding, outputShape: output };
  return { ok: true, plan: lift(p, plan, rank === 1) };
}

/**
 * The tfjs op call that computes `p` exactly on the tfjs backend `backend` (default tfjs-cpu; the
 * rules differ only where a kernel, not the op, checks: depthwiseConv2d with strides and dilations
 * both > 1 runs on wasm and webgpu), or the reason there is none (an invalid problem is refused with its
 * validation message). Never throws.
 * @example planTfjs(parseDescriptor('g4mb1ic4ih6iw6oc8kh3kw3ph1pw1')) // depthwiseConv2d, multiplier 2, explicit pads
 */
export function planTfjs(p: ConvProblem, backend: TfjsPlanTarget = 'tfjs-cpu'): TfjsPlanResult {
  try {
    validateProblem(p);
  } catch (error) {
    return refuse(`invalid problem: ${error instanceof Error ? error.message : String(error)}`);
  }
  return p.op === 'conv' ? planConv(p, backend) : planConvTranspose(p);
}
