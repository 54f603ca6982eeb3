/**
 * Translation equivariance. Shifting the input by s·t (conv with stride s) shifts the
 * output by t; shifting a transposed conv's input by t shifts its output by s·t; wherever the
 * window reads the same inputs (padding included) in both.
 */
import * as fc from 'fast-check';
import type { ConvProblem } from '../../problem/problem.ts';
import { outputSpatialShape, resolvePads } from '../../problem/shape.ts';
import { compareApprox, rearrange } from '../approx.ts';
import { problemCaseArb, type ProblemCase } from '../arbitraries/problem-case.ts';
import { PROBLEM_TYPES } from '../../problem/conv-types.ts';
import { defineLaw, judge, vacuous } from '../law.ts';
import { cropSpatial, remapSpatial } from '../../reference/tensor-ops.ts';
import { inputLike, nextSeed, operandsOf, withBias } from './common.ts';

/** A problem case with a shift per spatial axis (not all zero). */
interface TranslationCase extends ProblemCase {
  readonly shift: readonly number[];
}

/**
 * Output positions o of one axis where the shifted run at o and the unshifted run at `o + outShift`
 * sum the same input elements (each tap inside both inputs or outside both).
 */
function matchingPositions(p: ConvProblem, a: number, shift: number): number[] {
  const i = p.inputShape[a], k = p.kernelShape[a], s = p.strides[a], d = p.dilations[a];
  const pb = resolvePads(p).begin[a], out = outputSpatialShape(p)[a];
  const inside = (pos: number): boolean => pos >= 0 && pos < i;
  const positions: number[] = [];
  if (p.op === 'conv') {
    // shifted x2[j] = xBig[j + s·t], unshifted x1[j] = xBig[j]: tap k of o reads x2[o·s - pb + k·d] = x1[(o + t)·s - pb + k·d]
    for (let o = 0; o + shift < out; o++) {
      let same = true;
      for (let tap = 0; tap < k; tap++) same &&= inside(o * s - pb + tap * d) === inside((o + shift) * s - pb + tap * d);
      if (same) positions.push(o);
    }
  } else {
    // shifted x2[j] = xBig[j + t]: output o gathers input j = (o + pb - k·d)/s of x2, i.e. j + t of x1 at output o + s·t
    for (let o = 0; o + s * shift < out; o++) {
      let same = true;
      for (let tap = 0; tap < k; tap++) {
        const num = o + pb - tap * d;
        if (num % s !== 0) continue;
        same &&= inside(num / s) === inside(num / s + shift);
      }
      if (same) positions.push(o);
    }
  }
  return positions;
}

// conv: op(x shifted by s·t)[o] = op(x)[o + t];  convT: op(x shifted by t)[o] = op(x)[o + s·t]; where both windows read alike
export const translationLaw = defineLaw<TranslationCase>('conv is translation equivariant: a shift by s·t of the input shifts the output by t', {
  math: 'conv: op(x[· + s·t])[o] = op(x)[o + t]; convT: op(x[· + t])[o] = op(x)[o + s·t], away from the borders',
  convTypes: PROBLEM_TYPES,
  cases: (scope) => problemCaseArb(scope).chain((base) => fc.array(fc.integer({ min: 0, max: 2 }), { minLength: base.problem.inputShape.length, maxLength: base.problem.inputShape.length })
    .filter((shift) => shift.some((t) => t > 0))
    .map((shift) => ({ ...base, shift })))
    // a shift under which no output reads alike would compare nothing: draw another
    .filter((c) => c.problem.inputShape.every((_, a) => matchingPositions(c.problem, a, c.shift[a]).length > 0)),
}, async (c, ctx) => {
  const p = c.problem;
  const inputShift = c.shift.map((t, a) => (p.op === 'conv' ? p.strides[a] * t : t));
  const outShift = c.shift.map((t, a) => (p.op === 'conv' ? t : p.strides[a] * t));
  const { w, b } = operandsOf(p, c.mode, c.seed);
  const xBig = inputLike(p, p.inputShape.map((i, a) => i + inputShift[a]), c.mode, nextSeed(c.seed));
  const x1 = cropSpatial(xBig, p.inputShape.map(() => 0), p.inputShape);
  const x2 = cropSpatial(xBig, inputShift, p.inputShape);
  const positions = p.inputShape.map((_, a) => matchingPositions(p, a, c.shift[a]));
  if (positions.some((list) => list.length === 0)) return vacuous('no output position reads alike in both runs');
  const y1 = await ctx.run(p, withBias({ x: x1, w }, b));
  const y2 = await ctx.run(p, withBias({ x: x2, w }, b));
  const sizes = positions.map((list) => list.length);
  const shifted = rearrange(y2, (t) => remapSpatial(t, sizes, positions.map((list) => (q: number) => list[q])));
  const unshifted = rearrange(y1, (t) => remapSpatial(t, sizes, positions.map((list, a) => (q: number) => list[q] + outShift[a])));
  return judge(`shift [${c.shift}] vs output shift [${outShift}] at ${sizes.join('x')} positions`, compareApprox(shifted, unshifted, ctx.precision));
});
