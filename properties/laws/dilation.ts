/** A dilated kernel is the dense kernel with d-1 zeros inserted between taps. */
import { withChanges } from '../../problem/problem.ts';
import { effectiveKernelSize } from '../../problem/shape.ts';
import { compareApprox } from '../approx.ts';
import { problemCaseArb } from '../arbitraries/problem-case.ts';
import { defineLaw, judge } from '../law.ts';
import { zeroInsertSpatial } from '../../reference/tensor-ops.ts';
import { ones, operandsOf } from './common.ts';

// op(x, w, dilation d) = op(x, w', dilation 1), w' = w with d-1 zeros between taps, size k + (k-1)(d-1)
export const dilationLaw = defineLaw('a dilated conv equals the dense conv with the zero-inserted kernel', {
  math: 'op_d(x, w) = op_1(x, w↑d), w↑d of size k + (k-1)(d-1) with d-1 zeros between taps',
  convTypes: ['dilated', 'transposed', 'grouped', 'depthwise'],
  // dilation must be > 1 somewhere; a transposed output_padding must stay below the stride once d is 1
  cases: (scope) => problemCaseArb(scope).filter((c) => c.problem.dilations.some((d) => d > 1)
    && c.problem.outputPadding.every((op, a) => op < Math.max(c.problem.strides[a], 1))),
}, async (c, ctx) => {
  const p = c.problem;
  const dense = withChanges(p, { kernelShape: p.kernelShape.map((k, a) => effectiveKernelSize(k, p.dilations[a])), dilations: ones(p) });
  const operands = operandsOf(p, c.mode, c.seed);
  const dilated = await ctx.run(p, operands);
  const zeroInserted = await ctx.run(dense, { ...operands, w: zeroInsertSpatial(operands.w, p.dilations) });
  return judge('dilated vs zero-inserted kernel', compareApprox(dilated, zeroInserted, ctx.precision));
});
