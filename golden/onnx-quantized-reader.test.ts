import onnxProto from 'onnx-proto';
import { describe, expect, test } from 'vitest';
import { inputErrorOf } from '../problem/errors.ts';
import { parseQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import { buildQuantizedConvModel } from '../adapters/onnx/quantized-model.ts';
import { FixtureFormatError } from './fixture-error.ts';
import { quantizedProblemFromTensors, readQuantizedModel, type QuantizedRole } from './onnx-quantized-reader.ts';
import type { NamedTensor } from './tensor-proto.ts';

const { onnx } = onnxProto;
const model = (node: onnxProto.onnx.INodeProto): Uint8Array => onnx.ModelProto.encode({ opsetImport: [{ domain: '', version: 10 }], graph: { node: [node], input: (node.input ?? []).map((name) => ({ name })) } }).finish();
const t = (dataType: number, shape: number[], values: number[]): NamedTensor => ({ name: '', dataType, tensor: { shape, data: Float64Array.from(values) } });

describe('readQuantizedModel', () => {
  test('a single ConvInteger or QLinearConv node: its roles, attributes and feeds; anything else is not one', () => {
    const m = readQuantizedModel(buildQuantizedConvModel(parseQuantizedDescriptor('QLu8s8u8mb1ic1iw3oc2kw2b1xs1wsc1,2ys1')), 'model.onnx');
    expect(m?.operator).toBe('QLinearConv');
    expect(m?.inputs).toEqual({ x: 'X', xScale: 'x_scale', xZeroPoint: 'x_zero_point', w: 'W', wScale: 'w_scale', wZeroPoint: 'w_zero_point', yScale: 'y_scale', yZeroPoint: 'y_zero_point', b: 'B' });
    expect(m?.feeds).toEqual(['X', 'W', 'B']);
    expect(m?.attributes.kernel_shape).toEqual([2]);
    expect(readQuantizedModel(model({ opType: 'Conv', input: ['X', 'W'], output: ['Y'] }), 'model.onnx')).toBeUndefined();
  });

  test('a node without its required inputs, or with an attribute Conv does not have, is a named error', () => {
    expect(() => readQuantizedModel(model({ opType: 'QLinearConv', input: ['x', 'xs', 'xz', 'w'], output: ['y'] }), 'q/model.onnx')).toThrow(/QLinearConv needs inputs x, xScale, xZeroPoint, w, wScale, wZeroPoint, yScale, yZeroPoint and optional b, but the node has \[x, xs, xz, w\]/);
    expect(() => readQuantizedModel(model({ opType: 'ConvInteger', input: ['x', 'w'], output: ['y'], attribute: [{ name: 'output_padding', type: 7, ints: [1] }] }), 'c/model.onnx')).toThrow(FixtureFormatError);
  });
});

describe('quantizedProblemFromTensors', () => {
  const ci = readQuantizedModel(model({ opType: 'ConvInteger', input: ['x', 'w', 'xz', 'wz'], output: ['y'] }), 'model.onnx')!;
  const tensors = (byRole: Partial<Record<QuantizedRole, NamedTensor>>) => (role: QuantizedRole): NamedTensor | undefined => byRole[role];

  test('types from the data types, zero points from the tensors; absent zero points are 0', () => {
    const { problem } = quantizedProblemFromTensors(ci, tensors({ x: t(3, [1, 1, 3], [1, 2, 3]), w: t(2, [1, 1, 2], [4, 5]) }));
    expect([problem.xType, problem.wType, problem.xZeroPoint, problem.wZeroPoint, problem.perChannel]).toEqual(['s8', 'u8', 0, [0], false]);
  });

  test('a 1-D w_zero_point of M values is per channel; of one value for M > 1, a broadcast scalar', () => {
    const x = t(2, [1, 1, 3], [1, 2, 3]), w = t(2, [2, 1, 2], [4, 5, 6, 7]);
    expect(quantizedProblemFromTensors(ci, tensors({ x, w, wZeroPoint: t(2, [2], [1, 2]) })).problem.wZeroPoint).toEqual([1, 2]);
    const broadcast = quantizedProblemFromTensors(ci, tensors({ x, w, wZeroPoint: t(2, [1], [9]) })).problem;
    expect([broadcast.perChannel, broadcast.wZeroPoint]).toEqual([false, [9]]);
  });

  test('a float x or a zero point out of its type\'s range is a ConvInputError naming it', () => {
    expect(inputErrorOf(() => quantizedProblemFromTensors(ci, tensors({ x: t(1, [1, 1, 3], [1, 2, 3]), w: t(2, [1, 1, 2], [4, 5]) }))).message).toMatch(/ConvInteger: x must be uint8 or int8, but its data type is 1/);
    expect(inputErrorOf(() => quantizedProblemFromTensors(ci, tensors({ x: t(2, [1, 1, 3], [1, 2, 3]), w: t(2, [1, 1, 2], [4, 5]), xZeroPoint: t(2, [2], [1, 2]) }))).message).toMatch(/xZeroPoint must be a scalar/);
  });
});
