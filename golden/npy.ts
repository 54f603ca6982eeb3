/**
 * NumPy `.npy` files, format version 1.0 as numpy's `format.py` documents it:
 *
 *   file   = magic "\x93NUMPY" major minor header_len header data
 *   magic  : 6 bytes; major, minor: 1 byte each (written 1, 0; read 1.0, 2.0, 3.0)
 *   header_len : little-endian uint16 (version 1) or uint32 (versions 2, 3)
 *   header : an ASCII Python dict literal
 *            `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`, padded with spaces and
 *            ended by '\n' so that magic + lengths + header is a multiple of 64 bytes
 *   data   : the elements in C order, little-endian
 *
 * The writer produces exactly the bytes `numpy.save` writes for the same array. The reader takes
 * `<f4`, `<f8`, `<i4`, `|u1` and `|i1` (the quantized fixtures' uint8 and int8) in C order and
 * checks the header against the bytes really present before it allocates.
 */
import { checkedElementCount, FixtureFormatError } from './fixture-error.ts';
import { readFixtureFile } from './fixture-file.ts';

/** Element types convcheck writes and reads: float32, float64, int32 (little-endian), uint8 and int8. */
export type NpyDtype = '<f4' | '<f8' | '<i4' | '|u1' | '|i1';

/** A C-order array read from or written to a `.npy` file. */
export interface NpyArray {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ITEM_SIZE: Record<NpyDtype, number> = { '<f4': 4, '<f8': 8, '<i4': 4, '|u1': 1, '|i1': 1 };
const ALIGN = 64;

/** Largest `.npy` file the reader opens: 2^31-1 float64 elements and a header. */
const MAX_NPY_FILE_BYTES = 8 * (2 ** 31 - 1) + 2 ** 20;

/** The dtype of typed data: Float32Array `<f4`, Float64Array `<f8`, Int32Array `<i4`, Uint8Array `|u1`, Int8Array `|i1`. */
function dtypeOf(data: NpyArray['data']): NpyDtype {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Int8Array) return '|i1';
  return '<i4';
}

/** Python's repr of a shape tuple: `()`, `(5,)`, `(2, 3)`. */
function shapeRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * The `.npy` bytes of an array, version 1.0, C order, little-endian; byte-identical to
 * `numpy.save` of the same array.
 * @example encodeNpy(Float32Array.of(1, 2, 3), [3]) // header "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"
 */
export function encodeNpy(data: NpyArray['data'], shape: readonly number[]): Uint8Array {
  const dtype = dtypeOf(data);
  const count = checkedElementCount('encodeNpy', shape);
  if (count !== data.length) throw new FixtureFormatError('encodeNpy', `shape [${shape.join(', ')}] holds ${count} elements, but the data has ${data.length}.`);
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1;
  const header = dict + ' '.repeat((ALIGN - (unpadded % ALIGN)) % ALIGN) + '\n';
  if (header.length > 0xffff) throw new FixtureFormatError('encodeNpy', `a ${shape.length}-D header does not fit format 1.0.`);
  const itemSize = ITEM_SIZE[dtype];
  const start = MAGIC.length + 4 + header.length;
  const bytes = new Uint8Array(start + count * itemSize);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  bytes[6] = 1;
  bytes[7] = 0;
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[10 + i] = header.charCodeAt(i);
  for (let i = 0; i < count; i++) {
    const at = start + i * itemSize;
    if (dtype === '<f4') view.setFloat32(at, data[i], true);
    else if (dtype === '<f8') view.setFloat64(at, data[i], true);
    else if (dtype === '|u1') view.setUint8(at, data[i]);
    else if (dtype === '|i1') view.setInt8(at, data[i]);
    else view.setInt32(at, data[i], true);
  }
  return bytes;
}

/** Value of a header key: a string, a boolean or a tuple of integers. */
type HeaderValue = string | boolean | number[];

/**
 * Parses the Python dict literal of a `.npy` header: string keys, and values that are strings,
 * `True` / `False` or tuples of integers. Anything else is an error naming the file.
 */
function parseHeaderDict(text: string, file: string): Map<string, HeaderValue> {
  const fail = (rule: string): never => {
    throw new FixtureFormatError(file, `malformed .npy header ${JSON.stringify(text.trim())}: ${rule}.`);
  };
  let at = 0;
  const skipSpace = (): void => { while (at < text.length && /\s/.test(text[at])) at++; };
  const expect = (ch: string): void => {
    skipSpace();
    if (text[at] !== ch) fail(`expected "${ch}" at offset ${at}`);
    at++;
  };
  const readString = (): string => {
    skipSpace();
    const quote = text[at];
    if (quote !== "'" && quote !== '"') fail(`expected a quoted string at offset ${at}`);
    const end = text.indexOf(quote, at + 1);
    if (end < 0) fail('unterminated string');
    const s = text.slice(at + 1, end);
    at = end + 1;
    return s;
  };
  const readValue = (): HeaderValue => {
    skipSpace();
    if (text.startsWith('True', at)) { at += 4; return true; }
    if (text.startsWith('False', at)) { at += 5; return false; }
    if (text[at] === "'" || text[at] === '"') return readString();
    if (text[at] !== '(') return fail(`unsupported value at offset ${at}`);
    at++;
    const items: number[] = [];
    for (;;) {
      skipSpace();
      if (text[at] === ')') { at++; return items; }
      const m = /^-?\d+/.exec(text.slice(at));
      if (m === null) return fail(`expected an integer in the shape tuple at offset ${at}`);
      items.push(Number(m[0]));
      at += m[0].length;
      skipSpace();
      if (text[at] === ',') at++;
      else if (text[at] !== ')') fail(`expected "," or ")" in the shape tuple at offset ${at}`);
    }
  };
  const dict = new Map<string, HeaderValue>();
  expect('{');
  for (;;) {
    skipSpace();
    if (text[at] === '}') { at++; break; }
    const key = readString();
    expect(':');
    if (dict.has(key)) fail(`key '${key}' appears twice`);
    dict.set(key, readValue());
    skipSpace();
    if (text[at] === ',') at++;
    else if (text[at] !== '}') fail(`expected "," or "}" at offset ${at}`);
  }
  if (text.slice(at).trim() !== '') fail('text after the closing "}"');
  return dict;
}

/**
 * Reads `.npy` bytes (versions 1.0, 2.0, 3.0), dtype `<f4`, `<f8`, `<i4`, `|u1` or `|i1`, C order. A truncated
 * file, a bad magic, an unsupported dtype or byte order, Fortran order, negative dims or a shape
 * that does not match the remaining bytes throws a FixtureFormatError naming `file`.
 */
export function decodeNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10) throw new FixtureFormatError(file, `truncated: ${bytes.length} bytes, but a .npy preamble needs at least 10.`);
  if (MAGIC.some((b, i) => bytes[i] !== b)) throw new FixtureFormatError(file, 'bad magic: a .npy file starts with "\\x93NUMPY".');
  const major = bytes[6], minor = bytes[7];
  if (![1, 2, 3].includes(major) || minor !== 0) throw new FixtureFormatError(file, `unsupported .npy format version ${major}.${minor} (convcheck reads 1.0, 2.0 and 3.0).`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw new FixtureFormatError(file, `truncated: ${bytes.length} bytes, but a version ${major} preamble needs ${8 + lengthBytes}.`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lengthBytes;
  if (headerLength > bytes.length - headerStart) {
    throw new FixtureFormatError(file, `truncated header: it declares ${headerLength} bytes, but ${bytes.length - headerStart} remain.`);
  }
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const header = parseHeaderDict(headerText, file);
  const descr = header.get('descr'), fortran = header.get('fortran_order'), shape = header.get('shape');
  for (const key of header.keys()) {
    if (!['descr', 'fortran_order', 'shape'].includes(key)) throw new FixtureFormatError(file, `.npy header has an unknown key '${key}'.`);
  }
  if (typeof descr !== 'string') throw new FixtureFormatError(file, ".npy header needs 'descr' as a string.");
  if (typeof fortran !== 'boolean') throw new FixtureFormatError(file, ".npy header needs 'fortran_order' as True or False.");
  if (!Array.isArray(shape)) throw new FixtureFormatError(file, ".npy header needs 'shape' as a tuple of integers.");
  if (!(descr in ITEM_SIZE)) {
    const bigEndian = descr.startsWith('>');
    throw new FixtureFormatError(file, `dtype '${descr}' is not supported${bigEndian ? ' (big-endian)' : ''}: convcheck reads '<f4', '<f8', '<i4', '|u1' and '|i1'.`);
  }
  if (fortran) throw new FixtureFormatError(file, 'fortran_order is True, but convcheck reads C-order arrays only.');
  const dtype = descr as NpyDtype;
  const count = checkedElementCount(file, shape, 'shape');
  const itemSize = ITEM_SIZE[dtype];
  const dataStart = headerStart + headerLength;
  const remaining = bytes.length - dataStart;
  if (remaining !== count * itemSize) {
    const what = remaining < count * itemSize ? 'truncated data' : 'trailing bytes';
    throw new FixtureFormatError(file, `${what}: shape [${shape.join(', ')}] of ${dtype} needs ${count * itemSize} bytes after the header, but ${remaining} remain.`);
  }
  if (dtype === '<f4') {
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(dataStart + i * 4, true);
    return { dtype, shape, data };
  }
  if (dtype === '<f8') {
    const data = new Float64Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat64(dataStart + i * 8, true);
    return { dtype, shape, data };
  }
  if (dtype === '|u1') return { dtype, shape, data: bytes.slice(dataStart, dataStart + count) };
  if (dtype === '|i1') return { dtype, shape, data: new Int8Array(bytes.slice(dataStart, dataStart + count).buffer) };
  const data = new Int32Array(count);
  for (let i = 0; i < count; i++) data[i] = view.getInt32(dataStart + i * 4, true);
  return { dtype, shape, data };
}

/** Reads and decodes a `.npy` file; its size is checked before it is read. */
export async function readNpyFile(path: string): Promise<NpyArray> {
  return decodeNpy(await readFixtureFile(path, MAX_NPY_FILE_BYTES), path);
}
