/**
 * Generates a corpus on disk: one case at a time (its files are written and dropped before the
 * next case is computed), then `manifest.json`. Only the directories of the cases it writes are
 * replaced; nothing else under `outDir` is touched.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConvInputError } from '../problem/errors.ts';
import { activeLimits, checkResources } from '../problem/limits.ts';
import { ALL_FORMATS, caseFiles, type CaseFile, type FixtureFormat } from './case-files.ts';
import { corpusCases, type CorpusName } from './corpus.ts';
import { sha256Hex } from './fixture-file.ts';
import type { GoldenCase } from './golden-case.ts';
import { CONVENTIONS, formatManifest, MANIFEST_FILE, MANIFEST_FORMAT, MANIFEST_VERSION, manifestCase, type Manifest, type ManifestCase } from './manifest.ts';

/** Progress after one case was written. */
export interface CaseProgress {
  readonly case: GoldenCase;
  /** 0-based position among the cases being written. */
  readonly index: number;
  readonly total: number;
  /** Files and bytes written for this case. */
  readonly files: number;
  readonly bytes: number;
}

/** Options of {@link generateCorpus}. */
export interface GenerateOptions {
  /** Directory to write into (created if missing); the manifest goes to `outDir/manifest.json`. */
  readonly outDir: string;
  readonly corpus: CorpusName;
  /** Formats to write; default every one (`onnx`, `npy`, `json`). */
  readonly formats?: readonly FixtureFormat[];
  /** Only the cases with these names (each must be in the corpus); default all. */
  readonly names?: readonly string[];
  /** Called after each case is on disk. */
  readonly onCase?: (progress: CaseProgress) => void;
}

function selectCases(corpus: CorpusName, names: readonly string[] | undefined): readonly GoldenCase[] {
  const all = corpusCases(corpus);
  if (names === undefined) return all;
  for (const name of names) {
    if (!all.some((c) => c.name === name)) throw new ConvInputError('names', `golden generate: case "${name}" is not in corpus ${corpus}.`);
  }
  return all.filter((c) => names.includes(c.name));
}

/**
 * Replaces `caseDir` with the files given, written one at a time; returns the sha256 of each (by
 * path, in write order) and the bytes written.
 */
export async function writeCaseDirectory(caseDir: string, files: Iterable<CaseFile>): Promise<{ hashes: Record<string, string>; bytes: number }> {
  await rm(caseDir, { recursive: true, force: true });
  const hashes: Record<string, string> = {};
  let bytes = 0;
  for (const file of files) {
    const path = join(caseDir, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.bytes);
    hashes[file.path] = sha256Hex(file.bytes);
    bytes += file.bytes.length;
  }
  return { hashes, bytes };
}

/**
 * Writes the corpus's cases under `outDir` (one directory per case) and its manifest; the same
 * options give byte-identical files on any machine. Returns the manifest.
 * @example await generateCorpus({ outDir: 'golden/corpus', corpus: 'small' })
 */
export async function generateCorpus(options: GenerateOptions): Promise<Manifest> {
  const formats = [...(options.formats ?? ALL_FORMATS)];
  for (const f of formats) {
    if (!ALL_FORMATS.includes(f)) throw new ConvInputError('formats', `golden generate: format must be one of ${ALL_FORMATS.join(', ')}, but format=${String(f)}.`);
  }
  const cases = selectCases(options.corpus, options.names);
  // every case within the resource limits before the first is written: no half-written corpus
  for (const c of cases) checkResources(c.problem, activeLimits(), `golden generate: case ${c.name} (${c.descriptor})`);
  await mkdir(options.outDir, { recursive: true });
  const entries: ManifestCase[] = [];
  for (const [index, c] of cases.entries()) {
    const { hashes, bytes } = await writeCaseDirectory(join(options.outDir, c.name), caseFiles(c, formats));
    entries.push(manifestCase(c, hashes));
    options.onCase?.({ case: c, index, total: cases.length, files: Object.keys(hashes).length, bytes });
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    corpus: options.corpus,
    formats,
    conventions: CONVENTIONS,
    cases: entries,
  };
  await writeFile(join(options.outDir, MANIFEST_FILE), formatManifest(manifest));
  return manifest;
}
