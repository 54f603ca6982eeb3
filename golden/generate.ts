/**
 * Generates a corpus on disk: one case at a time (its files are written and dropped before the
 * next case is computed), then `manifest.json`. Only the directories of the cases it writes are
 * replaced; nothing else under `outDir` is touched.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConvInputError, quoted } from '../problem/errors.ts';
import { activeLimits, checkResources } from '../problem/limits.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { ALL_FORMATS, caseFiles, type CaseFile, type FixtureFormat } from './case-files.ts';
import { corpusCases, type CorpusName } from './corpus.ts';
import { sha256Hex } from './fixture-file.ts';
import type { GoldenCase } from './golden-case.ts';
import { CONVENTIONS, formatManifest, MANIFEST_FILE, MANIFEST_FORMAT, MANIFEST_VERSION, manifestCase, MAX_MANIFEST_BYTES, MAX_MANIFEST_CASES, type Manifest, type ManifestCase } from './manifest.ts';

/** Progress after one case was written. */
export interface CaseProgress<C = GoldenCase> {
  readonly case: C;
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

/** The cases of `all` named in `names` (each must be one of them; `corpus` says where, as in `corpus small`); all when `names` is undefined. */
function selectCases<C extends CorpusCase>(all: readonly C[], names: readonly string[] | undefined, corpus: string): readonly C[] {
  if (names === undefined) return all;
  for (const name of names) {
    if (!all.some((c) => c.name === name)) throw new ConvInputError('names', `golden generate: case "${name}" is not in ${corpus}.`);
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

/** What {@link writeCorpus} needs of a case: its name (also its directory) and descriptor. */
export interface CorpusCase {
  readonly name: string;
  readonly descriptor: string;
}

/** Options of {@link writeCorpus}: those of {@link GenerateOptions} but the corpus, which the {@link CorpusKind} knows. */
export interface WriteCorpusOptions<C> {
  readonly outDir: string;
  readonly formats?: readonly FixtureFormat[];
  readonly names?: readonly string[];
  readonly onCase?: (progress: CaseProgress<C>) => void;
}

/** A kind of corpus {@link writeCorpus} writes: the float one ({@link generateCorpus}) or the quantized one (golden/quantized-generate.ts). */
export interface CorpusKind<C extends CorpusCase, E, M> {
  /** Every case of the corpus (asked for once the formats are checked). */
  readonly cases: () => readonly C[];
  /** The corpus as the error for a name not in it says it, e.g. `corpus small`. */
  readonly label: string;
  /** The conv a case is held to the resource limits by. */
  readonly conv: (c: C) => ConvProblem;
  readonly files: (c: C, formats: readonly FixtureFormat[]) => Iterable<CaseFile>;
  /** The manifest entry of a case, given the sha256 of each file written. */
  readonly entry: (c: C, files: Record<string, string>) => E;
  readonly manifest: (formats: FixtureFormat[], cases: E[]) => M;
  /** The manifest's text. */
  readonly format: (manifest: M) => string;
}

/**
 * Throws unless writing `names` into `outDir` keeps every case a manifest already there lists: the
 * new manifest lists only what is written, so `--case X` into a corpus folder of 73 cases replaced
 * its manifest with one case and left 72 folders unlisted (found by probing). A manifest that
 * cannot be read is refused too: convcheck does not guess what it would drop.
 */
async function refuseToDropListedCases(outDir: string, names: readonly string[]): Promise<void> {
  const file = join(outDir, MANIFEST_FILE);
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return; // no manifest: nothing listed to lose
  }
  const say = (why: string): never => { throw new ConvInputError('out', `golden generate: ${file} ${why}; write into an empty folder (or regenerate every case it lists, or remove it).`); };
  if (size > MAX_MANIFEST_BYTES) say(`is ${size} bytes, more than a manifest's ${MAX_MANIFEST_BYTES}`);
  let listed: unknown;
  try {
    listed = (JSON.parse(await readFile(file, 'utf8')) as { cases?: unknown }).cases;
  } catch (error) {
    say(`cannot be read as a manifest (${(error as Error).message})`);
  }
  if (!Array.isArray(listed) || listed.length > MAX_MANIFEST_CASES) say('has no list of cases convcheck can read');
  const dirs = (listed as unknown[]).map((c) => (typeof c === 'object' && c !== null ? (c as { dir?: unknown }).dir : undefined));
  const writing = new Set(names);
  const dropped = dirs.filter((d) => typeof d !== 'string' || !writing.has(d));
  if (dropped.length > 0) say(`lists ${dirs.length} cases, ${dropped.length} of which (${dropped.slice(0, 3).map((d) => (typeof d === 'string' ? quoted(d, 80) : String(d))).join(', ')}${dropped.length > 3 ? ', ...' : ''}) this run does not write: its new manifest would drop them`);
}

/**
 * Checks the formats and names, holds every selected case to the resource limits, then writes the
 * cases one directory at a time and the manifest; returns the manifest.
 */
export async function writeCorpus<C extends CorpusCase, E, M>(options: WriteCorpusOptions<C>, kind: CorpusKind<C, E, M>): Promise<M> {
  const formats = [...(options.formats ?? ALL_FORMATS)];
  for (const f of formats) {
    if (!ALL_FORMATS.includes(f)) throw new ConvInputError('formats', `golden generate: format must be one of ${ALL_FORMATS.join(', ')}, but format=${String(f)}.`);
  }
  const cases = selectCases(kind.cases(), options.names, kind.label);
  // every case within the resource limits before the first is written: no half-written corpus
  for (const c of cases) checkResources(kind.conv(c), activeLimits(), `golden generate: case ${c.name} (${c.descriptor})`);
  await refuseToDropListedCases(options.outDir, cases.map((c) => c.name));
  await mkdir(options.outDir, { recursive: true });
  const entries: E[] = [];
  for (const [index, c] of cases.entries()) {
    const { hashes, bytes } = await writeCaseDirectory(join(options.outDir, c.name), kind.files(c, formats));
    entries.push(kind.entry(c, hashes));
    options.onCase?.({ case: c, index, total: cases.length, files: Object.keys(hashes).length, bytes });
  }
  const manifest = kind.manifest(formats, entries);
  await writeFile(join(options.outDir, MANIFEST_FILE), kind.format(manifest));
  return manifest;
}

/**
 * Writes the corpus's cases under `outDir` (one directory per case) and its manifest; the same
 * options give byte-identical files on any machine. Returns the manifest.
 * @example await generateCorpus({ outDir: 'golden/corpus', corpus: 'small' })
 */
export async function generateCorpus(options: GenerateOptions): Promise<Manifest> {
  return writeCorpus<GoldenCase, ManifestCase, Manifest>(options, {
    cases: () => corpusCases(options.corpus),
    label: `corpus ${options.corpus}`,
    conv: (c) => c.problem,
    files: caseFiles,
    entry: manifestCase,
    manifest: (formats, cases) => ({
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      corpus: options.corpus,
      formats,
      conventions: CONVENTIONS,
      cases,
    }),
    format: formatManifest,
  });
}
