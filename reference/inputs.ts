/**
 * The check every reference op runs first: the problem is valid, its output fits the reference's
 * memory limit, and the operands match it (problem/operands.ts), all before anything is allocated.
 */
import { ConvInputError } from '../problem/errors.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { outputTensorShape, sizeOf } from '../problem/shape.ts';
import { checkOperands, type ConvOperands } from '../problem/operands.ts';
import { validateProblem } from '../problem/validate.ts';

/**
 * Most output elements a reference run may have: it holds y, S and n (and an index table) in memory,
 * about 32 bytes an element, so 2^25 elements is about 1 GiB. validateProblem's 2^31-1 limit would
 * let a small x with large pads or strides ask for tens of GiB (the process is killed, no error).
 */
export const MAX_REFERENCE_OUTPUT_ELEMENTS = 2 ** 25;

/**
 * Rejects, before anything is allocated, an output `yShape` of more than
 * {@link MAX_REFERENCE_OUTPUT_ELEMENTS} elements: a ConvInputError naming y, its shape and the limit.
 * Every reference op that allocates an output calls it (`op` names the op in the message).
 */
export function checkReferenceOutputSize(op: string, yShape: readonly number[]): void {
  const count = sizeOf(yShape);
  if (count > MAX_REFERENCE_OUTPUT_ELEMENTS) {
    throw new ConvInputError('y', `${op}: the reference computes at most 2^25 output elements, but y of shape [${yShape}] has ${count}.`);
  }
}

/** Validates the problem, its output size for the reference, and the operands' shapes; throws ConvInputError. */
export function checkReferenceOperands(p: ConvProblem, operands: ConvOperands): void {
  validateProblem(p);
  checkReferenceOutputSize(p.op, outputTensorShape(p));
  checkOperands(p, operands);
}
