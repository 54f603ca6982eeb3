/**
 * The check every reference op runs first: the problem is valid, it is within the resource limits
 * in force (problem/limits.ts: each tensor's elements and the multiply-accumulates), and the
 * operands match it (problem/operands.ts), all before anything is allocated.
 */
import { ConvInputError } from '../problem/errors.ts';
import { activeLimits, checkResources, DEFAULT_LIMITS, formatCount, LIMIT_OPTIONS } from '../problem/limits.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { sizeOf } from '../problem/shape.ts';
import { checkOperands, type ConvOperands } from '../problem/operands.ts';
import { validateProblem } from '../problem/validate.ts';

/**
 * Default most output elements of a reference run (the default `--max-elements`): it holds y, S and
 * n (and an index table) in memory, about 32 bytes an element, so 2^25 elements is about 1 GiB.
 * validateProblem's 2^31-1 limit would let a small x with large pads or strides ask for tens of GiB
 * (the process is killed, no error).
 */
export const MAX_REFERENCE_OUTPUT_ELEMENTS = DEFAULT_LIMITS.maxElements;

/**
 * Rejects, before anything is allocated, an output `yShape` of more elements than the limit in
 * force (default {@link MAX_REFERENCE_OUTPUT_ELEMENTS}): a ConvInputError naming y, its shape, the
 * limit and its option. The ops that are not a Conv problem (signal convolution, up-sampling) call
 * it (`op` names the op in the message); Conv and ConvTranspose check every limit with
 * {@link checkReferenceOperands}.
 */
export function checkReferenceOutputSize(op: string, yShape: readonly number[]): void {
  const count = sizeOf(yShape);
  const limit = activeLimits().maxElements;
  if (count > limit) {
    const exponent = Math.log2(limit);
    const shown = Number.isInteger(exponent) ? `2^${exponent}` : formatCount(limit);
    throw new ConvInputError('y', `${op}: the reference computes at most ${shown} output elements (${LIMIT_OPTIONS.maxElements}), but y of shape [${yShape}] has ${count}.`);
  }
}

/** Validates the problem, its resources against the limits in force, and the operands' shapes; throws ConvInputError. */
export function checkReferenceOperands(p: ConvProblem, operands: ConvOperands): void {
  validateProblem(p);
  checkResources(p);
  checkOperands(p, operands);
}
