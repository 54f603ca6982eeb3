/**
 * Counting a report: verdicts per backend and conv type (the matrix), per backend, the worst cases
 * and the distributions of errors. Every writer uses these, so the numbers agree across formats.
 */
import type { Comparison } from '../compare/judge.ts';
import { isQuantizedConvType } from '../problem/conv-types.ts';
import { VERDICTS, type CaseMetrics, type Report, type ReportCase, type Verdict } from './report-model.ts';

/** Counts of each verdict. */
export type VerdictCounts = Record<Verdict, number>;

/** Zero counts. */
function emptyCounts(): VerdictCounts {
  return { pass: 0, fail: 0, known: 0, unsupported: 0, error: 0, weak: 0 };
}

/** Verdict counts of a list of cases. */
export function countVerdicts(cases: readonly ReportCase[]): VerdictCounts {
  const counts = emptyCounts();
  for (const c of cases) counts[c.verdict]++;
  return counts;
}

/** The matrix backend × conv type: counts per cell, with the row and column labels in order. */
export interface VerdictMatrix {
  readonly backends: string[];
  readonly convTypes: string[];
  readonly cells: Map<string, VerdictCounts>;
}

/** Key of a matrix cell. */
export function cellKey(backend: string, convType: string): string {
  return `${backend}\u0000${convType}`;
}

/** Builds the backend × conv type matrix of a report (error inputs have a matrix of their own, {@link errorInputMatrix}). */
export function verdictMatrix(report: Pick<Report, 'backends' | 'cases'>): VerdictMatrix {
  const backends = report.backends.filter((b) => b.available).map((b) => b.name);
  for (const c of report.cases) if (!backends.includes(c.backend)) backends.push(c.backend);
  const cases = report.cases.filter((c) => c.source !== 'error-input');
  const convTypes = [...new Set(cases.map((c) => c.convType))].sort();
  const cells = new Map<string, VerdictCounts>();
  for (const c of cases) {
    const key = cellKey(c.backend, c.convType);
    const counts = cells.get(key) ?? emptyCounts();
    counts[c.verdict]++;
    cells.set(key, counts);
  }
  return { backends, convTypes, cells };
}

/** Verdict counts of each law's cases on each backend: `cells` keyed by cellKey(backend, law name). */
export function lawMatrix(report: Pick<Report, 'backends' | 'cases' | 'laws'>): { laws: Report['laws']; backends: string[]; cells: Map<string, VerdictCounts> } {
  const backends = verdictMatrix({ backends: report.backends, cases: report.cases }).backends;
  const cells = new Map<string, VerdictCounts>();
  for (const c of report.cases) {
    if (c.source !== 'law') continue;
    const key = cellKey(c.backend, c.name);
    const counts = cells.get(key) ?? emptyCounts();
    counts[c.verdict]++;
    cells.set(key, counts);
  }
  return { laws: report.laws, backends, cells };
}

/**
 * The error inputs × backends: for each ill-formed call (its name, descriptor and first message),
 * each backend's case, keyed by cellKey(backend, name). Empty when the report sent none.
 */
export function errorInputMatrix(report: Pick<Report, 'backends' | 'cases'>): { inputs: Array<{ name: string; descriptor: string }>; backends: string[]; cells: Map<string, ReportCase> } {
  const cases = report.cases.filter((c) => c.source === 'error-input');
  const inputs: Array<{ name: string; descriptor: string }> = [];
  const cells = new Map<string, ReportCase>();
  for (const c of cases) {
    if (!inputs.some((i) => i.name === c.name)) inputs.push({ name: c.name, descriptor: c.descriptor });
    cells.set(cellKey(c.backend, c.name), c);
  }
  const backends = verdictMatrix(report).backends.filter((b) => cases.some((c) => c.backend === b));
  return { inputs, backends, cells };
}

/** How an error input's verdict reads: refused, ACCEPTED, error, not sent. */
export function errorInputLabel(verdict: Verdict): string {
  return verdict === 'pass' ? 'refused' : verdict === 'fail' ? 'ACCEPTED' : verdict === 'unsupported' ? 'not sent' : verdict;
}

/** Median and largest `max err/(u·S)` over the passing float cases (undefined when there are none). */
export function normalizedErrorStats(cases: readonly ReportCase[]): { median: number; max: number } | undefined {
  // passing float cases only: a failure's error is in its own line, and integer outputs (the quantized
  // ops) are judged exactly, their metric a count of integer steps rather than a multiple of u·S
  const values = cases.flatMap((c) => (c.metrics && c.verdict === 'pass' && c.metrics.exactElements === undefined ? [c.metrics.maxNormalizedError] : [])).sort((a, b) => a - b);
  if (values.length === 0) return undefined;
  return { median: values[Math.floor((values.length - 1) / 2)], max: values[values.length - 1] };
}

/** The report metrics of a comparison. */
export function metricsOf(c: Comparison): CaseMetrics {
  return {
    maxAbsError: c.maxAbsError, maxRelError: c.maxRelError, maxUlp: c.maxUlp, maxNormalizedError: c.maxNormalizedError, overTolerance: c.overTolerance,
    ...(c.statistics ? { meanSigned: c.statistics.meanSigned, meanSquare: c.statistics.meanSquare } : {}),
    ...(c.integers ? { exactElements: c.integers.exact, allowedElements: c.integers.allowed } : {}),
  };
}

/** Cases of a backend. */
export function casesOf(report: Pick<Report, 'cases'>, backend: string): ReportCase[] {
  return report.cases.filter((c) => c.backend === backend);
}

/**
 * The messages of the cases with `verdict`, each as `normalize` reads it (by default the message
 * itself, '(no reason)' when there is none), with their counts, most frequent first.
 */
export function reasonsOf(
  cases: readonly ReportCase[], verdict: Verdict, normalize: (message: string | undefined) => string = (message) => message ?? '(no reason)',
): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const c of cases) {
    if (c.verdict !== verdict) continue;
    const reason = normalize(c.message);
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

/** Unsupported reasons of a backend with their counts, most frequent first. */
export function unsupportedReasons(cases: readonly ReportCase[]): Array<[string, number]> {
  return reasonsOf(cases, 'unsupported');
}

/** The failing and erroring cases, worst normalized error first. */
export function problemCases(cases: readonly ReportCase[]): ReportCase[] {
  return cases
    .filter((c) => c.verdict === 'fail' || c.verdict === 'error')
    .sort((a, b) => (b.metrics?.maxNormalizedError ?? Infinity) - (a.metrics?.maxNormalizedError ?? Infinity));
}

/** A histogram over log10 of positive values; zeros are counted apart. */
export interface LogHistogram {
  readonly zeros: number;
  /** Bin i covers [10^(minExp+i), 10^(minExp+i+1)). */
  readonly minExp: number;
  readonly bins: number[];
  readonly infinite: number;
}

/** Histogram of a metric over cases that have it (decades from 1e-8 up to 1e8). */
export function logHistogram(values: readonly number[], minExp = -8, maxExp = 8): LogHistogram {
  const bins = new Array<number>(maxExp - minExp).fill(0);
  let zeros = 0, infinite = 0;
  for (const v of values) {
    if (v === 0) zeros++;
    else if (!Number.isFinite(v)) infinite++;
    else bins[Math.min(bins.length - 1, Math.max(0, Math.floor(Math.log10(v)) - minExp))]++;
  }
  return { zeros, minExp, bins, infinite };
}

/** The quantized cases' verdicts, passes split by how they passed: every element exact, or some at an allowed tie-neighbour. */
export interface QuantizedVerdictCounts {
  readonly exact: number;
  readonly tieNeighbour: number;
  readonly fail: number;
  readonly known: number;
  readonly unsupported: number;
  readonly error: number;
  readonly weak: number;
}

/** Counts of the ConvInteger / QLinearConv cases among `cases` (undefined when there are none). */
export function quantizedVerdicts(cases: readonly ReportCase[]): QuantizedVerdictCounts | undefined {
  const quantized = cases.filter((c) => isQuantizedConvType(c.convType));
  if (quantized.length === 0) return undefined;
  const n = countVerdicts(quantized);
  const tieNeighbour = quantized.filter((c) => c.verdict === 'pass' && (c.metrics?.allowedElements ?? 0) > 0).length;
  return { exact: n.pass - tieNeighbour, tieNeighbour, fail: n.fail, known: n.known, unsupported: n.unsupported, error: n.error, weak: n.weak };
}

/** One line of quantized counts: `12 exact, 1 tie-neighbour (allowed), 0 fail, 2 known, 5 unsupported, 0 error, 1 weak`. */
export function formatQuantizedVerdicts(q: QuantizedVerdictCounts): string {
  return `${q.exact} exact, ${q.tieNeighbour} tie-neighbour (allowed), ${q.fail} fail, ${q.known} known, ${q.unsupported} unsupported, ${q.error} error, ${q.weak} weak`;
}

export { VERDICTS };
