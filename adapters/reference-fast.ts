/**
 * The fast path of the reference (reference/conv-fast.ts, on every core through
 * reference/conv-fast-pool.ts) as a backend of its own, `reference-fast`, so that every law runs on
 * it with the same bodies as on the readable `reference` and on every adapter; its property test
 * (properties/reference-fast.test.ts) holds it to the readable loops within float64 rounding.
 */
import { SUPPORTED, unsupported, UnsupportedError, type Backend, type CallOptions, type ConvGradients, type GradientPart, type Support } from '../problem/backend.ts';
import type { ConvProblem } from '../problem/problem.ts';
import type { Tensor } from '../problem/tensor.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { adjointProblem } from '../reference/conv-transpose.ts';
import { closeFastConvPool, convFastParallel } from '../reference/conv-fast-pool.ts';

/** Backend name. */
export const REFERENCE_FAST_NAME = 'reference-fast';

/**
 * Only Conv's input gradient has a fast path (the transposed conv of dy, the adjoint); Conv's
 * weight gradient and ConvTranspose's gradients are the readable reference's own loops, checked on
 * `reference`.
 */
function gradientSupport(p: ConvProblem, part: GradientPart): Support {
  if (p.op !== 'conv') return unsupported(`${REFERENCE_FAST_NAME}: ConvTranspose's gradients have no fast path (the readable reference's are checked on reference).`);
  return part === 'input' ? SUPPORTED : unsupported(`${REFERENCE_FAST_NAME}: the weight gradient has no fast path (the readable reference's is checked on reference).`);
}

const fastGradients: ConvGradients = {
  supports: gradientSupport,
  input: async (p, { w }, dy, options) => (await convFastParallel(adjointProblem(p), { x: dy, w }, { ...(options?.signal ? { signal: options.signal } : {}) })).y,
  weight: async () => { throw new UnsupportedError(`${REFERENCE_FAST_NAME}: the weight gradient has no fast path.`); },
};

/** The fast float64 reference as a backend; dispose ends its worker threads. */
export const referenceFastBackend: Backend = {
  name: REFERENCE_FAST_NAME,
  version: '0.1.0',
  precision: 'fp64',
  supports: () => SUPPORTED,
  // with a signal (every timed call) its workers are ended at the time limit (reference/conv-fast-pool.ts)
  run: async (p: ConvProblem, operands: ConvOperands, options?: CallOptions): Promise<Tensor> => (await convFastParallel(p, operands, { ...(options?.signal ? { signal: options.signal } : {}) })).y,
  gradients: fastGradients,
  dispose: closeFastConvPool,
};
