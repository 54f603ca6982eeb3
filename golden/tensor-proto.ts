/**
 * ONNX `TensorProto` files (`input_0.pb`, `output_0.pb` of the ONNX backend-test layout), written
 * and read with onnx-proto. convcheck writes float32 as little-endian `raw_data` with `dims` and
 * `name`, as ONNX's own `numpy_helper.from_array` does. The reader takes FLOAT and DOUBLE in
 * `raw_data` or in `float_data` / `double_data`, and (for the quantized ops) UINT8, INT8 and INT32
 * in `raw_data` or `int32_data`, and checks every header against the bytes that are really there
 * before it allocates anything.
 */
import onnxProto from 'onnx-proto';
import type { Tensor } from '../problem/tensor.ts';
import { checkedElementCount, FixtureFormatError } from './fixture-error.ts';
import { readFixtureFile } from './fixture-file.ts';
import { scanTensorProto } from './tensor-proto-scan.ts';
import { activeLimits, formatCount, LIMIT_OPTIONS } from '../problem/limits.ts';

const { onnx } = onnxProto;

/** onnx-proto's plain-object TensorProto (what `onnx.TensorProto.decode` returns fields of). */
export type TensorProtoMessage = onnxProto.onnx.ITensorProto;

/** ONNX `TensorProto.DataType` codes the reader accepts. */
export const TENSOR_DATA_TYPES = { FLOAT: 1, DOUBLE: 11, UINT8: 2, INT8: 3, INT32: 6 } as const;

/** The integer data types: their values are read into a Float64Array (exact), with `dataType` saying which. */
const INTEGER_TYPES: Readonly<Record<number, { readonly size: number; readonly read: (v: DataView, at: number) => number }>> = {
  [TENSOR_DATA_TYPES.UINT8]: { size: 1, read: (v, at) => v.getUint8(at) },
  [TENSOR_DATA_TYPES.INT8]: { size: 1, read: (v, at) => v.getInt8(at) },
  [TENSOR_DATA_TYPES.INT32]: { size: 4, read: (v, at) => v.getInt32(at, true) },
};

/** Largest `.pb` file the reader opens: 2^31-1 float32 elements and some header. */
const MAX_TENSOR_FILE_BYTES = 4 * (2 ** 31 - 1) + 2 ** 20;

/** A tensor read from a TensorProto, with its name (`X`, `W`, `B`, `Y`; may be empty). */
export interface NamedTensor {
  readonly name: string;
  /** FLOAT data as a Float32Array, DOUBLE and the integer types (UINT8, INT8, INT32: exact) as a Float64Array. */
  readonly tensor: Tensor;
  /** The TensorProto data type (TENSOR_DATA_TYPES). */
  readonly dataType: number;
}

/** Little-endian bytes of float32 values. */
function float32LittleEndian(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}

/**
 * Serialized float32 TensorProto: `dims` = shape, `data_type` FLOAT, `name`, little-endian
 * `raw_data` (float64 data is rounded to nearest float32).
 * @example encodeTensorProto('X', tensor([1, 2, 3, 4], [1, 1, 2, 2])) // bytes of an input_0.pb
 */
export function encodeTensorProto(name: string, t: Tensor): Uint8Array {
  const message: TensorProtoMessage = {
    dims: [...t.shape],
    dataType: TENSOR_DATA_TYPES.FLOAT,
    name,
    rawData: float32LittleEndian(t.data),
  };
  return onnx.TensorProto.encode(message).finish();
}

/** A protobuf int64 (number or Long) as a safe integer, or NaN when it is not one. */
export function int64ToNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : NaN;
  if (typeof value === 'object' && value !== null && 'toNumber' in value && typeof value.toNumber === 'function') {
    const n: unknown = value.toNumber();
    return typeof n === 'number' && Number.isSafeInteger(n) ? n : NaN;
  }
  return NaN;
}

function dataTypeName(code: number): string {
  const name = (onnx.TensorProto.DataType as unknown as Record<number, string | undefined>)[code];
  return name === undefined ? `${code}` : `${code} (${name})`;
}

/**
 * A tensor from a decoded TensorProto message (a `.pb` file, or a model initializer), checked:
 * dims are integers >= 0 with at most 2^31-1 elements, the data type is FLOAT or DOUBLE, the data
 * is in exactly one place and its length matches the dims. `file` names the source in errors.
 */
export function tensorFromProto(message: TensorProtoMessage, file: string): NamedTensor {
  const name = message.name ?? '';
  const label = name === '' ? 'tensor' : `tensor "${name}"`;
  const dims = (message.dims ?? []).map(int64ToNumber);
  const unsafe = dims.findIndex((d) => Number.isNaN(d));
  if (unsafe >= 0) {
    // an int64 beyond 2^53-1 (a Long) has no number to show: its own digits
    const written = (message.dims ?? []).map((d) => String(d));
    throw new FixtureFormatError(file, `${label} dims [${written.join(', ')}] has dimension ${unsafe} = ${written[unsafe]}, but dimensions must be integers >= 0 and at most 2^31-1.`);
  }
  const count = checkedElementCount(file, dims, `${label} dims`);
  if (message.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (message.externalData?.length ?? 0) > 0) {
    throw new FixtureFormatError(file, `${label} keeps its data in an external file, which convcheck does not read.`);
  }
  if (message.segment) throw new FixtureFormatError(file, `${label} is a segment of a larger tensor, which convcheck does not read.`);
  const dataType = message.dataType ?? 0;
  if (INTEGER_TYPES[dataType] !== undefined) return integerTensor(message, file, label, dims, count, dataType);
  if (dataType !== TENSOR_DATA_TYPES.FLOAT && dataType !== TENSOR_DATA_TYPES.DOUBLE) {
    throw new FixtureFormatError(file, `${label} has data_type ${dataTypeName(dataType)}, but convcheck reads FLOAT (1), DOUBLE (11), UINT8 (2), INT8 (3) and INT32 (6).`);
  }
  const itemSize = dataType === TENSOR_DATA_TYPES.FLOAT ? 4 : 8;
  const raw = message.rawData ?? new Uint8Array(0);
  const typed = dataType === TENSOR_DATA_TYPES.FLOAT ? (message.floatData ?? []) : (message.doubleData ?? []);
  const typedField = dataType === TENSOR_DATA_TYPES.FLOAT ? 'float_data' : 'double_data';
  if (raw.length > 0 && typed.length > 0) {
    throw new FixtureFormatError(file, `${label} has both raw_data and ${typedField}; ONNX allows one.`);
  }
  const shape = dims;
  if (raw.length > 0 || (typed.length === 0 && count > 0)) {
    if (raw.length !== count * itemSize) {
      throw new FixtureFormatError(file, `${label} dims [${dims.join(', ')}] need ${count * itemSize} bytes of raw_data, but it holds ${raw.length} (truncated or wrong dims).`);
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (itemSize === 4) {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
      return { name, tensor: { shape, data }, dataType };
    }
    const data = new Float64Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat64(i * 8, true);
    return { name, tensor: { shape, data }, dataType };
  }
  if (typed.length !== count) {
    throw new FixtureFormatError(file, `${label} dims [${dims.join(', ')}] need ${count} values in ${typedField}, but it holds ${typed.length}.`);
  }
  const data = itemSize === 4 ? Float32Array.from(typed) : Float64Array.from(typed);
  return { name, tensor: { shape, data }, dataType };
}

/** UINT8, INT8 or INT32 data in `raw_data` (little-endian) or `int32_data` (ONNX keeps the 8-bit types there too), as exact float64 values. */
function integerTensor(message: TensorProtoMessage, file: string, label: string, dims: number[], count: number, dataType: number): NamedTensor {
  const { size, read } = INTEGER_TYPES[dataType];
  const raw = message.rawData ?? new Uint8Array(0);
  const typed = message.int32Data ?? [];
  if (raw.length > 0 && typed.length > 0) throw new FixtureFormatError(file, `${label} has both raw_data and int32_data; ONNX allows one.`);
  const fromRaw = raw.length > 0 || (typed.length === 0 && count > 0);
  // the data's length against the dims before the array is allocated
  if (fromRaw && raw.length !== count * size) throw new FixtureFormatError(file, `${label} dims [${dims.join(', ')}] need ${count * size} bytes of raw_data, but it holds ${raw.length} (truncated or wrong dims).`);
  if (!fromRaw && typed.length !== count) throw new FixtureFormatError(file, `${label} dims [${dims.join(', ')}] need ${count} values in int32_data, but it holds ${typed.length}.`);
  const data = new Float64Array(count);
  if (fromRaw) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++) data[i] = read(view, i * size);
  } else {
    for (let i = 0; i < count; i++) data[i] = typed[i];
  }
  return { name: message.name ?? '', tensor: { shape: dims, data }, dataType };
}

/** Decodes protobuf bytes as a message, turning a decoder failure into an error naming `file`. */
export function decodeProtobuf<T>(file: string, what: string, bytes: Uint8Array, decode: (bytes: Uint8Array) => T): T {
  try {
    return decode(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const kind = /index out of range/.test(reason) ? 'truncated or corrupt' : 'not a valid';
    throw new FixtureFormatError(file, `${kind} ${what} (${bytes.length} bytes; protobuf decoder: ${reason}).`);
  }
}

/** Decodes a serialized TensorProto (the bytes of a `.pb` file); errors name `file`. */
export function decodeTensorProto(bytes: Uint8Array, file: string): NamedTensor {
  scanTensorProto(bytes, file); // rank and repeated values, before the decoder allocates them
  const message = decodeProtobuf(file, 'TensorProto', bytes, (b) => onnx.TensorProto.decode(b));
  return tensorFromProto(message, file);
}

/**
 * Reads and decodes a `.pb` file; its size is checked before it is read, against the element
 * limit in force too (problem/limits.ts: float64 data of `--max-elements` elements and a header),
 * so a file of a tensor convcheck would refuse is never read.
 */
export async function readTensorProtoFile(path: string): Promise<NamedTensor> {
  const limit = activeLimits().maxElements;
  const maxBytes = Math.min(MAX_TENSOR_FILE_BYTES, 8 * limit + 2 ** 20);
  const why = maxBytes < MAX_TENSOR_FILE_BYTES ? `for a tensor of at most ${formatCount(limit)} elements (${LIMIT_OPTIONS.maxElements} raises it)` : undefined;
  const bytes = await readFixtureFile(path, maxBytes, why);
  return decodeTensorProto(bytes, path);
}
