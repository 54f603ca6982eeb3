import onnxProto from 'onnx-proto';
import { describe, expect, test } from 'vitest';
import { DEFAULT_LIMITS, setActiveLimits } from '../problem/limits.ts';
import { FixtureFormatError } from './fixture-error.ts';
import { decodeModelFile } from './onnx-model-reader.ts';
import { MAX_ATTRIBUTE_VALUES, MAX_TENSOR_RANK, scanTensorProto } from './tensor-proto-scan.ts';
import { decodeTensorProto, encodeTensorProto, TENSOR_DATA_TYPES } from './tensor-proto.ts';

const { onnx } = onnxProto;
const encode = (message: onnxProto.onnx.ITensorProto): Uint8Array => onnx.TensorProto.encode(message).finish();

describe('scanTensorProto: a .pb is refused before onnx-proto decodes it into JavaScript arrays', () => {
  test('more repeated values than --max-elements (before: a 250 MB INT8 file of one-byte varints ended the process, V8 "invalid size")', () => {
    setActiveLimits({ ...DEFAULT_LIMITS, maxElements: 100 });
    try {
      const bytes = encode({ dims: [1, 1, 100, 100], dataType: TENSOR_DATA_TYPES.INT8, int32Data: new Array<number>(101).fill(0) });
      expect(() => decodeTensorProto(bytes, 'input_0.pb')).toThrow(FixtureFormatError);
      expect(() => decodeTensorProto(bytes, 'input_0.pb')).toThrow("input_0.pb: the tensor's repeated data fields hold at least 101 values, more than the limit of 100 elements (--max-elements raises it); refused before decoding.");
    } finally {
      setActiveLimits(DEFAULT_LIMITS);
    }
  });

  test('more repeated values than the dims need, packed varints, packed floats and unpacked floats alike', () => {
    const packedInts = encode({ dims: [1, 1, 2, 2], dataType: TENSOR_DATA_TYPES.INT8, int32Data: new Array<number>(1000).fill(0) });
    expect(() => scanTensorProto(packedInts, 'x.pb')).toThrow("x.pb: the tensor's repeated data fields hold at least 1,000 values, but its dims [1, 1, 2, 2] need 4; refused before decoding.");
    const packedFloats = encode({ dims: [2], dataType: TENSOR_DATA_TYPES.FLOAT, floatData: [1, 2, 3] });
    expect(() => scanTensorProto(packedFloats, 'f.pb')).toThrow('hold at least 3 values, but its dims [2] need 2');
    // field 4 (float_data) written unpacked: tag 0x25 (4 << 3 | 5) before each float32
    const unpacked = new Uint8Array([...encode({ dims: [1] }), 0x25, 0, 0, 0x80, 0x3f, 0x25, 0, 0, 0, 0x40]);
    expect(() => scanTensorProto(unpacked, 'u.pb')).toThrow('hold at least 2 values, but its dims [1] need 1');
  });

  test(`more than ${MAX_TENSOR_RANK} dims, a negative one shown as written (before: 50 million dims took minutes and gigabytes, and all of them were quoted)`, () => {
    const bytes = encode({ dims: [-1, ...new Array<number>(20).fill(0)], dataType: TENSOR_DATA_TYPES.FLOAT });
    expect(() => scanTensorProto(bytes, 'd.pb')).toThrow("d.pb: the tensor declares more than 8 dims (dims [-1, 0, 0, 0, 0, 0, 0, 0, ...]), but convcheck reads tensors of rank at most 8 (Conv's have 3 to 5).");
  });

  test('a well-formed tensor passes, and what the scan cannot read is left to the decoder', () => {
    const good = encodeTensorProto('X', { shape: [1, 1, 2, 2], data: new Float32Array([1, 2, 3, 4]) });
    expect(() => scanTensorProto(good, 'ok.pb')).not.toThrow();
    expect(Array.from(decodeTensorProto(good, 'ok.pb').tensor.data)).toEqual([1, 2, 3, 4]);
    const truncated = good.subarray(0, good.length - 3);
    expect(() => scanTensorProto(truncated, 't.pb')).not.toThrow();
    expect(() => decodeTensorProto(truncated, 't.pb')).toThrow(/t\.pb: truncated or corrupt TensorProto/);
  });
});

describe('scanModelProto (through decodeModelFile): a model.onnx\'s tensors and attributes are bounded before onnx-proto decodes them', () => {
  const model = (graph: onnxProto.onnx.IGraphProto): Uint8Array => onnx.ModelProto.encode({ graph }).finish();
  const bloated = { name: 'W', dims: [2], dataType: TENSOR_DATA_TYPES.INT32, int32Data: new Array<number>(1000).fill(1) };

  test('an initializer with more values than its dims need is refused, naming the file and where (before: decoded whole, a 250 MB one ends the process)', () => {
    expect(() => decodeModelFile(model({ initializer: [bloated] }), 'model.onnx')).toThrow("model.onnx (an initializer): the tensor's repeated data fields hold at least 1,000 values, but its dims [2] need 2; refused before decoding.");
  });

  test('so is one in a node attribute, in a graph nested in another node\'s attribute', () => {
    const inner = { node: [{ opType: 'Constant', attribute: [{ name: 'value', type: 4, t: bloated }] }] };
    const outer = model({ node: [{ opType: 'If', attribute: [{ name: 'then_branch', type: 5, g: inner }] }] });
    expect(() => decodeModelFile(outer, 'model.onnx')).toThrow("model.onnx (a node attribute's tensor): the tensor's repeated data fields hold at least 1,000 values");
  });

  test(`an attribute of more than ${MAX_ATTRIBUTE_VALUES} ints is refused; a Conv model as ONNX writes it decodes`, () => {
    const pads = { name: 'pads', type: 7, ints: new Array<number>(MAX_ATTRIBUTE_VALUES + 1).fill(0) };
    expect(() => decodeModelFile(model({ node: [{ opType: 'Conv', attribute: [pads] }] }), 'model.onnx')).toThrow(/model\.onnx: a node attribute holds more than 1,048,576 \(2\^20\) ints or floats/);
    const conv = model({ node: [{ opType: 'Conv', input: ['X', 'W'], output: ['Y'], attribute: [{ name: 'pads', type: 7, ints: [1, 1, 1, 1] }] }], initializer: [{ name: 'W', dims: [1, 1, 3, 3], dataType: 1, floatData: new Array<number>(9).fill(0.5) }] });
    expect(decodeModelFile(conv, 'model.onnx').graph?.initializer?.[0].floatData).toHaveLength(9);
  });
});
