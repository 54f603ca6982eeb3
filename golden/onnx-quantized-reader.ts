/**
 * Reads a `model.onnx` whose graph is a single ConvInteger or QLinearConv node (ONNX's backend
 * tests test_*convinteger* and test_qlinearconv, or convcheck's quantized corpus): the node's
 * Conv attributes and which tensor plays which role, fed by the data set or held as initializers.
 * The problem (types, zero points, scales, per-channel marker) is built once the tensors are read
 * ({@link quantizedProblemFromTensors}): in ONNX they are node inputs, in convcheck problem fields.
 */
import onnxProto from 'onnx-proto';
import { ConvInputError } from '../problem/errors.ts';
import { validateQuantizedProblem, type IntTensor, type QuantizedConvProblem, type QuantizedOperands, type QuantType } from '../problem/quantized.ts';
import { FixtureFormatError } from './fixture-error.ts';
import { CONV_NODE_ATTRIBUTES, decodeModelFile, graphInputs, problemFromModel, readNodeAttributes, type ConvNodeAttributes } from './onnx-model-reader.ts';
import { TENSOR_DATA_TYPES, type NamedTensor } from './tensor-proto.ts';

/** The roles of a quantized node's inputs, in ONNX's order. */
const ROLES = {
  ConvInteger: ['x', 'w', 'xZeroPoint', 'wZeroPoint'],
  QLinearConv: ['x', 'xScale', 'xZeroPoint', 'w', 'wScale', 'wZeroPoint', 'yScale', 'yZeroPoint', 'b'],
} as const;

/** A role of a quantized node's inputs. */
export type QuantizedRole = (typeof ROLES)['QLinearConv'][number];

/** A model whose graph is one ConvInteger or QLinearConv node. */
export interface QuantizedModel {
  readonly operator: 'ConvInteger' | 'QLinearConv';
  readonly opset: number;
  readonly attributes: ConvNodeAttributes;
  /** The tensor name of each role the node gives (optional inputs left out or empty are absent). */
  readonly inputs: Partial<Record<QuantizedRole, string>>;
  /** Graph inputs that are not initializers, in order: `input_k.pb` feeds `feeds[k]`. */
  readonly feeds: readonly string[];
  readonly initializers: ReadonlyMap<string, NamedTensor>;
}

/** The model, when its graph is one ConvInteger or QLinearConv node of the default domain; else undefined. Bytes that are no model throw a FixtureFormatError. */
export function readQuantizedModel(bytes: Uint8Array | onnxProto.onnx.ModelProto, file: string): QuantizedModel | undefined {
  const model = decodeModelFile(bytes, file);
  const nodes = model.graph?.node ?? [];
  if (nodes.length !== 1) return undefined;
  const node = nodes[0];
  if ((node.domain ?? '') !== '' && node.domain !== 'ai.onnx') return undefined;
  if (node.opType !== 'ConvInteger' && node.opType !== 'QLinearConv') return undefined;
  const operator = node.opType;
  const roles = ROLES[operator];
  const names = node.input ?? [];
  const required = operator === 'ConvInteger' ? 2 : 8;
  if (names.length < required || names.length > roles.length || names.slice(0, required).some((n) => n === '')) {
    throw new FixtureFormatError(file, `${operator} needs inputs ${roles.slice(0, required).join(', ')}${roles.length > required ? ` and optional ${roles.slice(required).join(', ')}` : ''}, but the node has [${names.join(', ')}].`);
  }
  const inputs: Partial<Record<QuantizedRole, string>> = {};
  names.forEach((name, k) => { if (name !== '') inputs[roles[k]] = name; });
  const { initializers, feeds, opset } = graphInputs(model, file);
  return { operator, opset, attributes: readNodeAttributes(node, CONV_NODE_ATTRIBUTES, file), inputs, feeds, initializers };
}

/** An 8-bit type from a TensorProto data type, or undefined. */
function quantTypeOf(dataType: number): QuantType | undefined {
  return dataType === TENSOR_DATA_TYPES.UINT8 ? 'u8' : dataType === TENSOR_DATA_TYPES.INT8 ? 's8' : undefined;
}

function ints(t: NamedTensor): IntTensor {
  return { shape: [...t.tensor.shape], data: Int32Array.from(t.tensor.data) };
}

/**
 * The problem and operands a quantized model computes on the tensors of one data set (`tensor`
 * gives each role's tensor, from an initializer or the data set; undefined for an absent optional
 * input). Types come from the tensors' data types; a 1-D w_zero_point / w_scale (even of one
 * element, as test_qlinearconv has it) is per channel. Throws a ConvInputError (or
 * FixtureFormatError) naming the rule broken.
 */
export function quantizedProblemFromTensors(model: QuantizedModel, tensor: (role: QuantizedRole) => NamedTensor | undefined, name?: string): { problem: QuantizedConvProblem; operands: QuantizedOperands } {
  const op = model.operator;
  const fail = (field: string, rule: string): never => { throw new ConvInputError(field, `${op}: ${rule}`); };
  const x = tensor('x') ?? fail('x', 'the x tensor is missing.');
  const w = tensor('w') ?? fail('w', 'the w tensor is missing.');
  const xType = quantTypeOf(x.dataType) ?? fail('x', `x must be uint8 or int8, but its data type is ${x.dataType}.`);
  const wType = quantTypeOf(w.dataType) ?? fail('w', `w must be uint8 or int8, but its data type is ${w.dataType}.`);
  const b = tensor('b');
  if (b !== undefined && b.dataType !== TENSOR_DATA_TYPES.INT32) fail('B', `B must be int32, but its data type is ${b.dataType}.`);
  // the Conv attributes and shapes, as the float reader builds them
  const conv = problemFromModel({ kind: 'conv', opType: 'Conv', opset: model.opset, attributes: model.attributes, inputs: { x: 'X', w: 'W' }, feeds: [], initializers: new Map() }, x.tensor.shape, w.tensor.shape, b !== undefined, name);
  const scalar = (role: QuantizedRole, t: NamedTensor): number => {
    if (t.tensor.data.length !== 1) fail(role, `${role} must be a scalar, but it has shape [${t.tensor.shape}].`);
    return t.tensor.data[0];
  };
  const xz = tensor('xZeroPoint');
  const wz = tensor('wZeroPoint');
  const ws = tensor('wScale');
  // 1-D of M values: per output channel (M = 1 included, as test_qlinearconv has it); a 1-D tensor of one value for M > 1 is a broadcast scalar
  const perChannelShape = (t: NamedTensor | undefined): boolean => t !== undefined && t.tensor.shape.length === 1 && t.tensor.shape[0] === conv.outChannels;
  const perChannel = perChannelShape(wz) || perChannelShape(ws);
  const wZeroPoint = wz === undefined ? Array(perChannel ? conv.outChannels : 1).fill(0) : Array.from(wz.tensor.data);
  const spec = { operator: op, conv, xType, wType, xZeroPoint: xz === undefined ? 0 : scalar('xZeroPoint', xz), wZeroPoint, perChannel };
  let problem: QuantizedConvProblem;
  if (op === 'ConvInteger') {
    problem = spec;
  } else {
    const yz = tensor('yZeroPoint') ?? fail('y_zero_point', 'y_zero_point is missing.');
    const yType = quantTypeOf(yz.dataType) ?? fail('y_zero_point', `y_zero_point must be uint8 or int8, but its data type is ${yz.dataType}.`);
    problem = {
      ...spec,
      requant: {
        xScale: scalar('xScale', tensor('xScale') ?? fail('x_scale', 'x_scale is missing.')),
        wScale: Array.from((ws ?? fail('w_scale', 'w_scale is missing.')).tensor.data),
        yScale: scalar('yScale', tensor('yScale') ?? fail('y_scale', 'y_scale is missing.')),
        yZeroPoint: scalar('yZeroPoint', yz), yType,
      },
    };
  }
  validateQuantizedProblem(problem);
  return { problem, operands: { x: ints(x), w: ints(w), ...(b !== undefined ? { b: ints(b) } : {}) } };
}
