/**
 * Checks a problem against the rules of ONNX Conv / ConvTranspose. Every rule that fails throws a
 * {@link ConvInputError} naming the field, the value and the rule; nothing is silently clamped.
 */
import { ConvInputError } from './errors.ts';
import type { ConvProblem } from './problem.ts';
import { effectiveKernelSize, inputTensorShape, outputSpatialShape, outputTensorShape, resolvePads, sizeOf, weightShape } from './shape.ts';

/** Largest element count a tensor may have: 2^31 - 1 (int32 indexing in every runtime). */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * Longest problem name (benchdnn's `n"..."`), in characters. A name labels a case in reports,
 * replay commands and the descriptor a process backend is sent; real ones are short (benchdnn's
 * `resnet_50:conv1`, ONNX's test directory names up to 63 characters). A 40,000-character name
 * made `run --backend onnxruntime` crash, through ORT's telemetry, before convcheck turned it off
 * (known discrepancy ort-long-command-line-crash).
 */
export const MAX_NAME_LENGTH = 256;

const AUTO_PADS = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

/**
 * Problems that passed: a property run validates the same problem object at every layer it passes
 * through (session, adapter, model builder, reference), and rechecking it each time was a twentieth
 * of a law run. Problems are immutable by type (`readonly` fields and arrays; change one with
 * `withChanges`, which copies). They are not frozen: frozen arrays slowed the reference's index
 * arithmetic threefold.
 */
const validated = new WeakSet<ConvProblem>();

/** Throws a ConvInputError for the first rule `p` breaks; returns `p` when it breaks none. */
export function validateProblem(p: ConvProblem): ConvProblem {
  if (validated.has(p)) return p;
  checkRules(p);
  validated.add(p);
  return p;
}

function checkRules(p: ConvProblem): void {
  const op = p.op;
  const fail = (field: string, rule: string): never => {
    throw new ConvInputError(field, `${op}: ${rule}`);
  };
  if (op !== 'conv' && op !== 'convTranspose') fail('op', `op must be conv or convTranspose, but op=${String(op)}.`);
  if (!Array.isArray(p.inputShape)) fail('inputShape', `inputShape must be an array of spatial sizes, but inputShape=${show(p.inputShape)}.`);
  const rank = p.inputShape.length;
  if (rank < 1 || rank > 3) fail('inputShape', `spatial rank must be 1, 2 or 3, but inputShape=[${p.inputShape}] has rank ${rank}.`);
  positiveInteger('batch', p.batch, fail);
  positiveInteger('inChannels', p.inChannels, fail);
  positiveInteger('outChannels', p.outChannels, fail);
  positiveInteger('group', p.group, fail);
  const perAxis: Array<[string, readonly number[]]> = [
    ['kernelShape', p.kernelShape], ['strides', p.strides], ['dilations', p.dilations],
    ['padsBegin', p.padsBegin], ['padsEnd', p.padsEnd], ['outputPadding', p.outputPadding],
  ];
  if (p.outputShape !== undefined) perAxis.push(['outputShape', p.outputShape]);
  for (const [field, values] of perAxis) {
    if (!Array.isArray(values)) fail(field, `${field} must be an array with one value per spatial axis (${rank}), but ${field}=${show(values)}.`);
    if (values.length !== rank) fail(field, `${field} must have one value per spatial axis (${rank}), but ${field}=[${values}].`);
  }
  p.inputShape.forEach((v, a) => positiveInteger(`inputShape[${a}]`, v, fail));
  p.kernelShape.forEach((v, a) => positiveInteger(`kernelShape[${a}]`, v, fail));
  p.strides.forEach((v, a) => positiveInteger(`strides[${a}]`, v, fail, 'stride must be an integer >= 1'));
  p.dilations.forEach((v, a) => positiveInteger(`dilations[${a}]`, v, fail, 'dilation must be an integer >= 1'));
  p.padsBegin.forEach((v, a) => nonNegativeInteger(`pads[${a}]`, v, fail));
  p.padsEnd.forEach((v, a) => nonNegativeInteger(`pads[${rank + a}]`, v, fail));
  p.outputPadding.forEach((v, a) => nonNegativeInteger(`outputPadding[${a}]`, v, fail));
  p.outputShape?.forEach((v, a) => positiveInteger(`outputShape[${a}]`, v, fail));
  if (!AUTO_PADS.includes(p.autoPad)) fail('autoPad', `auto_pad must be one of ${AUTO_PADS.join(', ')}, but auto_pad=${String(p.autoPad)}.`);
  // ONNX: "auto_pad ... and pads cannot be used simultaneously"; the oracle does not guess which wins
  if (p.autoPad !== 'NOTSET' && [...p.padsBegin, ...p.padsEnd].some((v) => v !== 0)) {
    fail('pads', `pads must be all zero when auto_pad is ${p.autoPad} (ONNX: they cannot be used together), but pads=[${[...p.padsBegin, ...p.padsEnd]}].`);
  }
  if (typeof p.bias !== 'boolean') fail('bias', `bias must be true or false, but bias=${show(p.bias)}.`);
  // the descriptor writes the name as n"..." with no escape, so a quote would not read back
  if (p.name !== undefined && (typeof p.name !== 'string' || p.name.includes('"'))) fail('name', `name must be a string without '"', but name=${JSON.stringify(typeof p.name === 'string' ? shortened(p.name) : p.name)}.`);
  if (p.name !== undefined && p.name.length > MAX_NAME_LENGTH) fail('name', `name must be at most ${MAX_NAME_LENGTH} characters, but it has ${p.name.length}: ${JSON.stringify(shortened(p.name))}.`);
  // the descriptor is one line: a newline or other control character in its name would break it
  if (p.name !== undefined && /[\u0000-\u001f\u007f]/.test(p.name)) fail('name', `name must not contain control characters (a descriptor is one line), but name=${JSON.stringify(p.name)}.`);
  if (p.inChannels % p.group !== 0) fail('group', `group must divide input channels, but group=${p.group} and C=${p.inChannels}.`);
  if (p.outChannels % p.group !== 0) fail('group', `group must divide output channels, but group=${p.group} and M=${p.outChannels}.`);
  if (op === 'conv') validateConvOnly(p, fail);
  else validateTransposeOnly(p, fail);
  const out = outputSpatialShape(p);
  const pads = resolvePads(p);
  out.forEach((o, a) => {
    if (o < 1) {
      const rule = op === 'conv'
        ? `kernel must fit the padded input on axis ${a}, but the dilated kernel spans ${effectiveKernelSize(p.kernelShape[a], p.dilations[a])} and the padded input is ${p.inputShape[a] + pads.begin[a] + pads.end[a]}.`
        : `output size on axis ${a} must be >= 1, but pads make it ${o}.`;
      fail(op === 'conv' ? `kernelShape[${a}]` : 'pads', rule);
    }
  });
  for (const [field, shape] of [['x', inputTensorShape(p)], ['w', weightShape(p)], ['y', outputTensorShape(p)]] as const) {
    const n = sizeOf(shape);
    if (n > MAX_ELEMENTS) fail(field, `tensor ${field} of shape [${shape}] has ${n} elements, more than the limit 2^31-1.`);
  }
}

type Fail = (field: string, rule: string) => never;

/** A long text as an error message shows it: its first 40 characters and how many follow. */
function shortened(text: string): string {
  return text.length <= 60 ? text : `${text.slice(0, 40)}... (${text.length - 40} more)`;
}

/** A value as an error message shows it: numbers as they are, anything else as JSON (`"1"` is a string). */
export function show(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
}

function positiveInteger(field: string, v: number, fail: Fail, rule = `${field} must be an integer >= 1`): void {
  if (typeof v === 'number' && v > MAX_ELEMENTS && Number.isFinite(v)) fail(field, `${field} must be at most 2^31-1, but ${field}=${v}.`);
  if (!Number.isSafeInteger(v) || v < 1) fail(field, `${rule}, but ${field}=${show(v)}.`);
}

function nonNegativeInteger(field: string, v: number, fail: Fail): void {
  if (typeof v === 'number' && v > MAX_ELEMENTS && Number.isFinite(v)) fail(field, `${field} must be at most 2^31-1, but ${field}=${v}.`);
  if (!Number.isSafeInteger(v) || v < 0) fail(field, `${field} must be an integer >= 0, but ${field}=${show(v)}.`);
}

function validateConvOnly(p: ConvProblem, fail: Fail): void {
  if (p.outputPadding.some((v) => v !== 0)) fail('outputPadding', `output_padding is a ConvTranspose attribute, but conv has outputPadding=[${p.outputPadding}].`);
  if (p.outputShape !== undefined) fail('outputShape', `output_shape is a ConvTranspose attribute, but conv has outputShape=[${p.outputShape}].`);
}

function validateTransposeOnly(p: ConvProblem, fail: Fail): void {
  // ONNX: output_padding "must be less than the corresponding stride/dilation dimension"; read as
  // PyTorch reads it (smaller than the stride or the dilation). ORT reads it as smaller than the stride.
  p.outputPadding.forEach((v, a) => {
    const limit = Math.max(p.strides[a], p.dilations[a]);
    if (v >= limit) fail(`outputPadding[${a}]`, `output_padding must be smaller than stride or dilation, but outputPadding[${a}]=${v}, stride=${p.strides[a]}, dilation=${p.dilations[a]}.`);
  });
  p.inputShape.forEach((i, a) => {
    const full = convTransposeFull(p, a);
    if (p.outputShape !== undefined) {
      // Past the full output, the extra goes at the end like output_padding, and like it (with it)
      // stays below the stride: what ONNX's test data and ONNX Runtime accept.
      const unpadded = full - p.outputPadding[a];
      if (p.outputShape[a] > full && p.outputShape[a] - unpadded >= p.strides[a]) {
        fail(`outputShape[${a}]`, `output_shape may exceed s·(i-1)+d·(k-1)+1=${unpadded} (the transposed output without output_padding) by less than the stride ${p.strides[a]}, but outputShape[${a}]=${p.outputShape[a]}.`);
      }
    } else if ((p.autoPad === 'SAME_UPPER' || p.autoPad === 'SAME_LOWER') && i * p.strides[a] > full) {
      // SAME_* without output_shape asks for i·s, which a kernel narrower than the stride cannot reach
      fail('autoPad', `auto_pad=${p.autoPad} asks for an output i·s=${i * p.strides[a]} on axis ${a}, more than the full transposed output s·(i-1)+output_padding+d·(k-1)+1=${full}.`);
    }
  });
}

function convTransposeFull(p: ConvProblem, a: number): number {
  return p.strides[a] * (p.inputShape[a] - 1) + p.outputPadding[a] + effectiveKernelSize(p.kernelShape[a], p.dilations[a]);
}
