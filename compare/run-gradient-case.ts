/**
 * Runs one gradient of one Conv problem on one backend (its `gradients` capability) and judges it
 * against the reference's gradient, as runCase does for a forward problem: unsupported when the
 * backend has no gradients or declines, an error verdict when it throws or times out.
 *
 * Data: x and w as for the forward problem, dy drawn from the seed. Exact data keeps every sum of
 * the gradient exact in float32 (`Σ|dy·x| ≤ 2^24` for dW, `Σ|dy·w| ≤ 2^24` for dX) by drawing dy
 * small enough; where even |dy| ≤ 1 cannot (a weight gradient summing over a large batch and map)
 * the case is judged by the rounding bounds of real data instead, and its message says so.
 */
import type { Backend, GradientPart } from '../problem/backend.ts';
import { drawTensor, exactRanges, makeOperands, type DataMode } from '../problem/operand-data.ts';
import type { Precision } from '../problem/precision.ts';
import { withChanges, type ConvProblem } from '../problem/problem.ts';
import { denseMultiplyAccumulates, outputSpatialShape, outputTensorShape, sizeOf } from '../problem/shape.ts';
import type { Tensor } from '../problem/tensor.ts';
import type { ConvResult } from '../reference/conv-result.ts';
import { adjointProblem, convTransposeDetailed } from '../reference/conv-transpose.ts';
import { convWeightGradDetailed } from '../reference/conv-weight-grad.ts';
import { convTransposeInputGradDetailed, convTransposeWeightGradDetailed } from '../reference/conv-transpose-grad.ts';
import { activeLimits } from '../problem/limits.ts';
import { convFastParallel, readableInWorker } from '../reference/conv-fast-pool.ts';
import { callBackend, errorMessage, withinTimeLimit } from './backend-call.ts';
import { referenceLate, STOPPABLE_REFERENCE_MIN_MACS, type CaseOutcome } from './run-case.ts';
import { compareToReference, exactlyComputable } from './tolerance.ts';

/** Largest sum of integer magnitudes that float32 holds exactly. */
const EXACT_LIMIT = 2 ** 24;

/** Options of {@link runGradientCase}. */
export interface RunGradientCaseOptions {
  readonly mode: DataMode;
  readonly seed: number;
  /** Precision to judge by; defaults to the backend's declared one. */
  readonly precision?: Precision;
  readonly timeoutMs?: number;
}

/** The operands of a gradient case: x, w (float32, no bias) and dy, with whether exact data keeps its sums exact. */
export function gradientOperands(p: ConvProblem, part: GradientPart, mode: DataMode, seed: number): { x: Tensor; w: Tensor; dy: Tensor<Float32Array>; exact: boolean } {
  const { x, w } = makeOperands(p, mode, seed);
  const { xMax, wMax } = exactRanges(p);
  // terms of one gradient element: dW sums over batch and output positions, dX over output channels of a group and taps
  const terms = part === 'weight' ? p.batch * sizeOf(outputSpatialShape(p)) : (p.outChannels / p.group) * sizeOf(p.kernelShape);
  const dyMax = Math.min(8, Math.floor(EXACT_LIMIT / (terms * (part === 'weight' ? xMax : wMax))));
  // dy in the case's data mode, as the gradient laws draw it, its integers within the exact range
  const dy = drawTensor(outputTensorShape(p), mode, seed ^ 0x5bd1e995, Math.max(1, dyMax));
  return { x, w, dy, exact: mode === 'exact' && dyMax >= 1 };
}

/**
 * The reference gradient `part` of `p` with S and n per element. Conv: dX the adjoint (transposed
 * conv of dy), dW its own loop; ConvTranspose: both their own loops (reference/conv-transpose-grad.ts).
 */
export function referenceGradient(p: ConvProblem, part: GradientPart, x: Tensor, w: Tensor, dy: Tensor): ConvResult {
  if (p.op === 'convTranspose') return part === 'input' ? convTransposeInputGradDetailed(p, w, dy) : convTransposeWeightGradDetailed(p, x, dy);
  return part === 'input' ? convTransposeDetailed(adjointProblem(p), { x: dy, w }) : convWeightGradDetailed(p, x, dy);
}

/**
 * {@link referenceGradient} within `timeoutMs`: from STOPPABLE_REFERENCE_MIN_MACS on a worker thread
 * the limit ends (dX on the fast path's workers, dW the readable loop on a worker); rejects with
 * "the reference did not finish within N ms".
 */
export async function referenceGradientWithin(p: ConvProblem, part: GradientPart, x: Tensor, w: Tensor, dy: Tensor, timeoutMs: number): Promise<ConvResult> {
  return withinTimeLimit(timeoutMs, referenceLate, async (signal) => {
    if (denseMultiplyAccumulates(p) < STOPPABLE_REFERENCE_MIN_MACS) return referenceGradient(p, part, x, w, dy);
    return part === 'input'
      ? convFastParallel(adjointProblem(p), { x: dy, w }, { signal })
      : readableInWorker({ kind: 'readable', op: 'weightGradient', problem: p, x, dy, limits: activeLimits() }, signal);
  });
}

/** Runs `part` of Conv problem `p`'s gradient on `backend` and compares it to the reference. */
export async function runGradientCase(backend: Backend, problem: ConvProblem, part: GradientPart, options: RunGradientCaseOptions): Promise<CaseOutcome> {
  const start = performance.now();
  const elapsed = (): number => performance.now() - start;
  const p = problem.bias ? withChanges(problem, { bias: false }) : problem;
  const gradients = backend.gradients;
  if (p.op !== 'conv') return { verdict: 'unsupported', reason: `gradients are taken of Conv problems, but op=${p.op}`, timeMs: elapsed() };
  if (gradients === undefined) return { verdict: 'unsupported', reason: 'backend has no gradients', timeMs: elapsed() };
  const { x, w, dy, exact } = gradientOperands(p, part, options.mode, options.seed);
  const outcome = await callBackend(backend, () => gradients.supports(p, part),
    (call) => (part === 'input' ? gradients.input(p, { x, w }, dy, call) : gradients.weight(p, { x, w }, dy, call)), options.timeoutMs ?? 60_000);
  if (outcome.kind === 'unsupported') return { verdict: 'unsupported', reason: outcome.reason, timeMs: elapsed() };
  if (outcome.kind === 'error') return { verdict: 'error', message: outcome.phase === 'supports' ? `${backend.name}.gradients.supports threw: ${outcome.message}` : outcome.message, timeMs: elapsed() };
  const output = outcome.output;
  let reference: ConvResult;
  try {
    reference = await referenceGradientWithin(p, part, x, w, dy, options.timeoutMs ?? 60_000);
  } catch (error) {
    return { verdict: 'error', message: errorMessage(error), timeMs: elapsed() };
  }
  const precision = options.precision ?? backend.precision;
  const judged = compareToReference(reference, output, precision, { exact: exact && exactlyComputable(precision, part === 'input' ? [[dy, w]] : [[x, dy]], [], reference.absSum) });
  const comparison = options.mode === 'exact' && !exact
    ? { ...judged, message: `${judged.message} (integer data, but its sums exceed 2^24 even with |dy| <= 1: judged by the rounding bound)` }
    : judged;
  return { verdict: comparison.verdict === 'pass' ? 'pass' : 'fail', comparison, output, reference, timeMs: elapsed() };
}
