/**
 * The manifest of a corpus (`manifest.json` at its root): for every case its name, descriptor,
 * ONNX attributes, shapes, data mode, seed, where the per-element bound S and length n are, and
 * the sha256 of every file. Written with a fixed key order and no timestamp, so the same corpus
 * gives the same manifest on any machine; read back with every field checked.
 */
import type { DataMode } from '../problem/operand-data.ts';
import { onnxOpType } from '../adapters/onnx/model.ts';
import { onnxAttributes, type AttributeValue } from './attributes.ts';
import { BOUND_FILES, caseShapes, type CaseShapes, type FixtureFormat } from './case-files.ts';
import type { CorpusName } from './corpus.ts';
import { FixtureFormatError } from './fixture-error.ts';
import type { CaseChain, CaseType, EdgeTag, GoldenCase } from './golden-case.ts';

/** Format tag and version of the manifest. */
export const MANIFEST_FORMAT = 'convcheck-golden';
/** Manifest schema version. */
export const MANIFEST_VERSION = 1;
/** File name of the manifest at the corpus root. */
export const MANIFEST_FILE = 'manifest.json';
/** Largest manifest the reader opens. */
export const MAX_MANIFEST_BYTES = 64 * 2 ** 20;

/** How a consumer reads a case: written into every manifest. */
export const CONVENTIONS = {
  layout: 'one directory per case (its name); model.onnx + test_data_set_0/input_0.pb (X), input_1.pb (W), input_2.pb (B, with bias), output_0.pb (Y) in the ONNX backend-test layout',
  npy: 'x.npy, w.npy, b.npy are the float32 operands; y.npy is the float64 reference; output_0.pb holds y rounded to float32',
  bound: 'absSum.npy holds S = Σ|x·w| (+|b|) per output element (float64), terms.npy the accumulation length n (int32)',
  exact: 'mode exact: operands are small integers and every partial sum is exact in float32; a correct float32 kernel matches output_0.pb bit for bit',
  real: 'mode real: operands are uniform in [-1, 1); judge |got - y| against u·S (u = 2^-24 for fp32): over γ_n·u·S + u·|y| is impossible for any summation order, over 8·√n·u·S + u·|y| is a fail',
} as const;

/** One case of the manifest. */
export interface ManifestCase {
  readonly name: string;
  /** Case directory, relative to the manifest. */
  readonly dir: string;
  readonly descriptor: string;
  readonly op: 'Conv' | 'ConvTranspose';
  readonly type: CaseType;
  readonly tags: readonly EdgeTag[];
  readonly source: string;
  readonly note: string;
  readonly chain?: CaseChain;
  readonly attributes: Record<string, AttributeValue>;
  readonly shapes: CaseShapes;
  readonly mode: DataMode;
  readonly seed: number;
  /** Files (relative to `dir`) holding S and n. */
  readonly bound: { readonly S: string; readonly n: string };
  /** sha256 (hex) of every file, by path relative to `dir`, in write order. */
  readonly files: Record<string, string>;
}

/** A corpus manifest. */
export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: typeof MANIFEST_VERSION;
  readonly corpus: CorpusName;
  readonly formats: readonly FixtureFormat[];
  readonly conventions: typeof CONVENTIONS;
  readonly cases: readonly ManifestCase[];
}

/** The manifest entry of a generated case, given the sha256 of each file it wrote. */
export function manifestCase(c: GoldenCase, files: Record<string, string>): ManifestCase {
  return {
    name: c.name,
    dir: c.name,
    descriptor: c.descriptor,
    op: onnxOpType(c.problem),
    type: c.type,
    tags: [...c.tags],
    source: c.source,
    note: c.note,
    ...(c.chain !== undefined ? { chain: { ...c.chain } } : {}),
    attributes: onnxAttributes(c.problem),
    shapes: caseShapes(c.problem),
    mode: c.mode,
    seed: c.seed,
    bound: { S: BOUND_FILES.S, n: BOUND_FILES.n },
    files,
  };
}

/** The manifest's text: two-space JSON with a final newline (key order as built). */
export function formatManifest(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** A parsed JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A checked view of one JSON value; every failure names the file and the JSON path (golden/quantized-manifest.ts reads with it too). */
export class Field {
  constructor(readonly file: string, readonly path: string, readonly value: Json | undefined) {}

  fail(rule: string): never {
    const shown = this.value === undefined ? 'missing' : JSON.stringify(this.value)?.slice(0, 80);
    throw new FixtureFormatError(this.file, `${this.path} ${rule}, but it is ${shown}.`);
  }

  get(key: string): Field {
    const v = this.value;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail('must be an object');
    return new Field(this.file, `${this.path}.${key}`, Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined);
  }

  has(key: string): boolean {
    const v = this.value;
    return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, key);
  }

  string(): string {
    return typeof this.value === 'string' ? this.value : this.fail('must be a string');
  }

  oneOf<T extends string>(options: readonly T[]): T {
    const s = this.value;
    return typeof s === 'string' && (options as readonly string[]).includes(s) ? (s as T) : this.fail(`must be one of ${options.join(', ')}`);
  }

  integer(min = 0): number {
    const v = this.value;
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= min ? v : this.fail(`must be an integer >= ${min}`);
  }

  array(): Field[] {
    return this.items().map((read) => read());
  }

  /**
   * The elements of an array, each read when asked: a manifest of 31 million bad cases fails at the
   * first instead of wrapping every element first (4.7 GB and Node's heap limit).
   */
  items(maxLength = Number.POSITIVE_INFINITY): Array<() => Field> {
    const v = this.value;
    if (!Array.isArray(v)) this.fail('must be an array');
    const items = v as Json[];
    if (items.length > maxLength) throw new FixtureFormatError(this.file, `${this.path} has ${items.length} elements, more than ${maxLength}.`);
    return Array.from({ length: items.length }, (_, i) => () => new Field(this.file, `${this.path}[${i}]`, items[i]));
  }

  entries(): Array<[string, Field]> {
    const v = this.value;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail('must be an object');
    return Object.keys(v as object).map((k) => [k, this.get(k)]);
  }

  shape(): number[] {
    return this.array().map((d) => d.integer(0));
  }
}

const SHA256 = /^[0-9a-f]{64}$/;

/** A file path inside a case directory: relative, `/`-separated, no `..`, `.` or empty parts. */
export function safeRelativePath(field: Field): string {
  const p = field.string();
  const parts = p.split('/');
  if (p.startsWith('/') || p.includes('\\') || parts.some((part) => part === '' || part === '.' || part === '..')) {
    field.fail('must be a relative path inside the corpus without "..", "." or empty parts');
  }
  return p;
}

const CASE_TYPES: readonly CaseType[] = [
  'conv1d', 'conv2d', 'conv3d', 'pointwise', 'dilated', 'transposed', 'grouped', 'depthwise', 'pointwise-grouped',
  'depthwise-separable', 'spatially-separable', 'flattened', 'shuffled-grouped',
];

/** A case's attributes: integers, strings and integer lists. */
export function readAttributes(field: Field): Record<string, AttributeValue> {
  const result: Record<string, AttributeValue> = {};
  for (const [key, value] of field.entries()) {
    const v = value.value;
    if (typeof v === 'string') result[key] = v;
    else if (Array.isArray(v)) result[key] = value.array().map((x) => x.integer(0));
    else result[key] = value.integer(0);
  }
  return result;
}

/** A case's `files`: safe relative paths to lower-case hex sha256s. */
export function readFiles(f: Field): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [path, sha] of f.get('files').entries()) {
    safeRelativePath(new Field(f.file, `${f.path}.files key`, path));
    if (!SHA256.test(sha.string())) sha.fail('must be a 64-digit lower-case hex sha256');
    files[path] = sha.string();
  }
  return files;
}

/** A case's `chain`, when it has one: its name, step and step count (each >= 1). */
export function readChain(f: Field): CaseChain | undefined {
  if (!f.has('chain')) return undefined;
  const chain = f.get('chain');
  return { name: chain.get('name').string(), step: chain.get('step').integer(1), of: chain.get('of').integer(1) };
}

/** A case's `shapes`: x, w, b (with bias) and y, each a list of integers >= 0. */
export function readShapes(shapes: Field): CaseShapes {
  return {
    x: shapes.get('x').shape(),
    w: shapes.get('w').shape(),
    ...(shapes.has('b') ? { b: shapes.get('b').shape() } : {}),
    y: shapes.get('y').shape(),
  };
}

function readCase(f: Field): ManifestCase {
  const files = readFiles(f);
  const chain = readChain(f);
  return {
    name: f.get('name').string(),
    dir: safeRelativePath(f.get('dir')),
    descriptor: f.get('descriptor').string(),
    op: f.get('op').oneOf(['Conv', 'ConvTranspose'] as const),
    type: f.get('type').oneOf(CASE_TYPES),
    tags: f.get('tags').array().map((t) => t.string() as EdgeTag),
    source: f.get('source').string(),
    note: f.get('note').string(),
    ...(chain !== undefined ? { chain } : {}),
    attributes: readAttributes(f.get('attributes')),
    shapes: readShapes(f.get('shapes')),
    mode: f.get('mode').oneOf(['exact', 'real'] as const),
    seed: f.get('seed').integer(0),
    bound: { S: safeRelativePath(f.get('bound').get('S')), n: safeRelativePath(f.get('bound').get('n')) },
    files,
  };
}

/** Deepest nesting of arrays and objects a manifest may have (a real one nests 5 deep). */
export const MAX_MANIFEST_DEPTH = 64;

/**
 * How deep `text` nests JSON arrays and objects, outside strings, stopping once past `limit`: a
 * linear scan with no recursion, so a manifest of 100,000 nested brackets is measured, not parsed
 * (parsing and checking it recursively overflowed the stack: "Maximum call stack size exceeded",
 * without the file's name).
 */
function nestingDepth(text: string, limit: number): number {
  let depth = 0, deepest = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) { depth++; if (depth > deepest) { deepest = depth; if (deepest > limit) return deepest; } }
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * Parses and checks a manifest's text: valid JSON nested at most {@link MAX_MANIFEST_DEPTH} deep,
 * the format tag and version, and every field of every case. A malformed manifest throws a
 * FixtureFormatError naming `file` and the JSON path.
 */
export function parseManifest(text: string, file: string): Manifest {
  const root = manifestRoot(text, file, MANIFEST_FORMAT, MANIFEST_VERSION);
  const cases = readCases(root, readCase);
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    corpus: root.get('corpus').oneOf(['small', 'networks', 'all'] as const),
    formats: root.get('formats').array().map((f) => f.oneOf(['onnx', 'npy', 'json'] as const)),
    conventions: CONVENTIONS,
    cases,
  };
}

/** A manifest's root, checked to be JSON nested at most {@link MAX_MANIFEST_DEPTH} deep, of `format` and `version`; else a FixtureFormatError naming `file`. */
export function manifestRoot(text: string, file: string, format: string, version: number): Field {
  // a linear scan first: JSON.parse recurses, and a hostile manifest could nest past the stack
  if (nestingDepth(text, MAX_MANIFEST_DEPTH) > MAX_MANIFEST_DEPTH) {
    throw new FixtureFormatError(file, `nests arrays or objects more than ${MAX_MANIFEST_DEPTH} deep; a manifest nests 5 deep.`);
  }
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch (error) {
    throw new FixtureFormatError(file, `is not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  const root = new Field(file, 'manifest', json);
  if (root.get('format').string() !== format) root.get('format').fail(`must be "${format}"`);
  if (root.get('version').integer(0) !== version) root.get('version').fail(`must be ${version} (the version this convcheck reads)`);
  return root;
}

/** Most cases a manifest may list: the committed corpora have 73 and 16, the networks corpus 34. */
export const MAX_MANIFEST_CASES = 100_000;

/** A manifest's cases read by `read` one by one (the first bad one fails), at most {@link MAX_MANIFEST_CASES}, no two sharing a directory. */
export function readCases<C extends { readonly dir: string }>(root: Field, read: (f: Field) => C): C[] {
  const cases: C[] = [];
  const seen = new Set<string>();
  for (const item of root.get('cases').items(MAX_MANIFEST_CASES)) {
    const c = read(item());
    if (seen.has(c.dir)) throw new FixtureFormatError(root.file, `two cases share the directory "${c.dir}".`);
    seen.add(c.dir);
    cases.push(c);
  }
  return cases;
}
