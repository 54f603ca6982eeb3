/**
 * The reference as a Backend, so that every law runs against it with the same body as against an
 * adapter.
 */
import { SUPPORTED, unsupported, type Backend, type ConvGradients, type GradientPart, type QuantizedConvOps, type Support } from '../problem/backend.ts';
import type { ConvProblem } from '../problem/problem.ts';
import type { Tensor } from '../problem/tensor.ts';
import { conv } from '../reference/conv.ts';
import { adjointProblem, convTranspose } from '../reference/conv-transpose.ts';
import { convWeightGrad } from '../reference/conv-weight-grad.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { convInteger } from '../reference/conv-integer.ts';
import { qlinearConv } from '../reference/qlinear-conv.ts';

/** The reference defines gradients of Conv only (a ConvTranspose's are its forward twin's). */
function gradientSupport(p: ConvProblem, _part: GradientPart): Support {
  return p.op === 'conv' ? SUPPORTED : unsupported(`reference: gradients are defined for Conv problems only, but op=${p.op}.`);
}

/**
 * The reference's Conv gradients, float64: `∂L/∂x` is the transposed conv of dy with the same
 * weights (the adjoint, reference/conv-transpose.ts), `∂L/∂w` the weight gradient's own loop
 * (reference/conv-weight-grad.ts). The bias plays no part.
 */
export const referenceGradients: ConvGradients = {
  supports: gradientSupport,
  input: async (p, { w }, dy) => convTranspose(adjointProblem(p), { x: dy, w }),
  weight: async (p, { x }, dy) => convWeightGrad(p, x, dy).y,
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
  run: async (p: ConvProblem, operands: ConvOperands): Promise<Tensor> =>
    p.op === 'conv' ? conv(p, operands) : convTranspose(p, operands),
  gradients: referenceGradients,
  quantized: referenceQuantized,
};
