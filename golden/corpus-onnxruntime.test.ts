/**
 * The committed corpus as a consumer uses it, without convcheck's adapters: ONNX Runtime loads
 * each model.onnx as it is, is fed the input_*.pb files by graph input name, and its output is
 * judged from the files alone: bit for bit against output_0.pb in exact mode, and by the
 * tolerance model built from y.npy, absSum.npy (S) and terms.npy (n) in real mode.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ort } from '../adapters/onnx/onnxruntime-node.ts';
import { describe, expect, test } from 'vitest';
import { compareToReference } from '../compare/tolerance.ts';
import type { ConvResult } from '../reference/conv-result.ts';
import { MANIFEST_FILE, parseManifest, type ManifestCase } from './manifest.ts';
import { readNpyFile } from './npy.ts';
import { readTensorProtoFile } from './tensor-proto.ts';
import { COMMITTED_CORPUS_DIR } from './write-committed-corpus.ts';

const manifest = parseManifest(await readFile(join(COMMITTED_CORPUS_DIR, MANIFEST_FILE), 'utf8'), MANIFEST_FILE);

/** ONNX Runtime's output for a case directory, fed from its test_data_set_0. */
async function runInOnnxRuntime(dir: string): Promise<{ shape: number[]; data: Float32Array }> {
  const session = await ort.InferenceSession.create(await readFile(join(dir, 'model.onnx')));
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [k, name] of session.inputNames.entries()) {
      const t = await readTensorProtoFile(join(dir, 'test_data_set_0', `input_${k}.pb`));
      expect(t.name).toBe(name);
      feeds[name] = new ort.Tensor('float32', Float32Array.from(t.tensor.data), [...t.tensor.shape]);
    }
    const out = (await session.run(feeds))[session.outputNames[0]];
    return { shape: [...out.dims], data: out.data as Float32Array };
  } finally {
    await session.release();
  }
}

/** The reference result of a case, read back from its .npy files. */
async function referenceFromFiles(dir: string, entry: ManifestCase): Promise<ConvResult> {
  const y = await readNpyFile(join(dir, 'y.npy'));
  const absSum = await readNpyFile(join(dir, entry.bound.S));
  const terms = await readNpyFile(join(dir, entry.bound.n));
  if (!(y.data instanceof Float64Array) || !(absSum.data instanceof Float64Array) || !(terms.data instanceof Int32Array)) throw new Error(`${entry.name}: unexpected dtypes`);
  return { y: { shape: y.shape, data: y.data }, absSum: absSum.data, terms: terms.data, multiplications: 0 };
}

describe('the committed corpus runs as it is in ONNX Runtime', () => {
  test('every case: exact cases match output_0.pb bit for bit, real ones pass the tolerance model from S and n', async () => {
    const results: string[] = [];
    for (const entry of manifest.cases) {
      const dir = join(COMMITTED_CORPUS_DIR, entry.dir);
      const got = await runInOnnxRuntime(dir);
      expect(got.shape, entry.name).toEqual(entry.shapes.y);
      if (entry.mode === 'exact') {
        const want = (await readTensorProtoFile(join(dir, 'test_data_set_0', 'output_0.pb'))).tensor;
        expect(Array.from(got.data), entry.name).toEqual(Array.from(want.data));
      }
      const comparison = compareToReference(await referenceFromFiles(dir, entry), got, 'fp32', { exact: entry.mode === 'exact' });
      results.push(`${entry.name}: ${comparison.verdict}`);
    }
    expect(results).toEqual(manifest.cases.map((c) => `${c.name}: pass`));
  });
});
