/**
 * `convcheck gate --backend SPEC`: the CI gate. The property laws and the golden corpus against one
 * implementation; exit 0 only when every supported case passes (and at least one ran), 1 on any
 * fail or error, 2 on a usage mistake. Writes JUnit XML on request; on failure prints the minimal
 * counterexample and the one command that replays it.
 */
import { writeFile } from 'node:fs/promises';
import type { Precision } from '../../problem/precision.ts';
import { CORPUS_NAMES, type CorpusName } from '../../golden/corpus.ts';
import { numRuns as budgetRuns, randomSeed, seedFromEnv } from '../../properties/budget.ts';
import { CONV_TYPES, isQuantizedConvType } from '../../problem/conv-types.ts';
import { lawByName } from '../../properties/laws/index.ts';
import { formatFailure, type LawFailure } from '../../properties/runner.ts';
import { renderJUnit } from '../../reports/junit.ts';
import { endingBecause } from '../../adapters/implementation-process.ts';
import { interruptExitCode } from '../interrupt.ts';
import { DEFAULT_TIMEOUT_MS } from '../../problem/limits.ts';
import { checkOutputFile } from '../output-paths.ts';
import { countVerdicts, errorInputLabel, formatQuantizedVerdicts, normalizedErrorStats, quantizedVerdicts, reasonsOf, unsupportedReasons, VERDICTS } from '../../reports/summary.ts';
import { formatNumber } from '../../reports/markdown.ts';
import type { ReportCase } from '../../reports/report-model.ts';
import { intFlag, parseArgs, precisionFlag, quoteArg, UsageError, type ParsedArgs } from '../args.ts';
import { replaySpec, resolveBackend } from '../backend-spec.ts';
import { textTable, type Io } from '../output.ts';
import { Progress } from '../progress.ts';
import { runSuite } from '../suite.ts';
import { applyLimitFlags, LIMIT_FLAGS, LIMITS_HELP } from '../limits.ts';
import { BatchFileError, readBatchFile, type BatchFile } from '../../problem/batch-file.ts';

export const GATE_HELP = `Usage: convcheck gate --backend SPEC [options]

Runs every property law and the golden corpus against one convolution implementation and exits
0 only when every supported case passes: 1 on any fail or error (or when no case was supported),
2 on a usage mistake. Unsupported cases are counted and listed, never passed.

SPEC is a built-in backend name (onnxruntime, tfjs-cpu, tfjs-wasm, ...), a path to a JS/TS module
exporting the Backend interface, or cmd:"COMMAND" for a process speaking docs/protocol.md.

Options:
  --num-runs N        cases per law, fewer for costly laws (default: CONVCHECK_NUM_RUNS or 100)
  --seed N            fast-check seed (default: CONVCHECK_SEED or random; printed)
  --conv-types LIST   only these conv types, comma separated (${CONV_TYPES.join(', ')})
  --precision P       judge as fp32, tf32, fp16 or bf16 (default: what the backend declares)
  --shard I/N         run the I-th of N shards (1-based), to split a gate across CI machines
  --golden CORPUS     golden corpus to include: ${CORPUS_NAMES.join(', ')} or none (default small)
  --batch FILE        also the problems of a benchdnn batch file, each against the reference on
                      exact and real data, named by its benchdnn name (docs/descriptor.md)
  --junit FILE        write JUnit XML for CI systems
  --law NAME          only this law (its exact sentence: convcheck laws lists them), without the
                      golden corpus and batch cases (not with --batch, nor a --golden other than
                      none); with --path, replays one case
  --path P            fast-check path to replay (from a failure's replay command)
  --timeout MS        per-call time limit (default 60000), for the backend and for the reference;
                      for a cmd: backend, the time limit of each request to the process (its hello
                      has its own: the larger of this and 10 s)
  --error-inputs      also send ill-formed calls (a group not dividing the channels, a wrong weight
                      or bias shape, negative pads, a zero stride, an output_padding out of range,
                      ...; with quantized ops also ConvInteger / QLinearConv ones: a zero point
                      outside its type, a zero y_scale, ...) that the implementation must refuse;
                      returning numbers is a fail (off by default; docs/protocol.md says how a
                      process refuses)
${LIMITS_HELP.replace(/^ {2}--(\S+) N {6}/gm, '  --$1 N    ').replace(/^ {24}/gm, '                      ')}
  --help              this text

Example: convcheck gate --backend cmd:"python3 examples/numpy_conv.py" --junit gate.xml`;

/** Parses `I/N` (1-based) into a 0-based shard. */
export function parseShard(raw: string | undefined): { index: number; count: number } | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  const i = m ? Number(m[1]) : NaN, n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || i < 1 || i > n) throw new UsageError(`convcheck: --shard must be I/N with 1 <= I <= N, but got ${quoteArg(raw)}.`);
  return { index: i - 1, count: n };
}

/** Reads `--batch FILE`: a malformed line is a usage error naming the file and the line. */
export function batchFlag(args: ParsedArgs, command: string): BatchFile | undefined {
  const file = args.values.get('batch');
  if (file === undefined) return undefined;
  try {
    const parsed = readBatchFile(file);
    if (parsed.cases.length === 0) throw new UsageError(`convcheck ${command}: --batch ${file} has no problem descriptors.`);
    return parsed;
  } catch (error) {
    if (error instanceof BatchFileError) throw new UsageError(`convcheck ${command}: ${error.message}`);
    throw error;
  }
}

/** A value read from the environment, its error a usage error of `command` (the variable, its value and the rule). */
function fromEnvironment<T>(command: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw new UsageError(`convcheck ${command}: ${(e instanceof Error ? e.message : String(e)).replace(/^budget: /, '')}`);
  }
}

/**
 * Parses the options shared by gate and report (the resource limits it sets in force,
 * cli/limits.ts): `--num-runs` or else CONVCHECK_NUM_RUNS (an empty one is unset) or else
 * `defaultRuns`, `--seed` or else CONVCHECK_SEED or else a random seed. A flag given is not
 * overruled, nor refused, by a malformed variable.
 */
export function suiteFlags(args: ParsedArgs, command: string, defaultRuns: number): { numRuns: number; seed: number; precision?: Precision; convTypes?: string[]; golden: CorpusName | 'none'; timeoutMs: number } {
  applyLimitFlags(args, command);
  const numRuns = args.values.has('num-runs') ? intFlag(args, command, 'num-runs', defaultRuns) : fromEnvironment(command, () => budgetRuns(defaultRuns));
  const rawSeed = args.values.get('seed');
  if (rawSeed !== undefined && (!/^-?\d+$/.test(rawSeed) || Number(rawSeed) < -(2 ** 31) || Number(rawSeed) > 2 ** 31 - 1)) {
    throw new UsageError(`convcheck ${command}: --seed must be an integer from -2147483648 to 2147483647 (fast-check's seeds are 32-bit), but got ${quoteArg(rawSeed)}.`);
  }
  const seed = rawSeed !== undefined ? Number(rawSeed) : fromEnvironment(command, seedFromEnv) ?? randomSeed();
  const precision = precisionFlag(args, command);
  const rawTypes = args.values.get('conv-types');
  const convTypes = rawTypes?.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (convTypes !== undefined && convTypes.length === 0) throw new UsageError(`convcheck ${command}: --conv-types ${quoteArg(rawTypes ?? '')} names no conv type (known: ${CONV_TYPES.join(', ')}).`);
  for (const t of convTypes ?? []) if (!(CONV_TYPES as readonly string[]).includes(t)) throw new UsageError(`convcheck ${command}: unknown conv type ${quoteArg(t)} (known: ${CONV_TYPES.join(', ')}).`);
  const golden = args.values.get('golden') ?? 'small';
  if (golden !== 'none' && !(CORPUS_NAMES as readonly string[]).includes(golden)) throw new UsageError(`convcheck ${command}: --golden must be one of ${CORPUS_NAMES.join(', ')} or none, but got "${golden}".`);
  return {
    numRuns, seed, golden: golden as CorpusName | 'none', timeoutMs: intFlag(args, command, 'timeout', DEFAULT_TIMEOUT_MS),
    ...(precision ? { precision } : {}), ...(convTypes ? { convTypes } : {}),
  };
}

/** Failures printed in full before the rest are listed one line each; golden and batch ones too. */
const FULL_LAW_FAILURES = 5;
const FULL_GOLDEN_FAILURES = 3;
/** One-line failures listed at most; the JUnit file and the report keep every one. */
const LISTED_FAILURES = 30;

/** Verdict counts and the normalized error (median / max of each case's largest) per law, then the golden corpus, the batch file and the total. */
export function perLawTable(cases: readonly ReportCase[]): string {
  const groups = new Map<string, ReportCase[]>();
  for (const c of cases) {
    const key = c.source === 'golden' ? (isQuantizedConvType(c.convType) ? 'golden quantized corpus' : 'golden corpus') : c.source === 'batch' ? 'batch file' : c.source === 'error-input' ? 'error inputs (pass: refused)' : c.name;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const row = (name: string, list: readonly ReportCase[]): string[] => {
    const n = countVerdicts(list), e = normalizedErrorStats(list);
    return [name, ...VERDICTS.map((v) => String(n[v])), e ? formatNumber(e.median) : '', e ? formatNumber(e.max) : ''];
  };
  const rows = [...groups].map(([name, list]) => row(name.length > 70 ? `${name.slice(0, 67)}...` : name, list));
  rows.push(row('total', cases));
  return textTable(['law', ...VERDICTS, 'median err/(u·S)', 'max err/(u·S)'], rows);
}

/** Longest message an error-input line shows in full for a refusal (an accepted call or an error is shown whole). */
const REFUSAL_CHARS = 100;

/** The error-input section of the gate: one line per ill-formed call, with what the backend did. */
export function errorInputSection(backend: string, cases: readonly ReportCase[]): string[] {
  const inputs = cases.filter((c) => c.source === 'error-input');
  if (inputs.length === 0) return [];
  const n = countVerdicts(inputs);
  const rows = inputs.map((c) => {
    const message = (c.message ?? '').replace(/^refused: /, '');
    return [c.name.replace(/^error input /, ''), errorInputLabel(c.verdict), c.verdict === 'pass' && message.length > REFUSAL_CHARS ? `${message.slice(0, REFUSAL_CHARS - 3)}...` : message];
  });
  return [
    `\nerror inputs: ${inputs.length} ill-formed calls ${backend} must refuse: ${n.pass} refused, ${n.fail} accepted, ${n.error} error, ${n.unsupported} not sent`,
    textTable(['error input', 'verdict', 'what it did'], rows),
  ];
}

/** The reasons of weak cases with their counts, most frequent first (the part before the details in parentheses). */
function weakReasons(cases: readonly ReportCase[]): Array<[string, number]> {
  return reasonsOf(cases, 'weak', (message) => (message ?? '').replace(/ \(.*$/s, '').replace(/\d+%/, 'N%'));
}

/** The first few failures in full (shrunk case, first mismatch, diagnosis, replay), then one line each, then how many more. */
function printFailures(io: Io, lawFailures: readonly LawFailure[], golden: readonly ReportCase[], junit: string | undefined): void {
  const oneLine: string[] = [];
  lawFailures.forEach((f, k) => {
    if (k < FULL_LAW_FAILURES) io.out(`\nFAILED\n${formatFailure(f)}`);
    else oneLine.push(`${f.record.verdict} · ${f.law} · ${f.descriptor} · replay: ${f.replay}`);
  });
  golden.forEach((c, k) => {
    if (k < FULL_GOLDEN_FAILURES) io.out(`\nFAILED ${c.source} case\nname:       ${c.name}\ndescriptor: ${c.descriptor}\nverdict:    ${c.verdict}\nmessage:    ${c.message ?? ''}\nreplay:     ${c.replay ?? ''}`);
    else oneLine.push(`${c.verdict} · ${c.name} · ${c.descriptor} · replay: ${c.replay ?? ''}`);
  });
  if (oneLine.length === 0) return;
  io.out(`\nmore failures, one line each:`);
  for (const line of oneLine.slice(0, LISTED_FAILURES)) io.out(`  ${line}`);
  if (oneLine.length > LISTED_FAILURES) io.out(`  ... and ${oneLine.length - LISTED_FAILURES} more${junit ? ` (all in ${junit})` : ' (--junit FILE or convcheck report keeps every one)'}`);
}

/**
 * Largest step of a `--path`: its first step is the case's index in the law's run, and fast-check
 * generates every case before it to get there (about half a second per million on a small law;
 * an index of 10^20 spun for good, deaf to SIGTERM).
 */
const MAX_PATH_STEP = 999_999;

/** `--path` as a failure's replay command gives it (`7`, `7:0:2`), checked; undefined when absent. */
function replayPath(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+(:\d+)*$/.test(raw)) {
    throw new UsageError(`convcheck gate: --path must be steps of digits joined by ':' as a failure's replay command gives it (e.g. 7 or 7:0:2), but got ${quoteArg(raw)}.`);
  }
  const big = raw.split(':').find((step) => Number(step) > MAX_PATH_STEP);
  if (big !== undefined) {
    throw new UsageError(`convcheck gate: --path steps must be at most ${MAX_PATH_STEP} (fast-check generates every case before a step to reach it), but --path ${raw} has step ${big}.`);
  }
  return raw;
}

/** Runs the gate; returns the exit code. */
export async function gateCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs('gate', argv, { values: ['backend', 'num-runs', 'seed', 'conv-types', 'precision', 'shard', 'golden', 'batch', 'junit', 'law', 'path', 'timeout', ...LIMIT_FLAGS], booleans: ['help', 'error-inputs'] });
  if (args.booleans.has('help')) { io.out(GATE_HELP); return 0; }
  if (args.positionals.length > 0) throw new UsageError(`convcheck gate: unexpected argument "${args.positionals[0]}".\n\n${GATE_HELP}`);
  const spec = args.values.get('backend');
  if (spec === undefined) throw new UsageError(`convcheck gate: --backend is required.\n\n${GATE_HELP}`);
  const flags = suiteFlags(args, 'gate', 100);
  const shard = parseShard(args.values.get('shard'));
  const batch = batchFlag(args, 'gate');
  const law = args.values.get('law');
  if (law !== undefined) {
    try { lawByName(law); } catch (e) { throw new UsageError(`convcheck gate: --law: ${e instanceof Error ? e.message : String(e)} (convcheck laws lists them).`); }
    // --law runs that law alone: a batch file or a golden corpus given with it was silently not run
    for (const flag of ['batch', 'golden'] as const) {
      if (args.values.has(flag) && args.values.get(flag) !== 'none') throw new UsageError(`convcheck gate: --law runs that one law alone, so --${flag} ${quoteArg(args.values.get(flag) ?? '')} would not run: give one or the other.`);
    }
  }
  const junitFile = args.values.get('junit');
  if (junitFile !== undefined) checkOutputFile('gate', 'junit', junitFile);
  const path = replayPath(args.values.get('path'));
  if (path !== undefined && law === undefined) throw new UsageError('convcheck gate: --path replays one case of one law: give --law too.');
  const availability = await resolveBackend(spec, { timeoutMs: flags.timeoutMs });
  if (!availability.available) { io.err(`convcheck gate: backend ${availability.name} is unavailable: ${availability.reason}`); return 1; }
  const backend = availability.backend;
  const backendArg = replaySpec(spec);
  const errorInputs = args.booleans.has('error-inputs');
  io.out(`convcheck gate: ${backend.name} ${backend.version} (${flags.precision ?? backend.precision}), ${flags.numRuns} runs per law, seed ${flags.seed}${shard ? `, shard ${shard.index + 1}/${shard.count}` : ''}${batch ? `, ${batch.cases.length} batch cases from ${args.values.get('batch')}` : ''}${errorInputs ? ', error inputs' : ''}`);
  for (const note of batch?.notes ?? []) io.out(`note: ${note}`);
  const progress = new Progress(io, 0, 'gate');
  let lastLaw = '';
  try {
    const result = await runSuite({
      backend, backendArg, ...flags, ...(shard ? { shard } : {}), ...(law ? { lawNames: [law] } : {}), ...(path !== undefined ? { path } : {}), ...(batch ? { batch: batch.cases } : {}), errorInputs,
      // one progress step per law, one for the golden corpus, one per batch case (a large file shows where it is)
      onStep: (label) => { const step = label.startsWith('golden ') ? 'golden corpus' : label; if (step !== lastLaw) { lastLaw = step; progress.tick(step); } },
    });
    progress.finish();
    const ending = endingBecause();
    if (ending !== undefined) {
      // Ctrl-C or SIGTERM mid-gate (cli/interrupt.ts exits with 128 + the signal once the implementations are ended):
      // the cases the signal cut short read "not sent", which is not the implementation's error; no verdict, no JUnit file
      io.err(`convcheck gate: interrupted (${ending}) after ${result.cases.length} cases: no verdict, and no JUnit file.`);
      return interruptExitCode() ?? 1;
    }
    const counts = countVerdicts(result.cases);
    io.out(perLawTable(result.cases));
    const quantized = quantizedVerdicts(result.cases);
    if (quantized !== undefined) io.out(`quantized (ConvInteger, QLinearConv): ${formatQuantizedVerdicts(quantized)}`);
    for (const [title, reasons] of [['unsupported', unsupportedReasons(result.cases.filter((c) => c.source !== 'error-input'))], ['weak (compared too little to count as a pass)', weakReasons(result.cases)]] as const) {
      if (reasons.length === 0) continue;
      io.out(`${title}, by reason:`);
      for (const [reason, n] of reasons.slice(0, 10)) io.out(`  ${n} × ${reason}`);
      if (reasons.length > 10) io.out(`  ... and ${reasons.length - 10} more reasons`);
    }
    for (const line of errorInputSection(backend.name, result.cases)) io.out(line);
    const junit = args.values.get('junit');
    let junitFailed = false;
    if (junit !== undefined) {
      try {
        await writeFile(junit, renderJUnit(`convcheck gate ${backend.name}`, result.cases));
        io.out(`JUnit XML: ${junit}`);
      } catch (error) {
        // the verdict below still stands and is printed; the file the CI asked for is missing, so the exit code is 1
        io.err(`convcheck gate: --junit ${quoteArg(junit)}: could not be written: ${(error as Error).message}`);
        junitFailed = true;
      }
    }
    // error inputs have their own section above
    printFailures(io, result.lawFailures, result.cases.filter((x) => x.source !== 'law' && x.source !== 'error-input' && (x.verdict === 'fail' || x.verdict === 'error')), junit);
    const tally = `${counts.pass} passed, ${counts.fail} fail, ${counts.error} error, ${counts.known} known discrepancies, ${counts.unsupported} unsupported, ${counts.weak} weak`;
    if (counts.fail + counts.error > 0) { io.out(`\ngate: FAILED (${tally})`); return 1; }
    if (counts.pass === 0) { io.out(`\ngate: FAILED: no case passed, so nothing was checked (${tally})`); return 1; }
    if (junitFailed) { io.out(`\ngate: passed, but --junit could not be written (${tally})`); return 1; }
    io.out(`\ngate: passed (${tally})`);
    return 0;
  } finally {
    await backend.dispose?.();
  }
}
