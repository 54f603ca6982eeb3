/**
 * The JSON-lines protocol between convcheck and an external implementation (docs/protocol.md):
 * the message types, the float32 little-endian base64 codec, the request builder and the
 * validators of what the implementation writes. Every validator throws a {@link ProtocolError}
 * whose message names the field and what was wrong, so an implementer can fix it from the message.
 *
 *   implementation -> convcheck   hello   (once, when it starts)
 *   convcheck -> implementation   run     (one per problem)
 *   convcheck -> implementation   gradient (protocol 2, when the hello declares gradients)
 *   implementation -> convcheck   result | unsupported | error   (one per request, same id)
 *
 * Version 2 adds the optional gradient capability and nothing else: a version 1 implementation
 * is spoken to exactly as before, and never sent a gradient request.
 */
import type { ConvOp, ConvProblem } from '../problem/problem.ts';
import { formatDescriptor } from '../problem/descriptor.ts';
import { outputTensorShape, resolvePads, sizeOf, weightShape, inputTensorShape } from '../problem/shape.ts';
import type { Tensor } from '../problem/tensor.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { SUPPORTED, unsupported, type Support } from '../problem/backend.ts';
import type { Precision } from '../problem/precision.ts';
import { QUANTIZED_OPERATORS, type QuantizedOperator } from '../problem/quantized.ts';
import { ProtocolError } from './protocol-error.ts';
import { MAX_REFERENCE_OUTPUT_ELEMENTS } from '../reference/inputs.ts';
import { escapeControlCharacters, hasControlCharacters } from '../problem/errors.ts';

/** The newest protocol version this convcheck speaks (docs/protocol.md). */
export const PROTOCOL_VERSION = 2;

/** Every version this convcheck speaks; a hello with another version is refused. */
export const PROTOCOL_VERSIONS: readonly number[] = [1, 2];

/** The first version with the gradient capability (`hello.gradients`, the `gradient` request). */
export const GRADIENTS_SINCE = 2;

/**
 * Most float32 elements one reply line carries (all its tensors together): the reference's own
 * output limit, 2^25, so that any output convcheck can judge also crosses the protocol.
 */
export const MAX_REPLY_ELEMENTS = MAX_REFERENCE_OUTPUT_ELEMENTS;

/** Bytes a reply line may take besides its base64 payloads: the JSON envelope, shapes and id. */
const REPLY_ENVELOPE_BYTES = 65_536;

/** Characters of the padded base64 of `bytes` bytes: `4·ceil(bytes/3)`. */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/**
 * The longest reply line convcheck reads, for replies of at most `elements` float32 (the base64 of
 * `4·elements` bytes plus {@link REPLY_ENVELOPE_BYTES}): 179,022,508 bytes for {@link MAX_REPLY_ELEMENTS}.
 */
export function maxReplyLineBytes(elements: number): number {
  return base64Length(4 * elements) + REPLY_ENVELOPE_BYTES;
}

/** Whether this machine stores float32 little-endian, as the wire does (then tensors cross as one copy). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Precisions an implementation may declare. fp64 is not offered: results travel as float32. */
const WIRE_PRECISIONS: readonly Precision[] = ['fp32', 'tf32', 'fp16', 'bf16'];

const OPS: readonly ConvOp[] = ['conv', 'convTranspose'];

/**
 * A tensor on the wire: its shape and its elements as base64 of little-endian float32; integer
 * tensors of the quantized ops say their `dtype` (`uint8`, `int8`, `int32`; adapters/protocol-quantized.ts).
 */
export interface WireTensor {
  readonly shape: readonly number[];
  readonly data: string;
  readonly dtype?: string;
}

/** Optional limits in a hello; a problem beyond one is unsupported (with the limit as reason). */
export interface HelloLimits {
  /** Spatial ranks implemented, e.g. `[2]` for 2-D only. Default: 1, 2 and 3. */
  readonly spatial_ranks?: readonly number[];
  /** Largest group implemented; 1 means no grouped convolution. Default: any. */
  readonly max_group?: number;
  /** Whether dilations other than 1 are implemented. Default: true. */
  readonly dilations?: boolean;
  /** Largest element count of any of x, w, y. Default: any. */
  readonly max_elements?: number;
}

/** The first line an implementation writes. */
export interface HelloMessage {
  readonly type: 'hello';
  /** 1 or 2 (see {@link PROTOCOL_VERSIONS}). */
  readonly protocol: number;
  readonly name: string;
  readonly version: string;
  readonly precision: Precision;
  readonly ops: readonly ConvOp[];
  readonly limits?: HelloLimits;
  /** Protocol 2: the ops whose gradients it computes (a subset of `ops`); absent = no gradients. */
  readonly gradients?: readonly ConvOp[];
  /** Optional: the quantized operators implemented (`run_quantized` requests, adapters/protocol-quantized.ts). */
  readonly quantized_ops?: readonly QuantizedOperator[];
}

/** A problem's ONNX attributes, with ONNX names; `output_shape` only when the problem sets it. */
export interface WireProblem {
  readonly op: ConvOp;
  readonly group: number;
  readonly kernel_shape: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** ONNX `pads`: begins then ends; meaningful only when `auto_pad` is NOTSET. */
  readonly pads: readonly number[];
  readonly auto_pad: ConvProblem['autoPad'];
  /** ConvTranspose `output_padding` (all zero for conv). */
  readonly output_padding: readonly number[];
  readonly output_shape?: readonly number[];
  readonly bias: boolean;
}

/** What convcheck has already worked out, so an implementation need not do auto_pad arithmetic. */
export interface WireResolved {
  /** Explicit pads after auto_pad and output_shape, begins then ends (ONNX `pads` layout). */
  readonly pads: readonly number[];
  /** The output tensor shape `[N, M, ...spatial]` the reply must have. */
  readonly y_shape: readonly number[];
}

/** One problem to run. */
export interface RunRequest {
  readonly type: 'run';
  readonly id: number;
  readonly descriptor: string;
  readonly problem: WireProblem;
  readonly resolved: WireResolved;
  readonly x: WireTensor;
  readonly w: WireTensor;
  readonly b?: WireTensor;
}

/**
 * Protocol 2: the gradients of one problem for an upstream gradient dy. With `L = Σ y·dy` and y the
 * problem's op on x, w (and b): the reply carries `dx = ∂L/∂x`, `dw = ∂L/∂w` and, when b is sent,
 * `db = ∂L/∂b`. `resolved.y_shape` is dy's shape.
 */
export interface GradientRequest extends Omit<RunRequest, 'type'> {
  readonly type: 'gradient';
  readonly dy: WireTensor;
}

/** A run request for an ill-formed call: as a run request, but `resolved` may be absent. */
export interface IllFormedRequest extends Omit<RunRequest, 'resolved'> {
  readonly resolved?: WireResolved;
}

/** Which request a reply answers: a run (y) or a gradient (dx, dw, db). */
export type RequestKind = 'run' | 'gradient';

/** The output of a run. */
export interface ResultReply { readonly type: 'result'; readonly id: number; readonly y: WireTensor }
/** The gradients of a gradient request; `db` exactly when the request carried b. */
export interface GradientReply { readonly type: 'result'; readonly id: number; readonly dx: WireTensor; readonly dw: WireTensor; readonly db?: WireTensor }
/** The implementation declines the problem: an unsupported verdict. `reason` is non-empty, made {@link printable}. */
export interface UnsupportedReply { readonly type: 'unsupported'; readonly id: number; readonly reason: string }
/** The implementation failed on the problem: an error verdict. `message` is made {@link printable}; an empty one is said to be empty. */
export interface ErrorReply { readonly type: 'error'; readonly id: number; readonly message: string }
/** Any reply to a run. */
export type Reply = ResultReply | UnsupportedReply | ErrorReply;
/** Any reply to a gradient request. */
export type GradientRequestReply = GradientReply | UnsupportedReply | ErrorReply;

/** At most `max` characters of a line, for error messages (not escaped: see {@link quote} and {@link printable}). */
export function preview(line: string, max = 200): string {
  return line.length <= max ? line : `${line.slice(0, max)}... (${line.length} characters)`;
}

/** Longest text of an implementation's (an unsupported reason, an error message) kept; the rest is cut, with a note of its length. */
export const MAX_REPORTED_TEXT = 2000;

/** Longest hello.name and hello.version: they name the backend in every report and table. */
export const MAX_HELLO_LABEL = 200;

/**
 * Text written by an implementation, safe to print: at most `max` characters (with a note of how
 * long it was) and its control characters escaped (`\u001b`), so that it can neither clear the
 * screen, set the window title nor break a table's lines.
 */
export function printable(text: string, max = MAX_REPORTED_TEXT): string {
  const cut = text.length <= max ? text : `${text.slice(0, max)}... (cut: ${text.length} characters in all)`;
  return escapeControlCharacters(cut);
}

/** `text` as a JSON string literal safe to print (see {@link printable}), cut to `max` characters. */
export function quote(text: string, max = 200): string {
  const literal = escapeControlCharacters(JSON.stringify(text.length <= max ? text : text.slice(0, max)));
  return text.length <= max ? literal : `${literal.slice(0, -1)}..." (${text.length} characters)`;
}

/** Levels of a JSON value an error message shows; deeper arrays and objects show as `[...]` and `{...}`. */
const SHOWN_DEPTH = 3;

/**
 * A JSON value from an implementation as an error message shows it: at most `max` characters and
 * {@link SHOWN_DEPTH} levels, strings quoted with {@link quote}. The value is never stringified
 * whole: it may be nested 20,000 levels deep (JSON.stringify overflows the stack) or be megabytes long.
 */
export function showValue(value: unknown, max = 100): string {
  let out = '';
  const visit = (v: unknown, depth: number): void => {
    if (Array.isArray(v)) {
      if (v.length > 0 && depth >= SHOWN_DEPTH) { out += '[...]'; return; }
      out += '[';
      for (let i = 0; i < v.length && out.length <= max; i++) {
        if (i > 0) out += ',';
        visit(v[i], depth + 1);
      }
      out += ']';
    } else if (isObject(v)) {
      const keys = Object.keys(v);
      if (keys.length > 0 && depth >= SHOWN_DEPTH) { out += '{...}'; return; }
      out += '{';
      for (let i = 0; i < keys.length && out.length <= max; i++) {
        out += `${i > 0 ? ',' : ''}${quote(keys[i], max)}:`;
        visit(v[keys[i]], depth + 1);
      }
      out += '}';
    } else {
      out += typeof v === 'string' ? quote(v, max) : String(v);
    }
  };
  visit(value, 0);
  return out.length <= max ? out : `${out.slice(0, max)}...`;
}

/** Base64 of the values as little-endian float32 (each value rounded to float32). */
export function encodeFloat32(values: ArrayLike<number>): string {
  if (LITTLE_ENDIAN) {
    const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
    return Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength).toString('base64');
  }
  const bytes = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) bytes.writeFloatLE(values[i], i * 4);
  return bytes.toString('base64');
}

/**
 * Why `text` is not canonical, padded base64 (RFC 4648 §4: groups of 4 of `A-Z a-z 0-9 + /`, at
 * most two `=` and only at the end), or undefined if it is. Checked in linear time without a
 * quantified group: V8's backtracking stack overflowed on one such regex for payloads of 8 MB
 * (two million float32, e.g. a [1, 96, 112, 112] output), an error verdict for a correct reply.
 */
function base64Problem(text: string): string | undefined {
  const bad = text.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return `character ${quote(text[bad])} at offset ${bad}`;
  const padding = text.indexOf('=');
  const padded = padding < 0 || (padding >= text.length - 2 && /^=+$/.test(text.slice(padding)));
  if (text.length % 4 !== 0 || !padded) return `length ${text.length} (not a multiple of 4, or misplaced "=")`;
  return undefined;
}

/**
 * Decodes base64 little-endian float32 into `count` values. Throws a ProtocolError naming `field`
 * if the text is not padded standard base64 or does not hold exactly `4·count` bytes.
 */
export function decodeFloat32(field: string, base64: string, count: number): Float32Array {
  const bytes = base64Bytes(field, base64);
  if (bytes.length !== count * 4) {
    throw new ProtocolError(`${field} decodes to ${bytes.length} bytes, but its shape needs ${count} float32 = ${count * 4} bytes.`);
  }
  const values = new Float32Array(count);
  if (LITTLE_ENDIAN) new Uint8Array(values.buffer).set(bytes);
  else for (let i = 0; i < count; i++) values[i] = bytes.readFloatLE(i * 4);
  return values;
}

/** The bytes of padded standard base64; anything else is a ProtocolError naming `field` and the first bad character. */
export function base64Bytes(field: string, base64: string): Buffer {
  const problem = base64Problem(base64);
  if (problem !== undefined) throw new ProtocolError(`${field} is not padded standard base64: ${problem}.`);
  return Buffer.from(base64, 'base64');
}

/** A tensor on the wire. */
function toWireTensor(t: Tensor): WireTensor {
  return { shape: [...t.shape], data: encodeFloat32(t.data) };
}

/**
 * The checks every reply tensor shares, float32 or integer: `value` is an object, its `shape` an
 * array of safe integers >= 0 (and, with `expectedShape`, that shape), its `dtype` the given one
 * when `dtype` is given, and its `data` a string. Returns the declared shape (a copy) and the
 * still-encoded data with its element count; anything else is a ProtocolError naming `field`.
 * The count is computed, not allocated: the decoders compare the payload's bytes with it first
 * (a shape may claim 2^80 elements).
 */
export function checkedWireShape(
  field: string, value: unknown, expectedShape?: readonly number[], dtype?: string,
): { shape: number[]; data: string; count: number } {
  const form = `{"shape": [...], ${dtype !== undefined ? `"dtype": "${dtype}", ` : ''}"data": "<base64>"}`;
  if (!isObject(value)) throw new ProtocolError(`${field} must be an object ${form}, but ${field}=${showValue(value)}.`);
  const shape = value.shape;
  const problem = shapeProblem(field, shape, true);
  if (problem !== undefined) throw new ProtocolError(`${problem}.`);
  const declared = [...(shape as number[])];
  if (expectedShape !== undefined && (declared.length !== expectedShape.length || declared.some((s, a) => s !== expectedShape[a]))) {
    throw new ProtocolError(`${field}.shape must be [${expectedShape}], but ${field}.shape=${showValue(declared, 200)}.`);
  }
  if (dtype !== undefined && value.dtype !== dtype) {
    throw new ProtocolError(`${field}.dtype must be "${dtype}", but ${field}.dtype=${showValue(value.dtype)}.`);
  }
  if (typeof value.data !== 'string') throw new ProtocolError(`${field}.data must be a base64 string, but it is ${describeType(value.data)}.`);
  return { shape: declared, data: value.data, count: sizeOf(declared) };
}

/**
 * A wire tensor decoded with the shape it declares; throws a ProtocolError naming `field` on a
 * malformed object or a payload that does not hold exactly that shape's elements. With
 * `expectedShape`, a different declared shape is a ProtocolError too; without it, the tensor comes
 * back with the shape it declares (a reply of the wrong shape is a wrong answer, for the judge).
 */
export function fromWireTensor(field: string, value: unknown, expectedShape?: readonly number[]): Tensor<Float32Array> {
  const { shape, data, count } = checkedWireShape(field, value, expectedShape);
  return { shape, data: decodeFloat32(`${field}.data`, data, count) };
}

/** The problem's attributes with ONNX names. */
export function toWireProblem(p: ConvProblem): WireProblem {
  return {
    op: p.op,
    group: p.group,
    kernel_shape: [...p.kernelShape],
    strides: [...p.strides],
    dilations: [...p.dilations],
    pads: [...p.padsBegin, ...p.padsEnd],
    auto_pad: p.autoPad,
    output_padding: [...p.outputPadding],
    ...(p.outputShape !== undefined ? { output_shape: [...p.outputShape] } : {}),
    bias: p.bias,
  };
}

/**
 * A run request: the problem's attributes and its tensors as given, with `resolved` when there is
 * one (always for a well-formed problem; see {@link makeIllFormedRequest} for the others).
 */
function buildRunRequest(id: number, p: ConvProblem, operands: ConvOperands, resolved: WireResolved): RunRequest;
function buildRunRequest(id: number, p: ConvProblem, operands: ConvOperands, resolved: WireResolved | undefined): IllFormedRequest;
function buildRunRequest(id: number, p: ConvProblem, operands: ConvOperands, resolved: WireResolved | undefined): IllFormedRequest {
  return {
    type: 'run',
    id,
    descriptor: formatDescriptor(p),
    problem: toWireProblem(p),
    ...(resolved !== undefined ? { resolved } : {}),
    x: toWireTensor(operands.x),
    w: toWireTensor(operands.w),
    ...(operands.b !== undefined ? { b: toWireTensor(operands.b) } : {}),
  };
}

/** The run request for problem `p` with its operands (encoded as float32). */
export function makeRunRequest(id: number, p: ConvProblem, operands: ConvOperands): RunRequest {
  const pads = resolvePads(p);
  return buildRunRequest(id, p, operands, { pads: [...pads.begin, ...pads.end], y_shape: outputTensorShape(p) });
}

/**
 * A run request for an ill-formed call (the error inputs of problem/error-inputs.ts, sent by
 * `gate --error-inputs`): the problem's attributes and the tensors exactly as given, without any
 * of convcheck's checks. `resolved` is sent only where the output-size formulas give positive
 * integer sizes (docs/protocol.md, "Error inputs"); an implementation must not trust it anyway.
 */
export function makeIllFormedRequest(id: number, p: ConvProblem, operands: ConvOperands): IllFormedRequest {
  return buildRunRequest(id, p, operands, illFormedResolved(p));
}

/** The `resolved` of an ill-formed problem where the formulas give pads and an output of positive integer sizes, else undefined. */
/**
 * The resolved pads and y shape of an ill-formed call, where the output-size formulas give them
 * (safe integers, every output size >= 1), else undefined: an implementation must not trust them.
 */
export function illFormedResolved(p: ConvProblem): WireResolved | undefined {
  try {
    const pads = resolvePads(p);
    const y = outputTensorShape(p);
    const sane = (values: readonly number[], min: number): boolean => values.every((v) => Number.isSafeInteger(v) && v >= min);
    if (!sane([...pads.begin, ...pads.end], -Infinity) || !sane(y, 1)) return undefined;
    return { pads: [...pads.begin, ...pads.end], y_shape: y };
  } catch {
    return undefined;
  }
}

/**
 * The gradient request for problem `p`, its operands and the upstream gradient `dy` (shape of the
 * output `[N, M, ...o]`); the reply must carry dx, dw (and db when `operands.b` is given).
 */
export function makeGradientRequest(id: number, p: ConvProblem, operands: ConvOperands, dy: Tensor): GradientRequest {
  const { type: _type, ...run } = makeRunRequest(id, p, operands);
  return { type: 'gradient', ...run, dy: toWireTensor(dy) };
}

/** Parses one stdout line as JSON; a line that is not JSON is a ProtocolError quoting it. */
function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new ProtocolError(`stdout line is not JSON (write logs to stderr): ${quote(line)}.`);
  }
}

/** Validates a hello line; throws a ProtocolError naming the first bad field. */
export function parseHello(line: string): HelloMessage {
  const m = parseLine(line);
  if (!isObject(m) || m.type !== 'hello') throw new ProtocolError(`the first line must be a hello {"type":"hello",...}, but it is ${quote(line)}.`);
  if (typeof m.protocol !== 'number' || !PROTOCOL_VERSIONS.includes(m.protocol)) {
    throw new ProtocolError(`hello.protocol must be ${PROTOCOL_VERSIONS.join(' or ')} (the versions this convcheck speaks), but hello.protocol=${showValue(m.protocol)}.`);
  }
  const protocol = m.protocol;
  const name = requireLabel(m, 'name');
  if (name.trim() === '') throw new ProtocolError('hello.name must not be empty.');
  const version = requireLabel(m, 'version');
  const precision = m.precision;
  if (typeof precision !== 'string' || !(WIRE_PRECISIONS as readonly string[]).includes(precision)) {
    throw new ProtocolError(`hello.precision must be one of ${WIRE_PRECISIONS.join(', ')}, but hello.precision=${showValue(precision)}.`);
  }
  const ops = m.ops;
  if (!Array.isArray(ops) || ops.length === 0 || !ops.every((op) => (OPS as readonly unknown[]).includes(op))) {
    throw new ProtocolError(`hello.ops must be a non-empty list of ${OPS.map((o) => JSON.stringify(o)).join(', ')}, but hello.ops=${showValue(ops)}.`);
  }
  // each once: three million "conv" entries made an 18 MB error message of the gradients check below
  if (new Set(ops).size !== ops.length) throw new ProtocolError(`hello.ops must list each op once, but it has ${ops.length} entries: ${showValue(ops)}.`);
  const limits = m.limits === undefined ? undefined : parseLimits(m.limits, protocol);
  const gradients = m.gradients === undefined ? undefined : parseGradients(m.gradients, protocol, ops as ConvOp[]);
  const quantizedOps = parseQuantizedOps(m.quantized_ops);
  return {
    type: 'hello', protocol, name, version, precision: precision as Precision, ops: ops as ConvOp[],
    ...(limits ? { limits } : {}), ...(gradients ? { gradients } : {}), ...(quantizedOps ? { quantized_ops: quantizedOps } : {}),
  };
}

/**
 * Validates `hello.gradients`: protocol 2 or later, a non-empty list of ops that are also in
 * `hello.ops`. In a protocol 1 hello it is refused rather than ignored, so that an implementation
 * that forgot to say protocol 2 learns why its gradients are never asked for.
 */
function parseGradients(value: unknown, protocol: number, ops: readonly ConvOp[]): ConvOp[] {
  if (protocol < GRADIENTS_SINCE) {
    throw new ProtocolError(`hello.gradients needs protocol ${GRADIENTS_SINCE}, but hello.protocol=${protocol} (declare "protocol": ${GRADIENTS_SINCE} to be sent gradient requests).`);
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((op) => (OPS as readonly unknown[]).includes(op))) {
    throw new ProtocolError(`hello.gradients must be a non-empty list of ${OPS.map((o) => JSON.stringify(o)).join(', ')}, but hello.gradients=${showValue(value)}.`);
  }
  const missing = (value as ConvOp[]).find((op) => !ops.includes(op));
  if (missing !== undefined) throw new ProtocolError(`hello.gradients lists ${JSON.stringify(missing)}, which is not among hello.ops [${ops.join(', ')}]: gradients are of ops it runs.`);
  return [...new Set(value as ConvOp[])];
}

/**
 * Validates limits. Unknown keys are refused rather than ignored: a limit convcheck did not
 * understand would turn unsupported problems into failures.
 */
function parseLimits(value: unknown, protocol: number): HelloLimits {
  if (!isObject(value)) throw new ProtocolError(`hello.limits must be an object, but it is ${describeType(value)}.`);
  const known = ['spatial_ranks', 'max_group', 'dilations', 'max_elements'];
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new ProtocolError(`hello.limits.${printable(key, 60)} is not a limit of protocol ${protocol} (known: ${known.join(', ')}).`);
  }
  const { spatial_ranks: ranks, max_group: maxGroup, dilations, max_elements: maxElements } = value;
  if (ranks !== undefined && (!Array.isArray(ranks) || ranks.length === 0 || !ranks.every((r) => r === 1 || r === 2 || r === 3))) {
    throw new ProtocolError(`hello.limits.spatial_ranks must be a non-empty list of 1, 2, 3, but it is ${showValue(ranks)}.`);
  }
  for (const [key, v] of [['max_group', maxGroup], ['max_elements', maxElements]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 1)) throw new ProtocolError(`hello.limits.${key} must be an integer >= 1, but it is ${showValue(v)}.`);
  }
  if (dilations !== undefined && typeof dilations !== 'boolean') throw new ProtocolError(`hello.limits.dilations must be true or false, but it is ${showValue(dilations)}.`);
  return {
    ...(ranks !== undefined ? { spatial_ranks: ranks as number[] } : {}),
    ...(maxGroup !== undefined ? { max_group: maxGroup as number } : {}),
    ...(dilations !== undefined ? { dilations } : {}),
    ...(maxElements !== undefined ? { max_elements: maxElements as number } : {}),
  };
}

/** Whether a hello's ops and limits cover `p`; the reason names the op or limit and the value. */
export function helloSupports(hello: HelloMessage, p: ConvProblem): Support {
  if (!hello.ops.includes(p.op)) return unsupported(`${hello.name}: op ${p.op} is not among the ops of its hello [${hello.ops.join(', ')}]`);
  const limits = hello.limits;
  if (limits === undefined) return SUPPORTED;
  const rank = p.inputShape.length;
  if (limits.spatial_ranks !== undefined && !limits.spatial_ranks.includes(rank)) {
    return unsupported(`${hello.name}: spatial rank ${rank} is not among its limits.spatial_ranks [${limits.spatial_ranks.join(', ')}]`);
  }
  if (limits.max_group !== undefined && p.group > limits.max_group) {
    return unsupported(`${hello.name}: group=${p.group} exceeds its limits.max_group=${limits.max_group}`);
  }
  if (limits.dilations === false && p.dilations.some((d) => d !== 1)) {
    return unsupported(`${hello.name}: dilations=[${p.dilations}] but its limits.dilations=false`);
  }
  if (limits.max_elements !== undefined) {
    for (const [field, shape] of [['x', inputTensorShape(p)], ['w', weightShape(p)], ['y', outputTensorShape(p)]] as const) {
      const n = sizeOf(shape);
      if (n > limits.max_elements) return unsupported(`${hello.name}: ${field} has ${n} elements, more than its limits.max_elements=${limits.max_elements}`);
    }
  }
  return SUPPORTED;
}

/**
 * Validates a reply line to run request `id` as far as the envelope goes (JSON object, type, id,
 * the fields of its type); the result's tensor is checked by {@link fromWireTensor}.
 */
export function parseReply(line: string, id: number): Reply {
  const m = parseEnvelope(line, id);
  if (m.type !== 'result') return m;
  return { type: 'result', id, y: wireTensorFields(m.fields, 'y', '') };
}

/**
 * Validates a reply line to gradient request `id`: a result must carry `dx` and `dw`, and `db`
 * exactly when the request carried b (`withBias`); their shapes and payloads are checked by
 * {@link fromWireTensor}.
 */
export function parseGradientReply(line: string, id: number, withBias: boolean): GradientRequestReply {
  const m = parseEnvelope(line, id);
  if (m.type !== 'result') return m;
  const hint = ' (a reply to a gradient request carries dx, dw and, when the request has b, db; not y)';
  const dx = wireTensorFields(m.fields, 'dx', hint), dw = wireTensorFields(m.fields, 'dw', hint);
  if (!withBias && m.fields.db !== undefined) throw new ProtocolError('reply.db must be absent: the request carried no b, so there is no bias gradient.');
  const db = withBias ? wireTensorFields(m.fields, 'db', ' (the request carried b, so the reply needs db = ∂L/∂b)') : undefined;
  return { type: 'result', id, dx, dw, ...(db ? { db } : {}) };
}

/** A reply's envelope: unsupported and error replies whole, a result with its fields to check. */
function parseEnvelope(line: string, id: number): UnsupportedReply | ErrorReply | { type: 'result'; fields: Record<string, unknown> } {
  const m = parseLine(line);
  if (!isObject(m)) throw new ProtocolError(`a reply must be a JSON object, but the line is ${quote(line)}.`);
  if (m.type !== 'result' && m.type !== 'unsupported' && m.type !== 'error') {
    throw new ProtocolError(`reply.type must be "result", "unsupported" or "error", but reply.type=${showValue(m.type)} in ${quote(line)}.`);
  }
  if (m.id !== id) throw new ProtocolError(`reply.id must be ${id} (the id of the request), but reply.id=${showValue(m.id)}.`);
  if (m.type === 'unsupported') {
    // docs/protocol.md, "Replies": an unsupported verdict "with your reason"
    const reason = requireString(m, 'reply', 'reason');
    if (reason.trim() === '') throw new ProtocolError(`reply.reason must say why the implementation declines the problem, but reply.reason=${quote(reason)}.`);
    return { type: 'unsupported', id, reason: printable(reason) };
  }
  if (m.type === 'error') {
    // an error verdict either way; a blank message would end the row at "reported an error: "
    const message = requireString(m, 'reply', 'message');
    return { type: 'error', id, message: message.trim() === '' ? `(an empty message: reply.message=${quote(message)})` : printable(message) };
  }
  return { type: 'result', fields: m };
}

/** The `{shape, data}` of a reply's tensor field `key`, checked as far as types go; `hint` follows a missing-object message. */
function wireTensorFields(m: Record<string, unknown>, key: string, hint: string): WireTensor {
  const value = m[key];
  if (!isObject(value)) throw new ProtocolError(`reply.${key} must be an object {"shape": [...], "data": "<base64>"}, but it is ${describeType(value)}${value === undefined ? hint : ''}.`);
  const { shape, data } = value;
  const problem = shapeProblem(`reply.${key}`, shape, false);
  if (problem !== undefined) throw new ProtocolError(`${problem}.`);
  if (typeof data !== 'string') throw new ProtocolError(`reply.${key}.data must be a base64 string, but it is ${describeType(data)}.`);
  return { shape: shape as number[], data, ...(typeof value.dtype === 'string' ? { dtype: value.dtype } : {}) };
}

/**
 * Why `shape`, the shape of tensor `field`, is not an array of integers >= 0 (at most 2^53-1 with
 * `safe`), naming the first bad element and its index; undefined if it is one.
 */
function shapeProblem(field: string, shape: unknown, safe: boolean): string | undefined {
  if (!Array.isArray(shape)) return `${field}.shape must be an array of integers >= 0, but it is ${describeType(shape)}`;
  const isDimension = (s: unknown): boolean => typeof s === 'number' && (safe ? Number.isSafeInteger(s) : Number.isInteger(s)) && s >= 0;
  const bad = shape.findIndex((s) => !isDimension(s));
  if (bad < 0) return undefined;
  return `${field}.shape[${bad}] must be an integer >= 0${safe ? ' and at most 2^53-1' : ''}, but ${field}.shape[${bad}]=${showValue(shape[bad])}`;
}

/** The optional `quantized_ops` of a hello: a non-empty list of "ConvInteger" and "QLinearConv", or absent. */
function parseQuantizedOps(value: unknown): QuantizedOperator[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((op) => (QUANTIZED_OPERATORS as readonly unknown[]).includes(op))) {
    throw new ProtocolError(`hello.quantized_ops must be a non-empty list of ${QUANTIZED_OPERATORS.map((o) => JSON.stringify(o)).join(', ')}, but hello.quantized_ops=${showValue(value)}.`);
  }
  return value as QuantizedOperator[];
}

/** Whether `value` is a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How an error message shows a value's type and a short preview ({@link showValue}): `missing`,
 * `null`, `an array ([[[...]]])`, `a string ("...")`.
 */
export function describeType(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  const type = Array.isArray(value) ? 'an array' : isObject(value) ? 'an object' : `a ${typeof value}`;
  return `${type} (${showValue(value, 60)})`;
}

function requireString(m: Record<string, unknown>, where: string, key: string): string {
  const v = m[key];
  if (typeof v !== 'string') throw new ProtocolError(`${where}.${key} must be a string, but it is ${describeType(v)}.`);
  return v;
}

/** `hello.name` or `hello.version`: a string of at most {@link MAX_HELLO_LABEL} characters without control characters. */
function requireLabel(m: Record<string, unknown>, key: 'name' | 'version'): string {
  const v = requireString(m, 'hello', key);
  if (v.length > MAX_HELLO_LABEL) throw new ProtocolError(`hello.${key} must be at most ${MAX_HELLO_LABEL} characters, but hello.${key}=${quote(v, 60)}.`);
  if (hasControlCharacters(v)) {
    throw new ProtocolError(`hello.${key} must not contain control characters (it is printed in every report), but hello.${key}=${quote(v)}.`);
  }
  return v;
}
