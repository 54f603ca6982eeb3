/**
 * The cases of a benchdnn batch file (problem/batch-file.ts) on backends: each case against the
 * reference on exact and on real data, its verdict the worse of the two, named by its benchdnn
 * name. Used by `run --batch` (every backend, one line per case and backend) and by `gate` /
 * `report --batch` (report cases next to the laws and the golden corpus).
 */
import type { Backend } from '../problem/backend.ts';
import type { Precision } from '../problem/precision.ts';
import type { DataMode } from '../problem/operand-data.ts';
import { formatDescriptor } from '../problem/descriptor.ts';
import type { BatchCase } from '../problem/batch-file.ts';
import { activeLimits, DEFAULT_TIMEOUT_MS, limitFlags, resourceLimitError } from '../problem/limits.ts';
import { matchKnownDiscrepancy } from '../problem/known-discrepancy.ts';
import { referenceResultWithin, runCase, type CaseOutcome } from '../compare/run-case.ts';
import type { ConvResult } from '../reference/conv-result.ts';
import { makeOperands } from '../problem/operand-data.ts';
import { runGradientCase } from '../compare/run-gradient-case.ts';
import { convTypeOf } from '../problem/conv-types.ts';
import { shellQuote } from '../adapters/shell-quote.ts';
import type { ReportCase, Verdict } from '../reports/report-model.ts';
import { formatNumber } from '../reports/markdown.ts';
import { metricsOf } from '../reports/summary.ts';

/** The data modes every batch case runs on. */
export const BATCH_MODES: readonly DataMode[] = ['exact', 'real'];

/** How batch cases run. */
export interface BatchRunOptions {
  readonly seed: number;
  readonly modes?: readonly DataMode[];
  readonly precision?: Precision;
  readonly timeoutMs?: number;
  /** How replay commands name a backend (`cmd:"..."`, a path, or the built-in name, the default). */
  readonly backendArg?: (backend: Backend) => string;
}

/** The cases a shard keeps: the k-th case goes to shard k mod N, as the golden corpus does. */
export function shardCases<T>(cases: readonly T[], shard?: { readonly index: number; readonly count: number }): T[] {
  return cases.filter((_, k) => shard === undefined || k % shard.count === shard.index);
}

/** Verdicts from worst to best: the case's verdict is the first one any mode has. */
const SEVERITY: readonly Verdict[] = ['error', 'fail', 'known', 'unsupported', 'pass'];

/** One mode's outcome as a verdict, a known discrepancy routing a failure to `known`. */
function verdictOf(backend: Backend, c: BatchCase, outcome: CaseOutcome): { verdict: Verdict; message: string; knownId?: string } {
  if (outcome.verdict === 'unsupported') return { verdict: 'unsupported', message: outcome.reason };
  if (outcome.verdict === 'error') return { verdict: 'error', message: outcome.message };
  if (outcome.verdict === 'pass') return { verdict: 'pass', message: outcome.comparison.message };
  const known = matchKnownDiscrepancy(backend.knownDiscrepancies, c.problem, c.kind === 'weight-gradient' ? 'weight' : undefined);
  const shown = outcome.comparison.verdict === 'impossible' ? 'fail (impossible)' : 'fail';
  return known
    ? { verdict: 'known', message: `known discrepancy ${known.id}: ${outcome.comparison.message}`, knownId: known.id }
    : { verdict: 'fail', message: `${shown}: ${outcome.comparison.message}` };
}

/**
 * The `run` command that replays one case (a golden or batch case) on one backend, with the
 * run's --precision (float cases only: quantized ones are judged exactly) and its limits.
 */
export function runReplay(r: { readonly descriptor: string; readonly gradient?: 'weight'; readonly mode: string; readonly seed: number; readonly backendArg: string; readonly precision?: Precision; readonly timeoutMs?: number }): string {
  return [
    'npx convcheck run', shellQuote(r.descriptor), ...(r.gradient ? ['--gradient', r.gradient] : []), '--mode', r.mode, '--seed', String(r.seed), '--backend', shellQuote(r.backendArg),
    ...(r.precision ? ['--precision', r.precision] : []), ...limitFlags(r.timeoutMs),
  ].join(' ');
}

/** The command that replays one batch case on one backend: `run` of its problem (of its weight gradient, for BWD_W). */
function replayOf(c: BatchCase, mode: DataMode, seed: number, backendArg: string, options: { readonly timeoutMs?: number; readonly precision?: Precision }): string {
  return runReplay({ descriptor: formatDescriptor(c.problem), ...(c.kind === 'weight-gradient' ? { gradient: 'weight' as const } : {}), mode, seed, backendArg, ...(options.precision ? { precision: options.precision } : {}), ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) });
}

/**
 * Runs one case on each backend on each data mode and returns a report case per backend: source
 * `batch`, named by the benchdnn name, the verdict the worst of the modes, the metrics and replay
 * of the mode that decided it. A forward case's operands and reference are computed once per mode
 * and shared by the backends.
 */
export async function runBatchCase(backends: readonly Backend[], c: BatchCase, options: BatchRunOptions): Promise<ReportCase[]> {
  const descriptor = formatDescriptor(c.problem);
  const base = (backend: Backend) => ({ source: 'batch' as const, name: c.name, backend: backend.name, convType: convTypeOf(c.problem), descriptor });
  // before the operands are drawn: every tensor and the multiply-accumulates against the limits in force
  const overLimit = resourceLimitError(c.problem, activeLimits(), c.name);
  if (overLimit !== undefined) {
    const message = `${c.file}:${c.line}: ${overLimit.message}${c.problem.batch > 1 ? ' (a smaller --mb may fit)' : ''}`;
    return backends.map((b) => ({ ...base(b), verdict: 'error' as const, message, timeMs: 0 }));
  }
  type Judged = { mode: DataMode; outcome: CaseOutcome; verdict: Verdict; message: string };
  const judged: Judged[][] = backends.map(() => []);
  for (const mode of options.modes ?? BATCH_MODES) {
    const run = { mode, seed: options.seed, ...(options.precision ? { precision: options.precision } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) };
    const operands = c.kind === 'forward' ? makeOperands(c.problem, mode, options.seed) : undefined;
    // the reference within the time limit, once for every backend; past it, each backend's verdict is that error
    let reference: ConvResult | undefined, referenceError: CaseOutcome | undefined;
    const started = performance.now();
    if (operands !== undefined) {
      try {
        reference = await referenceResultWithin(c.problem, operands, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      } catch (error) {
        referenceError = { verdict: 'error', message: error instanceof Error ? error.message : String(error), timeMs: performance.now() - started };
      }
    }
    for (const [k, backend] of backends.entries()) {
      const outcome = referenceError ?? (operands !== undefined && reference !== undefined
        ? await runCase(backend, c.problem, { ...run, operands, reference })
        : await runGradientCase(backend, c.problem, 'weight', run));
      judged[k].push({ mode, outcome, ...verdictOf(backend, c, outcome) });
    }
  }
  const what = c.kind === 'weight-gradient' ? 'weight gradient' : c.direction === 'BWD_D' ? 'data gradient (its adjoint problem, forward)' : 'forward';
  return backends.map((backend, k) => {
    // the worst mode decides, exact data first (a bit-exact mismatch says the most); among passes
    // real data, whose normalized error says the most
    const ordered = judged[k].every((j) => j.verdict === 'pass') ? [...judged[k]].reverse() : judged[k];
    const worst = [...ordered].sort((a, b) => SEVERITY.indexOf(a.verdict) - SEVERITY.indexOf(b.verdict))[0];
    const summary = (j: Judged): string => ('comparison' in j.outcome
      ? `${j.mode}: ${j.mode === 'exact' ? `max ULP ${formatNumber(j.outcome.comparison.maxUlp)}` : `max err/(u·S) ${formatNumber(j.outcome.comparison.maxNormalizedError)}`}`
      : `${j.mode}: ${j.message}`);
    const message = worst.verdict === 'pass'
      ? `${what}; ${judged[k].map(summary).join('; ')}`
      : `${what}; ${worst.mode} data: ${worst.message}`;
    return {
      ...base(backend), verdict: worst.verdict, message, timeMs: judged[k].reduce((t, j) => t + j.outcome.timeMs, 0),
      ...('comparison' in worst.outcome ? { metrics: metricsOf(worst.outcome.comparison) } : {}),
      replay: replayOf(c, worst.mode, options.seed, options.backendArg?.(backend) ?? backend.name, options),
    };
  });
}
