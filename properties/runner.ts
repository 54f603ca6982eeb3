/**
 * Runs laws against one backend with fast-check: each law's cases are generated from one seed,
 * every case gets a record (pass, fail, unsupported, error or known), and a failing law is shrunk
 * to its smallest counterexample, recorded with the seed, the path and the one command that
 * replays it.
 */
import * as fc from 'fast-check';
import type { Backend } from '../problem/backend.ts';
import type { Precision } from '../problem/precision.ts';
import { matchKnownDiscrepancy, matchKnownQuantizedDiscrepancy } from '../problem/known-discrepancy.ts';
import { formatQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import type { DataMode } from '../problem/operand-data.ts';
import type { Comparison } from '../compare/judge.ts';
import { formatDescriptor } from '../problem/descriptor.ts';
import { limitFlags } from '../problem/limits.ts';
import { DEFAULT_NUM_RUNS, randomSeed } from './budget.ts';
import { defaultAuxOps } from './aux-ops.ts';
import { isConvType, type ConvType } from '../problem/conv-types.ts';
import type { AuxOps, Judgement, Law } from './law.ts';
import { allLaws } from './laws/index.ts';
import { modesFor } from './arbitraries/data.ts';
import { BackendError, CaseFailure, CaseSession, UnsupportedCase, type CaseCall } from './session.ts';
import { shellQuote } from '../adapters/shell-quote.ts';

/**
 * Verdict of one case: `known` is a failure that a recorded known discrepancy explains; `weak` a
 * case that compared too little to count as a pass (nothing compared, or the reference output
 * mostly zeros: oneDNN benchdnn's "mistrusted"), counted apart and never a pass.
 */
export type CaseVerdict = 'pass' | 'fail' | 'unsupported' | 'error' | 'known' | 'weak';

/** One case of one law on one backend. */
export interface CaseRecord {
  /** The law's sentence. */
  readonly law: string;
  readonly backend: string;
  readonly convType: ConvType;
  readonly descriptor: string;
  readonly verdict: CaseVerdict;
  readonly mode: DataMode;
  /** Metrics of the comparison that decided the case (absent for structural checks). */
  readonly metrics?: Comparison;
  /** What failed, why it is unsupported, what the backend threw, or which discrepancy it is. */
  readonly message?: string;
  /** On a failure: which of the case's backend calls disagree with the reference on their own. */
  readonly diagnosis?: string;
  /** The id of the known discrepancy, when the verdict is `known`. */
  readonly knownId?: string;
  /** fast-check seed of the law's run. */
  readonly seed: number;
  /** fast-check path of this case within the run (`"7"`: the 8th case; `"7:0:2"`: shrunk). */
  readonly path?: string;
  readonly timeMs: number;
  /** The one command that replays this case. */
  readonly replay: string;
}

/** A law's shrunk counterexample. */
export interface LawFailure {
  readonly law: string;
  readonly backend: string;
  readonly descriptor: string;
  readonly seed: number;
  readonly path: string;
  readonly message: string;
  readonly replay: string;
  readonly record: CaseRecord;
}

/** Everything one runLaws call found. */
export interface LawRunResult {
  readonly cases: CaseRecord[];
  readonly failures: LawFailure[];
  /** Unsupported cases counted by reason. */
  readonly unsupportedByReason: Record<string, number>;
  /** Names of the laws that ran (after the conv-type filter, target and shard). */
  readonly lawsRun: string[];
  readonly seed: number;
}

/** Options of {@link runLaws}. */
export interface RunLawsOptions {
  readonly backend: Backend;
  /** Laws to run (default: all); laws whose target is the reference run only when `includeStructural`. */
  readonly laws?: readonly Law[];
  /** Cases per law before its budgetShare (default DEFAULT_NUM_RUNS). */
  readonly numRuns?: number;
  /** fast-check seed shared by every law (default: a random one, recorded in every case). */
  readonly seed?: number;
  /** Run only the laws covering these conv types, generating only these types. */
  readonly convTypes?: readonly string[];
  /** Precision the backend is judged by (default: its declared one). */
  readonly precision?: Precision;
  /** Run only laws `k` with `k % count === index` (0-based). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Called with every case record as it is decided (a failure: once shrunk). */
  readonly onCase?: (record: CaseRecord) => void;
  /** Replaces auxiliary ops (the mutant tests' broken channel shuffle). */
  readonly aux?: Partial<AuxOps>;
  /** Replays one fast-check path (with the seed) instead of a full run. */
  readonly path?: string;
  /** Shrink failures (default true); false stops a law at its first failure. */
  readonly shrink?: boolean;
  /** Also run structural laws (target reference); default: when the backend is the reference. */
  readonly includeStructural?: boolean;
  /** How replay commands name the backend (default backend.name), e.g. `cmd:"python conv.py"`. */
  readonly backendArg?: string;
  /** Time limit of one backend call (default 60 s). */
  readonly timeoutMs?: number;
}

/**
 * Laws run at once on a backend that queues its calls (Backend.queuesCalls: a process, a browser
 * page): while it computes one law's call, convcheck generates, computes the reference and judges
 * for the other, instead of each side waiting for the other. The gate against
 * examples/numpy_conv.py took 5 to 12 % less time with two than with one, three gained nothing
 * more (README, "How long the commands take").
 */
export const LAWS_IN_FLIGHT = 2;

/** Time-outs in a row after which the remaining laws are not run on the backend. */
const MAX_CONSECUTIVE_TIMEOUTS = 3;

/** Whether a record is a backend time-out (runCase's limit, or a process backend's). */
function isTimeout(record: CaseRecord): boolean {
  return record.verdict === 'error' && /(did not answer|no reply|no hello) within \d+ ms/.test(record.message ?? '');
}

/** The command that replays one case: `CONVCHECK_SEED=.. npx convcheck gate --backend .. --law '..' --path ..`. */
export function replayCommand(args: { seed: number; backend: string; law: string; path?: string; convTypes?: readonly string[]; precision?: Precision; timeoutMs?: number }): string {
  const parts = [`CONVCHECK_SEED=${args.seed}`, 'npx convcheck gate', '--backend', shellQuote(args.backend), '--law', shellQuote(args.law)];
  if (args.path !== undefined) parts.push('--path', shellQuote(args.path));
  if (args.convTypes !== undefined && args.convTypes.length > 0) parts.push('--conv-types', args.convTypes.join(','));
  if (args.precision !== undefined) parts.push('--precision', args.precision);
  parts.push(...limitFlags(args.timeoutMs));
  return parts.join(' ');
}

/** The laws a run covers: target, conv-type filter and shard applied; with each law's scoped types. */
export function selectLaws(options: Pick<RunLawsOptions, 'backend' | 'laws' | 'convTypes' | 'shard' | 'includeStructural'>): Array<{ law: Law; convTypes: ConvType[] }> {
  for (const t of options.convTypes ?? []) {
    if (!isConvType(t)) throw new Error(`runLaws: unknown conv type "${t}"`);
  }
  const structural = options.includeStructural ?? options.backend.name === 'reference';
  const wanted = options.convTypes as readonly ConvType[] | undefined;
  const chosen = (options.laws ?? allLaws())
    .filter((law) => !law.structural || structural)
    .map((law) => ({ law, convTypes: law.convTypes.filter((t) => wanted === undefined || wanted.includes(t)) }))
    .filter((entry) => entry.convTypes.length > 0);
  const shard = options.shard;
  if (shard === undefined) return chosen;
  if (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new Error(`runLaws: shard must be index/count with 0 <= index < count, but got ${shard.index}/${shard.count}`);
  }
  return chosen.filter((_, k) => k % shard.count === shard.index);
}

/** Cases for one law: `numRuns · budgetShare`, at least 1. */
function lawRuns(law: Law, numRuns: number): number {
  return Math.max(1, Math.round(numRuns * (law.budgetShare ?? 1)));
}

/**
 * Runs `run` on every item, up to `inFlight` at once, started in item order; the actions each
 * passes to `out` are done in item order whatever the timing: the oldest item still running does
 * its own at once, a later one's are held until every item before it has finished. When a run
 * throws, no item starts after it, the others running are waited for, and the first error is thrown.
 */
export async function runInOrder<T>(items: readonly T[], inFlight: number, run: (item: T, out: (action: () => void) => void) => Promise<void>): Promise<void> {
  const held: Array<Array<() => void>> = items.map(() => []);
  const finished = items.map(() => false);
  let nextToStart = 0, oldestRunning = 0, failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && nextToStart < items.length) {
      const k = nextToStart++;
      try {
        await run(items[k], (action) => { if (failed) return; if (k === oldestRunning) action(); else held[k].push(action); });
      } catch (error) {
        failed = true; // no item starts after this one, and nothing more is passed on
        throw error;
      }
      finished[k] = true;
      while (!failed && oldestRunning < items.length && finished[oldestRunning]) {
        oldestRunning++;
        for (const action of held[oldestRunning] ?? []) action();
        held[oldestRunning] = [];
      }
    }
  };
  // every lane is waited for before a failure is passed on: none is left calling the backend
  const lanes = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(inFlight, items.length)) }, lane));
  const rejected = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (rejected !== undefined) throw rejected.reason;
}

/** Runs the laws against the backend; never throws for a failing case (see the records). */
export async function runLaws(options: RunLawsOptions): Promise<LawRunResult> {
  const seed = options.seed ?? randomSeed();
  const numRuns = options.numRuns ?? DEFAULT_NUM_RUNS;
  const precision = options.precision ?? options.backend.precision;
  const aux: AuxOps = { ...defaultAuxOps, ...options.aux };
  const cases: CaseRecord[] = [];
  const failures: LawFailure[] = [];
  const unsupportedByReason: Record<string, number> = {};
  const selected = selectLaws(options);
  /** Records a decided case (with its law failure, if it is one) and tells the caller; an error instead if the caller's onCase threw on it. */
  const keep = (decided: CaseRecord, failure?: Omit<LawFailure, 'record' | 'message'>): void => {
    let record = decided;
    try {
      options.onCase?.(record);
    } catch (error) {
      // the caller's callback broke (a progress display): the case is an error, never a pass, and the run goes on
      const why = error instanceof Error ? error.message : String(error);
      record = { ...record, verdict: 'error', message: `the caller's onCase threw on this case: ${why} (the case was ${record.verdict}${record.message ? `: ${record.message}` : ''})` };
      try { options.onCase?.(record); } catch { /* said once; the record keeps it */ }
    }
    cases.push(record);
    if (record.verdict === 'unsupported') {
      const reason = record.message ?? '(no reason)';
      unsupportedByReason[reason] = (unsupportedByReason[reason] ?? 0) + 1;
    }
    // a law's shrunk failure, or a case the caller's onCase turned into an error: one failure each
    if (failure !== undefined || record !== decided) {
      failures.push({ law: record.law, backend: record.backend, descriptor: record.descriptor, seed, path: record.path ?? '', replay: record.replay, ...failure, message: record.message ?? '', record });
    }
  };
  let consecutiveTimeouts = 0;
  const runLaw = async ({ law, convTypes }: { law: Law; convTypes: ConvType[] }, emit: (record: CaseRecord, failure?: Omit<LawFailure, 'record' | 'message'>) => void): Promise<void> => {
    const scope = { convTypes, modes: modesFor(precision) };
    const replayOf = (path: string | undefined): string => replayCommand({
      seed, backend: options.backendArg ?? options.backend.name, law: law.name, path,
      ...(options.convTypes ? { convTypes: options.convTypes } : {}), ...(options.precision ? { precision: options.precision } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    const evaluate = (c: unknown, path: string | undefined): Promise<CaseRecord> =>
      evaluateCase(law, c, { ...options, precision, aux, seed, path, replay: replayOf(path) });
    if (consecutiveTimeouts >= MAX_CONSECUTIVE_TIMEOUTS) {
      // A backend that stopped answering would make every remaining case wait out the limit.
      const label = { law: law.name, backend: options.backend.name, convType: convTypes[0], descriptor: '(not run)', mode: 'exact' as const, seed, replay: replayOf(undefined), timeMs: 0 };
      emit({ ...label, verdict: 'error', message: `not run: ${options.backend.name} timed out ${consecutiveTimeouts} times in a row` });
      return;
    }
    let shrinking = false;
    let timedOut = false;
    // The last failing evaluation: the shrunk counterexample's own record (its message, crash or NaN).
    let lastFailure: CaseRecord | undefined;
    let runIndex = 0;
    const property = fc.asyncProperty(law.cases(scope), async (c) => {
      // Shrinking through time-outs would wait out the limit at every step: keep the first failure.
      if (shrinking && timedOut) return true;
      const path = options.path ?? String(runIndex++);
      const record = await evaluate(c, shrinking ? undefined : path);
      const failed = record.verdict === 'fail' || record.verdict === 'error';
      if (isTimeout(record)) { timedOut = true; consecutiveTimeouts++; }
      else if (record.verdict !== 'unsupported') consecutiveTimeouts = 0;
      if (failed) lastFailure = record;
      if (!shrinking) {
        if (failed) shrinking = true;
        else emit(record);
      }
      return !failed;
    });
    const details = await fc.check(property, {
      seed, numRuns: lawRuns(law, numRuns), endOnFailure: options.shrink === false,
      ...(options.path !== undefined ? { path: options.path } : {}),
    });
    if (details.failed) {
      const path = details.counterexamplePath ?? options.path ?? '';
      let record: CaseRecord;
      if (lastFailure === undefined) {
        // The property failed outside the law's body (its generator threw): an error with that cause.
        const why = 'errorInstance' in details && details.errorInstance instanceof Error ? details.errorInstance.message : 'no error recorded';
        record = { law: law.name, backend: options.backend.name, convType: convTypes[0], descriptor: '(unknown)', mode: 'exact', seed, path, replay: replayOf(path), timeMs: 0, verdict: 'error', message: `the law's run failed outside its cases: ${why}` };
      } else if (timedOut) {
        record = { ...lastFailure, path, replay: replayOf(path) };
      } else {
        // The shrunk case once more, with its path: a failure that does not reproduce is flaky, said so with its first cause.
        const again = details.counterexample !== null ? await evaluate(details.counterexample[0], path) : undefined;
        record = again !== undefined && (again.verdict === 'fail' || again.verdict === 'error')
          ? again
          : { ...lastFailure, path, replay: replayOf(path), verdict: 'error', message: `flaky: ${lastFailure.verdict}: ${lastFailure.message ?? ''} (the same case gave ${again?.verdict ?? 'no verdict'} when run again)` };
      }
      emit(record, { law: law.name, backend: options.backend.name, descriptor: record.descriptor, seed, path, replay: record.replay });
    }
  };
  // a backend that queues its calls gets two laws in flight; their records still come in law order
  const inFlight = options.backend.queuesCalls === true ? LAWS_IN_FLIGHT : 1;
  await runInOrder(selected, inFlight, (entry, out) => runLaw(entry, (record, failure) => out(() => keep(record, failure))));
  return { cases, failures, unsupportedByReason, lawsRun: selected.map((s) => s.law.name), seed };
}

interface EvaluateOptions extends RunLawsOptions {
  readonly precision: Precision;
  readonly aux: AuxOps;
  readonly seed: number;
  readonly path: string | undefined;
  readonly replay: string;
}

/**
 * Share of zeros in the reference outputs past which a case is mistrusted: oneDNN benchdnn's
 * default for convolution outputs (30 % non-zero trust, tests/benchdnn/conv).
 */
export const MISTRUSTED_ZERO_SHARE = 0.7;

/** A call's problem as a descriptor (a quantized call's is its quantized descriptor). */
function callDescriptor(c: CaseCall): string {
  return c.quantized !== undefined ? formatQuantizedDescriptor(c.quantized) : formatDescriptor(c.problem);
}

/** The op a call ran, as a user names it: `Conv`, `ConvTranspose`, `QLinearConv`, `the weight gradient of Conv`. */
function callName(c: CaseCall): string {
  if (c.quantized !== undefined) return c.quantized.operator;
  const op = c.problem.op === 'conv' ? 'Conv' : 'ConvTranspose';
  return c.part === undefined ? op : `the ${c.part} gradient of ${op}`;
}

/**
 * Which of a failed case's calls disagree with the reference on their own (each call was already
 * compared when it answered): `ConvTranspose is wrong on Tmb1...: first mismatch ...; Conv agrees`.
 * Undefined when the case made no call.
 */
export function diagnose(calls: readonly CaseCall[]): string | undefined {
  const judged = calls.filter((c) => c.comparison !== undefined);
  if (judged.length === 0) return undefined;
  const wrong = judged.filter((c) => c.comparison?.verdict !== 'pass');
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const c of wrong) {
    const key = `${callName(c)} ${callDescriptor(c)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const w = c.comparison?.worst;
    parts.push(`${callName(c)} is wrong on ${callDescriptor(c)}${w ? ` (first mismatch at index ${w.index}: got ${w.got}, expected ${w.expected}, bound ${w.bound})` : `: ${c.comparison?.message}`}`);
  }
  const right = [...new Set(judged.filter((c) => c.comparison?.verdict === 'pass').map(callName))].filter((name) => !wrong.some((c) => callName(c) === name));
  if (wrong.length === 0) return `every call agrees with the reference on its own (${[...new Set(judged.map(callName))].join(', ')}): the relation between them is what fails`;
  return parts.join('; ') + (right.length > 0 ? `; ${right.join(', ')} ${right.length === 1 ? 'agrees' : 'agree'} with the reference` : '');
}

/** Why a case whose every reference output has at least `share` zeros is weak (share rounded down, so 99.6% is not 100%). */
export function mistrustedMessage(share: number): string {
  const zeros = share === 1 ? 'every reference output is all zeros' : `${Math.floor(share * 100)}% or more of every reference output is zero`;
  return `mistrusted: ${zeros} (over ${Math.round(MISTRUSTED_ZERO_SHARE * 100)}%), so an implementation returning zeros would pass`;
}

/** Why a passing case is weak, or undefined: a vacuous check, or every call's reference output mostly zeros. */
function weakness(law: Law, judgement: Judgement, calls: readonly CaseCall[]): string | undefined {
  if (judgement.weak !== undefined) return judgement.weak;
  const answered = calls.filter((c) => c.comparison !== undefined);
  if (law.mistrustZeros && answered.length > 0 && answered.every((c) => c.referenceZeroShare > MISTRUSTED_ZERO_SHARE)) {
    const share = Math.min(...answered.map((c) => c.referenceZeroShare));
    return mistrustedMessage(share);
  }
  return undefined;
}

/** Runs one case of a law and turns the outcome (or what it threw) into a record. */
async function evaluateCase(law: Law, c: unknown, o: EvaluateOptions): Promise<CaseRecord> {
  const label = law.describe(c);
  const session = new CaseSession(o.backend, o.precision, label.mode, o.aux, o.timeoutMs);
  const start = performance.now();
  const base = { law: law.name, backend: o.backend.name, convType: label.convType, descriptor: label.descriptor, mode: label.mode, seed: o.seed, replay: o.replay, ...(o.path !== undefined ? { path: o.path } : {}) };
  let verdict: CaseVerdict;
  let message: string;
  let metrics: Comparison | undefined;
  try {
    const judgement = await law.check(c, session);
    const weak = judgement.ok ? weakness(law, judgement, session.calls) : undefined;
    verdict = !judgement.ok ? 'fail' : weak !== undefined ? 'weak' : 'pass';
    message = weak !== undefined ? `${weak} (${judgement.message})` : judgement.message;
    metrics = judgement.metrics;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (error instanceof UnsupportedCase) { verdict = 'unsupported'; message = error.reason; }
    else if (error instanceof CaseFailure) { verdict = 'fail'; message = text; }
    else if (error instanceof BackendError) { verdict = 'error'; message = text; }
    else { verdict = 'error'; message = `the law threw: ${text}`; }
  }
  const diagnosis = verdict === 'fail' ? diagnose(session.calls) : undefined;
  let knownId: string | undefined;
  if (verdict === 'fail' || verdict === 'error') {
    const records = o.backend.knownDiscrepancies;
    for (const call of session.calls) {
      const known = call.quantized !== undefined ? matchKnownQuantizedDiscrepancy(records, call.quantized, call.evidence ?? { int32Overflows: 0 }) : matchKnownDiscrepancy(records, call.problem, call.part, call.data);
      if (known) {
        verdict = 'known';
        knownId = known.id;
        const where = call.part === undefined ? `on ${callDescriptor(call)}` : `in the ${call.part} gradient of ${formatDescriptor(call.problem)}`;
        message = `known discrepancy ${known.id} (${known.summary}) ${where}: ${message}`;
        break;
      }
    }
  }
  return {
    ...base, verdict, message, ...(metrics ? { metrics } : {}), ...(diagnosis && verdict === 'fail' ? { diagnosis } : {}),
    ...(knownId ? { knownId } : {}), timeMs: performance.now() - start,
  };
}

/**
 * A failure as the suite prints it: law, backend, shrunk descriptor, seed, path, the first
 * mismatching element (index, got, expected, bound) and the replay command.
 */
export function formatFailure(f: LawFailure): string {
  const worst = f.record.metrics?.worst;
  const lines = [
    `law:        ${f.law}`,
    `backend:    ${f.backend}`,
    `descriptor: ${f.descriptor}`,
    `data mode:  ${f.record.mode}`,
    `seed:       ${f.seed}`,
    `path:       ${f.path}`,
    `verdict:    ${f.record.verdict}${f.record.metrics?.verdict === 'impossible' ? ' (impossible)' : ''}`,
    `message:    ${f.message}`,
    ...(f.record.diagnosis ? [`diagnosis:  ${f.record.diagnosis}`] : []),
  ];
  if (worst) lines.push(`first mismatch: index ${worst.index}, got ${worst.got}, expected ${worst.expected}, bound ${worst.bound}`);
  lines.push(`replay:     ${f.replay}`);
  return lines.join('\n');
}

/** Counts of each verdict among records. */
export function countVerdicts(records: readonly CaseRecord[]): Record<CaseVerdict, number> {
  const counts: Record<CaseVerdict, number> = { pass: 0, fail: 0, unsupported: 0, error: 0, known: 0, weak: 0 };
  for (const r of records) counts[r.verdict]++;
  return counts;
}
