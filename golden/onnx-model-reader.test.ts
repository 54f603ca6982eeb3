import onnxProto from 'onnx-proto';
import { describe, expect, test } from 'vitest';
import { buildConvModel } from '../adapters/onnx/model.ts';
import { ConvInputError } from '../problem/errors.ts';
import { inputTensorShape, weightShape } from '../problem/shape.ts';
import { corpusCases } from './corpus.ts';
import { FixtureFormatError } from './fixture-error.ts';
import { problemFromModel, readConvModel, type ConvModel } from './onnx-model-reader.ts';

const { onnx } = onnxProto;
type Node = onnxProto.onnx.INodeProto;
const INTS = onnx.AttributeProto.AttributeType.INTS;
const INT = onnx.AttributeProto.AttributeType.INT;

/** A model with the given nodes and float inputs X, W. */
function model(nodes: Node[], initializer: onnxProto.onnx.ITensorProto[] = []): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 7, opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'g', node: nodes, input: [{ name: 'X' }, { name: 'W' }], output: [{ name: 'Y' }], initializer },
  }).finish();
}

function convModel(bytes: Uint8Array): ConvModel {
  const m = readConvModel(bytes, 'model.onnx');
  if (m.kind !== 'conv') throw new Error(m.reason);
  return m;
}

describe('reading a single-node Conv / ConvTranspose model', () => {
  test('every golden case\'s model.onnx reads back to the case\'s problem', () => {
    for (const c of corpusCases('small')) {
      const m = convModel(buildConvModel(c.problem));
      expect(m.opType).toBe(c.problem.op === 'conv' ? 'Conv' : 'ConvTranspose');
      expect(m.feeds).toEqual(c.problem.bias ? ['X', 'W', 'B'] : ['X', 'W']);
      const p = problemFromModel(m, inputTensorShape(c.problem), weightShape(c.problem), c.problem.bias, c.name);
      expect(p, c.name).toEqual(c.problem);
    }
  });

  test('absent attributes take their ONNX defaults, kernel_shape from W', () => {
    const m = convModel(model([{ opType: 'Conv', input: ['X', 'W'], output: ['Y'] }]));
    expect(m.opset).toBe(13);
    const p = problemFromModel(m, [2, 3, 7, 5], [4, 3, 3, 2], false);
    expect(p).toMatchObject({ batch: 2, inChannels: 3, outChannels: 4, group: 1, kernelShape: [3, 2], strides: [1, 1], dilations: [1, 1], padsBegin: [0, 0], padsEnd: [0, 0], autoPad: 'NOTSET' });
  });

  test('an initializer can hold W; the test data then feeds only X', () => {
    const w = { name: 'W', dims: [1, 1, 1, 1], dataType: 1, floatData: [2] };
    const m = convModel(model([{ opType: 'Conv', input: ['X', 'W'], output: ['Y'] }], [w]));
    expect(m.feeds).toEqual(['X']);
    expect(Array.from(m.initializers.get('W')?.tensor.data ?? [])).toEqual([2]);
  });

  test('ConvTranspose takes M from W[1]·group', () => {
    const m = convModel(model([{ opType: 'ConvTranspose', input: ['X', 'W'], output: ['Y'], attribute: [{ name: 'group', type: INT, i: 2 }] }]));
    expect(problemFromModel(m, [1, 4, 3, 3], [4, 3, 2, 2], false).outChannels).toBe(6);
  });
});

describe('a graph that is not one Conv / ConvTranspose node is skipped with the reason', () => {
  test.each([
    ['two nodes', [{ opType: 'Relu', input: ['X'], output: ['R'] }, { opType: 'Conv', input: ['R', 'W'], output: ['Y'] }], /the graph has 2 nodes \(Relu, Conv\)/],
    ['another operator', [{ opType: 'ConvInteger', input: ['X', 'W'], output: ['Y'] }], /the node is ConvInteger/],
    ['another domain', [{ opType: 'Conv', domain: 'com.microsoft', input: ['X', 'W'], output: ['Y'] }], /domain "com\.microsoft"/],
  ] as Array<[string, Node[], RegExp]>)('%s', (_, nodes, reason) => {
    const m = readConvModel(model(nodes), 'model.onnx');
    expect(m.kind).toBe('skipped');
    if (m.kind === 'skipped') {
      expect(m.reason).toMatch(/^not a single Conv\/ConvTranspose: /);
      expect(m.reason).toMatch(reason);
    }
  });
});

describe('malformed models and inconsistent shapes are named errors', () => {
  const conv = (attribute: onnxProto.onnx.IAttributeProto[], input = ['X', 'W']): Uint8Array => model([{ opType: 'Conv', input, output: ['Y'], attribute }]);

  test('truncated model bytes', () => {
    const bytes = buildConvModel(corpusCases('small')[0].problem);
    expect(() => readConvModel(bytes.subarray(0, bytes.length - 9), 'cut/model.onnx')).toThrow(FixtureFormatError);
    expect(() => readConvModel(bytes.subarray(0, bytes.length - 9), 'cut/model.onnx')).toThrow(/^cut\/model\.onnx: (truncated or corrupt|not a valid) ModelProto/);
  });
  test('a model without a graph', () => {
    expect(() => readConvModel(onnx.ModelProto.encode({ irVersion: 7 }).finish(), 'm.onnx')).toThrow(/m\.onnx: the model has no graph/);
  });
  test('an attribute ONNX does not define for the operator', () => {
    expect(() => readConvModel(conv([{ name: 'output_padding', type: INTS, ints: [1, 1] }]), 'm.onnx')).toThrow(/Conv has an attribute "output_padding" that ONNX does not define/);
  });
  test('an attribute of the wrong type', () => {
    expect(() => readConvModel(conv([{ name: 'group', type: INTS, ints: [2] }]), 'm.onnx')).toThrow(/attribute group has type INTS, but ONNX defines it as INT/);
  });
  test('a node without W', () => {
    expect(() => readConvModel(conv([], ['X']), 'm.onnx')).toThrow(/needs inputs X, W and an optional B, but the node has \[X\]/);
  });
  test('kernel_shape that disagrees with W', () => {
    const m = convModel(conv([{ name: 'kernel_shape', type: INTS, ints: [3, 3] }]));
    expect(() => problemFromModel(m, [1, 1, 5, 5], [1, 1, 2, 2], false)).toThrow(/kernel_shape must equal the spatial dims of W, but kernel_shape=\[3, 3\] and W is \[1, 1, 2, 2\]/);
  });
  test('W channels that disagree with X and group', () => {
    const m = convModel(conv([{ name: 'group', type: INT, i: 2 }]));
    expect(() => problemFromModel(m, [1, 6, 5, 5], [4, 2, 3, 3], false)).toThrow(ConvInputError);
    expect(() => problemFromModel(m, [1, 6, 5, 5], [4, 2, 3, 3], false)).toThrow(/W\[1\]·group must equal the input channels, but W is \[4, 2, 3, 3\], group=2 and C=6/);
  });
  test('pads of the wrong length', () => {
    const m = convModel(conv([{ name: 'pads', type: INTS, ints: [1, 1] }]));
    expect(() => problemFromModel(m, [1, 1, 5, 5], [1, 1, 3, 3], false)).toThrow(/pads must hold 4 values \(begins then ends\), but pads=\[1, 1\]/);
  });
  test('a problem the reference rejects (kernel larger than the padded input)', () => {
    const m = convModel(conv([]));
    expect(() => problemFromModel(m, [1, 1, 2, 2], [1, 1, 3, 3], false)).toThrow(/kernel must fit the padded input/);
  });
});
