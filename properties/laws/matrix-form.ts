/** Law 19: conv is a matrix-vector product C·x, and the transposed conv is Cᵀ·y. */
import { adjointProblem } from '../../reference/conv-transpose.ts';
import { convMatrix, matTransposeVec, matVec, type DenseMatrix } from '../../reference/conv-matrix.ts';
import { compareApprox, referenceSide } from '../approx.ts';
import { labelOf, problemCaseArb, type ProblemCase } from '../arbitraries/problem-case.ts';
import { PROBLEM_TYPES } from '../conv-types.ts';
import { allOf, defineLaw, judge } from '../law.ts';
import { abs, linearPart, nextSeed, operandsOf } from './common.ts';

function absMatrix(C: DenseMatrix): DenseMatrix {
  return { ...C, data: Float64Array.from(C.data, Math.abs) };
}

// conv(x) = C·x and convT(y) = Cᵀ·y, C the [N·M·Πo, N·C·Πi] matrix of the conv (article §6: 4x4 input, 3x3 kernel: C is 4x16)
export const matrixFormLaw = defineLaw<ProblemCase>({
  name: 'conv is the product with its matrix C and the transposed conv the product with Cᵀ',
  math: 'conv(x) = C·x; convT(y) = Cᵀ·y',
  convTypes: PROBLEM_TYPES.filter((t) => t !== 'transposed'),
  ops: ['conv', 'convTranspose'],
  target: 'backend',
  budgetShare: 0.6,
  cases: (scope) => problemCaseArb(scope, { maxBatch: 1 }),
  describe: labelOf,
  async check(_backend, c, ctx) {
    const p = linearPart(c.problem);
    const { x, w } = operandsOf(p, c.mode, c.seed);
    const adjoint = adjointProblem(p);
    const y = operandsOf(adjoint, c.mode, nextSeed(c.seed)).x;
    const C = convMatrix(p, w), absC = absMatrix(C);
    const direct = await ctx.run(p, { x, w });
    const transposed = await ctx.run(adjoint, { x: y, w });
    return allOf([
      judge('conv(x) vs C·x', compareApprox(direct, referenceSide(matVec(C, x).y, matVec(absC, abs(x)).y), ctx.precision)),
      judge('convT(y) vs Cᵀ·y', compareApprox(transposed, referenceSide(matTransposeVec(C, y).y, matTransposeVec(absC, abs(y)).y), ctx.precision)),
    ]);
  },
});
