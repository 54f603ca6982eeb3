/**
 * The suite both `gate` and `report` run on a backend: the property laws (properties/runner.ts),
 * the golden corpus (Conv / ConvTranspose cases, then the quantized ConvInteger / QLinearConv
 * cases on the backend's quantized ops) and the cases of a benchdnn batch file (`--batch`), turned
 * into report cases.
 */
import type { Backend } from '../problem/backend.ts';
import type { Precision } from '../problem/precision.ts';
import { matchKnownDiscrepancy, matchKnownQuantizedDiscrepancy } from '../problem/known-discrepancy.ts';
import { runQuantizedCase } from '../compare/quantized-case.ts';
import { quantizedCorpusCases, type QuantizedGoldenCase } from '../golden/quantized-cases.ts';
import { runCase } from '../compare/run-case.ts';
import type { Comparison } from '../compare/judge.ts';
import { corpusCases, type CorpusName } from '../golden/corpus.ts';
import type { GoldenCase } from '../golden/golden-case.ts';
import { lawByName } from '../properties/laws/index.ts';
import { runLaws, type CaseRecord, type LawFailure } from '../properties/runner.ts';
import { shellQuote } from '../adapters/shell-quote.ts';
import type { ReportCase } from '../reports/report-model.ts';
import { metricsOf } from '../reports/summary.ts';
import type { Tensor } from '../problem/tensor.ts';
import type { ConvResult } from '../reference/conv-result.ts';
import type { BatchCase } from '../problem/batch-file.ts';
import { runBatchCase, runReplay, shardCases } from './batch.ts';
import { errorInputOperator, runErrorInputs, type ErrorInputRecord } from '../properties/error-inputs.ts';
import { activeLimits, limitFlags, resourceLimitError } from '../problem/limits.ts';

/** What to run. */
export interface SuiteOptions {
  readonly backend: Backend;
  /** How replay commands name the backend (`cmd:"..."`, a path, or the built-in name). */
  readonly backendArg: string;
  readonly numRuns: number;
  readonly seed: number;
  readonly precision?: Precision;
  readonly convTypes?: readonly string[];
  readonly shard?: { readonly index: number; readonly count: number };
  readonly lawNames?: readonly string[];
  readonly path?: string;
  readonly golden: CorpusName | 'none';
  /** Cases of a benchdnn batch file, each run on exact and real data (sharded like the golden corpus). */
  readonly batch?: readonly BatchCase[];
  readonly timeoutMs?: number;
  /** Also send the ill-formed calls of problem/error-inputs.ts, which the backend must refuse (`--error-inputs`). */
  readonly errorInputs?: boolean;
  /** Called after each law or golden case with a short label. */
  readonly onStep?: (label: string, record: ReportCase) => void;
  /** Called with each golden case's output, to keep the worst ones' error pictures. */
  readonly onGoldenOutput?: (c: GoldenCase, output: Tensor, comparison: Comparison, reference: ConvResult) => void;
}

/** What a suite run found. */
export interface SuiteResult {
  readonly cases: ReportCase[];
  readonly lawFailures: LawFailure[];
}


/** A law case record as a report case. */
function lawCase(r: CaseRecord): ReportCase {
  return {
    source: 'law', name: r.law, backend: r.backend, convType: r.convType, descriptor: r.descriptor, verdict: r.verdict,
    ...(r.metrics ? { metrics: metricsOf(r.metrics) } : {}), ...(r.message ? { message: r.message } : {}), ...(r.diagnosis ? { diagnosis: r.diagnosis } : {}),
    replay: r.replay, timeMs: r.timeMs,
  };
}

/** An error input's record as a report case (`pass`: refused; `fail`: accepted). */
export function errorInputCase(r: ErrorInputRecord, backendArg: string, timeoutMs?: number): ReportCase {
  return {
    source: 'error-input', name: `error input ${r.input.id}`, backend: r.backend, convType: `error input: ${errorInputOperator(r.input)}`,
    descriptor: r.input.descriptor, verdict: r.verdict, message: r.message, timeMs: r.timeMs,
    replay: ['npx convcheck gate --backend', shellQuote(backendArg), '--error-inputs --golden none --num-runs 1', ...limitFlags(timeoutMs)].join(' '),
  };
}

/** The `run` command that replays one golden case on the backend, under the run's limits and, for a float case, its --precision (a quantized one is judged exactly). */
function goldenReplay(g: { readonly descriptor: string; readonly mode: string; readonly seed: number }, o: SuiteOptions, precision: Precision | undefined): string {
  return runReplay({ descriptor: g.descriptor, mode: g.mode, seed: g.seed, backendArg: o.backendArg, ...(precision ? { precision } : {}), ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) });
}

/** Golden cases (float or quantized) that the conv-type filter and the shard keep. */
function selectGolden<C extends { readonly type: string }>(cases: readonly C[], convTypes?: readonly string[], shard?: { index: number; count: number }): C[] {
  return shardCases(cases.filter((c) => convTypes === undefined || convTypes.includes(c.type)), shard);
}

/** Runs the laws and the golden corpus on one backend. */
export async function runSuite(o: SuiteOptions): Promise<SuiteResult> {
  const cases: ReportCase[] = [];
  const laws = o.lawNames?.map(lawByName);
  const result = await runLaws({
    backend: o.backend, backendArg: o.backendArg, numRuns: o.numRuns, seed: o.seed, 
    ...(laws ? { laws } : {}), ...(o.precision ? { precision: o.precision } : {}), ...(o.convTypes ? { convTypes: o.convTypes } : {}),
    ...(o.shard ? { shard: o.shard } : {}), ...(o.path !== undefined ? { path: o.path } : {}), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    onCase: (r) => { const c = lawCase(r); cases.push(c); o.onStep?.(r.law, c); },
  });
  if (o.path === undefined && laws === undefined) {
    for (const g of selectGolden(o.golden === 'none' ? [] : corpusCases(o.golden), o.convTypes, o.shard)) {
      const overLimit = resourceLimitError(g.problem, activeLimits(), `golden ${g.name} (${g.descriptor})`);
      if (overLimit !== undefined) {
        const c: ReportCase = { source: 'golden', name: `golden ${g.name}`, backend: o.backend.name, convType: g.type, descriptor: g.descriptor, timeMs: 0, verdict: 'error', message: overLimit.message };
        cases.push(c);
        o.onStep?.(c.name, c);
        continue;
      }
      const outcome = await runCase(o.backend, g.problem, { mode: g.mode, seed: g.seed, ...(o.precision ? { precision: o.precision } : {}), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) });
      const base = { source: 'golden' as const, name: `golden ${g.name}`, backend: o.backend.name, convType: g.type, descriptor: g.descriptor, timeMs: outcome.timeMs, replay: goldenReplay(g, o, o.precision) };
      let c: ReportCase;
      if (outcome.verdict === 'unsupported') c = { ...base, verdict: 'unsupported', message: outcome.reason };
      else if (outcome.verdict === 'error') c = { ...base, verdict: 'error', message: outcome.message };
      else {
        const known = outcome.verdict === 'fail' ? matchKnownDiscrepancy(o.backend.knownDiscrepancies, g.problem) : undefined;
        c = { ...base, verdict: known ? 'known' : outcome.verdict, metrics: metricsOf(outcome.comparison), message: known ? `known discrepancy ${known.id}: ${outcome.comparison.message}` : outcome.comparison.message };
        o.onGoldenOutput?.(g, outcome.output, outcome.comparison, outcome.reference);
      }
      cases.push(c);
      o.onStep?.(c.name, c);
    }
    for (const b of shardCases(o.batch ?? [], o.shard)) {
      const [c] = await runBatchCase([o.backend], b, {
        seed: o.seed, backendArg: () => o.backendArg, ...(o.precision ? { precision: o.precision } : {}), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
      });
      cases.push(c);
      o.onStep?.(`batch ${c.name}`, c);
    }
  }
  if (o.path === undefined && laws === undefined) {
    for (const g of selectGolden(o.golden === 'none' ? [] : quantizedCorpusCases(o.golden), o.convTypes, o.shard)) {
      const c = await quantizedGoldenCase(o, g);
      cases.push(c);
      o.onStep?.(c.name, c);
    }
  }
  if (o.errorInputs === true) {
    for (const r of await runErrorInputs(o.backend, { ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) })) {
      const c = errorInputCase(r, o.backendArg, o.timeoutMs);
      cases.push(c);
      o.onStep?.('error inputs', c);
    }
  }
  return { cases, lawFailures: result.failures };
}

/** One quantized golden case on the backend's quantized ops, as a report case: exact, tie-neighbour (allowed), or fail. */
async function quantizedGoldenCase(o: SuiteOptions, g: QuantizedGoldenCase): Promise<ReportCase> {
  const outcome = await runQuantizedCase(o.backend, g.problem, { mode: g.mode, seed: g.seed, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) });
  const base = {
    source: 'golden' as const, name: `golden ${g.name}`, backend: o.backend.name, convType: g.type, descriptor: g.descriptor, timeMs: outcome.timeMs,
    replay: goldenReplay(g, o, undefined),
  };
  if (outcome.verdict === 'unsupported') return { ...base, verdict: 'unsupported', message: outcome.reason };
  if (outcome.verdict === 'error') return { ...base, verdict: 'error', message: outcome.message };
  const known = outcome.verdict === 'fail' ? matchKnownQuantizedDiscrepancy(o.backend.knownDiscrepancies, g.problem, outcome.evidence) : undefined;
  return {
    ...base, verdict: known ? 'known' : outcome.verdict, metrics: metricsOf(outcome.comparison),
    message: known ? `known discrepancy ${known.id}: ${outcome.comparison.message}` : outcome.comparison.message,
  };
}
