/**
 * The manifest of a quantized corpus (`manifest.json`, format `convcheck-golden-quantized`): per
 * case its name, descriptor, operator, Conv attributes, quantization parameters, shapes, data
 * pattern and seed, where the allowed outputs and the exact accumulators are, and the sha256 of
 * every file. Fixed key order, no timestamp; read back with every field checked (golden/manifest.ts's
 * Field), a malformed one a FixtureFormatError naming the file and the JSON path.
 */
import { QUANTIZED_DATA_MODES, type QuantizedDataMode } from '../problem/quantized-data.ts';
import type { QuantizedConvType } from '../problem/conv-types.ts';
import type { AttributeValue } from './attributes.ts';
import { onnxAttributes } from './attributes.ts';
import type { FixtureFormat } from './case-files.ts';
import type { CorpusName } from './corpus.ts';
import type { CaseChain } from './golden-case.ts';
import { manifestRoot, readAttributes, readCases, readChain, readFiles, readShapes, safeRelativePath, type Field } from './manifest.ts';
import { ALLOWED_FILES, quantizationOf, quantizedCaseShapes, type QuantizedCaseShapes } from './quantized-case-files.ts';
import type { QuantizedGoldenCase, QuantizedTag } from './quantized-cases.ts';

/** Format tag and version of a quantized corpus's manifest. */
export const QUANTIZED_MANIFEST_FORMAT = 'convcheck-golden-quantized';
export const QUANTIZED_MANIFEST_VERSION = 1;

/** How a consumer reads a quantized case: written into every manifest. */
export const QUANTIZED_CONVENTIONS = {
  layout: 'one directory per case (its name); model.onnx (one ConvInteger or QLinearConv node, zero points and scales as initializers) + test_data_set_0/input_0.pb (X), input_1.pb (W), input_2.pb (B, int32, QLinearConv with bias), output_0.pb (Y) in the ONNX backend-test layout',
  npy: 'x.npy, w.npy are uint8 (|u1) or int8 (|i1), b.npy int32; y.npy the exact output (int32 for ConvInteger, y\'s type for QLinearConv); acc.npy the exact accumulator Σ (x - x_zp)(w - w_zp) (+ B) as float64 (exact integers, which may pass int32)',
  allowed: 'yLo.npy and yHi.npy (int32) bound what a correct implementation may give per element: ConvInteger exactly y; QLinearConv y, or its tie-neighbour where the real value acc·x_scale·w_scale/y_scale lies within γ4·|r| (γ4 = 4u/(1-4u), u = 2^-24) of a tie k + 1/2 and the scales\' evaluation is not exact (docs/quantized.md)',
  rounding: 'QLinearConv rounds half to even and saturates to y\'s type; the padding holds x_zero_point; the accumulator is exact (an int32 accumulator that wraps gives another answer where acc.npy passes ±2^31)',
} as const;

/** One case of a quantized manifest. */
export interface QuantizedManifestCase {
  readonly name: string;
  readonly dir: string;
  readonly descriptor: string;
  readonly op: 'ConvInteger' | 'QLinearConv';
  readonly type: QuantizedConvType;
  readonly tags: readonly QuantizedTag[];
  readonly source: string;
  readonly note: string;
  readonly chain?: CaseChain;
  readonly attributes: Record<string, AttributeValue>;
  readonly quantization: Record<string, unknown>;
  readonly shapes: QuantizedCaseShapes;
  readonly mode: QuantizedDataMode;
  readonly seed: number;
  /** Files (relative to `dir`) with the allowed outputs and the exact accumulators. */
  readonly allowed: { readonly lo: string; readonly hi: string; readonly acc: string };
  readonly files: Record<string, string>;
}

/** A quantized corpus's manifest. */
export interface QuantizedManifest {
  readonly format: typeof QUANTIZED_MANIFEST_FORMAT;
  readonly version: typeof QUANTIZED_MANIFEST_VERSION;
  readonly corpus: CorpusName;
  readonly formats: readonly FixtureFormat[];
  readonly conventions: typeof QUANTIZED_CONVENTIONS;
  readonly cases: readonly QuantizedManifestCase[];
}

/** The manifest entry of a generated quantized case, given the sha256 of each file it wrote. */
export function quantizedManifestCase(c: QuantizedGoldenCase, files: Record<string, string>): QuantizedManifestCase {
  return {
    name: c.name, dir: c.name, descriptor: c.descriptor, op: c.problem.operator, type: c.type, tags: [...c.tags], source: c.source, note: c.note,
    ...(c.chain !== undefined ? { chain: { ...c.chain } } : {}),
    attributes: onnxAttributes(c.problem.conv), quantization: quantizationOf(c.problem), shapes: quantizedCaseShapes(c.problem),
    mode: c.mode, seed: c.seed, allowed: { ...ALLOWED_FILES }, files,
  };
}

/** The manifest's text: two-space JSON with a final newline. */
export function formatQuantizedManifest(m: QuantizedManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

const TYPES: readonly QuantizedConvType[] = ['conv-integer', 'qlinear-conv'];

function readCase(f: Field): QuantizedManifestCase {
  const chain = readChain(f);
  const quantization = f.get('quantization');
  quantization.entries(); // an object
  return {
    name: f.get('name').string(),
    dir: safeRelativePath(f.get('dir')),
    descriptor: f.get('descriptor').string(),
    op: f.get('op').oneOf(['ConvInteger', 'QLinearConv'] as const),
    type: f.get('type').oneOf(TYPES),
    tags: f.get('tags').array().map((t) => t.string() as QuantizedTag),
    source: f.get('source').string(),
    note: f.get('note').string(),
    ...(chain !== undefined ? { chain } : {}),
    attributes: readAttributes(f.get('attributes')),
    quantization: quantization.value as Record<string, unknown>,
    shapes: readShapes(f.get('shapes')),
    mode: f.get('mode').oneOf(QUANTIZED_DATA_MODES),
    seed: f.get('seed').integer(0),
    allowed: { lo: safeRelativePath(f.get('allowed').get('lo')), hi: safeRelativePath(f.get('allowed').get('hi')), acc: safeRelativePath(f.get('allowed').get('acc')) },
    files: readFiles(f),
  };
}

/** Parses and checks a quantized manifest; a malformed one throws a FixtureFormatError naming `file` and the JSON path. */
export function parseQuantizedManifest(text: string, file: string): QuantizedManifest {
  const root = manifestRoot(text, file, QUANTIZED_MANIFEST_FORMAT, QUANTIZED_MANIFEST_VERSION);
  const cases = readCases(root, readCase);
  return {
    format: QUANTIZED_MANIFEST_FORMAT, version: QUANTIZED_MANIFEST_VERSION,
    corpus: root.get('corpus').oneOf(['small', 'networks', 'all'] as const),
    formats: root.get('formats').array().map((x) => x.oneOf(['onnx', 'npy', 'json'] as const)),
    conventions: QUANTIZED_CONVENTIONS,
    cases,
  };
}

/** The `format` field of a manifest's text, or undefined when it has none (for dispatching between the two kinds). */
export function manifestFormatOf(text: string): string | undefined {
  try {
    const json = JSON.parse(text) as { format?: unknown };
    return typeof json.format === 'string' ? json.format : undefined;
  } catch {
    return undefined;
  }
}
