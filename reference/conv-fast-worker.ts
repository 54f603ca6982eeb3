/**
 * The worker thread of reference/conv-fast-pool.ts. It runs what it is sent and answers each
 * message with `{ ok: true, ... }` or `{ ok: false, message }`, and `{ ready: true }` once loaded:
 * - a share of a parallel fast-path run (reference/conv-fast-kernel.ts, the only module it loads
 *   at start), answered `{ ok: true }` (the output is in shared memory);
 * - a quantized reference op (`kind: 'quantized'`: ConvInteger or QLinearConv, loaded on the first
 *   such job), answered with its result;
 * - a readable reference op (`kind: 'readable'`: Conv, ConvTranspose, Conv's weight gradient or
 *   ConvTranspose's gradients, the loops of reference/conv.ts, conv-transpose.ts,
 *   conv-weight-grad.ts, conv-transpose-grad.ts, loaded on the first such job), answered with its result. Run here, the op can be stopped: the pool ends the thread.
 * Only the pool starts it (workerData marks it), so importing this module anywhere else does nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ConvOperands } from '../problem/operands.ts';
import type { ConvProblem } from '../problem/problem.ts';
import type { ResourceLimits } from '../problem/limits.ts';
import type { Tensor } from '../problem/tensor.ts';
import type { IntTensor, QuantizedConvProblem, QuantizedOperands } from '../problem/quantized.ts';
import type { QLinearConvResult } from './qlinear-conv.ts';
import type { ConvResult } from './conv-result.ts';
import { runFastJob, type FastJob } from './conv-fast-kernel.ts';

/** The workerData the pool starts its workers with. */
export const FAST_WORKER_MARK = 'convcheck-fast-conv-worker';

/** A readable reference op to run on the worker. */
export type ReadableJob =
  | { readonly kind: 'readable'; readonly op: 'conv' | 'convTranspose'; readonly problem: ConvProblem; readonly operands: ConvOperands; readonly limits: ResourceLimits }
  | { readonly kind: 'readable'; readonly op: 'weightGradient' | 'transposeWeightGradient'; readonly problem: ConvProblem; readonly x: Tensor; readonly dy: Tensor; readonly limits: ResourceLimits }
  | { readonly kind: 'readable'; readonly op: 'transposeInputGradient'; readonly problem: ConvProblem; readonly w: Tensor; readonly dy: Tensor; readonly limits: ResourceLimits };

/** A quantized reference op (ConvInteger or QLinearConv, by `problem.operator`) to run on the worker. */
export interface QuantizedJob {
  readonly kind: 'quantized';
  readonly problem: QuantizedConvProblem;
  readonly operands: QuantizedOperands;
  readonly limits: ResourceLimits;
}

/** What a {@link QuantizedJob} answers: ConvInteger's output, or QLinearConv's detailed result. */
export type QuantizedJobResult = { readonly y: IntTensor } | QLinearConvResult;

/** Runs a quantized job with the limits in force in the process that sent it. */
async function runQuantized(job: QuantizedJob): Promise<QuantizedJobResult> {
  const [{ setActiveLimits }, { convInteger }, { qlinearConvDetailed }] = await Promise.all([
    import('../problem/limits.ts'), import('./conv-integer.ts'), import('./qlinear-conv.ts'),
  ]);
  setActiveLimits(job.limits);
  return job.problem.operator === 'ConvInteger' ? { y: convInteger(job.problem, job.operands) } : qlinearConvDetailed(job.problem, job.operands);
}

/** Runs a readable job with the limits in force in the process that sent it. */
async function runReadable(job: ReadableJob): Promise<ConvResult> {
  const [{ setActiveLimits }, { convDetailed }, { convTransposeDetailed }, { convWeightGradDetailed }, transposeGrad] = await Promise.all([
    import('../problem/limits.ts'), import('./conv.ts'), import('./conv-transpose.ts'), import('./conv-weight-grad.ts'), import('./conv-transpose-grad.ts'),
  ]);
  setActiveLimits(job.limits);
  switch (job.op) {
    case 'weightGradient': return convWeightGradDetailed(job.problem, job.x, job.dy);
    case 'transposeWeightGradient': return transposeGrad.convTransposeWeightGradDetailed(job.problem, job.x, job.dy);
    case 'transposeInputGradient': return transposeGrad.convTransposeInputGradDetailed(job.problem, job.w, job.dy);
    case 'conv': return convDetailed(job.problem, job.operands);
    case 'convTranspose': return convTransposeDetailed(job.problem, job.operands);
  }
}

const port = parentPort;
if (port !== null && (workerData as { mark?: unknown } | null)?.mark === FAST_WORKER_MARK) {
  port.on('message', (job: FastJob | ReadableJob | QuantizedJob) => {
    // a refused input says what the caller got wrong (its message alone); anything else is a bug here, with its stack
    const refused = (error: Error): boolean => error.name === 'ConvInputError' || error.name === 'ResourceLimitError';
    const fail = (error: unknown): void => port.postMessage({ ok: false, message: error instanceof Error ? (refused(error) ? error.message : error.stack ?? error.message) : String(error) });
    if ('kind' in job && job.kind === 'quantized') {
      runQuantized(job).then((result) => port.postMessage({ ok: true, result }), fail);
      return;
    }
    if ('kind' in job) {
      runReadable(job).then((result) => {
        port.postMessage({ ok: true, result }, [result.y.data.buffer, result.absSum.buffer, result.terms.buffer] as ArrayBuffer[]);
      }, fail);
      return;
    }
    try {
      runFastJob(job);
      port.postMessage({ ok: true });
    } catch (error) {
      fail(error);
    }
  });
  port.postMessage({ ready: true });
}
