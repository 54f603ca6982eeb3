/**
 * A look at a serialized TensorProto's top-level fields before onnx-proto decodes it. The decoder
 * turns every repeated number into a JavaScript array element: a 250 MB file of one-byte varints
 * in `int32_data` is 250 million of them (V8 stops the process: "invalid size"), and 50 million
 * `dims` entries take minutes and gigabytes before any check can run. The scan reads the wire
 * format (protobuf encoding: a varint tag `field << 3 | wire type`, then the value) without
 * allocating per element, and refuses, naming the file, a tensor of more than
 * {@link MAX_TENSOR_RANK} dims, or whose repeated data fields hold more values than the element
 * limit in force or than its dims need. Anything it cannot read is left to the decoder,
 * which reports it.
 */
import { activeLimits, formatCount, LIMIT_OPTIONS } from '../problem/limits.ts';
import { FixtureFormatError } from './fixture-error.ts';

/** Most dims a tensor may declare (Conv's tensors have 3 to 5; a bias 1). */
export const MAX_TENSOR_RANK = 8;

/** TensorProto field numbers (onnx.proto3) the scan counts. */
const DIMS = 1;
const FLOAT_DATA = 4, INT32_DATA = 5, STRING_DATA = 6, INT64_DATA = 7, DOUBLE_DATA = 10, UINT64_DATA = 11;
/** Repeated value fields whose packed form holds varints. */
const PACKED_VARINT_FIELDS = new Set([INT32_DATA, INT64_DATA, UINT64_DATA]);
const VALUE_FIELDS = new Set([FLOAT_DATA, INT32_DATA, STRING_DATA, INT64_DATA, DOUBLE_DATA, UINT64_DATA]);

/** Reads protobuf varints from `bytes`; `at` is the position of the next byte. Past the end, `undefined`. */
class WireReader {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  /** The next varint as a number (exact up to 2^53; larger values only need to be large), or undefined at a truncation. */
  varint(): number | undefined {
    let value = 0, scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.bytes.length) return undefined;
      const byte = this.bytes[this.at++];
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
    return undefined;
  }

  /** The next varint as a signed int64 (a dim: -1 is written in ten bytes), or undefined at a truncation. */
  int64(): number | undefined {
    let value = 0n, shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.bytes.length) return undefined;
      const byte = this.bytes[this.at++];
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return Number(BigInt.asIntN(64, value));
      shift += 7n;
    }
    return undefined;
  }
}

/** Varints in `bytes[start, end)`: one ends at each byte whose top bit is clear. */
function varintCount(bytes: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if ((bytes[i] & 0x80) === 0) n++;
  return n;
}

/**
 * Calls `visit(field, wire, start, end)` for each field at the top level of the message in
 * `bytes[from, to)`, with where its value lies: a varint's bytes (wire type 0), a fixed value's (1,
 * 5) or a length-delimited payload (2). Stops quietly at anything it cannot read (groups, a
 * truncation): the decoder reports it.
 */
function forEachField(bytes: Uint8Array, from: number, to: number, visit: (field: number, wire: number, start: number, end: number) => void): void {
  const reader = new WireReader(bytes.subarray(0, to));
  reader.at = from;
  while (reader.at < to) {
    const tag = reader.varint();
    if (tag === undefined) return;
    const field = Math.floor(tag / 8), wire = tag % 8;
    let start = reader.at;
    if (wire === 0) {
      if (reader.varint() === undefined) return;
    } else if (wire === 1 || wire === 5) {
      reader.at += wire === 1 ? 8 : 4;
      if (reader.at > to) return;
    } else if (wire === 2) {
      const length = reader.varint();
      if (length === undefined || reader.at + length > to) return;
      start = reader.at;
      reader.at += length;
    } else {
      return;
    }
    visit(field, wire, start, reader.at);
  }
}

/**
 * Throws a FixtureFormatError naming `file` when the TensorProto in `bytes` declares more than
 * {@link MAX_TENSOR_RANK} dims, or holds more values in its repeated data fields (float_data,
 * int32_data, ...) than `--max-elements` allows or than its dims need. Returns quietly otherwise,
 * and at anything it cannot read (the decoder then says what is wrong).
 */
export function scanTensorProto(bytes: Uint8Array, file: string): void {
  const dims: number[] = [];
  let values = 0;
  forEachField(bytes, 0, bytes.length, (field, wire, start, end) => {
    if (field === DIMS && (wire === 0 || wire === 2)) {
      // one int64 (wire type 0) or packed ones (2)
      const reader = new WireReader(bytes.subarray(0, end));
      reader.at = start;
      while (reader.at < end) {
        const d = reader.int64();
        if (d === undefined) return;
        dims.push(d);
        if (dims.length > MAX_TENSOR_RANK) {
          throw new FixtureFormatError(file, `the tensor declares more than ${MAX_TENSOR_RANK} dims (dims [${dims.slice(0, MAX_TENSOR_RANK).join(', ')}, ...]), but convcheck reads tensors of rank at most ${MAX_TENSOR_RANK} (Conv's have 3 to 5).`);
        }
      }
    } else if (VALUE_FIELDS.has(field)) {
      // one value unpacked; packed: fixed 4 or 8 bytes each, or one varint each
      if (wire !== 2 || field === STRING_DATA) values++;
      else if (field === FLOAT_DATA) values += Math.floor((end - start) / 4);
      else if (field === DOUBLE_DATA) values += Math.floor((end - start) / 8);
      else if (PACKED_VARINT_FIELDS.has(field)) values += varintCount(bytes, start, end);
    }
  });
  // the dims' own element count is checked where the tensor is used, naming the problem; here the values the decoder would allocate
  const limit = activeLimits().maxElements;
  if (values > limit) {
    throw new FixtureFormatError(file, `the tensor's repeated data fields hold at least ${formatCount(values)} values, more than the limit of ${formatCount(limit)} elements (${LIMIT_OPTIONS.maxElements} raises it); refused before decoding.`);
  }
  // a negative or unsafe dim: tensorFromProto names it
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) return;
  const count = dims.reduce((a, b) => a * b, 1);
  if (values > count) {
    throw new FixtureFormatError(file, `the tensor's repeated data fields hold at least ${formatCount(values)} values, but its dims [${dims.join(', ')}] need ${formatCount(count)}; refused before decoding.`);
  }
}

/** Most values one attribute of a node may hold (Conv's attributes hold a few). */
export const MAX_ATTRIBUTE_VALUES = 2 ** 20;
/** Nesting of graphs (If/Loop bodies) the model scan follows; deeper, the decoder has the last word. */
const MAX_GRAPH_DEPTH = 16;

/** {@link forEachField} for the length-delimited fields only (sub-messages and packed values). */
function forEachLengthDelimited(bytes: Uint8Array, from: number, to: number, visit: (field: number, start: number, end: number) => void): void {
  forEachField(bytes, from, to, (field, wire, start, end) => { if (wire === 2) visit(field, start, end); });
}

/**
 * {@link scanTensorProto} for every tensor a serialized ModelProto holds (its graph's initializers,
 * sparse initializers, the tensors in node attributes, in nested graphs too), and a bound of
 * {@link MAX_ATTRIBUTE_VALUES} on an attribute's repeated ints and floats: what onnx-proto would
 * otherwise turn into JavaScript arrays of any length before a check of ours runs.
 */
export function scanModelProto(bytes: Uint8Array, file: string): void {
  const tensor = (start: number, end: number, what: string): void => scanTensorProto(bytes.subarray(start, end), `${file} (${what})`);
  const sparse = (start: number, end: number, what: string): void => {
    // SparseTensorProto: values = 1, indices = 2
    forEachLengthDelimited(bytes, start, end, (f, s, e) => { if (f === 1 || f === 2) tensor(s, e, what); });
  };
  const attribute = (start: number, end: number, depth: number): void => {
    // AttributeProto: t = 5, g = 6, floats = 7, ints = 8, graphs = 10, tensors = 11, sparse_tensor = 22, sparse_tensors = 23
    let values = 0;
    forEachLengthDelimited(bytes, start, end, (f, s, e) => {
      if (f === 5 || f === 11) tensor(s, e, 'a node attribute\'s tensor');
      else if (f === 6 || f === 10) graph(s, e, depth + 1);
      else if (f === 22 || f === 23) sparse(s, e, 'a node attribute\'s sparse tensor');
      else if (f === 7) values += Math.floor((e - s) / 4);
      else if (f === 8) values += varintCount(bytes, s, e);
      if (values > MAX_ATTRIBUTE_VALUES) {
        throw new FixtureFormatError(file, `a node attribute holds more than ${formatCount(MAX_ATTRIBUTE_VALUES)} ints or floats; convcheck reads attributes of at most that many (Conv's hold a few); refused before decoding.`);
      }
    });
  };
  const graph = (start: number, end: number, depth: number): void => {
    if (depth > MAX_GRAPH_DEPTH) return;
    // GraphProto: node = 1, initializer = 5, sparse_initializer = 15; NodeProto: attribute = 5
    forEachLengthDelimited(bytes, start, end, (f, s, e) => {
      if (f === 5) tensor(s, e, 'an initializer');
      else if (f === 15) sparse(s, e, 'a sparse initializer');
      else if (f === 1) forEachLengthDelimited(bytes, s, e, (nf, ns, ne) => { if (nf === 5) attribute(ns, ne, depth); });
    });
  };
  // ModelProto: graph = 7
  forEachLengthDelimited(bytes, 0, bytes.length, (f, s, e) => { if (f === 7) graph(s, e, 0); });
}
