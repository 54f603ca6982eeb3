// onnxruntime-node alone, no convcheck code: a one-node Identity model (X -> Y, float [1], opset 13)
// encoded by hand, one session, one run. `node ort-long-argv.mjs [ARGS...]` prints
// "argv N characters: Y = 3" and exits 0, or, when ORT's telemetry is on (no ORT_DISABLE_TELEMETRY=1,
// no CI variable) and the process's command line is longer than about 28,900 bytes (8 MiB stack),
// onnxruntime-node 1.30 crashes the process in InferenceSession.create (SIGSEGV, exit 139): known
// discrepancy ort-long-command-line-crash (adapters/onnxruntime-known.ts).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');

/** Protocol-buffer encoding: varints, and fields of wire type 0 (varint) and 2 (bytes). */
const varint = (n) => { const out = []; while (n > 127) { out.push((n & 127) | 128); n >>>= 7; } out.push(n); return out; };
const field = (no, wire, payload) => [...varint((no << 3) | wire), ...payload];
const bytes = (no, payload) => field(no, 2, [...varint(payload.length), ...payload]);
const text = (no, s) => bytes(no, [...Buffer.from(s)]);
const int = (no, v) => field(no, 0, varint(v));

// TypeProto { tensor_type { elem_type: FLOAT, shape { dim { dim_value: 1 } } } }
const tensorType = bytes(1, [...int(1, 1), ...bytes(2, bytes(1, int(1, 1)))]);
const valueInfo = (name) => [...text(1, name), ...bytes(2, tensorType)];
const node = [...text(1, 'X'), ...text(2, 'Y'), ...text(4, 'Identity')];
const graph = [...bytes(1, node), ...text(2, 'g'), ...bytes(11, valueInfo('X')), ...bytes(12, valueInfo('Y'))];
// ModelProto { ir_version: 8, graph, opset_import { domain: "", version: 13 } }
const model = new Uint8Array([...int(1, 8), ...bytes(7, graph), ...bytes(8, [...text(1, ''), ...int(2, 13)])]);

const session = await ort.InferenceSession.create(model);
const out = await session.run({ X: new ort.Tensor('float32', new Float32Array([3]), [1]) });
console.log(`argv ${process.argv.join(' ').length} characters: Y = ${out.Y.data[0]}`);
