/**
 * Reads a `model.onnx` of an ONNX backend test into what convcheck needs to run it: whether its
 * graph is a single Conv or ConvTranspose node (anything else is skipped, with the reason), the
 * node's attributes, which graph inputs the test data feeds, and initializers that hold W or B.
 * The problem itself is built once the tensors' shapes are known ({@link problemFromModel}).
 */
import onnxProto from 'onnx-proto';
import { ConvInputError } from '../problem/errors.ts';
import { makeProblem, type AutoPad, type ConvProblem } from '../problem/problem.ts';
import { validateProblem } from '../problem/validate.ts';
import { FixtureFormatError } from './fixture-error.ts';
import { decodeProtobuf, int64ToNumber, tensorFromProto, type NamedTensor } from './tensor-proto.ts';
import { scanModelProto } from './tensor-proto-scan.ts';

const { onnx } = onnxProto;
const AttributeType = onnx.AttributeProto.AttributeType;

/** Largest model.onnx the reader opens (initializers can hold weights). */
export const MAX_MODEL_BYTES = 2 ** 31;

/** The attributes of a Conv / ConvTranspose node, as ONNX names them; absent ones are undefined. */
export interface ConvNodeAttributes {
  readonly group?: number;
  readonly kernel_shape?: number[];
  readonly strides?: number[];
  readonly dilations?: number[];
  readonly pads?: number[];
  readonly auto_pad?: string;
  readonly output_padding?: number[];
  readonly output_shape?: number[];
}

/** A model whose graph is one Conv or ConvTranspose node. */
export interface ConvModel {
  readonly kind: 'conv';
  readonly opType: 'Conv' | 'ConvTranspose';
  /** Opset of the default domain the model imports (0 if none is declared). */
  readonly opset: number;
  readonly attributes: ConvNodeAttributes;
  /** Node input names: X, W and, when present and non-empty, B. */
  readonly inputs: { readonly x: string; readonly w: string; readonly b?: string };
  /** Graph inputs that are not initializers, in order: `input_k.pb` feeds `feeds[k]`. */
  readonly feeds: readonly string[];
  /** Initializers by name (W or B may live here). */
  readonly initializers: ReadonlyMap<string, NamedTensor>;
}

/** A model convcheck does not run, with the reason. */
export interface SkippedModel {
  readonly kind: 'skipped';
  readonly reason: string;
}

const CONV_ATTRIBUTES = new Set(['group', 'kernel_shape', 'strides', 'dilations', 'pads', 'auto_pad']);
const CONV_TRANSPOSE_ATTRIBUTES = new Set([...CONV_ATTRIBUTES, 'output_padding', 'output_shape']);

type Attribute = onnxProto.onnx.IAttributeProto;

function readAttribute(a: Attribute, file: string): number | number[] | string {
  const name = a.name ?? '';
  const declared = a.type ?? AttributeType.UNDEFINED;
  const expected = name === 'group' ? AttributeType.INT : name === 'auto_pad' ? AttributeType.STRING : AttributeType.INTS;
  if (declared !== AttributeType.UNDEFINED && declared !== expected) {
    throw new FixtureFormatError(file, `attribute ${name} has type ${AttributeType[declared] ?? declared}, but ONNX defines it as ${AttributeType[expected]}.`);
  }
  if (expected === AttributeType.STRING) return new TextDecoder().decode(a.s ?? new Uint8Array(0));
  if (expected === AttributeType.INT) {
    const v = int64ToNumber(a.i ?? 0);
    if (Number.isNaN(v)) throw new FixtureFormatError(file, `attribute ${name} is not a safe integer.`);
    return v;
  }
  const values = (a.ints ?? []).map(int64ToNumber);
  if (values.some(Number.isNaN)) throw new FixtureFormatError(file, `attribute ${name} holds a value that is not a safe integer.`);
  return values;
}

/** A ModelProto from its bytes (bytes that are no model throw a FixtureFormatError naming `file`); one already decoded is returned as it is. */
export function decodeModelFile(bytes: Uint8Array | onnxProto.onnx.ModelProto, file: string): onnxProto.onnx.ModelProto {
  if (!(bytes instanceof Uint8Array)) return bytes;
  scanModelProto(bytes, file); // its tensors and attributes, before the decoder allocates their values
  return decodeProtobuf(file, 'ModelProto', bytes, (b) => onnx.ModelProto.decode(b));
}

/**
 * Reads model bytes (or the model they decode to): a single Conv / ConvTranspose node gives a {@link ConvModel}; any other graph
 * a {@link SkippedModel} whose reason starts `not a single Conv/ConvTranspose`. Bytes that are not
 * a model, or a Conv node with malformed attributes, throw a FixtureFormatError naming `file`.
 */
export function readConvModel(bytes: Uint8Array | onnxProto.onnx.ModelProto, file: string): ConvModel | SkippedModel {
  const model = decodeModelFile(bytes, file);
  const graph = model.graph;
  if (graph === null || graph === undefined) throw new FixtureFormatError(file, 'the model has no graph.');
  const nodes = graph.node ?? [];
  const skip = (detail: string): SkippedModel => ({ kind: 'skipped', reason: `not a single Conv/ConvTranspose: ${detail}` });
  if (nodes.length !== 1) return skip(`the graph has ${nodes.length} nodes (${nodes.map((n) => n.opType).join(', ')})`);
  const node = nodes[0];
  const domain = node.domain ?? '';
  if (domain !== '' && domain !== 'ai.onnx') return skip(`the node is ${node.opType} of domain "${domain}"`);
  if (node.opType !== 'Conv' && node.opType !== 'ConvTranspose') return skip(`the node is ${node.opType}`);
  const opType = node.opType;
  const attributes = readNodeAttributes(node, opType === 'Conv' ? CONV_ATTRIBUTES : CONV_TRANSPOSE_ATTRIBUTES, file);
  const inputNames = node.input ?? [];
  if (inputNames.length < 2 || inputNames.length > 3 || inputNames[0] === '' || inputNames[1] === '') {
    throw new FixtureFormatError(file, `${opType} needs inputs X, W and an optional B, but the node has [${inputNames.join(', ')}].`);
  }
  const { initializers, feeds, opset } = graphInputs(model, file);
  const b = inputNames[2];
  return {
    kind: 'conv',
    opType,
    opset,
    attributes,
    inputs: { x: inputNames[0], w: inputNames[1], ...(b !== undefined && b !== '' ? { b } : {}) },
    feeds,
    initializers,
  };
}

/** The attributes of a node, each one of `allowed` (else a FixtureFormatError naming it), with ONNX's types. */
export function readNodeAttributes(node: onnxProto.onnx.INodeProto, allowed: ReadonlySet<string>, file: string): ConvNodeAttributes {
  const attributes: Record<string, number | number[] | string> = {};
  for (const a of node.attribute ?? []) {
    const name = a.name ?? '';
    if (!allowed.has(name)) throw new FixtureFormatError(file, `${node.opType} has an attribute "${name}" that ONNX does not define for it.`);
    attributes[name] = readAttribute(a, file);
  }
  return attributes as ConvNodeAttributes;
}

/** A model's initializers (checked tensors), its graph inputs that are not initializers (what `input_k.pb` feeds, in order) and its default-domain opset (0 if none). */
export function graphInputs(model: onnxProto.onnx.IModelProto, file: string): { initializers: Map<string, NamedTensor>; feeds: string[]; opset: number } {
  const initializers = new Map<string, NamedTensor>();
  for (const init of model.graph?.initializer ?? []) {
    const named = tensorFromProto(init, `${file} (initializer ${init.name ?? ''})`);
    initializers.set(named.name, named);
  }
  const feeds = (model.graph?.input ?? []).map((i) => i.name ?? '').filter((name) => !initializers.has(name));
  const opset = (model.opsetImport ?? []).find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  return { initializers, feeds, opset: opset ? int64ToNumber(opset.version ?? 0) : 0 };
}

/** The attributes ONNX's Conv defines, which ConvInteger and QLinearConv share. */
export const CONV_NODE_ATTRIBUTES: ReadonlySet<string> = CONV_ATTRIBUTES;

const AUTO_PADS: readonly AutoPad[] = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

/**
 * The problem a Conv / ConvTranspose model computes on tensors of these shapes: N, C and the
 * spatial sizes from X; M from W (`W[0]` for Conv, `W[1]·group` for ConvTranspose); attributes with
 * their ONNX defaults (kernel_shape from W). Throws a ConvInputError naming the rule it breaks.
 */
export function problemFromModel(model: ConvModel, xShape: readonly number[], wShape: readonly number[], hasBias: boolean, name?: string): ConvProblem {
  const a = model.attributes;
  const rank = xShape.length - 2;
  const fail = (field: string, rule: string): never => { throw new ConvInputError(field, `${model.opType}: ${rule}`); };
  if (rank < 1) fail('X', `X must be [N, C, ...spatial], but its shape is [${xShape.join(', ')}].`);
  if (wShape.length !== xShape.length) fail('W', `W must have the rank of X (${xShape.length}), but W is [${wShape.join(', ')}] and X [${xShape.join(', ')}].`);
  const group = a.group ?? 1;
  const kernelShape = a.kernel_shape ?? wShape.slice(2);
  if (kernelShape.length !== rank || kernelShape.some((k, i) => k !== wShape[2 + i])) {
    fail('kernel_shape', `kernel_shape must equal the spatial dims of W, but kernel_shape=[${kernelShape.join(', ')}] and W is [${wShape.join(', ')}].`);
  }
  const autoPad = (a.auto_pad === undefined || a.auto_pad === '' ? 'NOTSET' : a.auto_pad) as AutoPad;
  if (!AUTO_PADS.includes(autoPad)) fail('auto_pad', `auto_pad must be one of ${AUTO_PADS.join(', ')}, but auto_pad=${a.auto_pad}.`);
  const inChannels = xShape[1];
  const outChannels = model.opType === 'Conv' ? wShape[0] : wShape[1] * group;
  if (model.opType === 'Conv' && wShape[1] * group !== inChannels) {
    fail('W', `W[1]·group must equal the input channels, but W is [${wShape.join(', ')}], group=${group} and C=${inChannels}.`);
  }
  if (model.opType === 'ConvTranspose' && wShape[0] !== inChannels) {
    fail('W', `W[0] must equal the input channels, but W is [${wShape.join(', ')}] and C=${inChannels}.`);
  }
  if (a.pads !== undefined && a.pads.length !== 2 * rank) fail('pads', `pads must hold ${2 * rank} values (begins then ends), but pads=[${a.pads.join(', ')}].`);
  const problem = makeProblem({
    op: model.opType === 'Conv' ? 'conv' : 'convTranspose',
    batch: xShape[0], inChannels, outChannels, group,
    inputShape: xShape.slice(2), kernelShape,
    ...(a.strides !== undefined ? { strides: a.strides } : {}),
    ...(a.dilations !== undefined ? { dilations: a.dilations } : {}),
    ...(a.pads !== undefined ? { pads: a.pads } : {}),
    autoPad,
    ...(a.output_padding !== undefined ? { outputPadding: a.output_padding } : {}),
    ...(a.output_shape !== undefined ? { outputShape: a.output_shape } : {}),
    bias: hasBias,
    ...(name !== undefined ? { name } : {}),
  });
  return validateProblem(problem);
}
