/**
 * Runs one problem on one backend and judges it against the reference: supported or not, an
 * answer or an error (a backend that throws, or takes longer than the time limit, is an error
 * verdict carrying its message, never a crash of convcheck). The reference has the same time
 * limit: from {@link STOPPABLE_REFERENCE_MIN_MACS} it runs on worker threads that the limit ends
 * ("the reference did not finish within 60000 ms"), below it takes milliseconds on this thread.
 */
import type { Backend } from '../problem/backend.ts';
import type { Precision } from '../problem/precision.ts';
import type { ConvProblem } from '../problem/problem.ts';
import type { Tensor } from '../problem/tensor.ts';
import type { ConvResult } from '../reference/conv-result.ts';
import { referenceResult } from './reference-result.ts';
import { denseMultiplications } from '../reference/cost.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { makeOperands, type DataMode } from '../problem/operand-data.ts';
import { callBackend, errorMessage, withinTimeLimit } from './backend-call.ts';
import { convFastParallel, PARALLEL_MIN_MACS } from '../reference/conv-fast-pool.ts';
import { compareToReference, convExactlyComputable } from './tolerance.ts';
import { specialValueJudgement } from './special-values.ts';
import { type Comparison } from './judge.ts';

export { FAST_REFERENCE_MIN_MACS, referenceResult } from './reference-result.ts';

/** The outcome of one case on one backend. */
export type CaseOutcome =
  | { readonly verdict: 'pass' | 'fail'; readonly comparison: Comparison; readonly output: Tensor; readonly reference: ConvResult; readonly timeMs: number }
  | { readonly verdict: 'unsupported'; readonly reason: string; readonly timeMs: number }
  | { readonly verdict: 'error'; readonly message: string; readonly timeMs: number };

/**
 * Multiply-accumulates from which the reference runs where a time limit can stop it (worker
 * threads, reference/conv-fast-pool.ts): below, the fast path takes at most a few milliseconds on
 * the calling thread, and a worker round trip would cost more.
 */
export const STOPPABLE_REFERENCE_MIN_MACS = PARALLEL_MIN_MACS;

/** The message of a reference past its time limit. */
export function referenceLate(ms: number): string {
  return `the reference did not finish within ${ms} ms`;
}

/**
 * {@link referenceResult} within `timeoutMs`: from {@link STOPPABLE_REFERENCE_MIN_MACS} on the fast
 * path's worker threads (every core), which the limit ends; rejects with a TimeLimitError
 * "the reference did not finish within N ms".
 */
export async function referenceResultWithin(p: ConvProblem, operands: ConvOperands, timeoutMs: number): Promise<ConvResult> {
  return withinTimeLimit(timeoutMs, referenceLate, async (signal) => (denseMultiplications(p) >= STOPPABLE_REFERENCE_MIN_MACS
    ? convFastParallel(p, operands, { signal })
    : referenceResult(p, operands)));
}

/** Options of {@link runCase}. */
export interface RunCaseOptions {
  readonly mode: DataMode;
  readonly seed: number;
  /** Precision to judge by; defaults to the backend's declared one. */
  readonly precision?: Precision;
  readonly timeoutMs?: number;
  /** Operands to use instead of drawing them from the seed. */
  readonly operands?: ConvOperands;
  /** A reference result already computed for these operands. */
  readonly reference?: ConvResult;
}

/** Runs `p` on `backend` with seeded operands and compares to the reference. */
export async function runCase(backend: Backend, p: ConvProblem, options: RunCaseOptions): Promise<CaseOutcome> {
  const start = performance.now();
  const elapsed = (): number => performance.now() - start;
  let operands: ConvOperands | undefined;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const outcome = await callBackend(backend, () => backend.supports(p), (call) => {
    operands = options.operands ?? makeOperands(p, options.mode, options.seed);
    return backend.run(p, operands, call);
  }, timeoutMs);
  if (outcome.kind === 'unsupported') return { verdict: 'unsupported', reason: outcome.reason, timeMs: elapsed() };
  if (outcome.kind === 'error') return { verdict: 'error', message: outcome.phase === 'supports' ? `${backend.name}.supports threw: ${outcome.message}` : outcome.message, timeMs: elapsed() };
  const used = operands as ConvOperands;
  let reference: ConvResult;
  try {
    reference = options.reference ?? await referenceResultWithin(p, used, timeoutMs);
  } catch (error) {
    return { verdict: 'error', message: errorMessage(error), timeMs: elapsed() };
  }
  const precision = options.precision ?? backend.precision;
  const comparison = judgeAgainstReference(p, used, reference, outcome.output, precision);
  return { verdict: comparison.verdict === 'pass' ? 'pass' : 'fail', comparison, output: outcome.output, reference, timeMs: elapsed() };
}

/**
 * An output against the reference of `operands`: by the tolerance model, or, when the operands hold
 * NaN or ±Inf, by IEEE 754's special-value rule (compare/special-values.ts), its message led by a
 * note saying so.
 */
export function judgeAgainstReference(p: ConvProblem, operands: ConvOperands, reference: ConvResult, output: Tensor, precision: Precision): Comparison {
  const special = specialValueJudgement(p, operands, precision);
  if (special === undefined) return compareToReference(reference, output, precision, { exact: convExactlyComputable(precision, operands, reference.absSum) });
  const comparison = compareToReference(reference, output, precision, { exact: special.exact, nanAllowed: special.nanAllowed });
  return { ...comparison, message: `${special.note}: ${comparison.message}` };
}
