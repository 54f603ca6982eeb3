/**
 * Runs one problem on one backend and judges it against the reference: supported or not, an
 * answer or an error (a backend that throws, or takes longer than the time limit, is an error
 * verdict carrying its message, never a crash of convcheck).
 */
import { isUnsupportedError, type Backend } from '../problem/backend.ts';
import type { Precision } from '../problem/precision.ts';
import type { ConvProblem } from '../problem/problem.ts';
import type { Tensor } from '../problem/tensor.ts';
import type { ConvResult } from '../reference/conv-result.ts';
import { convDetailed } from '../reference/conv.ts';
import { convTransposeDetailed } from '../reference/conv-transpose.ts';
import { convFastDetailed } from '../reference/conv-fast.ts';
import { denseMultiplications } from '../reference/cost.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { makeOperands, type DataMode } from '../problem/operand-data.ts';
import { compareToReference, type Comparison } from './tolerance.ts';

/** The outcome of one case on one backend. */
export type CaseOutcome =
  | { readonly verdict: 'pass' | 'fail'; readonly comparison: Comparison; readonly output: Tensor; readonly timeMs: number }
  | { readonly verdict: 'unsupported'; readonly reason: string; readonly timeMs: number }
  | { readonly verdict: 'error'; readonly message: string; readonly timeMs: number };

/**
 * Dense multiply-accumulates from which {@link referenceResult} takes the reference's fast path
 * (reference/conv-fast.ts, held to the readable loops by properties/reference-fast.test.ts): the
 * law suite's small problems stay on the readable loops, network layers and golden fixtures do not
 * wait for them.
 */
export const FAST_REFERENCE_MIN_MACS = 1_000_000;

/**
 * The reference result (value, S and n) of a problem: the readable loops below
 * {@link FAST_REFERENCE_MIN_MACS}, the fast path (on this thread) from there on.
 */
export function referenceResult(p: ConvProblem, operands: ConvOperands): ConvResult {
  if (denseMultiplications(p) >= FAST_REFERENCE_MIN_MACS) return convFastDetailed(p, operands);
  return p.op === 'conv' ? convDetailed(p, operands) : convTransposeDetailed(p, operands);
}

/** Rejects after `ms` milliseconds unless `promise` settles first. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
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
  let support;
  try {
    support = backend.supports(p);
  } catch (error) {
    return { verdict: 'error', message: `${backend.name}.supports threw: ${error instanceof Error ? error.message : String(error)}`, timeMs: elapsed() };
  }
  if (!support.supported) return { verdict: 'unsupported', reason: support.reason, timeMs: elapsed() };
  const operands = options.operands ?? makeOperands(p, options.mode, options.seed);
  const reference = options.reference ?? referenceResult(p, operands);
  let output: Tensor;
  try {
    output = await withTimeout(backend.run(p, operands), options.timeoutMs ?? 60_000, backend.name);
  } catch (error) {
    if (isUnsupportedError(error)) return { verdict: 'unsupported', reason: error.message, timeMs: elapsed() };
    return { verdict: 'error', message: error instanceof Error ? error.message : String(error), timeMs: elapsed() };
  }
  const comparison = compareToReference(reference, output, options.precision ?? backend.precision, options.mode);
  return { verdict: comparison.verdict === 'pass' ? 'pass' : 'fail', comparison, output, timeMs: elapsed() };
}
