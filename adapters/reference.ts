/**
 * The reference as a Backend, so that every law runs against it with the same body as against an
 * adapter.
 *
 * A call given an AbortSignal (every call through compare/backend-call.ts, which aborts it at the
 * time limit) runs a problem of {@link STOPPABLE_READABLE_MIN_MACS} or more on a worker thread
 * (reference/conv-fast-pool.ts: the same readable loops), so that the limit can stop it: a
 * `--backend reference` run of a 9.7 G multiply-accumulate layer, minutes of the readable loops,
 * ends at the limit as "reference did not answer within N ms". Smaller problems run on this
 * thread (under about 50 ms), as do calls without a signal.
 */
import { SUPPORTED, type Backend, type CallOptions, type ConvGradients, type QuantizedConvOps } from '../problem/backend.ts';
import { activeLimits } from '../problem/limits.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { denseMultiplyAccumulates } from '../problem/shape.ts';
import type { Tensor } from '../problem/tensor.ts';
import { conv } from '../reference/conv.ts';
import { adjointProblem, convTranspose } from '../reference/conv-transpose.ts';
import { readableInWorker } from '../reference/conv-fast-pool.ts';
import { convWeightGrad } from '../reference/conv-weight-grad.ts';
import { convTransposeInputGradDetailed, convTransposeWeightGradDetailed } from '../reference/conv-transpose-grad.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { convInteger } from '../reference/conv-integer.ts';
import { qlinearConv } from '../reference/qlinear-conv.ts';

/** Multiply-accumulates from which a call with a signal runs on a worker thread (about 50 ms of the readable loops). */
export const STOPPABLE_READABLE_MIN_MACS = 2_000_000;

/** Whether a call runs where its signal can stop it. */
function onWorker(p: ConvProblem, options: CallOptions | undefined): options is { signal: AbortSignal } {
  return options?.signal !== undefined && denseMultiplyAccumulates(p) >= STOPPABLE_READABLE_MIN_MACS;
}

/**
 * The reference's gradients, float64, of Conv and ConvTranspose (the bias plays no part). Conv:
 * `∂L/∂x` is the transposed conv of dy with the same weights (the adjoint,
 * reference/conv-transpose.ts), `∂L/∂w` the weight gradient's own loop (reference/conv-weight-grad.ts).
 * ConvTranspose: both by their own loops over the forward's map (reference/conv-transpose-grad.ts).
 */
export const referenceGradients: ConvGradients = {
  supports: () => SUPPORTED,
  input: async (p, { w }, dy, options) => {
    if (p.op === 'convTranspose') {
      return onWorker(p, options)
        ? (await readableInWorker({ kind: 'readable', op: 'transposeInputGradient', problem: p, w, dy, limits: activeLimits() }, options.signal)).y
        : convTransposeInputGradDetailed(p, w, dy).y;
    }
    const adjoint = adjointProblem(p);
    return onWorker(p, options)
      ? (await readableInWorker({ kind: 'readable', op: 'convTranspose', problem: adjoint, operands: { x: dy, w }, limits: activeLimits() }, options.signal)).y
      : convTranspose(adjoint, { x: dy, w });
  },
  weight: async (p, { x }, dy, options) => {
    const op = p.op === 'conv' ? 'weightGradient' : 'transposeWeightGradient';
    if (onWorker(p, options)) return (await readableInWorker({ kind: 'readable', op, problem: p, x, dy, limits: activeLimits() }, options.signal)).y;
    return p.op === 'conv' ? convWeightGrad(p, x, dy).y : convTransposeWeightGradDetailed(p, x, dy).y;
  },
};

/**
 * The reference's ConvInteger and QLinearConv: exact integer accumulation, exact requantization
 * (reference/conv-integer.ts, reference/qlinear-conv.ts). It supports every valid problem; a
 * ConvInteger whose exact output leaves int32 is refused by the reference itself (an error naming it).
 */
export const referenceQuantized: QuantizedConvOps = {
  supports: () => SUPPORTED,
  run: async (p, operands) => (p.operator === 'ConvInteger' ? convInteger(p, operands) : qlinearConv(p, operands)),
};

/** The float64 reference oracle as a backend. */
export const referenceBackend: Backend = {
  name: 'reference',
  version: '0.1.0',
  precision: 'fp64',
  supports: () => SUPPORTED,
  run: async (p: ConvProblem, operands: ConvOperands, options?: CallOptions): Promise<Tensor> => {
    if (onWorker(p, options)) return (await readableInWorker({ kind: 'readable', op: p.op, problem: p, operands, limits: activeLimits() }, options.signal)).y;
    return p.op === 'conv' ? conv(p, operands) : convTranspose(p, operands);
  },
  gradients: referenceGradients,
  quantized: referenceQuantized,
};
