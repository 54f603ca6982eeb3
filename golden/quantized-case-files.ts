/**
 * The files of one quantized golden case, produced one at a time from (problem, mode, seed) alone:
 *
 *   model.onnx                               one ConvInteger / QLinearConv node (adapters/onnx/quantized-model.ts):
 *                                            zero points and scales are initializers; X, W (, B) graph inputs
 *   test_data_set_0/input_0.pb, input_1.pb   X, W (UINT8 / INT8 raw_data)
 *   test_data_set_0/input_2.pb               B (INT32), QLinearConv with a bias
 *   test_data_set_0/output_0.pb              Y: the exact output (INT32 for ConvInteger, y's type for QLinearConv)
 *   x.npy w.npy [b.npy]                      the same operands (|u1 or |i1; b <i4)
 *   y.npy                                    the exact output (<i4 ConvInteger; |u1 or |i1 QLinearConv)
 *   yLo.npy yHi.npy                          what a correct implementation may give per element, [lo, hi] (<i4):
 *                                            lo = hi = y except where the tie-neighbour allowance opens it
 *   acc.npy                                  the exact accumulator Σ (x - x_zp)(w - w_zp) (+ B), <f8 (exact: it may pass int32)
 *   case.json                                all of it as JSON, for small cases
 *
 * `onnx` and `npy` select the first two groups; yLo, yHi and acc are always written (the manifest
 * points to them for judging).
 */
import onnxProto from 'onnx-proto';
import { quantizedReferenceResult, type QuantizedReference } from '../compare/quantized-case.ts';
import { buildQuantizedConvModel, encodeValuesTensor, onnxDataType, QUANTIZED_INPUT_NAMES, QUANTIZED_OUTPUT_NAME } from '../adapters/onnx/quantized-model.ts';
import { formatQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import { makeQuantizedOperands, type QuantizedDataMode } from '../problem/quantized-data.ts';
import { quantizedOutputShape, type IntTensor, type QuantizedConvProblem, type QuantizedOperands, type QuantType } from '../problem/quantized.ts';
import { biasShape, inputTensorShape, weightShape } from '../problem/shape.ts';
import { onnxAttributes } from './attributes.ts';
import { ALL_FORMATS, type CaseFile, type FixtureFormat } from './case-files.ts';
import { encodeNpy } from './npy.ts';

const DataType = onnxProto.onnx.TensorProto.DataType;

/** Where a quantized case's judging files are, relative to its directory. */
export const ALLOWED_FILES = { lo: 'yLo.npy', hi: 'yHi.npy', acc: 'acc.npy' } as const;

/** A case.json is written when x, w, b and y hold at most this many elements together. */
const JSON_MAX_ELEMENTS = 4096;

/** What a quantized case's files are generated from. */
export interface QuantizedCaseSpec {
  readonly name: string;
  readonly problem: QuantizedConvProblem;
  readonly mode: QuantizedDataMode;
  readonly seed: number;
}

/** Tensor shapes of a quantized case, as the manifest records them. */
export interface QuantizedCaseShapes {
  readonly x: number[];
  readonly w: number[];
  readonly b?: number[];
  readonly y: number[];
}

/** Shapes of x, w, b (with bias) and y. */
export function quantizedCaseShapes(p: QuantizedConvProblem): QuantizedCaseShapes {
  return { x: inputTensorShape(p.conv), w: weightShape(p.conv), ...(p.conv.bias ? { b: biasShape(p.conv) } : {}), y: quantizedOutputShape(p) };
}

/** The typed array an 8-bit type's .npy holds. */
function eightBit(values: ArrayLike<number>, type: QuantType): Uint8Array | Int8Array {
  return type === 'u8' ? Uint8Array.from(values) : Int8Array.from(values);
}

/** The problem's quantization parameters as JSON (what the descriptor's quantized fields say). */
export function quantizationOf(p: QuantizedConvProblem): Record<string, unknown> {
  const r = p.requant;
  return {
    x_type: p.xType, w_type: p.wType, ...(r ? { y_type: r.yType } : {}),
    per_channel: p.perChannel,
    ...(r ? { x_scale: r.xScale } : {}), x_zero_point: p.xZeroPoint,
    ...(r ? { w_scale: p.perChannel ? r.wScale : r.wScale[0] } : {}), w_zero_point: p.perChannel ? p.wZeroPoint : p.wZeroPoint[0],
    ...(r ? { y_scale: r.yScale, y_zero_point: r.yZeroPoint } : {}),
  };
}

function caseJson(c: QuantizedCaseSpec, o: QuantizedOperands, ref: QuantizedReference): string {
  const entries: Array<[string, unknown]> = [
    ['name', c.name], ['descriptor', formatQuantizedDescriptor(c.problem)], ['op', c.problem.operator], ['attributes', onnxAttributes(c.problem.conv)],
    ['quantization', quantizationOf(c.problem)], ['mode', c.mode], ['seed', c.seed], ['shapes', quantizedCaseShapes(c.problem)],
    ['x', Array.from(o.x.data)], ['w', Array.from(o.w.data)], ...(o.b ? [['b', Array.from(o.b.data)] as [string, unknown]] : []),
    ['y', Array.from(ref.y.data)], ['yLo', Array.from(ref.expectation.lo)], ['yHi', Array.from(ref.expectation.hi)], ['acc', Array.from(ref.acc)],
  ];
  return `{\n${entries.map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(',\n')}\n}\n`;
}

function fitsJson(p: QuantizedConvProblem): boolean {
  const s = quantizedCaseShapes(p);
  return [s.x, s.w, s.b ?? [0], s.y].reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0) <= JSON_MAX_ELEMENTS;
}

/** The operands and exact reference of a quantized case. */
export function quantizedCaseData(c: QuantizedCaseSpec): { operands: QuantizedOperands; reference: QuantizedReference } {
  const operands = makeQuantizedOperands(c.problem, c.mode, c.seed);
  return { operands, reference: quantizedReferenceResult(c.problem, operands) };
}

/** The files of a quantized case in a fixed order, one at a time. */
export function* quantizedCaseFiles(c: QuantizedCaseSpec, formats: readonly FixtureFormat[] = ALL_FORMATS): Generator<CaseFile> {
  const { operands, reference } = quantizedCaseData(c);
  const p = c.problem, n = QUANTIZED_INPUT_NAMES;
  const yType = p.requant === undefined ? DataType.INT32 : onnxDataType(p.requant.yType);
  const pb = (name: string, dataType: number, t: IntTensor): Uint8Array => encodeValuesTensor(name, dataType, t.shape, t.data);
  if (formats.includes('onnx')) {
    yield { path: 'model.onnx', bytes: buildQuantizedConvModel(p) };
    yield { path: 'test_data_set_0/input_0.pb', bytes: pb(n.x, onnxDataType(p.xType), operands.x) };
    yield { path: 'test_data_set_0/input_1.pb', bytes: pb(n.w, onnxDataType(p.wType), operands.w) };
    if (operands.b !== undefined) yield { path: 'test_data_set_0/input_2.pb', bytes: pb(n.b, DataType.INT32, operands.b) };
    yield { path: 'test_data_set_0/output_0.pb', bytes: pb(QUANTIZED_OUTPUT_NAME, yType, reference.y) };
  }
  if (formats.includes('npy')) {
    yield { path: 'x.npy', bytes: encodeNpy(eightBit(operands.x.data, p.xType), operands.x.shape) };
    yield { path: 'w.npy', bytes: encodeNpy(eightBit(operands.w.data, p.wType), operands.w.shape) };
    if (operands.b !== undefined) yield { path: 'b.npy', bytes: encodeNpy(Int32Array.from(operands.b.data), operands.b.shape) };
    const y = p.requant === undefined ? Int32Array.from(reference.y.data) : eightBit(reference.y.data, p.requant.yType);
    yield { path: 'y.npy', bytes: encodeNpy(y, reference.y.shape) };
  }
  yield { path: ALLOWED_FILES.lo, bytes: encodeNpy(Int32Array.from(reference.expectation.lo), reference.y.shape) };
  yield { path: ALLOWED_FILES.hi, bytes: encodeNpy(Int32Array.from(reference.expectation.hi), reference.y.shape) };
  yield { path: ALLOWED_FILES.acc, bytes: encodeNpy(Float64Array.from(reference.acc), reference.y.shape) };
  if (formats.includes('json') && fitsJson(p)) yield { path: 'case.json', bytes: new TextEncoder().encode(caseJson(c, operands, reference)) };
}
