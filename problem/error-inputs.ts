/**
 * Error inputs: ill-formed Conv / ConvTranspose calls that an implementation must refuse, for the
 * opt-in negative conformance check (`convcheck gate --error-inputs`). The anchors are PyTorch's
 * OpInfo error inputs (each sample an invalid input with the error it must raise) and TOSA's
 * ERROR_IF (the conditions under which an operator's result is undefined and an implementation
 * must report an error rather than return numbers). Each case breaks one rule of ONNX Conv /
 * ConvTranspose, every one of which problem/validate.ts and problem/operands.ts check, and is
 * otherwise a small, valid call; its tensors have the shapes given here, which may disagree with
 * the problem (a wrong weight or bias shape). The problems are built with makeProblem, which does
 * not validate, and must never be given to the reference's loops.
 */
import { makeProblem, type ConvProblem, type ProblemSpec } from './problem.ts';
import { biasShape, inputTensorShape, sizeOf, weightShape } from './shape.ts';
import { formatDescriptor } from './descriptor.ts';
import type { ConvOperands } from './operands.ts';

/** One ill-formed call of problem type `P` (a ConvProblem here; problem/quantized-error-inputs.ts has quantized ones). */
export interface IllFormedCall<P> {
  /** A short stable name, e.g. `conv-group-not-dividing-input-channels`. */
  readonly id: string;
  /** The rule it breaks, with the values that break it. */
  readonly rule: string;
  /** The call's attributes (ill-formed, or well-formed when only a tensor's shape is wrong). */
  readonly problem: P;
  /** The shapes of the tensors sent; `b` absent means no bias tensor is sent. */
  readonly shapes: { readonly x: readonly number[]; readonly w: readonly number[]; readonly b?: readonly number[] };
  /** A name for reports: the problem's descriptor, and each tensor whose shape disagrees with it. */
  readonly descriptor: string;
}

/** One ill-formed Conv or ConvTranspose call. */
export type ErrorInput = IllFormedCall<ConvProblem>;

/** A small valid 2-D conv: x [1, 4, 5, 5], w [4, 4, 3, 3]. */
const CONV: ProblemSpec = { inChannels: 4, outChannels: 4, inputShape: [5, 5], kernelShape: [3, 3] };
/** A small valid 2-D ConvTranspose with stride 2: x [1, 4, 3, 3], w [4, 4, 3, 3]. */
const TRANSPOSED: ProblemSpec = { op: 'convTranspose', inChannels: 4, outChannels: 4, inputShape: [3, 3], kernelShape: [3, 3], strides: [2, 2] };

/** An error input whose tensors have the shapes its problem implies, unless `shapes` overrides some. */
function errorInput(id: string, rule: string, spec: ProblemSpec, shapes: Partial<ErrorInput['shapes']> & { noBias?: boolean } = {}): ErrorInput {
  const p = makeProblem(spec);
  const x = inputTensorShape(p);
  // the weight's channel dimensions as the problem implies them, rounded down where group does not divide
  const w = weightShape(p).map(Math.floor);
  const b = p.bias ? biasShape(p) : undefined;
  const sent = { x: shapes.x ?? x, w: shapes.w ?? w, ...(shapes.b !== undefined || (b !== undefined && !shapes.noBias) ? { b: shapes.b ?? b } : {}) };
  const implied: Record<string, number[] | undefined> = { x, w, b };
  const notes = (['x', 'w', 'b'] as const).flatMap((t) => {
    const shape = sent[t];
    return JSON.stringify(shape) === JSON.stringify(implied[t]) ? [] : [`${t} ${shape ? `[${shape}]` : 'absent'}`];
  });
  return { id, rule, problem: p, shapes: sent, descriptor: formatDescriptor(p) + (notes.length > 0 ? ` with ${notes.join(', ')}` : '') };
}

/** Every error input, conv first, then ConvTranspose. */
export const ERROR_INPUTS: readonly ErrorInput[] = [
  errorInput('conv-group-not-dividing-input-channels', 'group must divide the input channels: group=3, C=4',
    { ...CONV, group: 3, outChannels: 3 }),
  errorInput('conv-group-not-dividing-output-channels', 'group must divide the output channels: group=2, M=3',
    { ...CONV, group: 2, outChannels: 3 }),
  errorInput('conv-weight-input-channels', 'w must be [M, C/group, ...kernel_shape]: C/group=4, but w.shape[1]=3',
    CONV, { w: [4, 3, 3, 3] }),
  errorInput('conv-weight-kernel-shape', 'w\'s spatial dimensions must equal kernel_shape=[3,3], but w is [4,4,2,2]',
    CONV, { w: [4, 4, 2, 2] }),
  errorInput('conv-weight-rank', 'w must have rank 4 for a 2-D conv, but w is [4,4,9]',
    CONV, { w: [4, 4, 9] }),
  errorInput('conv-input-channels', 'x must have C=w.shape[1]·group channels: w needs 4, but x is [1,3,5,5]',
    CONV, { x: [1, 3, 5, 5] }),
  errorInput('conv-input-rank', 'x must have rank 4 for a 2-D kernel_shape, but x is [1,4,5]',
    CONV, { x: [1, 4, 5] }),
  errorInput('conv-bias-length', 'b must be [M]: M=4, but b is [3]',
    { ...CONV, bias: true }, { b: [3] }),
  errorInput('conv-bias-missing', 'the problem has a bias (bias=true), but no b is given',
    { ...CONV, bias: true }, { noBias: true }),
  errorInput('conv-negative-pads', 'pads must be >= 0, but pads=[-1,0,0,0]',
    { ...CONV, pads: [-1, 0, 0, 0] }),
  errorInput('conv-stride-zero', 'strides must be >= 1, but strides=[0,1]',
    { ...CONV, strides: [0, 1] }),
  errorInput('conv-dilation-zero', 'dilations must be >= 1, but dilations=[1,0]',
    { ...CONV, dilations: [1, 0] }),
  errorInput('conv-kernel-larger-than-input', 'the kernel must fit the padded input: kernel 7 on an input of 5 without pads',
    { ...CONV, kernelShape: [7, 3] }),
  errorInput('conv-auto-pad-with-pads', 'auto_pad and explicit pads cannot be used together: auto_pad=SAME_UPPER, pads=[1,1,1,1]',
    { ...CONV, autoPad: 'SAME_UPPER', pads: [1, 1, 1, 1] }),
  errorInput('convtranspose-output-padding-too-large', 'output_padding must be smaller than stride or dilation: output_padding=[2,0], strides=[2,2], dilations=[1,1]',
    { ...TRANSPOSED, outputPadding: [2, 0] }),
  errorInput('convtranspose-negative-output-padding', 'output_padding must be >= 0, but output_padding=[-1,0]',
    { ...TRANSPOSED, outputPadding: [-1, 0] }),
  errorInput('convtranspose-group-not-dividing-input-channels', 'group must divide the input channels: group=3, C=4',
    { ...TRANSPOSED, group: 3, outChannels: 3 }),
  errorInput('convtranspose-weight-input-channels', 'w must be [C, M/group, ...kernel_shape]: C=4, but w.shape[0]=3',
    TRANSPOSED, { w: [3, 4, 3, 3] }),
  errorInput('convtranspose-stride-zero', 'strides must be >= 1, but strides=[2,0]',
    { ...TRANSPOSED, strides: [2, 0] }),
  errorInput('convtranspose-negative-pads', 'pads must be >= 0, but pads=[0,0,0,-1]',
    { ...TRANSPOSED, pads: [0, 0, 0, -1] }),
];

/** The error input named `id`; throws naming the known ones. */
export function errorInputById(id: string): ErrorInput {
  const found = ERROR_INPUTS.find((e) => e.id === id);
  if (found === undefined) throw new Error(`no error input is named "${id}"; they are: ${ERROR_INPUTS.map((e) => e.id).join(', ')}`);
  return found;
}

/** Float32 tensors of an error input's shapes, filled with small integers (-3 to 3). */
export function errorInputOperands(e: ErrorInput): ConvOperands {
  const fill = (shape: readonly number[], offset: number): { shape: number[]; data: Float32Array } => ({
    shape: [...shape], data: Float32Array.from({ length: sizeOf(shape) }, (_, i) => ((i * 5 + offset) % 7) - 3),
  });
  return { x: fill(e.shapes.x, 0), w: fill(e.shapes.w, 1), ...(e.shapes.b ? { b: fill(e.shapes.b, 2) } : {}) };
}
