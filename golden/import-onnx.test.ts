import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SUPPORTED, unsupported, type Backend } from '../problem/backend.ts';
import type { KnownDiscrepancy } from '../problem/known-discrepancy.ts';
import { availableBackends } from '../adapters/registry.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { conv } from '../reference/conv.ts';
import { convTranspose } from '../reference/conv-transpose.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { referenceBackend } from '../adapters/reference.ts';
import { corpusCases } from './corpus.ts';
import { importOnnxTestDir } from './import-onnx.ts';
import { decodeTensorProto, encodeTensorProto } from './tensor-proto.ts';
import { COMMITTED_CORPUS_DIR, COMMITTED_QUANTIZED_CORPUS_DIR } from './write-committed-corpus.ts';
import { QUANTIZED_SMALL } from './quantized-cases.ts';
import { readNpyFile } from './npy.ts';
import { encodeValuesTensor } from '../adapters/onnx/quantized-model.ts';

const { onnx } = onnxProto;

/** A backend computing the reference and then changing it by `spoil`. */
function spoiled(name: string, spoil: (v: number, i: number) => number): Backend {
  return {
    name, version: '0', precision: 'fp32', supports: () => SUPPORTED,
    run: async (p: ConvProblem, o: ConvOperands) => {
      const y = p.op === 'conv' ? conv(p, o) : convTranspose(p, o);
      return { shape: y.shape, data: Float32Array.from(y.data, spoil) };
    },
  };
}

let scratch: string;
beforeAll(async () => { scratch = await mkdtemp(join(tmpdir(), 'convcheck-import-')); });
afterAll(async () => { await rm(scratch, { recursive: true, force: true }); });

/** A copy of one committed case directory, to be tampered with. */
async function copyCase(name: string): Promise<string> {
  const dir = join(scratch, `${name}-${Math.random().toString(36).slice(2)}`);
  await cp(join(COMMITTED_CORPUS_DIR, name), dir, { recursive: true });
  return dir;
}

describe('importOnnxTestDir on convcheck\'s quantized corpus', () => {
  test('every committed quantized case passes against the exact reference; ONNX Runtime passes or is the recorded int32 wrap', async () => {
    const backends = (await availableBackends(['reference', 'onnxruntime'])).flatMap((a) => (a.available ? [a.backend] : []));
    const result = await importOnnxTestDir(COMMITTED_QUANTIZED_CORPUS_DIR, backends);
    expect(result.counts).toEqual({ pass: QUANTIZED_SMALL.length, fail: 0, error: 0, skipped: 0 });
    expect(result.cases.map((c) => c.descriptor).sort()).toEqual(QUANTIZED_SMALL.map((c) => c.descriptor).sort());
    const ort = Object.fromEntries(result.cases.map((c) => [c.name, c.dataSets[0].backends[1].verdict]));
    expect(ort['q-qlinear-int32-overflow']).toBe('known');
    expect(result.cases.find((c) => c.name === 'q-qlinear-int32-overflow')?.dataSets[0].backends[1].known?.id).toBe('ort-qlinearconv-int32-accumulator-wraps');
    for (const [name, verdict] of Object.entries(ort)) if (name !== 'q-qlinear-int32-overflow') expect(['pass', 'unsupported'], `${name}: ${verdict}`).toContain(verdict);
    for (const b of backends) await b.dispose?.();
  });

  test('an expected output off by one step is a fail naming the element; the tie-neighbour where allowed is not', async () => {
    const dir = join(scratch, `q-${Math.random().toString(36).slice(2)}`);
    await cp(join(COMMITTED_QUANTIZED_CORPUS_DIR, 'q-qlinear-tie-neighbour'), dir, { recursive: true });
    const path = join(dir, 'test_data_set_0', 'output_0.pb');
    const y = decodeTensorProto(await readFile(path), path).tensor;
    const lo = (await readNpyFile(join(dir, 'yLo.npy'))).data, hi = (await readNpyFile(join(dir, 'yHi.npy'))).data;
    const open = Array.from(lo).findIndex((v, i) => v !== hi[i]);
    const shut = Array.from(lo).findIndex((v, i) => v === hi[i]);
    const data = Array.from(y.data);
    data[open] = data[open] === lo[open] ? hi[open] : lo[open];
    await writeFile(path, encodeValuesTensor('Y', 2, y.shape, data));
    const allowed = await importOnnxTestDir(dir, [referenceBackend]);
    expect(allowed.cases[0].verdict).toBe('pass');
    expect(allowed.cases[0].dataSets[0].expected.message).toMatch(/^tie-neighbour \(allowed\) at 1 of 9 elements/);
    data[shut] += 1;
    await writeFile(path, encodeValuesTensor('Y', 2, y.shape, data));
    const off = await importOnnxTestDir(dir, [referenceBackend]);
    expect(off.cases[0].verdict).toBe('fail');
    expect(off.cases[0].message).toMatch(new RegExp(`expected output disagrees with the reference: 1 of 9 elements are neither exact nor an allowed tie-neighbour .* first at index ${shut} `));
  });
});

describe('importOnnxTestDir on convcheck\'s own corpus', () => {
  test('every committed case passes against the reference, with the case\'s descriptor', async () => {
    const result = await importOnnxTestDir(COMMITTED_CORPUS_DIR, [referenceBackend]);
    const cases = corpusCases('small');
    expect(result.counts).toEqual({ pass: cases.length, fail: 0, error: 0, skipped: 0 });
    for (const c of cases) {
      const imported = result.cases.find((i) => i.name === c.name);
      expect(imported?.descriptor, c.name).toBe(c.descriptor);
      expect(imported?.dataSets[0].expected.verdict).toBe('pass');
      expect(imported?.dataSets[0].backends.map((b) => b.verdict)).toEqual(['pass']);
    }
  });

  test('a wrong backend fails, an unsupported one is not a fail, a throwing one is an error', async () => {
    const offByOne = spoiled('off-by-one', (v) => v + 1);
    const declines: Backend = { ...referenceBackend, name: 'declines', supports: () => unsupported('declines: no grouped conv') };
    const throws: Backend = { ...referenceBackend, name: 'throws', run: async () => { throw new Error('device lost'); } };
    const grouped = join(COMMITTED_CORPUS_DIR, 'grouped-g2');
    const fail = await importOnnxTestDir(grouped, [referenceBackend, offByOne, declines]);
    expect(fail.cases[0].verdict).toBe('fail');
    expect(fail.cases[0].message).toMatch(/off-by-one fails: \d+ of 150 elements over bound/);
    expect(fail.cases[0].dataSets[0].backends.map((b) => [b.backend, b.verdict])).toEqual([['reference', 'pass'], ['off-by-one', 'fail'], ['declines', 'unsupported']]);
    const pass = await importOnnxTestDir(grouped, [declines]);
    expect(pass.cases[0].verdict).toBe('pass');
    expect(pass.cases[0].dataSets[0].backends[0].message).toBe('declines: no grouped conv');
    const error = await importOnnxTestDir(grouped, [throws]);
    expect(error.cases[0].verdict).toBe('error');
    expect(error.cases[0].message).toMatch(/throws error: device lost/);
  });

  test('a failure one of the backend\'s recorded discrepancies explains is known, names the record and passes the case; without records it fails', async () => {
    const asked: string[] = [];
    const record = (backend: string): KnownDiscrepancy => ({
      id: `${backend}-fake-record`, backend, descriptor: 'g2', summary: 'fake', observed: 'y+1', expected: 'y',
      matches: (p: ConvProblem) => { asked.push(`${backend} ${p.group}`); return true; },
    });
    const offByOneBare = spoiled('off-by-one', (v) => v + 1);
    const offByOne: Backend = { ...offByOneBare, knownDiscrepancies: [record('off-by-one')] };
    const throws: Backend = { ...referenceBackend, name: 'throws', run: async () => { throw new Error('device lost'); }, knownDiscrepancies: [record('throws')] };
    const declines: Backend = { ...referenceBackend, name: 'declines', supports: () => unsupported('declines: no grouped conv'), knownDiscrepancies: [record('declines')] };
    const grouped = join(COMMITTED_CORPUS_DIR, 'grouped-g2');
    const backends = [referenceBackend, offByOne, throws, declines];
    const routed = await importOnnxTestDir(grouped, backends);
    const c = routed.cases[0];
    expect(c.verdict).toBe('pass');
    expect(c.dataSets[0].backends.map((b) => [b.backend, b.verdict, b.known?.id])).toEqual([
      ['reference', 'pass', undefined], ['off-by-one', 'known', 'off-by-one-fake-record'], ['throws', 'known', 'throws-fake-record'], ['declines', 'unsupported', undefined],
    ]);
    expect(c.dataSets[0].backends[1].message).toMatch(/^known discrepancy off-by-one-fake-record \(fail: \d+ of 150 elements over bound/);
    expect(c.dataSets[0].backends[2].message).toBe('known discrepancy throws-fake-record (error: device lost)');
    expect(c.message).toMatch(/reference pass, off-by-one known off-by-one-fake-record, throws known throws-fake-record, declines unsupported$/);
    // Only failures are matched, with the case's problem (grouped-g2 has group 2).
    expect(asked).toEqual(['off-by-one 2', 'throws 2']);
    // A record that explains nothing changes nothing; no records at all fail the case.
    const unexplained = await importOnnxTestDir(grouped, [{ ...offByOneBare, knownDiscrepancies: [{ ...record('off-by-one'), matches: () => false }] }]);
    expect(unexplained.cases[0].verdict).toBe('fail');
    const without = await importOnnxTestDir(grouped, [referenceBackend, offByOneBare, { ...throws, knownDiscrepancies: [] }, declines]);
    expect(without.cases[0].verdict).toBe('fail');
    expect(without.cases[0].dataSets[0].backends.map((b) => b.verdict)).toEqual(['pass', 'fail', 'error', 'unsupported']);
    expect(without.counts).toEqual({ pass: 0, fail: 1, error: 0, skipped: 0 });
  });

  test('an expected output that disagrees with the reference is a fail naming the element', async () => {
    const dir = await copyCase('transposed-3d');
    const path = join(dir, 'test_data_set_0', 'output_0.pb');
    const y = decodeTensorProto(await readFile(path), path).tensor;
    const data = Float32Array.from(y.data);
    data[5] += 1;
    await writeFile(path, encodeTensorProto('Y', { shape: y.shape, data }));
    const result = await importOnnxTestDir(dir, [referenceBackend]);
    expect(result.cases[0].verdict).toBe('fail');
    expect(result.cases[0].message).toMatch(/expected output disagrees with the reference: 1 of 144 elements over bound .*; first at index 5 \[0,0,0,0,5\]: got (-?\d+), expected (-?\d+), bound 0/);
    const [, got, want] = /got (-?\d+), expected (-?\d+)/.exec(result.cases[0].message) ?? [];
    expect(Number(got)).toBe(Number(want) + 1);
  });

  test('a truncated input file is an error naming it, and the other cases still run', async () => {
    const root = join(scratch, 'mixed');
    await mkdir(root);
    await cp(join(COMMITTED_CORPUS_DIR, 'conv-1d'), join(root, 'a-good'), { recursive: true });
    await cp(join(COMMITTED_CORPUS_DIR, 'conv-1d'), join(root, 'b-cut'), { recursive: true });
    const x = join(root, 'b-cut', 'test_data_set_0', 'input_0.pb');
    await writeFile(x, (await readFile(x)).subarray(0, 30));
    await cp(join(COMMITTED_CORPUS_DIR, 'conv-1d'), join(root, 'c-extra-input'), { recursive: true });
    await writeFile(join(root, 'c-extra-input', 'test_data_set_0', 'input_3.pb'), new Uint8Array(0));
    await mkdir(join(root, 'd-two-nodes'));
    await writeFile(join(root, 'd-two-nodes', 'model.onnx'), onnx.ModelProto.encode({
      graph: { node: [{ opType: 'Conv', input: ['X', 'W'], output: ['T'] }, { opType: 'Relu', input: ['T'], output: ['Y'] }] },
    }).finish());
    await mkdir(join(root, 'e-not-a-test'));
    const result = await importOnnxTestDir(root, [referenceBackend]);
    expect(result.cases.map((c) => [c.name, c.verdict])).toEqual([['a-good', 'pass'], ['b-cut', 'error'], ['c-extra-input', 'error'], ['d-two-nodes', 'skipped']]);
    expect(result.cases[1].message).toMatch(/b-cut\/test_data_set_0\/input_0\.pb: (truncated|tensor)/);
    expect(result.cases[2].message).toMatch(/holds input_3\.pb, but the model has only 3 graph inputs/);
    expect(result.cases[3].message).toBe('skipped: not a single Conv/ConvTranspose: the graph has 2 nodes (Conv, Relu)');
    expect(result.counts).toEqual({ pass: 1, fail: 0, error: 2, skipped: 1 });
  });

  test('a directory without any model.onnx is a named error', async () => {
    const empty = join(scratch, 'empty');
    await mkdir(empty);
    await expect(importOnnxTestDir(empty, [])).rejects.toThrow(/empty: holds no model\.onnx, and no sub-directory holds one/);
  });
});

/** Where ONNX's backend test data is: Debian's libonnx-testdata, or `CONVCHECK_ONNX_TESTDATA` (a `data` directory of onnx/backend/test). */
describe('importOnnxTestDir: a test directory whose name is not valid UTF-8', () => {
  test('is an error naming its bytes, not dropped (before: "1 passed ... 0 skipped", the other test silently left out)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'convcheck-import-names-'));
    try {
      await cp(join(COMMITTED_CORPUS_DIR, 'conv-1d'), join(root, 'ok'), { recursive: true });
      const bad = Buffer.concat([Buffer.from(`${root}/bad`), Buffer.from([0xff, 0xfe]), Buffer.from('name')]);
      await mkdir(bad);
      await writeFile(Buffer.concat([bad, Buffer.from('/model.onnx')]), await readFile(join(root, 'ok', 'model.onnx')));
      const result = await importOnnxTestDir(root, [referenceBackend]);
      expect(result.counts).toEqual({ pass: 1, fail: 0, error: 1, skipped: 0 });
      const error = result.cases.find((c) => c.verdict === 'error');
      expect(error?.message).toBe(`${root}: a test directory whose name is not valid UTF-8, bad\ufffd\ufffdname (bytes 62 61 64 ff fe 6e 61 6d 65): convcheck opens and names tests by their directory's name, so it cannot import this one; rename it.`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

const OFFICIAL = process.env.CONVCHECK_ONNX_TESTDATA ?? '/usr/share/libonnx-testdata/data';
const OFFICIAL_PATTERNS: Array<[string, RegExp]> = [
  ['node', /^test_(basic_)?conv|^test_qlinearconv/],
  ['pytorch-converted', /^test_Conv/],
  ['pytorch-operator', /^test_operator_conv/],
];
const hasOfficialData = existsSync(join(OFFICIAL, 'node', 'test_conv_with_strides_padding'));
/** Says, on the console and in the skip note, why the official data was not run. */
function skipWithoutOfficialData(ctx: { skip: (note?: string) => void }): void {
  console.warn(`SKIPPED: ${NOT_INSTALLED}`);
  ctx.skip(NOT_INSTALLED);
}
const NOT_INSTALLED = `Debian's libonnx-testdata is not installed (${OFFICIAL} is absent): ONNX's official Conv/ConvTranspose tests were NOT run. Install it with: apt-get install -y libonnx-testdata`;

/**
 * Official tests the reference rejects, with the reason; empty since the reference extends a
 * ConvTranspose output_shape past the full output at the end (test_convtranspose_output_shape:
 * 10 > 9 and 8 > 7), as ONNX's expected output and ONNX Runtime do. A new entry makes the counts
 * below fail until it is listed here with its reason.
 */
const REFERENCE_REJECTS: Record<string, RegExp> = {};

describe('ONNX\'s official Conv / ConvTranspose test data (Debian libonnx-testdata)', () => {
  test('every official test runs: the reference and ONNX Runtime agree with ONNX\'s expected outputs, tfjs passes or fails only where a known discrepancy says', async (ctx) => {
    if (!hasOfficialData) skipWithoutOfficialData(ctx);
    const names = ['reference', 'onnxruntime', 'tfjs-cpu', 'tfjs-wasm'];
    const backends = (await availableBackends(names)).flatMap((a) => (a.available ? [a.backend] : []));
    expect(backends.map((b) => b.name)).toEqual(names);
    const verdicts: Record<string, string> = {};
    const known: string[] = [];
    const quantized: string[] = [];
    for (const [sub, pattern] of OFFICIAL_PATTERNS) {
      for (const name of readdirSync(join(OFFICIAL, sub)).filter((n) => pattern.test(n)).sort()) {
        const result = await importOnnxTestDir(join(OFFICIAL, sub, name), backends);
        const c = result.cases[0];
        verdicts[name] = c.verdict;
        if (name in REFERENCE_REJECTS) {
          expect(c.verdict, name).toBe('error');
          expect(c.message, name).toMatch(REFERENCE_REJECTS[name]);
        } else if (/integer|qlinear/.test(name)) {
          // ConvInteger and QLinearConv: the exact reference reproduces ONNX's output, ORT too; tfjs has no quantized ops
          expect([c.verdict, c.message], name).toEqual(['pass', expect.stringMatching(/^expected output matches the reference/)]);
          for (const set of c.dataSets) {
            expect(set.expected.message, name).toMatch(/^exact: all \d+ elements equal the exact result/);
            expect(set.backends.map((b) => `${b.backend}:${b.verdict}`), name).toEqual(['reference:pass', 'onnxruntime:pass', 'tfjs-cpu:unsupported', 'tfjs-wasm:unsupported']);
          }
          quantized.push(`${name} ${c.descriptor}`);
        } else {
          expect([c.verdict, c.message], name).toEqual(['pass', expect.stringMatching(/^expected output matches the reference/)]);
          for (const set of c.dataSets) {
            expect(set.backends.slice(0, 2).map((b) => `${b.backend}:${b.verdict}`), name).toEqual(['reference:pass', 'onnxruntime:pass']);
            // tfjs: anything but a pass must be unsupported or a recorded discrepancy of that very backend.
            for (const b of set.backends.slice(2)) {
              expect(['pass', 'unsupported', 'known'], `${name} ${b.backend}: ${b.message}`).toContain(b.verdict);
              if (b.verdict === 'known') {
                expect(b.known?.backend, name).toBe(b.backend);
                known.push(`${name} ${b.backend} ${b.known?.id}`);
              }
            }
          }
        }
      }
    }
    for (const b of backends) await b.dispose?.();
    // tfjs-wasm's conv3dTranspose drops taps (adapters/tfjs-known.ts): ONNX's 3-D ConvTranspose test shows it.
    expect(known).toContain('test_convtranspose_3d tfjs-wasm tfjs-wasm-conv3d-transpose-loop-bounds');
    const count = (v: string): number => Object.values(verdicts).filter((x) => x === v).length;
    // libonnx-testdata 1.12 (Debian 12) has 45 runnable Conv/ConvTranspose tests, 3 ConvInteger ones and 1 QLinearConv.
    expect(count('pass')).toBeGreaterThanOrEqual(49);
    // ONNX's official quantized data, read as problems (the zero points and scales are node inputs there)
    expect(quantized).toEqual([
      'test_basic_convinteger CIu8u8mb1ic1ih3iw3oc1kh2kw2xz1n"test_basic_convinteger"',
      'test_convinteger_with_padding CIu8u8mb1ic1ih3iw3oc1kh2kw2ph1pw1xz1n"test_convinteger_with_padding"',
      'test_convinteger_without_padding CIu8u8mb1ic1ih3iw3oc1kh2kw2xz1n"test_convinteger_without_padding"',
      'test_qlinearconv QLu8u8u8mb1ic1ih7iw7oc1kh1kw1xs0.003692047xz132wsc0.0017279458wzc255ys0.0016268126yz123n"test_qlinearconv"',
    ]);
    expect({ error: count('error'), fail: count('fail') }).toEqual({ error: Object.keys(REFERENCE_REJECTS).length, fail: 0 });
  });

  test('a whole official directory of 900-odd node tests imports, the non-conv ones counted as skipped', async (ctx) => {
    if (!hasOfficialData) skipWithoutOfficialData(ctx);
    const result = await importOnnxTestDir(join(OFFICIAL, 'node'), []);
    expect(result.counts.pass).toBeGreaterThanOrEqual(15);
    expect({ error: result.counts.error, fail: result.counts.fail }).toEqual({ error: Object.keys(REFERENCE_REJECTS).length, fail: 0 });
    expect(result.counts.skipped).toBe(result.cases.length - result.counts.pass - result.counts.error);
    expect(result.counts.skipped).toBeGreaterThan(500);
  });
});

describe('importOnnxTestDir on data with NaN and Inf: judged by IEEE 754\'s special-value rule, never a pass by accident', () => {
  /**
   * A copy of the committed 3x3 padded case (pads 1) with real data, a NaN and a +Inf in x and a
   * -Inf weight, and the test's expected output computed in IEEE 754 (float32), or `spoil`ed.
   */
  async function specialCase(spoil: (v: number) => number = (v) => v): Promise<string> {
    const dir = join(scratch, `special-${Math.random().toString(36).slice(2)}`);
    const source = join(COMMITTED_CORPUS_DIR, 'asymmetric-pads');
    await cp(source, dir, { recursive: true });
    const set = join(dir, 'test_data_set_0');
    const x = decodeTensorProto(await readFile(join(set, 'input_0.pb')), 'x').tensor;
    const w = decodeTensorProto(await readFile(join(set, 'input_1.pb')), 'w').tensor;
    const xs = Float32Array.from(x.data), ws = Float32Array.from(w.data);
    xs[0] = NaN; xs[xs.length - 1] = Infinity; ws[ws.length - 1] = -Infinity;
    await writeFile(join(set, 'input_0.pb'), encodeTensorProto('X', { shape: x.shape, data: xs }));
    await writeFile(join(set, 'input_1.pb'), encodeTensorProto('W', { shape: w.shape, data: ws }));
    const problem = (await importOnnxTestDir(dir, [])).cases[0].descriptor;
    expect(problem).toBeDefined();
    const { parseDescriptor } = await import('../problem/descriptor.ts');
    const b = existsSync(join(set, 'input_2.pb')) ? decodeTensorProto(await readFile(join(set, 'input_2.pb')), 'b').tensor : undefined;
    const y = conv(parseDescriptor(problem ?? ''), { x: { shape: x.shape, data: xs }, w: { shape: w.shape, data: ws }, ...(b ? { b } : {}) });
    await writeFile(join(set, 'output_0.pb'), encodeTensorProto('Y', { shape: y.shape, data: Float32Array.from(y.data, spoil) }));
    return dir;
  }

  test('a correct backend passes, and the message says the special values were judged by that rule (before: "pass (max normalized error Infinity)" whatever the answer)', async () => {
    const dir = await specialCase();
    const ort = (await availableBackends(['onnxruntime'])).flatMap((a) => (a.available ? [a.backend] : []));
    try {
      const result = await importOnnxTestDir(dir, [referenceBackend, ...ort]);
      const c = result.cases[0];
      expect(c.verdict, c.message).toBe('pass');
      expect(c.dataSets[0].specialValues).toBe('x: 1 NaN, 1 +Inf; w: 1 -Inf');
      expect(c.message).toContain('special values (test_data_set_0: x: 1 NaN, 1 +Inf; w: 1 -Inf) judged by IEEE 754, NaN = NaN and the same infinity');
      const y = c.dataSets[0].expected;
      expect(y.message).toMatch(/^special values \(x: 1 NaN, 1 \+Inf; w: 1 -Inf\) judged by IEEE 754: /);
    } finally {
      for (const b of ort) await b.dispose?.();
    }
  });

  test('a backend that turns NaN into 0, or an infinity into 0, fails (before: Inf -> 0 passed, its bound was infinite)', async () => {
    const dir = await specialCase();
    const nanToZero = spoiled('nan-to-zero', (v) => (Number.isNaN(v) ? 0 : v));
    const infToZero = spoiled('inf-to-zero', (v) => (v === Infinity || v === -Infinity ? 0 : v));
    const result = await importOnnxTestDir(dir, [nanToZero, infToZero]);
    const c = result.cases[0];
    expect(c.verdict).toBe('fail');
    expect(c.dataSets[0].backends.map((b) => [b.backend, b.verdict])).toEqual([['nan-to-zero', 'fail'], ['inf-to-zero', 'fail']]);
    for (const b of c.dataSets[0].backends) expect(b.message).toMatch(/^special values \(x: 1 NaN, 1 \+Inf; w: 1 -Inf\) judged by IEEE 754: .*impossible for a correct kernel/);
  });

  test('a test whose own expected output lost an infinity fails against the reference', async () => {
    const dir = await specialCase((v) => (v === Infinity || v === -Infinity ? 0 : v));
    const c = (await importOnnxTestDir(dir, [referenceBackend])).cases[0];
    expect(c.verdict).toBe('fail');
    expect(c.message).toContain("test_data_set_0: the test's expected output disagrees with the reference: special values");
  });
});

test('special values: a backend that flips the sign of an infinity fails too', async () => {
  const source = join(COMMITTED_CORPUS_DIR, 'conv-1d');
  const dir = join(scratch, `flip-${Math.random().toString(36).slice(2)}`);
  await cp(source, dir, { recursive: true });
  const set = join(dir, 'test_data_set_0');
  const x = decodeTensorProto(await readFile(join(set, 'input_0.pb')), 'x').tensor;
  const xs = Float32Array.from(x.data);
  xs[1] = Infinity;
  await writeFile(join(set, 'input_0.pb'), encodeTensorProto('X', { shape: x.shape, data: xs }));
  const flip = spoiled('flip-infinity', (v) => (v === Infinity ? -Infinity : v === -Infinity ? Infinity : v));
  const c = (await importOnnxTestDir(dir, [referenceBackend, flip])).cases[0];
  expect(c.dataSets[0].backends.map((b) => [b.backend, b.verdict])).toEqual([['reference', 'pass'], ['flip-infinity', 'fail']]);
});
