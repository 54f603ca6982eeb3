/** Conv is a matrix-vector product C·x, and the transposed conv is Cᵀ·y. */
import { convMatrix, matTransposeVec, matVec, type DenseMatrix } from '../../reference/conv-matrix.ts';
import { compareApprox, referenceSide } from '../approx.ts';
import { problemCaseArb } from '../arbitraries/problem-case.ts';
import { PROBLEM_TYPES } from '../../problem/conv-types.ts';
import { allOf, defineLaw, judge } from '../law.ts';
import { padSpatial } from '../../reference/tensor-ops.ts';
import { adjointPair } from './adjoint.ts';
import { abs } from './common.ts';

function absMatrix(C: DenseMatrix): DenseMatrix {
  return { ...C, data: Float64Array.from(C.data, Math.abs) };
}

// conv(x) = C·x and convT(y) = Cᵀ·y, C the [N·M·Πo, N·C·Πi] matrix of the conv (article §6: 4x4 input, 3x3 kernel: C is 4x16)
export const matrixFormLaw = defineLaw('conv is the product with its matrix C and the transposed conv the product with Cᵀ', {
  math: 'conv(x) = C·x; convT(y) = Cᵀ·y',
  convTypes: PROBLEM_TYPES,
  budgetShare: 0.6,
  cases: (scope) => problemCaseArb(scope, { maxBatch: 1 }),
}, async (c, ctx) => {
  // A conv case and its adjoint, or a transposed case and the conv it is the adjoint of.
  const { convP, transP, x, w, y } = adjointPair(c);
  const C = convMatrix(convP, w), absC = absMatrix(C);
  // Cᵀ takes the conv's whole output; a transposed input shorter than it (output_padding ≥ stride) is zero-extended.
  const yFull = padSpatial(y, y.shape.slice(2).map(() => 0), C.rowShape.slice(2).map((o, a) => o - y.shape[2 + a]));
  const direct = await ctx.run(convP, { x, w });
  const transposed = await ctx.run(transP, { x: y, w });
  return allOf([
    judge('conv(x) vs C·x', compareApprox(direct, referenceSide(matVec(C, x).y, matVec(absC, abs(x)).y), ctx.precision)),
    judge('convT(y) vs Cᵀ·y', compareApprox(transposed, referenceSide(matTransposeVec(C, yFull).y, matTransposeVec(absC, abs(yFull)).y), ctx.precision)),
  ]);
});
