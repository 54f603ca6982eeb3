/**
 * All shape arithmetic of convcheck: output sizes, effective kernel sizes, SAME pads and the pads
 * that a ConvTranspose `output_shape` stands for. No other module computes an output size inline.
 *
 * Formulas are the ONNX operator spec's (Conv-11 and ConvTranspose-11, onnx/docs/Operators.md).
 */
import type { AutoPad, ConvProblem } from './problem.ts';

/** Span of a dilated kernel: `d·(k-1) + 1`. */
export function effectiveKernelSize(kernel: number, dilation: number): number {
  return dilation * (kernel - 1) + 1;
}

/** Conv output size: `o = floor((i + pb + pe - d·(k-1) - 1) / s) + 1`. */
export function convOutputSize(input: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number): number {
  return Math.floor((input + padBegin + padEnd - effectiveKernelSize(kernel, dilation)) / stride) + 1;
}

/** ConvTranspose output size: `o = s·(i-1) + output_padding + d·(k-1) + 1 - pb - pe`. */
export function convTransposeOutputSize(
  input: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number, outputPadding: number,
): number {
  return stride * (input - 1) + outputPadding + effectiveKernelSize(kernel, dilation) - padBegin - padEnd;
}

/** Pads at the beginning and end of one axis. */
export interface AxisPads { begin: number; end: number }

/**
 * Splits a total padding between begin and end as auto_pad says: SAME_UPPER puts the odd extra pad
 * at the end, SAME_LOWER at the beginning.
 */
export function splitPadding(total: number, mode: 'SAME_UPPER' | 'SAME_LOWER'): AxisPads {
  const small = Math.floor(total / 2);
  return mode === 'SAME_UPPER' ? { begin: small, end: total - small } : { begin: total - small, end: small };
}

/**
 * The SAME pad total before clamping at zero: `(ceil(i/s)-1)·s + d·(k-1) + 1 - i`. Negative when
 * the stride steps past the last input elements (ONNX, TensorFlow and {@link convSamePads} pad 0
 * then); some implementations forget the clamp (adapters/tfjs-known.ts).
 */
export function convSamePadTotalUnclamped(input: number, kernel: number, stride: number, dilation: number): number {
  return (Math.ceil(input / stride) - 1) * stride + effectiveKernelSize(kernel, dilation) - input;
}

/** Conv SAME pads: output `ceil(i/s)`, total `max(0, (o-1)·s + d·(k-1) + 1 - i)`, split by mode. */
export function convSamePads(input: number, kernel: number, stride: number, dilation: number, mode: 'SAME_UPPER' | 'SAME_LOWER'): AxisPads {
  const output = Math.ceil(input / stride);
  const total = Math.max(0, (output - 1) * stride + effectiveKernelSize(kernel, dilation) - input);
  return splitPadding(total, mode);
}

/**
 * ConvTranspose pads for a requested output size:
 * `total = s·(i-1) + output_padding + d·(k-1) + 1 - output_shape`; SAME_UPPER puts the smaller half
 * first, every other mode (SAME_LOWER, and NOTSET with output_shape) the larger half first.
 * A negative total (output_shape past the full output) extends the output at the end, as
 * output_padding would, in every mode: ONNX's own test data (test_convtranspose_output_shape)
 * and ONNX Runtime do so; the spec's formula leaves it open (onnx/onnx#4159). validateProblem
 * allows the extension only below the stride.
 */
export function convTransposePadsForOutput(
  input: number, kernel: number, stride: number, dilation: number, outputPadding: number, output: number, autoPad: AutoPad,
): AxisPads {
  const total = stride * (input - 1) + outputPadding + effectiveKernelSize(kernel, dilation) - output;
  if (total < 0) return { begin: 0, end: total };
  return splitPadding(total, autoPad === 'SAME_UPPER' ? 'SAME_UPPER' : 'SAME_LOWER');
}

/** The explicit pads a problem stands for, after auto_pad and output_shape are applied. */
export interface ResolvedPads { begin: number[]; end: number[] }

/** Resolves auto_pad (and, for ConvTranspose, output_shape) to explicit begin and end pads. */
export function resolvePads(p: ConvProblem): ResolvedPads {
  const begin: number[] = [];
  const end: number[] = [];
  for (let axis = 0; axis < p.inputShape.length; axis++) {
    const pads = resolveAxisPads(p, axis);
    begin.push(pads.begin);
    end.push(pads.end);
  }
  return { begin, end };
}

function resolveAxisPads(p: ConvProblem, axis: number): AxisPads {
  const i = p.inputShape[axis], k = p.kernelShape[axis], s = p.strides[axis], d = p.dilations[axis];
  if (p.op === 'conv') {
    if (p.autoPad === 'VALID') return { begin: 0, end: 0 };
    if (p.autoPad === 'NOTSET') return { begin: p.padsBegin[axis], end: p.padsEnd[axis] };
    return convSamePads(i, k, s, d, p.autoPad);
  }
  const op = p.outputPadding[axis];
  // output_shape wins over every auto_pad, VALID included: the spec generates pads from it ("If
  // output_shape is specified pads values are ignored") and ONNX shape inference outputs output_shape.
  if (p.outputShape !== undefined) return convTransposePadsForOutput(i, k, s, d, op, p.outputShape[axis], p.autoPad);
  if (p.autoPad === 'VALID') return { begin: 0, end: 0 };
  if (p.autoPad === 'NOTSET') return { begin: p.padsBegin[axis], end: p.padsEnd[axis] };
  // SAME_* without output_shape: the output is i·s (ONNX ConvTranspose spec).
  return convTransposePadsForOutput(i, k, s, d, op, i * s, p.autoPad);
}

/**
 * The explicit (auto_pad NOTSET) attributes a problem stands for: its resolved pads, except that a
 * negative ConvTranspose end pad (output_shape past the full output) becomes the output_padding
 * it equals, since pads cannot be negative: the same output, element for element.
 */
export function explicitAttributes(p: ConvProblem): { padsBegin: number[]; padsEnd: number[]; outputPadding: number[] } {
  const pads = resolvePads(p);
  return {
    padsBegin: pads.begin,
    padsEnd: pads.end.map((e) => Math.max(0, e)),
    outputPadding: p.outputPadding.map((op, a) => op + Math.max(0, -pads.end[a])),
  };
}

/** Spatial output sizes of the problem. */
export function outputSpatialShape(p: ConvProblem): number[] {
  const pads = resolvePads(p);
  return p.inputShape.map((i, axis) => {
    const k = p.kernelShape[axis], s = p.strides[axis], d = p.dilations[axis];
    return p.op === 'conv'
      ? convOutputSize(i, k, s, d, pads.begin[axis], pads.end[axis])
      : convTransposeOutputSize(i, k, s, d, pads.begin[axis], pads.end[axis], p.outputPadding[axis]);
  });
}

/** Input tensor shape `[N, C, ...spatial]`. */
export function inputTensorShape(p: ConvProblem): number[] {
  return [p.batch, p.inChannels, ...p.inputShape];
}

/** Weight shape: Conv `[M, C/group, ...k]`, ConvTranspose `[C, M/group, ...k]`. */
export function weightShape(p: ConvProblem): number[] {
  return p.op === 'conv'
    ? [p.outChannels, p.inChannels / p.group, ...p.kernelShape]
    : [p.inChannels, p.outChannels / p.group, ...p.kernelShape];
}

/** Bias shape `[M]`. */
export function biasShape(p: ConvProblem): number[] {
  return [p.outChannels];
}

/** Output tensor shape `[N, M, ...spatial]`. */
export function outputTensorShape(p: ConvProblem): number[] {
  return [p.batch, p.outChannels, ...outputSpatialShape(p)];
}

/**
 * Multiply-accumulates counting every tap, padding included (the article's count, §8.2), in closed
 * form: Conv `N · M · Πo · (C/g) · Πk` (outputs × taps per output), ConvTranspose
 * `N · C · Πi · (M/g) · Πk` (inputs × taps per input). Past 2^53 it is the nearest double.
 */
export function denseMultiplyAccumulates(p: ConvProblem): number {
  const taps = sizeOf(p.kernelShape);
  return p.op === 'conv'
    ? sizeOf(outputTensorShape(p)) * (p.inChannels / p.group) * taps
    : sizeOf(inputTensorShape(p)) * (p.outChannels / p.group) * taps;
}

/** Number of elements of a shape: the product of its sizes (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major strides of a shape: `strides[last] = 1`, `strides[a] = strides[a+1]·shape[a+1]`. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let a = shape.length - 1; a >= 0; a--) {
    strides[a] = stride;
    stride *= shape[a];
  }
  return strides;
}

/** Up-sampled size of one axis by an integer factor (ONNX Resize with integer scales): `o = i·f`. */
export function upsampleOutputSize(input: number, factor: number): number {
  return input * factor;
}

/** Signal-processing output modes, as numpy.convolve and scipy.signal.convolve name them. */
export type SignalMode = 'full' | 'same' | 'valid';

/**
 * Zero pads that turn a signal-processing mode into a padded sliding window on one axis: full pads
 * `k-1` on both sides; valid pads none; same keeps the centre `i` of full as scipy.signal does
 * (`_centered`: start `floor((k-1)/2)` into full), i.e. begin `ceil((k-1)/2)`, end `floor((k-1)/2)`
 * (an even kernel's extra pad goes at the beginning).
 */
export function signalModePads(kernel: number, mode: SignalMode): AxisPads {
  if (mode === 'full') return { begin: kernel - 1, end: kernel - 1 };
  if (mode === 'valid') return { begin: 0, end: 0 };
  const start = Math.floor((kernel - 1) / 2);
  return { begin: kernel - 1 - start, end: start };
}

/** Signal-processing output size: full `i+k-1`, same `i`, valid `i-k+1` (< 1 when k > i). */
export function signalOutputSize(input: number, kernel: number, mode: SignalMode): number {
  const pads = signalModePads(kernel, mode);
  return convOutputSize(input, kernel, 1, 1, pads.begin, pads.end);
}
