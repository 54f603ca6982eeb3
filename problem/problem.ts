/**
 * One model of a convolution problem, in the terms of the ONNX `Conv` and `ConvTranspose`
 * operators. Every part of convcheck (reference, laws, adapters, fixtures, reports, CLI) speaks it.
 *
 * Layouts are ONNX's: input `[N, C, ...spatial]`; Conv weight `[M, C/group, ...kernel]`;
 * ConvTranspose weight `[C, M/group, ...kernel]`; output `[N, M, ...spatial]`; bias `[M]`.
 */

/** ONNX `auto_pad`. */
export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

/** Which ONNX operator the problem is. */
export type ConvOp = 'conv' | 'convTranspose';

/** A fully specified convolution problem; build one with {@link makeProblem}. */
export interface ConvProblem {
  readonly op: ConvOp;
  /** N */
  readonly batch: number;
  /** C: channels of the input tensor. */
  readonly inChannels: number;
  /** M: channels of the output tensor. */
  readonly outChannels: number;
  readonly group: number;
  /** Spatial sizes of the input, `[W]`, `[H, W]` or `[D, H, W]`. */
  readonly inputShape: readonly number[];
  readonly kernelShape: readonly number[];
  readonly strides: readonly number[];
  /** ONNX dilations: 1 is a dense kernel. */
  readonly dilations: readonly number[];
  /** Explicit pads, one per spatial axis at its beginning; used when autoPad is NOTSET. */
  readonly padsBegin: readonly number[];
  /** Explicit pads at the end of each spatial axis; used when autoPad is NOTSET. */
  readonly padsEnd: readonly number[];
  readonly autoPad: AutoPad;
  /** ConvTranspose `output_padding` (all zero for conv). */
  readonly outputPadding: readonly number[];
  /** ConvTranspose `output_shape` (spatial), or undefined. */
  readonly outputShape?: readonly number[];
  readonly bias: boolean;
  /** A free-form label (benchdnn's `n"..."`), e.g. the network layer it comes from. */
  readonly name?: string;
}

/** What {@link makeProblem} needs; everything not given takes its ONNX default. */
export interface ProblemSpec {
  op?: ConvOp;
  batch?: number;
  inChannels: number;
  outChannels: number;
  group?: number;
  inputShape: readonly number[];
  kernelShape: readonly number[];
  strides?: readonly number[];
  dilations?: readonly number[];
  /** ONNX `pads`: `[x1_begin, x2_begin, ..., x1_end, x2_end, ...]`. */
  pads?: readonly number[];
  autoPad?: AutoPad;
  outputPadding?: readonly number[];
  outputShape?: readonly number[];
  bias?: boolean;
  name?: string;
}

/**
 * Fills in ONNX defaults (group 1, strides 1, dilations 1, pads 0, auto_pad NOTSET, no bias).
 * It does not validate: call `validateProblem` (problem/validate.ts) before trusting the result.
 * @example makeProblem({ inChannels: 1, outChannels: 1, inputShape: [5, 5], kernelShape: [3, 3] })
 */
export function makeProblem(spec: ProblemSpec): ConvProblem {
  const rank = spec.inputShape.length;
  const fill = (v: number): number[] => Array.from({ length: rank }, () => v);
  const pads = spec.pads ?? fill(0).concat(fill(0));
  return problemObject({
    op: spec.op ?? 'conv',
    batch: spec.batch ?? 1,
    inChannels: spec.inChannels,
    outChannels: spec.outChannels,
    group: spec.group ?? 1,
    inputShape: spec.inputShape,
    kernelShape: spec.kernelShape,
    strides: spec.strides ?? fill(1),
    dilations: spec.dilations ?? fill(1),
    padsBegin: pads.slice(0, pads.length / 2),
    padsEnd: pads.slice(pads.length / 2),
    autoPad: spec.autoPad ?? 'NOTSET',
    outputPadding: spec.outputPadding ?? fill(0),
    bias: spec.bias ?? false,
    ...(spec.outputShape !== undefined ? { outputShape: spec.outputShape } : {}),
    ...(spec.name !== undefined ? { name: spec.name } : {}),
  });
}

/** A copy of `p` with some fields replaced (arrays are copied, never shared; `outputShape: undefined` or `name: undefined` removes it). */
export function withChanges(p: ConvProblem, changes: Partial<ConvProblem>): ConvProblem {
  return problemObject({ ...p, ...changes });
}

/**
 * Every ConvProblem object is built here, field by field in one order, its arrays copied into
 * arrays of small integers: the code that reads problems (shapes, validation, the reference) then
 * sees one object layout wherever the problem came from (the generator, a descriptor, a change),
 * which V8 needs to keep that code optimized (mixed layouts were one source of the ~200
 * deoptimizations of a gate). Values that are not small integers are kept as they are, for
 * validation to name them.
 */
export function problemObject(f: ConvProblem): ConvProblem {
  const problem: { -readonly [K in keyof ConvProblem]: ConvProblem[K] } = {
    op: f.op, batch: smallInteger(f.batch), inChannels: smallInteger(f.inChannels), outChannels: smallInteger(f.outChannels), group: smallInteger(f.group),
    inputShape: smallIntegers(f.inputShape), kernelShape: smallIntegers(f.kernelShape), strides: smallIntegers(f.strides),
    dilations: smallIntegers(f.dilations), padsBegin: smallIntegers(f.padsBegin), padsEnd: smallIntegers(f.padsEnd),
    autoPad: f.autoPad, outputPadding: smallIntegers(f.outputPadding), bias: f.bias,
  };
  if (f.outputShape !== undefined) problem.outputShape = smallIntegers(f.outputShape);
  if (f.name !== undefined) problem.name = f.name;
  return problem;
}

/** `v` stored as a small integer when it is an integer of at most 2^30 in magnitude (not as a double), else as it is. */
function smallInteger(v: number): number {
  return Number.isInteger(v) && Math.abs(v) <= 2 ** 30 ? v | 0 : v;
}

/** A copy of `values` through {@link smallInteger} (anything but an array is kept, for validation to name it). */
function smallIntegers(values: readonly number[]): number[] {
  if (!Array.isArray(values)) return values as number[];
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) out.push(smallInteger(values[i]));
  return out;
}

/** ONNX `pads` attribute of the problem: begins then ends. */
export function onnxPads(p: ConvProblem): number[] {
  return [...p.padsBegin, ...p.padsEnd];
}
