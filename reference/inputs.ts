/**
 * The operands of one Conv / ConvTranspose call and the check every reference op runs first:
 * a problem that breaks a rule, or a tensor whose shape or length does not match it, is rejected
 * with a ConvInputError before any element is read.
 */
import { ConvInputError } from '../problem/errors.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { biasShape, inputTensorShape, outputTensorShape, sizeOf, weightShape } from '../problem/shape.ts';
import { checkTensor, type Tensor } from '../problem/tensor.ts';
import { validateProblem } from '../problem/validate.ts';

/** x `[N, C, ...]`, w in ONNX layout, and b `[M]` when the problem has a bias. */
export interface ConvOperands {
  readonly x: Tensor;
  readonly w: Tensor;
  readonly b?: Tensor;
}

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

/** Validates the problem and the operands' shapes against it; throws ConvInputError on any mismatch. */
export function checkOperands(p: ConvProblem, operands: ConvOperands): void {
  validateProblem(p);
  checkReferenceOutputSize(p.op, outputTensorShape(p));
  checkTensor('x', operands.x, inputTensorShape(p));
  checkTensor('w', operands.w, weightShape(p));
  if (p.bias && operands.b === undefined) throw new ConvInputError('b', `${p.op}: the problem has a bias, but no b tensor was given.`);
  if (!p.bias && operands.b !== undefined) throw new ConvInputError('b', `${p.op}: a b tensor was given, but the problem has bias=false.`);
  if (operands.b !== undefined) checkTensor('b', operands.b, biasShape(p));
}
