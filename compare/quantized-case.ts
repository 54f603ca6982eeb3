/**
 * One quantized problem on one backend, judged against the exact reference: the reference's
 * output and allowed outputs (compare/quantized-tolerance.ts), the backend's call through
 * compare/backend-call.ts (support first, time limit, errors), and the integer judgement of
 * compare/judge.ts: `exact`, `tie-neighbour (allowed)`, or fail.
 */
import type { Backend } from '../problem/backend.ts';
import type { QuantizedEvidence } from '../problem/known-discrepancy.ts';
import { checkQuantizedOperands, type IntTensor, type QuantizedConvProblem, type QuantizedOperands } from '../problem/quantized.ts';
import { makeQuantizedOperands, type QuantizedDataMode } from '../problem/quantized-data.ts';
import { convInteger } from '../reference/conv-integer.ts';
import { qlinearConvDetailed } from '../reference/qlinear-conv.ts';
import { callBackend, withinTimeLimit } from './backend-call.ts';
import { referenceLate } from './run-case.ts';
import { quantizedInWorker } from '../reference/conv-fast-pool.ts';
import type { QuantizedJobResult } from '../reference/conv-fast-worker.ts';
import { activeLimits } from '../problem/limits.ts';
import { denseMultiplyAccumulates } from '../problem/shape.ts';
import { judgeIntegers, type Comparison, type IntegerExpectation, type Judged } from './judge.ts';
import { quantizedExpectation } from './quantized-tolerance.ts';

/** The reference's answer to a quantized problem, with what a correct implementation may give. */
export interface QuantizedReference {
  /** The exact output. */
  readonly y: IntTensor;
  /** The exact accumulators (acc + B for QLinearConv). */
  readonly acc: Float64Array;
  /** The allowed outputs per element. */
  readonly expectation: IntegerExpectation;
  /** QLinearConv: the real value `acc·multiplier + y_zp` per element (float64). */
  readonly real?: Float64Array;
  /** Elements whose exact accumulator is outside int32. */
  readonly int32Overflows: number;
}

/** The reference result of ConvInteger or QLinearConv (the readable loops of reference/). */
export function quantizedReferenceResult(p: QuantizedConvProblem, operands: QuantizedOperands): QuantizedReference {
  return withExpectation(p, p.operator === 'ConvInteger' ? { y: convInteger(p, operands) } : qlinearConvDetailed(p, operands));
}

/** A QuantizedReference from what the reference loops gave: the allowed outputs added. */
function withExpectation(p: QuantizedConvProblem, r: QuantizedJobResult): QuantizedReference {
  if (!('acc' in r)) {
    const acc = Float64Array.from(r.y.data);
    return { y: r.y, acc, expectation: quantizedExpectation(p, acc, r.y.data), int32Overflows: 0 };
  }
  return { y: r.y, acc: r.acc, expectation: quantizedExpectation(p, r.acc, r.y.data), real: r.real, int32Overflows: r.int32Overflows };
}

/**
 * Multiply-accumulates from which {@link quantizedReferenceWithin} runs the quantized reference on
 * a worker thread that its time limit can end (its loops run about 0.08 G a second: 2 M is about
 * 25 ms; 2^34, the default --max-macs, over three minutes).
 */
export const STOPPABLE_QUANTIZED_MIN_MACS = 2_000_000;

/**
 * {@link quantizedReferenceResult} within `timeoutMs`: from {@link STOPPABLE_QUANTIZED_MIN_MACS} on
 * a worker thread, which the limit (or an interrupt of the process) ends; rejects with a
 * TimeLimitError "the reference did not finish within N ms". The limits in force are checked before any work.
 */
export async function quantizedReferenceWithin(p: QuantizedConvProblem, operands: QuantizedOperands, timeoutMs: number): Promise<QuantizedReference> {
  if (denseMultiplyAccumulates(p.conv) < STOPPABLE_QUANTIZED_MIN_MACS) return quantizedReferenceResult(p, operands);
  checkQuantizedOperands(p, operands); // here, so that a refusal keeps its class (the worker would send its message only)
  const raw = await withinTimeLimit(timeoutMs, referenceLate, (signal) => quantizedInWorker({ kind: 'quantized', problem: p, operands, limits: activeLimits() }, signal));
  return withExpectation(p, raw);
}

/** A backend's integer output against the allowed outputs of the reference. */
export function compareQuantized(reference: QuantizedReference, got: Judged): Comparison {
  return judgeIntegers(got, reference.expectation);
}

/** The verdict words of a passing quantized comparison: `exact` or `tie-neighbour (allowed)`. */
export function quantizedVerdictWord(c: Comparison): string {
  if (c.verdict !== 'pass') return c.verdict === 'impossible' ? 'fail (impossible)' : c.verdict;
  return c.integers !== undefined && c.integers.allowed > 0 ? `${c.integers.allowance} (allowed)` : 'exact';
}

/** One quantized call of a law on a backend: its output, the exact reference's answer, and the judgement of one against the other. */
export interface QuantizedRun {
  readonly output: IntTensor;
  readonly reference: QuantizedReference;
  readonly comparison: Comparison;
}

/** The outcome of one quantized case on one backend. */
export type QuantizedCaseOutcome =
  | { readonly verdict: 'pass' | 'fail'; readonly comparison: Comparison; readonly output: IntTensor; readonly timeMs: number; readonly evidence: QuantizedEvidence }
  | { readonly verdict: 'unsupported'; readonly reason: string; readonly timeMs: number }
  | { readonly verdict: 'error'; readonly message: string; readonly timeMs: number };

/** Options of {@link runQuantizedCase}. */
export interface RunQuantizedCaseOptions {
  readonly mode: QuantizedDataMode;
  readonly seed: number;
  readonly timeoutMs?: number;
  /** Operands to use instead of drawing them from the seed. */
  readonly operands?: QuantizedOperands;
  /** A reference result already computed for these operands. */
  readonly reference?: QuantizedReference;
}

/** The reason a backend without quantized ops gives. */
export function noQuantizedOps(backend: Backend): string {
  return `${backend.name}: no quantized ops (ConvInteger, QLinearConv)`;
}

/** Runs `p` on `backend`'s quantized ops with seeded operands and judges it against the exact reference. Never throws. */
export async function runQuantizedCase(backend: Backend, p: QuantizedConvProblem, options: RunQuantizedCaseOptions): Promise<QuantizedCaseOutcome> {
  const start = performance.now();
  const elapsed = (): number => performance.now() - start;
  const ops = backend.quantized;
  if (ops === undefined) return { verdict: 'unsupported', reason: noQuantizedOps(backend), timeMs: elapsed() };
  let operands: QuantizedOperands | undefined;
  const outcome = await callBackend(backend, () => ops.supports(p), (call) => {
    operands = options.operands ?? makeQuantizedOperands(p, options.mode, options.seed);
    return ops.run(p, operands, call);
  }, options.timeoutMs ?? 60_000);
  if (outcome.kind === 'unsupported') return { verdict: 'unsupported', reason: outcome.reason, timeMs: elapsed() };
  if (outcome.kind === 'error') return { verdict: 'error', message: outcome.phase === 'supports' ? `${backend.name}.quantized.supports threw: ${outcome.message}` : outcome.message, timeMs: elapsed() };
  const reference = options.reference ?? quantizedReferenceResult(p, operands as QuantizedOperands);
  const comparison = compareQuantized(reference, outcome.output);
  return { verdict: comparison.verdict === 'pass' ? 'pass' : 'fail', comparison, output: outcome.output, timeMs: elapsed(), evidence: { int32Overflows: reference.int32Overflows } };
}
