/**
 * The files of one golden case, produced one at a time from (problem, mode, seed) alone, so the
 * same inputs give the same bytes on any machine: no timestamps, fixed key order, numbers in
 * JavaScript's shortest round-trip form. Layout of a case directory:
 *
 *   model.onnx                               single Conv / ConvTranspose node (adapters/onnx/model.ts)
 *   test_data_set_0/input_0.pb, input_1.pb   X, W (TensorProto, float32 raw_data)
 *   test_data_set_0/input_2.pb               B, when the problem has a bias
 *   test_data_set_0/output_0.pb              Y: the float64 reference rounded to float32
 *   x.npy w.npy [b.npy]                      the same operands, <f4
 *   y.npy                                    the float64 reference, <f8
 *   absSum.npy terms.npy                     per output element S = Σ|x·w| (+|b|), <f8, and n, <i4
 *   case.json                                all of the above as JSON, for small cases only
 *
 * `onnx` and `npy` formats select the first two groups; absSum.npy and terms.npy are always
 * written, since the manifest points to them for the tolerance model.
 */
import { buildConvModel, ONNX_INPUT_NAMES, ONNX_OUTPUT_NAME, onnxOpType } from '../adapters/onnx/model.ts';
import { makeOperands, type DataMode } from '../problem/operand-data.ts';
import { referenceResult } from '../compare/run-case.ts';
import { formatDescriptor } from '../problem/descriptor.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { biasShape, inputTensorShape, outputTensorShape, weightShape } from '../problem/shape.ts';
import type { ConvResult } from '../reference/conv-result.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { onnxAttributes } from './attributes.ts';
import { encodeNpy } from './npy.ts';
import { encodeTensorProto } from './tensor-proto.ts';

/** Fixture formats a corpus can be written in. */
export type FixtureFormat = 'onnx' | 'npy' | 'json';

/** Every format, the default. */
export const ALL_FORMATS: readonly FixtureFormat[] = ['onnx', 'npy', 'json'];

/** A case gets a case.json when x, w, b and y hold at most this many elements together. */
const JSON_MAX_ELEMENTS = 4096;

/** Where the tolerance model's inputs are, relative to the case directory. */
export const BOUND_FILES = { S: 'absSum.npy', n: 'terms.npy' } as const;

/** The ONNX backend-test data set directory convcheck writes. */
const DATA_SET_DIR = 'test_data_set_0';

/** What a case's files are generated from (a GoldenCase has all of it). */
export interface CaseSpec {
  readonly name: string;
  readonly problem: ConvProblem;
  readonly mode: DataMode;
  readonly seed: number;
}

/** One generated file: its path relative to the case directory, and its bytes. */
export interface CaseFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** Tensor shapes of a case, as the manifest records them. */
export interface CaseShapes {
  readonly x: number[];
  readonly w: number[];
  readonly b?: number[];
  readonly y: number[];
}

/** Shapes of x `[N, C, ...]`, w (ONNX layout), b `[M]` with bias, y `[N, M, ...]`. */
export function caseShapes(p: ConvProblem): CaseShapes {
  return {
    x: inputTensorShape(p),
    w: weightShape(p),
    ...(p.bias ? { b: biasShape(p) } : {}),
    y: outputTensorShape(p),
  };
}

/** Whether a case is small enough for case.json: x, w, b and y hold at most {@link JSON_MAX_ELEMENTS}. */
function fitsJson(p: ConvProblem): boolean {
  const shapes = caseShapes(p);
  const count = [shapes.x, shapes.w, shapes.b ?? [0], shapes.y].reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  return count <= JSON_MAX_ELEMENTS;
}

/**
 * The operands and reference result of a case: `makeOperands(problem, mode, seed)` and the float64
 * reference. Its callers (golden/generate.ts, golden/verify.ts) hold the problem to the resource
 * limits before asking for its files, so a case over them allocates nothing.
 */
function caseData(c: CaseSpec): { operands: ConvOperands; result: ConvResult } {
  const operands = makeOperands(c.problem, c.mode, c.seed);
  return { operands, result: referenceResult(c.problem, operands) };
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** case.json: one key per line in a fixed order, arrays on one line. */
function caseJson(c: CaseSpec, operands: ConvOperands, result: ConvResult): string {
  const entries: Array<[string, unknown]> = [
    ['name', c.name],
    ['descriptor', formatDescriptor(c.problem)],
    ['op', onnxOpType(c.problem)],
    ['attributes', onnxAttributes(c.problem)],
    ['mode', c.mode],
    ['seed', c.seed],
    ['shapes', caseShapes(c.problem)],
    ['x', Array.from(operands.x.data)],
    ['w', Array.from(operands.w.data)],
    ...(operands.b !== undefined ? [['b', Array.from(operands.b.data)] as [string, unknown]] : []),
    ['y', Array.from(result.y.data)],
    ['absSum', Array.from(result.absSum)],
    ['terms', Array.from(result.terms)],
  ];
  return `{\n${entries.map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(',\n')}\n}\n`;
}

/**
 * The files of a case in a fixed order, produced one at a time (a caller can write each and
 * drop it). Operands come from `makeOperands(problem, mode, seed)`, values from the reference.
 * The caller holds the problem to the resource limits first (problem/limits.ts checkResources).
 */
export function* caseFiles(c: CaseSpec, formats: readonly FixtureFormat[] = ALL_FORMATS): Generator<CaseFile> {
  const { operands, result } = caseData(c);
  const p = c.problem;
  if (formats.includes('onnx')) {
    yield { path: 'model.onnx', bytes: buildConvModel(p) };
    yield { path: `${DATA_SET_DIR}/input_0.pb`, bytes: encodeTensorProto(ONNX_INPUT_NAMES.x, operands.x) };
    yield { path: `${DATA_SET_DIR}/input_1.pb`, bytes: encodeTensorProto(ONNX_INPUT_NAMES.w, operands.w) };
    if (operands.b !== undefined) yield { path: `${DATA_SET_DIR}/input_2.pb`, bytes: encodeTensorProto(ONNX_INPUT_NAMES.b, operands.b) };
    yield { path: `${DATA_SET_DIR}/output_0.pb`, bytes: encodeTensorProto(ONNX_OUTPUT_NAME, result.y) };
  }
  if (formats.includes('npy')) {
    yield { path: 'x.npy', bytes: encodeNpy(Float32Array.from(operands.x.data), operands.x.shape) };
    yield { path: 'w.npy', bytes: encodeNpy(Float32Array.from(operands.w.data), operands.w.shape) };
    if (operands.b !== undefined) yield { path: 'b.npy', bytes: encodeNpy(Float32Array.from(operands.b.data), operands.b.shape) };
    yield { path: 'y.npy', bytes: encodeNpy(result.y.data, result.y.shape) };
  }
  yield { path: BOUND_FILES.S, bytes: encodeNpy(result.absSum, result.y.shape) };
  yield { path: BOUND_FILES.n, bytes: encodeNpy(result.terms, result.y.shape) };
  if (formats.includes('json') && fitsJson(p)) yield { path: 'case.json', bytes: utf8(caseJson(c, operands, result)) };
}
