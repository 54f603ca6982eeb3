/**
 * The quantized ops in the JSON-lines protocol (docs/protocol.md, "Quantized ops"): additive to
 * protocol version 1. An implementation that lists `quantized_ops` in its hello gets
 * `run_quantized` requests for those operators and answers with the same reply types as `run`.
 *
 *   convcheck -> implementation   {"type":"run_quantized","id":7,"descriptor":"CIu8s8...",
 *                                   "problem":{...Conv attributes..., "operator":"ConvInteger", ...},
 *                                   "resolved":{"pads":[...],"y_shape":[...]},
 *                                   "x":{"shape":[...],"dtype":"uint8","data":"<base64>"}, "w":..., "b":...}
 *   implementation -> convcheck   {"type":"result","id":7,"y":{"shape":[...],"dtype":"int32","data":"<base64>"}}
 *
 * Integer tensors are base64 of their raw little-endian values: one byte per uint8 or int8
 * (two's complement), four per int32.
 */
import { SUPPORTED, unsupported, type Support } from '../problem/backend.ts';
import { formatQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import { quantizedOutputShape, type IntTensor, type QuantizedConvProblem, type QuantizedOperands, type QuantType } from '../problem/quantized.ts';
import { resolvePads } from '../problem/shape.ts';
import { ProtocolError } from './protocol-error.ts';
import { base64Bytes, checkedWireShape, helloSupports, illFormedResolved, toWireProblem, type HelloMessage, type WireProblem, type WireResolved, type WireTensor } from './protocol.ts';

/** Integer element types on the wire. */
export type WireIntType = 'uint8' | 'int8' | 'int32';

const WIRE_TYPE: Readonly<Record<QuantType, WireIntType>> = { u8: 'uint8', s8: 'int8' };
const BYTES: Readonly<Record<WireIntType, number>> = { uint8: 1, int8: 1, int32: 4 };

/** A quantized problem on the wire: the Conv attributes (op `conv`) and the quantization parameters, with ONNX's names. */
export interface WireQuantizedProblem extends WireProblem {
  readonly operator: 'ConvInteger' | 'QLinearConv';
  readonly x_type: WireIntType;
  readonly w_type: WireIntType;
  readonly x_zero_point: number;
  /** A number per tensor, a list of M per output channel. */
  readonly w_zero_point: number | readonly number[];
  readonly per_channel: boolean;
  /** QLinearConv only: */
  readonly x_scale?: number;
  readonly w_scale?: number | readonly number[];
  readonly y_scale?: number;
  readonly y_zero_point?: number;
  readonly y_type?: WireIntType;
}

/** One quantized problem to run. */
export interface RunQuantizedRequest {
  readonly type: 'run_quantized';
  readonly id: number;
  readonly descriptor: string;
  readonly problem: WireQuantizedProblem;
  readonly resolved: WireResolved;
  readonly x: WireTensor;
  readonly w: WireTensor;
  readonly b?: WireTensor;
}

/** Base64 of integer values as raw little-endian bytes of `dtype`. */
export function encodeIntegers(values: ArrayLike<number>, dtype: WireIntType): string {
  const bytes = Buffer.alloc(values.length * BYTES[dtype]);
  for (let i = 0; i < values.length; i++) {
    if (dtype === 'uint8') bytes.writeUInt8(values[i], i);
    else if (dtype === 'int8') bytes.writeInt8(values[i], i);
    else bytes.writeInt32LE(values[i], i * 4);
  }
  return bytes.toString('base64');
}

/** Decodes `count` integers of `dtype`; a malformed payload is a ProtocolError naming `field` and the byte counts. */
export function decodeIntegers(field: string, base64: string, count: number, dtype: WireIntType): Int32Array {
  const bytes = base64Bytes(field, base64);
  const size = BYTES[dtype];
  if (bytes.length !== count * size) throw new ProtocolError(`${field} decodes to ${bytes.length} bytes, but its shape needs ${count} ${dtype} = ${count * size} bytes.`);
  const values = new Int32Array(count);
  for (let i = 0; i < count; i++) values[i] = dtype === 'uint8' ? bytes.readUInt8(i) : dtype === 'int8' ? bytes.readInt8(i) : bytes.readInt32LE(i * 4);
  return values;
}

function wireInts(t: IntTensor, dtype: WireIntType): WireTensor {
  return { shape: [...t.shape], dtype, data: encodeIntegers(t.data, dtype) };
}

/** The dtype of a quantized problem's y: int32 for ConvInteger, y's type for QLinearConv. */
export function outputWireType(p: QuantizedConvProblem): WireIntType {
  return p.requant === undefined ? 'int32' : WIRE_TYPE[p.requant.yType];
}

/** A run_quantized request for an ill-formed call: `resolved` only where it can be computed. */
export interface IllFormedQuantizedRequest extends Omit<RunQuantizedRequest, 'resolved'> {
  readonly resolved?: WireResolved;
}

/** The request for a quantized problem with its operands. */
export function makeQuantizedRunRequest(id: number, p: QuantizedConvProblem, operands: QuantizedOperands): RunQuantizedRequest {
  const pads = resolvePads(p.conv);
  return buildQuantizedRequest(id, p, operands, formatQuantizedDescriptor(p), { pads: [...pads.begin, ...pads.end], y_shape: quantizedOutputShape(p) });
}

/**
 * A run_quantized request for an ill-formed call (the quantized error inputs of
 * problem/quantized-error-inputs.ts, sent by `gate --error-inputs`): the operator, attributes,
 * quantization parameters and tensors exactly as given, without any of convcheck's checks;
 * `resolved` as for a float ill-formed request (protocol.ts, illFormedResolved). The tensors'
 * values must still be in their types' ranges (the wire encodes raw 8-bit and int32 values;
 * wireInts throws otherwise): an ill-formed value cannot be sent, only an ill-formed shape.
 */
export function makeIllFormedQuantizedRequest(id: number, p: QuantizedConvProblem, operands: QuantizedOperands, descriptor: string): IllFormedQuantizedRequest {
  return buildQuantizedRequest(id, p, operands, descriptor, illFormedResolved(p.conv));
}

function buildQuantizedRequest(id: number, p: QuantizedConvProblem, operands: QuantizedOperands, descriptor: string, resolved: WireResolved): RunQuantizedRequest;
function buildQuantizedRequest(id: number, p: QuantizedConvProblem, operands: QuantizedOperands, descriptor: string, resolved: WireResolved | undefined): IllFormedQuantizedRequest;
function buildQuantizedRequest(id: number, p: QuantizedConvProblem, operands: QuantizedOperands, descriptor: string, resolved: WireResolved | undefined): IllFormedQuantizedRequest {
  const r = p.requant;
  const perTensor = (values: readonly number[]): number | readonly number[] => (p.perChannel ? [...values] : values[0]);
  return {
    type: 'run_quantized',
    id,
    descriptor,
    problem: {
      ...toWireProblem(p.conv), operator: p.operator, x_type: WIRE_TYPE[p.xType], w_type: WIRE_TYPE[p.wType],
      x_zero_point: p.xZeroPoint, w_zero_point: perTensor(p.wZeroPoint), per_channel: p.perChannel,
      ...(r ? { x_scale: r.xScale, w_scale: perTensor(r.wScale), y_scale: r.yScale, y_zero_point: r.yZeroPoint, y_type: WIRE_TYPE[r.yType] } : {}),
    },
    ...(resolved !== undefined ? { resolved } : {}),
    x: wireInts(operands.x, WIRE_TYPE[p.xType]),
    w: wireInts(operands.w, WIRE_TYPE[p.wType]),
    ...(operands.b !== undefined ? { b: wireInts(operands.b, 'int32') } : {}),
  };
}

/**
 * A reply's integer tensor checked and decoded; a ProtocolError names `field`. With `expectedShape`
 * its shape must be that one; without, the tensor keeps the shape it declares (its payload must
 * match it), so that a wrong shape reaches the judge as a wrong answer.
 */
export function fromWireIntTensor(field: string, value: unknown, expectedShape: readonly number[] | undefined, dtype: WireIntType): IntTensor {
  const { shape, data, count } = checkedWireShape(field, value, expectedShape, dtype);
  return { shape, data: decodeIntegers(`${field}.data`, data, count, dtype) };
}

/** Whether a hello's quantized_ops and limits (on the Conv attributes) cover `p`; the reason names what does not. */
export function helloSupportsQuantized(hello: HelloMessage, p: QuantizedConvProblem): Support {
  const ops = hello.quantized_ops ?? [];
  if (!ops.includes(p.operator)) return unsupported(`${hello.name}: ${p.operator} is not among the quantized_ops of its hello [${ops.join(', ')}]`);
  const limits = helloSupports({ ...hello, ops: ['conv'] }, p.conv);
  return limits.supported ? SUPPORTED : limits;
}
