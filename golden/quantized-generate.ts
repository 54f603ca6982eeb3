/**
 * Generates a quantized corpus on disk (golden/quantized-cases.ts): one case directory at a time
 * (golden/quantized-case-files.ts), then its `manifest.json` (golden/quantized-manifest.ts). The
 * committed small one is golden/corpus-quantized/. Same inputs, same bytes on any machine.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConvInputError } from '../problem/errors.ts';
import { ALL_FORMATS, type FixtureFormat } from './case-files.ts';
import type { CorpusName } from './corpus.ts';
import { writeCaseDirectory } from './generate.ts';
import { activeLimits, checkResources } from '../problem/limits.ts';
import { MANIFEST_FILE } from './manifest.ts';
import { quantizedCaseFiles } from './quantized-case-files.ts';
import { quantizedCorpusCases, type QuantizedGoldenCase } from './quantized-cases.ts';
import { formatQuantizedManifest, QUANTIZED_CONVENTIONS, QUANTIZED_MANIFEST_FORMAT, QUANTIZED_MANIFEST_VERSION, quantizedManifestCase, type QuantizedManifest, type QuantizedManifestCase } from './quantized-manifest.ts';

/** Options of {@link generateQuantizedCorpus}. */
export interface GenerateQuantizedOptions {
  readonly outDir: string;
  readonly corpus: CorpusName;
  readonly formats?: readonly FixtureFormat[];
  readonly names?: readonly string[];
  readonly onCase?: (progress: { case: QuantizedGoldenCase; index: number; total: number; files: number; bytes: number }) => void;
}

/** Writes the quantized cases of `corpus` under `outDir` and their manifest; returns the manifest. */
export async function generateQuantizedCorpus(options: GenerateQuantizedOptions): Promise<QuantizedManifest> {
  const formats = [...(options.formats ?? ALL_FORMATS)];
  for (const f of formats) {
    if (!ALL_FORMATS.includes(f)) throw new ConvInputError('formats', `golden generate: format must be one of ${ALL_FORMATS.join(', ')}, but format=${String(f)}.`);
  }
  const all = quantizedCorpusCases(options.corpus);
  for (const name of options.names ?? []) {
    if (!all.some((c) => c.name === name)) throw new ConvInputError('names', `golden generate: case "${name}" is not in the quantized corpus ${options.corpus}.`);
  }
  const cases = options.names === undefined ? all : all.filter((c) => options.names?.includes(c.name));
  // every case against the resource limits before anything is written, as for the float corpus
  for (const c of cases) checkResources(c.problem.conv, activeLimits(), `golden generate: case ${c.name} (${c.descriptor})`);
  await mkdir(options.outDir, { recursive: true });
  const entries: QuantizedManifestCase[] = [];
  for (const [index, c] of cases.entries()) {
    const { hashes, bytes } = await writeCaseDirectory(join(options.outDir, c.name), quantizedCaseFiles(c, formats));
    entries.push(quantizedManifestCase(c, hashes));
    options.onCase?.({ case: c, index, total: cases.length, files: Object.keys(hashes).length, bytes });
  }
  const manifest: QuantizedManifest = {
    format: QUANTIZED_MANIFEST_FORMAT, version: QUANTIZED_MANIFEST_VERSION, corpus: options.corpus, formats, conventions: QUANTIZED_CONVENTIONS, cases: entries,
  };
  await writeFile(join(options.outDir, MANIFEST_FILE), formatQuantizedManifest(manifest));
  return manifest;
}
