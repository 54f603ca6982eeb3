/**
 * `convcheck run DESCRIPTOR`: one problem on the reference and every backend, side by side, with
 * the worst element of each (or one of a Conv's gradients, `--gradient`). `convcheck run --batch
 * FILE`: every case of a benchdnn batch file on every backend, one verdict line per case and
 * backend as they finish, then the counts.
 */
import type { Backend, BackendAvailability } from '../../problem/backend.ts';
import { parseDescriptor } from '../../problem/descriptor.ts';
import type { ConvProblem } from '../../problem/problem.ts';
import { outputTensorShape, stridesOf } from '../../problem/shape.ts';
import { checkResources, DEFAULT_TIMEOUT_MS } from '../../problem/limits.ts';
import { dataTraits, matchKnownDiscrepancy, matchKnownQuantizedDiscrepancy } from '../../problem/known-discrepancy.ts';
import { DATA_MODES, isDataMode, makeOperands, type DataMode } from '../../problem/operand-data.ts';
import { referenceResultWithin, runCase } from '../../compare/run-case.ts';
import type { ConvResult } from '../../reference/conv-result.ts';
import type { Precision } from '../../problem/precision.ts';
import { dataSeedFlag, intFlag, parseArgs, precisionFlag, quoteArg, UsageError, type ParsedArgs } from '../args.ts';
import { isQuantizedDescriptor, parseQuantizedDescriptor } from '../../problem/quantized-descriptor.ts';
import { isQuantizedDataMode, makeQuantizedOperands, QUANTIZED_DATA_MODES } from '../../problem/quantized-data.ts';
import { quantizedReferenceWithin, quantizedVerdictWord, runQuantizedCase } from '../../compare/quantized-case.ts';
import { textTable, type Io } from '../output.ts';
import { applyLimitFlags, LIMIT_FLAGS, LIMITS_HELP } from '../limits.ts';
import { formatNumber } from '../../reports/markdown.ts';
import { replaySpec, resolveBackends, splitBackendList } from '../backend-spec.ts';
import { BatchFileError, readBatchFile } from '../../problem/batch-file.ts';
import { inputTensorShape, weightShape } from '../../problem/shape.ts';
import { runGradientCase } from '../../compare/run-gradient-case.ts';
import type { GradientPart } from '../../problem/backend.ts';
import type { ReportCase } from '../../reports/report-model.ts';
import { countVerdicts } from '../../reports/summary.ts';
import { runBatchCase, shardCases } from '../batch.ts';
import { parseShard } from './gate.ts';
import { errorMessage, TimeLimitError } from '../../compare/backend-call.ts';
import type { Comparison, WorstElement } from '../../compare/judge.ts';

export const RUN_HELP = `Usage: convcheck run DESCRIPTOR [options]
       convcheck run --batch FILE [options]

Runs one problem on the reference and on every available backend (or those given) and prints,
side by side, the verdict, the error metrics and the worst element of each. A quantized
descriptor (CI... ConvInteger, QL... QLinearConv; docs/descriptor.md) runs on the backends'
quantized ops against the exact reference: exact, tie-neighbour (allowed), or fail.

With --batch, runs every problem of a oneDNN benchdnn batch file (descriptors such as
ic3ih224oc64oh112kh7sh2ph3n"resnet_50:conv1", one or more per line, # comments, --dir= and other
options; see docs/descriptor.md) against the reference on exact and on real data, and prints one
verdict line per case and backend as each finishes, named by its benchdnn name, then the counts.

Options:
  --mode MODE           data mode: exact, real, sparse, zero-sum, large-first, cancellation,
                        positive-large, wide-range or special (default real; with --batch: exact and
                        real); quantized descriptors: uniform (default), near, extreme or alternating
  --seed N              data seed, any 32-bit integer (default 1)
  --backend SPEC        a backend to run: a built-in name, a module path, or cmd:"COMMAND";
                        repeat with commas (default: every built-in backend)
  --gradient input|weight  run that gradient of the Conv DESCRIPTOR (backends with gradients)
  --batch FILE          a benchdnn batch file instead of a DESCRIPTOR
  --shard I/N           with --batch: the I-th of N shards (1-based) of its cases
  --precision P         judge as fp32, tf32, fp16 or bf16 (default: what each backend declares;
                        not for quantized descriptors, which are judged exactly)
  --timeout MS          per-run time limit in milliseconds (default 60000), for every backend
                        and for the reference
${LIMITS_HELP}
  --help                this text

Examples: convcheck run g2mb1ic4ih5iw5oc6kh3kw3ph1pw1 --mode exact
          convcheck run --batch golden/benchdnn/lenet5.batch --backend reference,onnxruntime`;

/** Multi-index of a flat index in a shape, as `[n,m,h,w]`. */
export function multiIndex(index: number, shape: readonly number[]): string {
  const strides = stridesOf(shape);
  return `[${shape.map((s, a) => Math.floor(index / strides[a]) % s).join(',')}]`;
}

/**
 * A case's outcome, or an error verdict when judging the backend's call threw (a backend whose
 * `supports()` or `run()` gave something that is not a Support or a Tensor), so that one backend
 * breaking its contract is its own error row, not the end of the command.
 */
async function outcomeOf<T>(run: () => Promise<T>): Promise<T | { readonly verdict: 'error'; readonly message: string }> {
  try {
    return await run();
  } catch (error) {
    return { verdict: 'error', message: `its call could not be judged (an answer that breaks the Backend contract?): ${errorMessage(error)}` };
  }
}

/** The last column of a judged row: the worst element, or, when there is none (an output of the wrong shape), the comparison's message. */
function worstOrMessage(c: Comparison, describe: (w: WorstElement) => string): string {
  return c.worst ? describe(c.worst) : c.message;
}

/** Parses the data mode flag. */
function modeFlag(raw: string | undefined, command: string): DataMode {
  if (raw === undefined) return 'real';
  if (!isDataMode(raw)) throw new UsageError(`convcheck ${command}: --mode must be one of ${DATA_MODES.join(', ')}, but got ${quoteArg(raw)}.`);
  return raw;
}

/**
 * The exit code of a run: 1 when a backend failed or errored, and 1 when none was judged at all
 * (each unsupported or unavailable: nothing was checked, which is not a pass, as the gate says);
 * else 0. A known discrepancy is judged, not a failure.
 */
function runExitCode(failed: boolean, judged: number, io: Io): number {
  if (failed) return 1;
  if (judged === 0) {
    io.out('\nrun: nothing was checked: no backend could run it (each was unsupported or unavailable), so the exit code is 1.');
    return 1;
  }
  return 0;
}

/** Runs the command; returns the exit code ({@link runExitCode}). */
export async function runCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs('run', argv, { values: ['mode', 'seed', 'backend', 'timeout', 'batch', 'shard', 'gradient', 'precision', ...LIMIT_FLAGS], booleans: ['help'] });
  if (args.booleans.has('help')) { io.out(RUN_HELP); return 0; }
  applyLimitFlags(args, 'run');
  const batch = args.values.get('batch');
  if (batch !== undefined) {
    if (args.positionals.length > 0) throw new UsageError(`convcheck run: --batch runs the problems of FILE; give no DESCRIPTOR, but got "${args.positionals[0]}".`);
    if (args.values.has('gradient')) throw new UsageError('convcheck run: --gradient is for one DESCRIPTOR; in a batch file, --dir=BWD_W asks for the weight gradient.');
    return runBatch(batch, args, io);
  }
  if (args.values.has('shard')) throw new UsageError('convcheck run: --shard splits the cases of a --batch FILE; one DESCRIPTOR has one case.');
  if (args.positionals.length !== 1) throw new UsageError(`convcheck run: expected one DESCRIPTOR, but got ${args.positionals.length} arguments.\n\n${RUN_HELP}`);
  if (isQuantizedDescriptor(args.positionals[0])) {
    if (args.values.has('gradient')) throw new UsageError(`convcheck run: --gradient takes gradients of a Conv, but ${args.positionals[0]} is a quantized ${args.positionals[0].trim().startsWith('CI') ? 'ConvInteger' : 'QLinearConv'} (no gradient).`);
    if (args.values.has('precision')) throw new UsageError(`convcheck run: --precision sets the tolerance of float problems; ${args.positionals[0]} is quantized, judged against the exact reference.`);
    return runQuantizedCommand(args, io);
  }
  let problem;
  try {
    problem = parseDescriptor(args.positionals[0]);
    // before the operands are drawn: every tensor and the multiply-accumulates against the limits
    // (only y used to be checked: mb1ic1iw1000000000oc1kw1000000000 allocated 8 GB of x and w)
    checkResources(problem);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const mode = modeFlag(args.values.get('mode'), 'run');
  const seed = dataSeedFlag(args, 'run');
  const timeoutMs = intFlag(args, 'run', 'timeout', DEFAULT_TIMEOUT_MS);
  const precision = precisionFlag(args, 'run');
  const gradient = args.values.get('gradient');
  if (gradient !== undefined && gradient !== 'input' && gradient !== 'weight') throw new UsageError(`convcheck run: --gradient must be input or weight, but got "${gradient}".`);
  if (gradient !== undefined && problem.op !== 'conv') throw new UsageError(`convcheck run: --gradient takes gradients of a Conv, but ${args.positionals[0]} is a ConvTranspose.`);
  const availability: BackendAvailability[] = await resolveBackends(args.values.get('backend'), { timeoutMs });
  if (gradient !== undefined) return runGradient(args.positionals[0], problem, gradient, availability, { mode, seed, timeoutMs, ...(precision ? { precision } : {}) }, io);
  const operands = makeOperands(problem, mode, seed);
  io.out(`${args.positionals[0]}: output [${outputTensorShape(problem)}], ${mode} data, seed ${seed}`);
  // the reference within the same time limit as every backend: without it nothing can be judged
  let reference: ConvResult | undefined, referenceError: string | undefined;
  try {
    reference = await referenceResultWithin(problem, operands, timeoutMs);
  } catch (error) {
    referenceError = error instanceof Error ? error.message : String(error);
  }
  const rows: string[][] = [];
  let failed = false, judged = 0;
  const backends: Backend[] = [];
  for (const a of availability) {
    if (!a.available) { rows.push([a.name, 'unavailable', '', '', '', a.reason]); continue; }
    if (reference === undefined) { failed = true; rows.push([a.backend.name, 'error', '', '', '', `not run: ${referenceError}`]); continue; }
    backends.push(a.backend);
    const outcome = await outcomeOf(() => runCase(a.backend, problem, { mode, seed, operands, reference, timeoutMs, ...(precision ? { precision } : {}) }));
    if (outcome.verdict === 'unsupported') rows.push([a.backend.name, 'unsupported', '', '', '', outcome.reason]);
    else if (outcome.verdict === 'error') { failed = true; rows.push([a.backend.name, 'error', '', '', '', outcome.message]); }
    else {
      const c = outcome.comparison;
      judged++;
      // a failure a recorded discrepancy explains is `known` (as in gate and report), named by its id
      const known = outcome.verdict === 'fail' ? matchKnownDiscrepancy(a.backend.knownDiscrepancies, problem, undefined, dataTraits([operands.x, operands.w, operands.b])) : undefined;
      if (outcome.verdict === 'fail' && known === undefined) failed = true;
      const worst = worstOrMessage(c, (w) => `${multiIndex(w.index, outcome.reference.y.shape)} got ${w.got} expected ${w.expected} bound ${formatNumber(w.bound)}`);
      rows.push([a.backend.name, shownVerdict(outcome.verdict, c.verdict, known !== undefined), formatNumber(c.maxAbsError), formatNumber(c.maxUlp), formatNumber(c.maxNormalizedError), known ? `${worst}; known discrepancy ${known.id}` : worst]);
    }
  }
  io.out(textTable(['backend', 'verdict', 'max abs', 'max ULP', 'max err/(u·S)', 'worst element / reason'], rows));
  for (const b of backends) await b.dispose?.();
  return runExitCode(failed, judged, io);
}

/** A verdict as run prints it: the tolerance model's 'impossible' is a fail, said so; an explained failure is known. */
function shownVerdict(verdict: 'pass' | 'fail', comparisonVerdict: string, known: boolean): string {
  const shown = comparisonVerdict === 'impossible' ? 'fail (impossible)' : verdict === 'fail' ? 'fail' : comparisonVerdict;
  return known ? `known (${shown})` : shown;
}

/** `run DESCRIPTOR --gradient PART`: that gradient of a Conv on every backend with gradients. */
async function runGradient(
  text: string, problem: ConvProblem, part: GradientPart, availability: readonly BackendAvailability[], o: { mode: DataMode; seed: number; timeoutMs: number; precision?: Precision }, io: Io,
): Promise<number> {
  const shape = part === 'input' ? inputTensorShape(problem) : weightShape(problem);
  io.out(`${text}: ${part} gradient [${shape}], ${o.mode} data, seed ${o.seed}`);
  const rows: string[][] = [];
  let failed = false, judged = 0;
  for (const a of availability) {
    if (!a.available) { rows.push([a.name, 'unavailable', '', '', '', a.reason]); continue; }
    const outcome = await outcomeOf(() => runGradientCase(a.backend, problem, part, { mode: o.mode, seed: o.seed, timeoutMs: o.timeoutMs, ...(o.precision ? { precision: o.precision } : {}) }));
    await a.backend.dispose?.();
    if (outcome.verdict === 'unsupported') { rows.push([a.backend.name, 'unsupported', '', '', '', outcome.reason]); continue; }
    if (outcome.verdict === 'error') { failed = true; rows.push([a.backend.name, 'error', '', '', '', outcome.message]); continue; }
    const c = outcome.comparison;
    judged++;
    const known = outcome.verdict === 'fail' ? matchKnownDiscrepancy(a.backend.knownDiscrepancies, problem, part) : undefined;
    if (outcome.verdict === 'fail' && known === undefined) failed = true;
    const worst = worstOrMessage(c, (w) => `${multiIndex(w.index, shape)} got ${w.got} expected ${w.expected} bound ${formatNumber(w.bound)}`);
    rows.push([a.backend.name, shownVerdict(outcome.verdict, c.verdict, known !== undefined), formatNumber(c.maxAbsError), formatNumber(c.maxUlp), formatNumber(c.maxNormalizedError), known ? `${worst}; known discrepancy ${known.id}` : worst]);
  }
  io.out(textTable(['backend', 'verdict', 'max abs', 'max ULP', 'max err/(u·S)', 'worst element / reason'], rows));
  return runExitCode(failed, judged, io);
}

/** `run --batch FILE`: every case of the file on every backend, a verdict line each as it finishes, then the counts. */
async function runBatch(file: string, args: ParsedArgs, io: Io): Promise<number> {
  let parsed;
  try {
    parsed = readBatchFile(file);
  } catch (error) {
    if (error instanceof BatchFileError) throw new UsageError(`convcheck run: ${error.message}`);
    throw error;
  }
  const rawMode = args.values.get('mode');
  const modes: DataMode[] = rawMode === undefined ? ['exact', 'real'] : [modeFlag(rawMode, 'run')];
  const seed = dataSeedFlag(args, 'run');
  const timeoutMs = intFlag(args, 'run', 'timeout', DEFAULT_TIMEOUT_MS);
  const precision = precisionFlag(args, 'run');
  const shard = parseShard(args.values.get('shard'));
  const cases = shardCases(parsed.cases, shard);
  if (parsed.cases.length === 0) throw new UsageError(`convcheck run: ${file} has no problem descriptors${parsed.notes.length > 0 ? '' : ' (only comments and options)'}.`);
  const rawBackends = args.values.get('backend');
  const availability = await resolveBackends(rawBackends, { timeoutMs });
  const specs = rawBackends === undefined ? undefined : splitBackendList(rawBackends);
  const backends = availability.flatMap((a) => (a.available ? [a.backend] : []));
  const argOf = (b: Backend): string => {
    const spec = specs?.[availability.findIndex((a) => a.available && a.backend === b)];
    return spec === undefined ? b.name : replaySpec(spec);
  };
  io.out(`convcheck run --batch ${file}: ${cases.length} cases${shard ? ` (shard ${shard.index + 1}/${shard.count} of ${parsed.cases.length})` : ''} on ${backends.length} backends, ${modes.join(' and ')} data, seed ${seed}`);
  for (const note of parsed.notes) io.out(`note: ${note}`);
  for (const a of availability) if (!a.available) io.out(`${a.name}: unavailable (${a.reason})`);
  const width = { name: Math.max(...cases.map((c) => c.name.length)), backend: Math.max(...backends.map((b) => b.name.length)) };
  const results: ReportCase[] = [];
  try {
    for (const [k, c] of cases.entries()) {
      const done = await runBatchCase(backends, c, { seed, modes, timeoutMs, backendArg: argOf, ...(precision ? { precision } : {}) });
      for (const r of done) {
        results.push(r);
        io.out(`[${k + 1}/${cases.length}] ${c.name.padEnd(width.name)}  ${r.backend.padEnd(width.backend)}  ${r.verdict.padEnd(11)}  ${r.message ?? ''}`);
      }
    }
  } finally {
    for (const b of backends) await b.dispose?.();
  }
  io.out('');
  io.out(textTable(['backend', 'pass', 'fail', 'known', 'unsupported', 'error'], backends.map((b) => {
    const n = countVerdicts(results.filter((r) => r.backend === b.name));
    return [b.name, n.pass, n.fail, n.known, n.unsupported, n.error].map(String);
  })));
  const bad = results.filter((r) => r.verdict === 'fail' || r.verdict === 'error');
  for (const r of bad) io.out(`\n${r.verdict.toUpperCase()} ${r.name} on ${r.backend}\ndescriptor: ${r.descriptor}\nmessage:    ${r.message ?? ''}\nreplay:     ${r.replay ?? ''}`);
  return runExitCode(bad.length > 0, results.filter((r) => r.verdict === 'pass' || r.verdict === 'fail' || r.verdict === 'known').length, io);
}

/** `convcheck run` of a quantized descriptor: the exact reference, then each backend's quantized ops judged by the quantized rule. */
async function runQuantizedCommand(args: ParsedArgs, io: Io): Promise<number> {
  let problem;
  try {
    problem = parseQuantizedDescriptor(args.positionals[0]);
    // the same resource limits as a float conv: every tensor and the multiply-accumulates
    checkResources(problem.conv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const rawMode = args.values.get('mode') ?? 'uniform';
  if (!isQuantizedDataMode(rawMode)) throw new UsageError(`convcheck run: --mode of a quantized problem must be one of ${QUANTIZED_DATA_MODES.join(', ')}, but got "${rawMode}".`);
  const seed = dataSeedFlag(args, 'run');
  const timeoutMs = intFlag(args, 'run', 'timeout', DEFAULT_TIMEOUT_MS);
  const operands = makeQuantizedOperands(problem, rawMode, seed);
  let reference;
  try {
    // from 2 M multiply-accumulates on a worker thread that --timeout ends
    reference = await quantizedReferenceWithin(problem, operands, timeoutMs);
  } catch (error) {
    if (error instanceof TimeLimitError) { io.out(`${args.positionals[0]}: ${error.message}; no backend was run.`); return 1; }
    // e.g. a ConvInteger whose exact output leaves int32 on this data: the operator defines no answer
    throw new UsageError(`convcheck run: ${error instanceof Error ? error.message : String(error)}`);
  }
  const open = Array.from(reference.expectation.lo).filter((v, i) => v !== reference.expectation.hi[i]).length;
  io.out(`${args.positionals[0]}: ${problem.operator} output [${reference.y.shape}], ${rawMode} data, seed ${seed}; ${open} element(s) open to the tie-neighbour allowance${reference.int32Overflows > 0 ? `; ${reference.int32Overflows} accumulator(s) past int32` : ''}`);
  const availability = await resolveBackends(args.values.get('backend'), { timeoutMs });
  const rows: string[][] = [];
  let failed = false, judged = 0;
  const backends: Backend[] = [];
  for (const a of availability) {
    if (!a.available) { rows.push([a.name, 'unavailable', '', '', a.reason]); continue; }
    backends.push(a.backend);
    const outcome = await outcomeOf(() => runQuantizedCase(a.backend, problem, { mode: rawMode, seed, operands, reference, timeoutMs }));
    if (outcome.verdict === 'unsupported') rows.push([a.backend.name, 'unsupported', '', '', outcome.reason]);
    else if (outcome.verdict === 'error') { failed = true; rows.push([a.backend.name, 'error', '', '', outcome.message]); }
    else {
      const c = outcome.comparison;
      judged++;
      const known = outcome.verdict === 'fail' ? matchKnownQuantizedDiscrepancy(a.backend.knownDiscrepancies, problem, outcome.evidence) : undefined;
      if (outcome.verdict === 'fail' && known === undefined) failed = true;
      const worst = worstOrMessage(c, (w) => `${multiIndex(w.index, reference.y.shape)} got ${w.got} exact ${w.expected}${w.bound > 0 ? ` (allowed ${reference.expectation.lo[w.index]}..${reference.expectation.hi[w.index]})` : ''}`);
      const word = quantizedVerdictWord(c);
      rows.push([a.backend.name, known ? `known (${word})` : word, formatNumber(c.maxAbsError), `${c.integers?.exact ?? 0}/${reference.y.data.length}`, known ? `${worst}; known discrepancy ${known.id}` : worst]);
    }
  }
  io.out(textTable(['backend', 'verdict', 'max |err| (steps)', 'exact elements', 'worst element / reason'], rows));
  for (const b of backends) await b.dispose?.();
  return runExitCode(failed, judged, io);
}
