import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, test } from 'vitest';
import { tensor } from '../problem/tensor.ts';
import { FixtureFormatError } from './fixture-error.ts';
import { decodeTensorProto, encodeTensorProto, readTensorProtoFile, type TensorProtoMessage } from './tensor-proto.ts';

const { onnx } = onnxProto;
const encode = (m: TensorProtoMessage): Uint8Array => onnx.TensorProto.encode(m).finish();

describe('TensorProto files', () => {
  test('encode then decode gives back the name, the shape and the float32 values', () => {
    const t = tensor([1, -2.5, 0.1, 3], [1, 1, 2, 2]);
    const back = decodeTensorProto(encodeTensorProto('X', t), 'input_0.pb');
    expect(back.name).toBe('X');
    expect(back.tensor.shape).toEqual([1, 1, 2, 2]);
    expect(back.tensor.data).toBeInstanceOf(Float32Array);
    expect(Array.from(back.tensor.data)).toEqual([1, -2.5, Math.fround(0.1), 3]);
  });

  test('raw_data is little-endian float32 with dims and data_type FLOAT, as ONNX writes it', () => {
    const message = onnx.TensorProto.decode(encodeTensorProto('Y', tensor([1, -2], [2])));
    expect(message.dataType).toBe(1);
    expect(message.dims.map(Number)).toEqual([2]);
    expect(Array.from(message.rawData)).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
  });

  test('float_data and double raw_data are read too', () => {
    const floats = decodeTensorProto(encode({ dims: [3], dataType: 1, floatData: [1, 2, 3] }), 'f.pb');
    expect(Array.from(floats.tensor.data)).toEqual([1, 2, 3]);
    const raw = new Uint8Array(16);
    new DataView(raw.buffer).setFloat64(0, 0.1, true);
    new DataView(raw.buffer).setFloat64(8, -7, true);
    const doubles = decodeTensorProto(encode({ dims: [2], dataType: 11, rawData: raw }), 'd.pb');
    expect(doubles.tensor.data).toBeInstanceOf(Float64Array);
    expect(Array.from(doubles.tensor.data)).toEqual([0.1, -7]);
  });

  test('a scalar and an empty tensor decode', () => {
    expect(decodeTensorProto(encodeTensorProto('s', tensor([5], [])), 's.pb').tensor.data.length).toBe(1);
    expect(decodeTensorProto(encode({ dims: [0, 3], dataType: 1 }), 'e.pb').tensor.shape).toEqual([0, 3]);
  });
});

describe('malformed TensorProto files give an error naming the file and the fault', () => {
  const good = encodeTensorProto('X', tensor([1, 2, 3, 4, 5, 6], [2, 3]));
  const rejects = (bytes: Uint8Array, pattern: RegExp): void => {
    let caught: unknown;
    try { decodeTensorProto(bytes, 'bad/input_0.pb'); } catch (error) { caught = error; }
    expect(caught).toBeInstanceOf(FixtureFormatError);
    expect((caught as Error).message).toMatch(/^bad\/input_0\.pb: /);
    expect((caught as Error).message).toMatch(pattern);
  };

  test('truncated in the middle of raw_data', () => rejects(good.subarray(0, good.length - 5), /truncated|raw_data/));
  test('bytes that are not protobuf', () => rejects(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff), /not a valid TensorProto|truncated or corrupt/));
  test('an empty file (no data_type)', () => rejects(new Uint8Array(0), /data_type 0/));
  test('dims claiming 2^40 elements with 24 bytes of data', () => {
    rejects(encode({ dims: [2 ** 20, 2 ** 20], dataType: 1, rawData: new Uint8Array(24) }), /more than 2\^31-1 elements; refusing to allocate/);
  });
  test('dims whose product does not match raw_data', () => rejects(encode({ dims: [2, 4], dataType: 1, rawData: new Uint8Array(24) }), /need 32 bytes of raw_data, but it holds 24/));
  test('a negative dim', () => rejects(encode({ dims: [-3, 2], dataType: 1, rawData: new Uint8Array(24) }), /dimension 0 = -3/));
  test('an int64 dim beyond 2^53-1 is shown as written (before: "dimension 0 = NaN")', () => {
    // dims (field 1) 2^63-1 as a ten-byte varint, then 2; data_type (field 2) 1; raw_data (field 9) of 24 bytes
    const bytes = new Uint8Array([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x08, 0x02, 0x10, 0x01, 0x4a, 24, ...new Uint8Array(24)]);
    rejects(bytes, /dims \[9223372036854775807, 2\] has dimension 0 = 9223372036854775807, but dimensions must be integers >= 0 and at most 2\^31-1\./);
  });
  test('a data type convcheck does not read', () => rejects(encode({ dims: [2], dataType: 7, rawData: new Uint8Array(16) }), /data_type 7 \(INT64\), but convcheck reads FLOAT \(1\), DOUBLE \(11\), UINT8 \(2\), INT8 \(3\) and INT32 \(6\)/));
  test('8-bit and int32 tensors: raw_data or int32_data, exact values, checked lengths', () => {
    expect(decodeTensorProto(encode({ dims: [3], dataType: 3, rawData: Uint8Array.of(0x80, 0x7f, 0xff) }), 'i8.pb')).toMatchObject({ dataType: 3, tensor: { shape: [3], data: Float64Array.of(-128, 127, -1) } });
    expect(decodeTensorProto(encode({ dims: [2], dataType: 2, int32Data: [255, 7] }), 'u8.pb').tensor.data).toEqual(Float64Array.of(255, 7));
    expect(decodeTensorProto(encode({ dims: [1], dataType: 6, rawData: Uint8Array.of(0, 0, 0, 0x80) }), 'i32.pb').tensor.data).toEqual(Float64Array.of(-(2 ** 31)));
    rejects(encode({ dims: [4], dataType: 2, rawData: new Uint8Array(3) }), /need 4 bytes of raw_data, but it holds 3/);
  });
  test('float_data of the wrong length', () => rejects(encode({ dims: [4], dataType: 1, floatData: [1, 2] }), /need 4 values in float_data, but it holds 2/));
  test('both raw_data and float_data', () => rejects(encode({ dims: [1], dataType: 1, floatData: [1], rawData: new Uint8Array(4) }), /both raw_data and float_data/));
  test('external data', () => rejects(encode({ dims: [1], dataType: 1, dataLocation: 1 }), /external file/));

  test('a missing file and a directory are named errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'convcheck-pb-'));
    await expect(readTensorProtoFile(join(dir, 'nope.pb'))).rejects.toThrow(/nope\.pb: cannot be read/);
    await expect(readTensorProtoFile(dir)).rejects.toThrow(/is not a regular file/);
    await writeFile(join(dir, 'cut.pb'), good.subarray(0, 7));
    await expect(readTensorProtoFile(join(dir, 'cut.pb'))).rejects.toThrow(/cut\.pb: /);
    await rm(dir, { recursive: true });
  });
});
