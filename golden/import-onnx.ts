/**
 * Runs ONNX backend-test directories (`model.onnx` + `test_data_set_N/input_K.pb, output_0.pb`)
 * whose model is a single Conv, ConvTranspose, ConvInteger or QLinearConv node against the
 * reference and every backend given (the quantized ops against the exact reference and the
 * quantized tolerance rule: exact, or an allowed tie-neighbour), with a verdict per case: the official data of ONNX (Debian's libonnx-testdata), a
 * runtime's own tests, or convcheck's golden corpus read back.
 *
 * Per data set: the test's expected output is compared with the float64 reference under the
 * tolerance model (real mode, fp32: ONNX's data is real-valued and its expected outputs are
 * float32), and each backend runs the same operands, judged at its declared precision.
 * Case verdict: `skipped` (not a single Conv, ConvTranspose, ConvInteger or QLinearConv node; counted, never silent), `error` (a
 * malformed file or an invalid problem; or a backend error), `fail` (the expected output
 * disagrees with the reference, or a backend fails), else `pass`. Unsupported is never a fail.
 * A backend failure or error that one of its recorded known discrepancies explains
 * (`Backend.knownDiscrepancies`) is that backend's `known` verdict, naming the record: it does not
 * fail the case, and the case's message names it.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Backend } from '../problem/backend.ts';
import { dataTraits, matchKnownDiscrepancy, matchKnownQuantizedDiscrepancy, type KnownDiscrepancy } from '../problem/known-discrepancy.ts';
import { compareQuantized, quantizedReferenceWithin, runQuantizedCase, type QuantizedCaseOutcome } from '../compare/quantized-case.ts';
import { formatQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import { quantizedProblemFromTensors, readQuantizedModel, type QuantizedModel, type QuantizedRole } from './onnx-quantized-reader.ts';
import { judgeAgainstReference, referenceResultWithin, runCase, type CaseOutcome } from '../compare/run-case.ts';
import { describeSpecialValues } from '../compare/special-values.ts';
import { type Comparison } from '../compare/judge.ts';
import { formatDescriptor } from '../problem/descriptor.ts';
import { activeLimits, checkResources } from '../problem/limits.ts';
import type { ConvProblem } from '../problem/problem.ts';
import type { Tensor } from '../problem/tensor.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { FixtureFormatError } from './fixture-error.ts';
import { readFixtureFile } from './fixture-file.ts';
import { decodeModelFile, MAX_MODEL_BYTES, problemFromModel, readConvModel, type ConvModel } from './onnx-model-reader.ts';
import { readTensorProtoFile, TENSOR_DATA_TYPES, type NamedTensor } from './tensor-proto.ts';

/** Verdict of one imported case. */
export type ImportVerdict = 'pass' | 'fail' | 'error' | 'skipped';

/** One backend on one data set. */
export interface ImportedBackendResult {
  readonly backend: string;
  /** `known`: a fail or error that the recorded discrepancy {@link ImportedBackendResult.known} explains. */
  readonly verdict: 'pass' | 'fail' | 'unsupported' | 'error' | 'known';
  /** The comparison's message, the unsupported reason or the error (for `known`, prefixed with the record's id). */
  readonly message: string;
  readonly comparison?: Comparison;
  /** The recorded discrepancy, when the verdict is `known`. */
  readonly known?: KnownDiscrepancy;
  readonly timeMs: number;
}

/** One `test_data_set_*` of a case. */
export interface ImportedDataSet {
  /** Directory name, e.g. `test_data_set_0`. */
  readonly name: string;
  /** The test's expected output (`output_0.pb`) against the float64 reference (real mode, fp32). */
  readonly expected: Comparison;
  /** The NaN and ±Inf its inputs hold (`x: 1 NaN, 1 +Inf`), when any: every comparison of the set is by IEEE 754's rule. */
  readonly specialValues?: string;
  readonly backends: readonly ImportedBackendResult[];
}

/** One test directory and its verdict. */
export interface ImportedCase {
  /** The directory's name, e.g. `test_conv_with_strides_padding`. */
  readonly name: string;
  readonly dir: string;
  readonly verdict: ImportVerdict;
  /** Why: the skip reason, the error, or a one-line summary of the comparisons. */
  readonly message: string;
  /** The problem's descriptor, once the model and data were read. */
  readonly descriptor?: string;
  readonly opset?: number;
  readonly dataSets: readonly ImportedDataSet[];
}

/** The outcome of {@link importOnnxTestDir}. */
export interface ImportResult {
  readonly dir: string;
  readonly cases: readonly ImportedCase[];
  readonly counts: Readonly<Record<ImportVerdict, number>>;
}

/** Options of {@link importOnnxTestDir}. */
export interface ImportOptions {
  /** Time limit of one backend run; default 60 s. */
  readonly timeoutMs?: number;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

async function exists(path: string | Buffer): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** A sub-directory holding a model.onnx whose name is not valid UTF-8: found, but not importable by name. */
interface UnnamableTest {
  /** The name as UTF-8 decodes it (invalid bytes as U+FFFD) and its bytes in hex. */
  readonly shown: string;
}

/**
 * The test directories under `dir`: `dir` itself when it holds model.onnx, else its
 * sub-directories that do; and those of them whose name is not valid UTF-8 (a string path would
 * not reach them: they are reported, never dropped).
 */
async function testDirectories(dir: string): Promise<{ found: string[]; unnamable: UnnamableTest[] }> {
  if (await exists(join(dir, 'model.onnx'))) return { found: [dir], unnamable: [] };
  if (!(await isDirectory(dir))) throw new FixtureFormatError(dir, 'is not a directory.');
  const names = (await readdir(dir, { encoding: 'buffer' })).sort(Buffer.compare);
  const found: string[] = [], unnamable: UnnamableTest[] = [];
  for (const raw of names) {
    const name = raw.toString('utf8');
    if (Buffer.from(name, 'utf8').equals(raw)) {
      if (await exists(join(dir, name, 'model.onnx'))) found.push(join(dir, name));
    } else if (await exists(Buffer.concat([Buffer.from(`${dir}/`), raw, Buffer.from('/model.onnx')]))) {
      unnamable.push({ shown: `${name} (bytes ${raw.toString('hex').replace(/(..)(?=.)/g, '$1 ')})` });
    }
  }
  if (found.length === 0 && unnamable.length === 0) throw new FixtureFormatError(dir, 'holds no model.onnx, and no sub-directory holds one: not an ONNX backend-test directory.');
  return { found, unnamable };
}

async function dataSetDirectories(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => /^test_data_set_\d+$/.test(n));
  return names.sort((a, b) => Number(a.slice(14)) - Number(b.slice(14)));
}

/** The float32 tensor of a named node input ({@link namedInput}). */
function operand(model: ConvModel, name: string, inputs: readonly NamedTensor[], dataSetDir: string): Tensor {
  const named = namedInput(model.initializers, model.feeds, name, inputs, dataSetDir);
  if (!(named.tensor.data instanceof Float32Array)) {
    const where = model.initializers.get(name) !== undefined ? `initializer ${name}` : join(dataSetDir, `input_${model.feeds.indexOf(name)}.pb`);
    throw new FixtureFormatError(where, `"${name}" is not float32 (data_type ${TENSOR_DATA_TYPES.DOUBLE}); convcheck's backends take float32.`);
  }
  return named.tensor;
}

async function readInputs(dataSetDir: string, count: number): Promise<NamedTensor[]> {
  const inputs: NamedTensor[] = [];
  for (let k = 0; k < count; k++) inputs.push(await readTensorProtoFile(join(dataSetDir, `input_${k}.pb`)));
  if (await exists(join(dataSetDir, `input_${count}.pb`))) {
    throw new FixtureFormatError(dataSetDir, `holds input_${count}.pb, but the model has only ${count} graph inputs that are not initializers.`);
  }
  return inputs;
}

/** A fail or error explained by one of the backend's recorded discrepancies (`match`) becomes `known`, its message led by the record's id. */
function routeKnown(result: ImportedBackendResult, match: () => KnownDiscrepancy | undefined): ImportedBackendResult {
  if (result.verdict !== 'fail' && result.verdict !== 'error') return result;
  const known = match();
  if (known === undefined) return result;
  return { ...result, verdict: 'known', known, message: `known discrepancy ${known.id} (${result.verdict}: ${result.message})` };
}

function backendResult(backend: string, outcome: CaseOutcome | QuantizedCaseOutcome): ImportedBackendResult {
  switch (outcome.verdict) {
    case 'pass':
    case 'fail':
      return { backend, verdict: outcome.verdict, message: outcome.comparison.message, comparison: outcome.comparison, timeMs: outcome.timeMs };
    case 'unsupported':
      return { backend, verdict: 'unsupported', message: outcome.reason, timeMs: outcome.timeMs };
    case 'error':
      return { backend, verdict: 'error', message: outcome.message, timeMs: outcome.timeMs };
  }
}

/** `name verdict` over every data set: `known <ids>` if any set is known, else the first set's verdict. */
function backendSummary(name: string, dataSets: readonly ImportedDataSet[]): string {
  const results = dataSets.flatMap((s) => s.backends.filter((b) => b.backend === name));
  const ids = [...new Set(results.flatMap((b) => (b.known ? [b.known.id] : [])))];
  return ids.length > 0 ? `${name} known ${ids.join(', ')}` : `${name} ${results[0]?.verdict ?? 'absent'}`;
}

function summarize(dataSets: readonly ImportedDataSet[]): { verdict: ImportVerdict; message: string } {
  const parts: string[] = [];
  let verdict: ImportVerdict = 'pass';
  for (const set of dataSets) {
    if (set.expected.verdict !== 'pass') {
      verdict = 'fail';
      parts.push(`${set.name}: the test's expected output disagrees with the reference: ${set.expected.message}`);
    }
    for (const b of set.backends) {
      if (b.verdict === 'fail') { verdict = 'fail'; parts.push(`${set.name}: ${b.backend} fails: ${b.message}`); }
      if (b.verdict === 'error') { if (verdict === 'pass') verdict = 'error'; parts.push(`${set.name}: ${b.backend} error: ${b.message}`); }
    }
  }
  if (verdict === 'pass') {
    const worst = Math.max(...dataSets.map((s) => s.expected.maxNormalizedError));
    const backends = (dataSets[0]?.backends ?? []).map((b) => backendSummary(b.backend, dataSets)).join(', ');
    const special = dataSets.filter((s) => s.specialValues !== undefined).map((s) => `${s.name}: ${s.specialValues}`);
    const specialNote = special.length > 0 ? `; special values (${special.join('; ')}) judged by IEEE 754, NaN = NaN and the same infinity` : '';
    parts.push(`expected output matches the reference in ${dataSets.length} data set(s) (max normalized error ${worst.toPrecision(3)})${specialNote}${backends ? `; ${backends}` : ''}`);
  }
  return { verdict, message: parts.join('; ') };
}

/** The tensor of a node input: an initializer, or the data set's `input_k.pb` feeding graph input k. */
function namedInput(initializers: ReadonlyMap<string, NamedTensor>, feeds: readonly string[], name: string, inputs: readonly NamedTensor[], dataSetDir: string): NamedTensor {
  const init = initializers.get(name);
  if (init !== undefined) return init;
  const feed = feeds.indexOf(name);
  if (feed < 0 || inputs[feed] === undefined) throw new FixtureFormatError(dataSetDir, `node input "${name}" is neither an initializer nor fed by an input_*.pb file.`);
  return inputs[feed];
}

/**
 * A single ConvInteger / QLinearConv node: per data set, the problem its tensors make (types, zero
 * points and scales are node inputs in ONNX), the test's expected output against the exact
 * reference's allowed outputs, and each backend's quantized ops judged the same way.
 */
async function importQuantizedCase(dir: string, name: string, model: QuantizedModel, backends: readonly Backend[], options: ImportOptions): Promise<ImportedCase> {
  const setNames = await dataSetDirectories(dir);
  if (setNames.length === 0) throw new FixtureFormatError(dir, 'holds no test_data_set_* directory.');
  const dataSets: ImportedDataSet[] = [];
  let descriptor: string | undefined;
  for (const setName of setNames) {
    const setDir = join(dir, setName);
    const inputs = await readInputs(setDir, model.feeds.length);
    const tensor = (role: QuantizedRole): NamedTensor | undefined => {
      const input = model.inputs[role];
      return input === undefined ? undefined : namedInput(model.initializers, model.feeds, input, inputs, setDir);
    };
    const { problem, operands } = quantizedProblemFromTensors(model, tensor, name.replace(/"/g, ''));
    descriptor = formatQuantizedDescriptor(problem);
    const reference = await quantizedReferenceWithin(problem, operands, options.timeoutMs ?? 60_000);
    const expectedOutput = await readTensorProtoFile(join(setDir, 'output_0.pb'));
    const expected = compareQuantized(reference, expectedOutput.tensor);
    const evidence = { int32Overflows: reference.int32Overflows };
    const results: ImportedBackendResult[] = [];
    for (const backend of backends) {
      const outcome = await runQuantizedCase(backend, problem, { mode: 'uniform', seed: 0, operands, reference, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) });
      results.push(routeKnown(backendResult(backend.name, outcome), () => matchKnownQuantizedDiscrepancy(backend.knownDiscrepancies, problem, evidence)));
    }
    dataSets.push({ name: setName, expected, backends: results });
  }
  const { verdict, message } = summarize(dataSets);
  return { name, dir, verdict, message, ...(descriptor ? { descriptor } : {}), opset: model.opset, dataSets };
}

async function importCase(dir: string, backends: readonly Backend[], options: ImportOptions): Promise<ImportedCase> {
  const name = basename(dir);
  const modelPath = join(dir, 'model.onnx');
  const decoded = decodeModelFile(await readFixtureFile(modelPath, MAX_MODEL_BYTES), modelPath);
  const quantized = readQuantizedModel(decoded, modelPath);
  if (quantized !== undefined) return importQuantizedCase(dir, name, quantized, backends, options);
  const model = readConvModel(decoded, modelPath);
  if (model.kind === 'skipped') return { name, dir, verdict: 'skipped', message: `skipped: ${model.reason}`, dataSets: [] };
  const setNames = await dataSetDirectories(dir);
  if (setNames.length === 0) throw new FixtureFormatError(dir, 'holds no test_data_set_* directory.');
  const dataSets: ImportedDataSet[] = [];
  let problem: ConvProblem | undefined;
  for (const setName of setNames) {
    const setDir = join(dir, setName);
    const inputs = await readInputs(setDir, model.feeds.length);
    const x = operand(model, model.inputs.x, inputs, setDir);
    const w = operand(model, model.inputs.w, inputs, setDir);
    const b = model.inputs.b !== undefined ? operand(model, model.inputs.b, inputs, setDir) : undefined;
    const operands: ConvOperands = b !== undefined ? { x, w, b } : { x, w };
    problem = problemFromModel(model, x.shape, w.shape, b !== undefined, name.replace(/"/g, ''));
    checkResources(problem, activeLimits(), `${setDir}: the problem ${formatDescriptor(problem)}`);
    let reference;
    try {
      reference = await referenceResultWithin(problem, operands, options.timeoutMs ?? 60_000);
    } catch (error) {
      throw new Error(`${setDir}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const expectedOutput = await readTensorProtoFile(join(setDir, 'output_0.pb'));
    // NaN or Inf in the data: judged by IEEE 754's special-value rule, said so (compare/special-values.ts)
    const expected = judgeAgainstReference(problem, operands, reference, expectedOutput.tensor, 'fp32');
    const results: ImportedBackendResult[] = [];
    for (const backend of backends) {
      const outcome = await runCase(backend, problem, { mode: 'real', seed: 0, operands, reference, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) });
      const p = problem, data = dataTraits([operands.x, operands.w, operands.b]);
      results.push(routeKnown(backendResult(backend.name, outcome), () => matchKnownDiscrepancy(backend.knownDiscrepancies, p, undefined, data)));
    }
    const specialValues = describeSpecialValues(operands);
    dataSets.push({ name: setName, expected, backends: results, ...(specialValues !== undefined ? { specialValues } : {}) });
  }
  const { verdict, message } = summarize(dataSets);
  return { name, dir, verdict, message, ...(problem ? { descriptor: formatDescriptor(problem) } : {}), opset: model.opset, dataSets };
}

/**
 * Imports the ONNX backend test at `dir` (a directory holding model.onnx), or every test directly
 * under `dir`, and runs each against the reference and `backends`. A malformed file is an `error`
 * verdict naming the file; a graph that is not a single Conv / ConvTranspose node is `skipped`.
 * A backend failure one of its recorded discrepancies explains is `known`, not a fail.
 * @example const r = await importOnnxTestDir('/usr/share/libonnx-testdata/data/node', [referenceBackend]); r.counts
 */
export async function importOnnxTestDir(dir: string, backends: readonly Backend[], options: ImportOptions = {}): Promise<ImportResult> {
  const cases: ImportedCase[] = [];
  const { found, unnamable } = await testDirectories(dir);
  for (const test of unnamable) {
    cases.push({ name: test.shown, dir, verdict: 'error', message: `${dir}: a test directory whose name is not valid UTF-8, ${test.shown}: convcheck opens and names tests by their directory's name, so it cannot import this one; rename it.`, dataSets: [] });
  }
  for (const caseDir of found) {
    try {
      cases.push(await importCase(caseDir, backends, options));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      cases.push({ name: basename(caseDir), dir: caseDir, verdict: 'error', message, dataSets: [] });
    }
  }
  const counts: Record<ImportVerdict, number> = { pass: 0, fail: 0, error: 0, skipped: 0 };
  for (const c of cases) counts[c.verdict]++;
  return { dir, cases, counts };
}
