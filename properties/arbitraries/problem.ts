/**
 * `problemArb`: valid Conv / ConvTranspose problems of every problem type, 1-D to 3-D, small enough
 * that a case runs in milliseconds, shrinking toward the smallest problem (size-1 dimensions,
 * stride 1, no pads, NOTSET).
 *
 *   problem = type rank channels axis{rank} auto_pad bias [output_shape]
 *
 * Shapes are drawn first as raw integers, then `buildProblem` repairs them into a problem of the
 * type (groups dividing channels, output_padding < max(stride, dilation), a kernel that fits,
 * SAME transposed pads non-negative); values come later, from a seed (data.ts).
 */
import * as fc from 'fast-check';
import { problemObject, withChanges, type AutoPad, type ConvProblem } from '../../problem/problem.ts';
import { convTransposeOutputSize, effectiveKernelSize } from '../../problem/shape.ts';
import { fastConvPlan } from '../../reference/conv-fast.ts';
import { axisTapCounts } from '../../reference/conv-fast-kernel.ts';
import { validateProblem } from '../../problem/validate.ts';
import { PROBLEM_TYPES, type ProblemType } from '../../problem/conv-types.ts';
import { AXIS_LIMITS, rawAxesArb, type RawAxis } from './axis.ts';
import { rawChannelsArb, type RawChannels } from './channels.ts';

/** A spatial rank. */
export type Rank = 1 | 2 | 3;

/** What `problemArb` may generate; every option defaults to the most general. */
export interface ProblemArbOptions {
  /** Problem types to draw from (default: all). */
  readonly types?: readonly ProblemType[];
  /** Spatial ranks (default 1, 2, 3); conv1d/2d/3d imply their own. */
  readonly ranks?: readonly Rank[];
  readonly maxBatch?: number;
  /** Allow a bias (default true). */
  readonly bias?: boolean;
  /** Allow auto_pad other than NOTSET (default true). */
  readonly autoPad?: boolean;
  /** Allow ConvTranspose output_shape (default true). */
  readonly outputShape?: boolean;
  /** Allow strides > 1 (default true). */
  readonly strides?: boolean;
  /** Allow explicit pads (default true). */
  readonly pads?: boolean;
  /** Allow dilations > 1 where the type permits (default true). */
  readonly dilations?: boolean;
  /** Allow ConvTranspose output_padding (default true). */
  readonly outputPadding?: boolean;
}

/** Every raw draw of one problem. */
export interface RawProblem {
  readonly type: ProblemType;
  readonly rank: Rank;
  readonly channels: RawChannels;
  readonly axes: readonly RawAxis[];
  readonly autoPad: AutoPad;
  readonly bias: boolean;
  readonly outputShape: boolean;
}

const AUTO_PADS: readonly AutoPad[] = ['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'];
const FIXED_RANK: Partial<Record<ProblemType, Rank>> = { conv1d: 1, conv2d: 2, conv3d: 3 };

/** The problem types `options` allows (a type whose defining feature is switched off is dropped). */
function allowedTypes(options: ProblemArbOptions = {}): ProblemType[] {
  const ranks = options.ranks ?? [1, 2, 3];
  return (options.types ?? PROBLEM_TYPES).filter((t) => {
    const fixed = FIXED_RANK[t];
    if (fixed !== undefined && !ranks.includes(fixed)) return false;
    if (t === 'dilated' && options.dilations === false) return false;
    return true;
  });
}

/** Valid problems as `options` allows; throws a plain Error if it allows no type. */
export function problemArb(options: ProblemArbOptions = {}): fc.Arbitrary<ConvProblem> {
  return rawProblemArb(options).map((raw) => buildProblem(raw, options));
}

/** The raw draws behind {@link problemArb}. */
function rawProblemArb(options: ProblemArbOptions = {}): fc.Arbitrary<RawProblem> {
  const types = allowedTypes(options);
  if (types.length === 0) throw new Error(`problemArb: no problem type fits the options ${JSON.stringify(options)}`);
  const ranks = options.ranks ?? [1, 2, 3];
  const autoPads = options.autoPad === false ? ['NOTSET' as const] : AUTO_PADS;
  return fc.constantFrom(...types).chain((type) => {
    const fixed = FIXED_RANK[type];
    return fc.constantFrom(...(fixed !== undefined ? [fixed] : ranks)).chain((rank) => fc.record({
      type: fc.constant(type),
      rank: fc.constant(rank),
      channels: rawChannelsArb(options.maxBatch ?? 2),
      axes: rawAxesArb(rank),
      autoPad: fc.constantFrom(...autoPads),
      bias: options.bias === false ? fc.constant(false) : fc.boolean(),
      outputShape: options.outputShape === false || type !== 'transposed' ? fc.constant(false) : fc.boolean(),
    }));
  });
}

/** `count` rounded up to a multiple of `group`, between `min·group` and the largest multiple ≤ 8. */
function perGroup(count: number, group: number, min = 1): number {
  return Math.max(min, Math.min(Math.floor(8 / group), Math.ceil(count / group)));
}

/** C, M and group of a type from raw draws; C, M ≤ 8. */
export function channelsFor(type: ProblemType, raw: RawChannels): { inChannels: number; outChannels: number; group: number } {
  switch (type) {
    case 'grouped':
    case 'pointwise-grouped': {
      const group = Math.max(2, raw.groups); // 1 < group < C
      return { group, inChannels: group * perGroup(raw.inChannels, group, 2), outChannels: group * perGroup(raw.outChannels, group) };
    }
    case 'depthwise': {
      const channels = Math.max(2, Math.min(raw.inChannels, 4)); // group = C > 1
      const multiplier = channels <= 3 && raw.outChannels > channels ? 2 : 1;
      return { group: channels, inChannels: channels, outChannels: channels * multiplier };
    }
    case 'transposed': {
      const group = raw.groups;
      return { group, inChannels: group * perGroup(raw.inChannels, group), outChannels: group * perGroup(raw.outChannels, group) };
    }
    default:
      return { group: 1, inChannels: raw.inChannels, outChannels: raw.outChannels };
  }
}

/** Kernel and dilation per axis for the type: 1x1 types get ones; dense types a kernel > 1 somewhere; dilated a dilation > 1 on such an axis. */
function kernelsFor(type: ProblemType, axes: readonly RawAxis[], options: ProblemArbOptions, rank: Rank): { kernel: number[]; dilation: number[] } {
  const limits = AXIS_LIMITS[rank];
  const kernel = axes.map((a) => Math.min(a.kernel, limits.kernel));
  const dilationAllowed = options.dilations !== false && !['conv1d', 'conv2d', 'conv3d', 'pointwise', 'pointwise-grouped'].includes(type);
  const dilation = axes.map((a) => (dilationAllowed ? Math.min(a.dilation, limits.dilation) : 1));
  if (type === 'pointwise' || type === 'pointwise-grouped') return { kernel: kernel.map(() => 1), dilation: dilation.map(() => 1) };
  const needsKernel = ['conv1d', 'conv2d', 'conv3d', 'dilated', 'grouped'].includes(type);
  if (needsKernel && !kernel.some((k) => k > 1)) kernel[rank - 1] = 2;
  if (type === 'dilated' && !kernel.some((k, a) => k > 1 && dilation[a] > 1)) {
    const axis = kernel.findIndex((k) => k > 1);
    dilation[axis] = 2;
  }
  return { kernel, dilation };
}

/**
 * Repairs raw draws into a valid problem of `raw.type`: pads zero unless NOTSET; conv input at
 * least the dilated kernel minus pads; ConvTranspose output_padding below max(stride, dilation),
 * SAME pads non-negative, explicit pads leaving an output ≥ 1, output_shape within the full output;
 * and a bias, where the options allow one, for a problem whose outputs are mostly reached by no tap.
 */
export function buildProblem(raw: RawProblem, options: ProblemArbOptions = {}): ConvProblem {
  const { type, rank } = raw;
  const op = type === 'transposed' ? 'convTranspose' : 'conv';
  const { kernel, dilation } = kernelsFor(type, raw.axes, options, rank);
  const stride = raw.axes.map((a) => (options.strides === false ? 1 : Math.min(a.stride, AXIS_LIMITS[rank].stride)));
  const explicitPads = raw.autoPad === 'NOTSET' && options.pads !== false;
  const padsBegin = raw.axes.map((a) => (explicitPads ? a.padBegin : 0));
  const padsEnd = raw.axes.map((a) => (explicitPads ? a.padEnd : 0));
  const inputShape = raw.axes.map((a) => a.input);
  const outputPadding = raw.axes.map(() => 0);
  let outputShape: number[] | undefined;
  for (let axis = 0; axis < rank; axis++) {
    const span = effectiveKernelSize(kernel[axis], dilation[axis]);
    if (op === 'conv') {
      if (raw.autoPad !== 'SAME_UPPER' && raw.autoPad !== 'SAME_LOWER') {
        inputShape[axis] = Math.max(inputShape[axis], span - padsBegin[axis] - padsEnd[axis]);
      }
      continue;
    }
    const s = stride[axis];
    let outPad = options.outputPadding === false ? 0 : raw.axes[axis].outputPadding % Math.max(s, dilation[axis]);
    if (raw.autoPad === 'SAME_UPPER' || raw.autoPad === 'SAME_LOWER') outPad = Math.max(outPad, s - span); // total SAME pad ≥ 0
    outputPadding[axis] = outPad;
    const full = convTransposeOutputSize(inputShape[axis], kernel[axis], s, dilation[axis], 0, 0, outPad);
    padsBegin[axis] = Math.min(padsBegin[axis], full - 1);
    padsEnd[axis] = Math.min(padsEnd[axis], full - 1 - padsBegin[axis]);
  }
  if (op === 'convTranspose' && raw.outputShape && raw.autoPad !== 'VALID') {
    outputShape = raw.axes.map((a, axis) => {
      const full = convTransposeOutputSize(inputShape[axis], kernel[axis], stride[axis], dilation[axis], 0, 0, outputPadding[axis]);
      if (a.outputShapeCut < 0) return full + Math.min(-a.outputShapeCut, Math.max(0, stride[axis] - 1 - outputPadding[axis]));
      return full - (a.outputShapeCut % full);
    });
  }
  const { inChannels, outChannels, group } = channelsFor(type, raw.channels);
  const problem = problemObject({
    op, batch: raw.channels.batch, inChannels, outChannels, group,
    inputShape, kernelShape: kernel, strides: stride, dilations: dilation, padsBegin, padsEnd,
    autoPad: raw.autoPad, outputPadding, bias: raw.bias,
    ...(outputShape !== undefined ? { outputShape } : {}),
  });
  validateProblem(problem);
  // Outputs that no tap reaches are exactly 0 without a bias: where they are most of the output, a
  // backend returning zeros would pass and the case is weak (mistrusted). The bias keeps the
  // geometry (the corner case of windows wholly in the padding) and makes those outputs b[m].
  if (!problem.bias && options.bias !== false && untouchedShare(problem) >= UNTOUCHED_BIAS_SHARE) return validateProblem(withChanges(problem, { bias: true }));
  return problem;
}

/** Share of outputs reached by no tap from which a problem drawn without a bias gets one (the runner mistrusts 70% zeros). */
export const UNTOUCHED_BIAS_SHARE = 0.5;

/**
 * The share of a problem's output positions that no tap reaches (Conv: windows wholly in the
 * padding; ConvTranspose: positions no input lands on): a position has none iff it has none on
 * some axis (the per-axis counts of the reference's fast path).
 */
export function untouchedShare(p: ConvProblem): number {
  let touched = 1;
  for (const counts of axisTapCounts(fastConvPlan(p))) touched *= counts.filter((n) => n > 0).length / counts.length;
  return 1 - touched;
}
