/**
 * The operands of one Conv / ConvTranspose call, in ONNX layout (problem/problem.ts), and the
 * check that they fit their problem: a problem that breaks a rule, or a tensor whose shape or
 * length does not match it, is rejected with a ConvInputError before any element is read.
 */
import { ConvInputError } from './errors.ts';
import type { ConvProblem } from './problem.ts';
import { biasShape, inputTensorShape, weightShape } from './shape.ts';
import { checkTensor, type Tensor } from './tensor.ts';
import { validateProblem } from './validate.ts';

/** x `[N, C, ...]`, w in ONNX layout, and b `[M]` when the problem has a bias. */
export interface ConvOperands {
  readonly x: Tensor;
  readonly w: Tensor;
  readonly b?: Tensor;
}

/** Validates the problem and the operands' shapes against it; throws ConvInputError on any mismatch. */
export function checkOperands(p: ConvProblem, operands: ConvOperands): void {
  validateProblem(p);
  checkTensor('x', operands.x, inputTensorShape(p));
  checkTensor('w', operands.w, weightShape(p));
  checkBias(p.op, p.bias, operands.b, biasShape(p)[0]);
}

/**
 * Throws a ConvInputError unless `b` is given exactly when the problem of op `op` has a bias
 * (`hasBias`), with shape `[channels]`.
 */
export function checkBias(op: string, hasBias: boolean, b: Tensor | undefined, channels: number): void {
  checkBiasPresence(op, hasBias, b);
  if (b !== undefined) checkTensor('b', b, [channels]);
}

/** That a b operand is given exactly when the problem has a bias (float or quantized); throws a ConvInputError naming b. */
export function checkBiasPresence(op: string, hasBias: boolean, b: unknown): void {
  if (hasBias && b === undefined) throw new ConvInputError('b', `${op}: the problem has a bias, but no b tensor was given.`);
  if (!hasBias && b !== undefined) throw new ConvInputError('b', `${op}: a b tensor was given, but the problem has bias=false.`);
}
