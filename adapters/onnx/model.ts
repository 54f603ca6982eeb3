/**
 * A single-node ONNX model for a {@link ConvProblem}: one `Conv` or `ConvTranspose` node with every
 * attribute spelled out, float32 graph inputs `X`, `W` (and `B` with bias), output `Y`, all with
 * full static shapes from problem/shape.ts. Serialized with onnx-proto (protobufjs, ONNX 1.10 schema).
 *
 * Opset: 11 by default. Conv-11 and ConvTranspose-11 are the versions whose semantics convcheck's
 * reference follows; Conv-22 / ConvTranspose-22 only widen the type constraints (bfloat16), so any
 * opset in 11..22 means the same float32 operator. 11 is the oldest such opset and the one most
 * runtimes read; ONNX Runtime 1.30 reads all of them.
 */
import onnxProto from 'onnx-proto';
import { ConvInputError } from '../../problem/errors.ts';
import { onnxPads, type ConvProblem } from '../../problem/problem.ts';
import { biasShape, inputTensorShape, outputTensorShape, weightShape } from '../../problem/shape.ts';
import type { Tensor } from '../../problem/tensor.ts';
import { validateProblem } from '../../problem/validate.ts';

const { onnx } = onnxProto;

/** The ONNX message types the builder produces (from onnx-proto). */
export type ModelProto = onnxProto.onnx.IModelProto;
/** An ONNX `GraphProto` (onnx-proto's plain-object form). */
export type GraphProto = onnxProto.onnx.IGraphProto;
/** An ONNX `NodeProto` (onnx-proto's plain-object form). */
export type NodeProto = onnxProto.onnx.INodeProto;
/** An ONNX `AttributeProto` (onnx-proto's plain-object form). */
export type AttributeProto = onnxProto.onnx.IAttributeProto;
/** An ONNX `ValueInfoProto` (onnx-proto's plain-object form). */
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
/** An ONNX `TensorProto` (onnx-proto's plain-object form). */
export type TensorProto = onnxProto.onnx.ITensorProto;

/** Default opset of the default ONNX domain: 11 (see the module comment). */
export const ONNX_OPSET = 11;

/** Opsets the builder accepts: every one in which Conv and ConvTranspose mean what Conv-11 means. */
export const ONNX_OPSET_RANGE = { min: 11, max: 22 } as const;

/** IR version written with the default opset: 6 (ONNX 1.6, the release that introduced opset 11). */
export const ONNX_IR_VERSION = 6;

/**
 * IR version that goes with an opset: the IR of the ONNX release that introduced the opset
 * (onnx/docs/Versioning.md, "Released Versions": 1.6 IR 6 opset 11, 1.7 IR 7 opset 12, 1.10 IR 8
 * opset 15, 1.14 IR 9 opset 19, 1.16 IR 10 opset 21, 1.17 IR 10 opset 22).
 */
export function irVersionForOpset(opset: number): number {
  if (opset <= 11) return 6;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

/** Graph input names, in node input order: `X` the data, `W` the weight, `B` the optional bias. */
export const ONNX_INPUT_NAMES = { x: 'X', w: 'W', b: 'B' } as const;

/** Graph output name. */
export const ONNX_OUTPUT_NAME = 'Y';

/** Producer name written into every model; also the name of its graph. */
const ONNX_PRODUCER = 'convcheck';

/** ONNX operator type of a problem: `Conv` or `ConvTranspose`. */
export function onnxOpType(p: ConvProblem): 'Conv' | 'ConvTranspose' {
  return p.op === 'conv' ? 'Conv' : 'ConvTranspose';
}

/** The node's input names: `['X', 'W']`, or `['X', 'W', 'B']` when the problem has a bias. */
function onnxInputNames(p: ConvProblem): string[] {
  const { x, w, b } = ONNX_INPUT_NAMES;
  return p.bias ? [x, w, b] : [x, w];
}

function intsAttribute(name: string, values: readonly number[]): AttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...values] };
}

function intAttribute(name: string, value: number): AttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

function stringAttribute(name: string, value: string): AttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(value) };
}

/**
 * Every attribute of the problem's node, in ONNX spelling: `group`, `kernel_shape`, `strides`,
 * `dilations`; `pads` (begins then ends) when auto_pad is NOTSET, `auto_pad` otherwise; for
 * ConvTranspose also `output_padding`, and `output_shape` (spatial) when the problem has one.
 * With output_shape and NOTSET the problem's pads are still written: the spec says they are
 * ignored then, and a runtime that reads them is wrong.
 */
export function convAttributes(p: ConvProblem): AttributeProto[] {
  const attributes: AttributeProto[] = [
    intAttribute('group', p.group),
    intsAttribute('kernel_shape', p.kernelShape),
    intsAttribute('strides', p.strides),
    intsAttribute('dilations', p.dilations),
  ];
  if (p.autoPad === 'NOTSET') attributes.push(intsAttribute('pads', onnxPads(p)));
  else attributes.push(stringAttribute('auto_pad', p.autoPad));
  if (p.op === 'convTranspose') {
    attributes.push(intsAttribute('output_padding', p.outputPadding));
    if (p.outputShape !== undefined) attributes.push(intsAttribute('output_shape', p.outputShape));
  }
  return attributes;
}

/** The one `Conv` / `ConvTranspose` node: inputs {@link onnxInputNames}, output `Y`, every attribute. */
function convNode(p: ConvProblem): NodeProto {
  return { name: onnxOpType(p).toLowerCase(), opType: onnxOpType(p), domain: '', input: onnxInputNames(p), output: [ONNX_OUTPUT_NAME], attribute: convAttributes(p) };
}

/**
 * A tensor value description of an ONNX element type (a `TensorProto.DataType`) with a full static
 * shape, e.g. `valueInfo('X', DataType.FLOAT, [1, 3, 5, 5])` for `X: float[1, 3, 5, 5]`.
 */
export function valueInfo(name: string, elemType: number, shape: readonly number[]): ValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: shape.map((dimValue) => ({ dimValue })) } } } };
}

/** A float32 {@link valueInfo}. */
function float32ValueInfo(name: string, shape: readonly number[]): ValueInfoProto {
  return valueInfo(name, onnx.TensorProto.DataType.FLOAT, shape);
}

/** The graph (unnamed, see {@link modelProto}): the node, inputs `X [N, C, ...]`, `W` in ONNX layout, `B [M]`, output `Y [N, M, ...]`. */
function convGraph(p: ConvProblem): GraphProto {
  const input = [float32ValueInfo(ONNX_INPUT_NAMES.x, inputTensorShape(p)), float32ValueInfo(ONNX_INPUT_NAMES.w, weightShape(p))];
  if (p.bias) input.push(float32ValueInfo(ONNX_INPUT_NAMES.b, biasShape(p)));
  return { node: [convNode(p)], input, output: [float32ValueInfo(ONNX_OUTPUT_NAME, outputTensorShape(p))] };
}

/** Throws ConvInputError (field `opset`) unless `opset` is an integer in {@link ONNX_OPSET_RANGE}. */
export function checkOpset(opset: number): void {
  if (!Number.isInteger(opset) || opset < ONNX_OPSET_RANGE.min || opset > ONNX_OPSET_RANGE.max) {
    throw new ConvInputError('opset', `onnx model: opset must be an integer in ${ONNX_OPSET_RANGE.min}..${ONNX_OPSET_RANGE.max}, but opset=${opset}.`);
  }
}

/**
 * The model wrapper every convcheck model shares: IR version {@link irVersionForOpset}, producer
 * `convcheck`, the default domain at `opset` (not checked here, see {@link checkOpset}), and `graph`
 * named `convcheck`.
 */
export function modelProto(opset: number, graph: Omit<GraphProto, 'name'>): ModelProto {
  return {
    irVersion: irVersionForOpset(opset),
    producerName: ONNX_PRODUCER,
    opsetImport: [{ domain: '', version: opset }],
    graph: { name: ONNX_PRODUCER, ...graph },
  };
}

/** Options of {@link buildConvModel}. */
export interface ConvModelOptions {
  /** Opset of the default domain, in {@link ONNX_OPSET_RANGE}; default {@link ONNX_OPSET}. */
  readonly opset?: number;
}

/** The model as an onnx-proto object (validated problem; opset checked), before serialization. */
function convModelProto(p: ConvProblem, options: ConvModelOptions = {}): ModelProto {
  validateProblem(p);
  const opset = options.opset ?? ONNX_OPSET;
  checkOpset(opset);
  return modelProto(opset, convGraph(p));
}

/**
 * Serialized ONNX `ModelProto` with one Conv or ConvTranspose node for `p`; throws ConvInputError
 * for an invalid problem or opset.
 * @example buildConvModel(parseDescriptor('mb1ic1ih5iw5oc1kh3kw3')) // bytes of a model.onnx
 */
export function buildConvModel(p: ConvProblem, options?: { opset?: number }): Uint8Array {
  return onnx.ModelProto.encode(convModelProto(p, options)).finish();
}

/**
 * A float32 `TensorProto` of `values` (each rounded to float32) with dims `shape`, little-endian
 * `raw_data`, as in ONNX backend-test `input_0.pb` files.
 */
export function float32TensorProto(name: string, shape: readonly number[], values: ArrayLike<number>): TensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return { name, dims: [...shape], dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw };
}

/** Serialized {@link float32TensorProto} of a tensor. */
export function encodeFloat32Tensor(name: string, t: Tensor): Uint8Array {
  return onnx.TensorProto.encode(float32TensorProto(name, t.shape, t.data)).finish();
}

/** Decodes a serialized model back into onnx-proto's message (for tests and fixture checks). */
export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
