/**
 * The output shape is the arithmetic, for conv and transposed conv, auto_pad, output_padding
 * and output_shape included. The arithmetic (problem/shape.ts) is held against brute-force counts
 * written here from the definitions, and against the shape the reference actually returns.
 */
import { resolvePads } from '../../problem/shape.ts';
import type { ConvProblem } from '../../problem/problem.ts';
import { PROBLEM_TYPES } from '../../problem/conv-types.ts';
import { allOf, defineLaw, expectThat } from '../law.ts';
import { operandsOf } from './common.ts';

/** Conv windows that fit the padded axis `[-pb, i + pe)`: count of o with `o·s - pb + (k-1)·d ≤ i - 1 + pe`. */
function countWindows(i: number, k: number, s: number, d: number, pb: number, pe: number): number {
  let count = 0;
  while (count * s - pb + (k - 1) * d <= i - 1 + pe) count++;
  return count;
}

/** Length of the full transposed output: one past the last position any tap writes, `max(i·s + k·d) + 1`. */
function fullScatterLength(i: number, k: number, s: number, d: number): number {
  let last = 0;
  for (let at = 0; at < i; at++) for (let tap = 0; tap < k; tap++) last = Math.max(last, at * s + tap * d);
  return last + 1;
}

/** Expected spatial output and the rule it comes from, per axis, from the definitions. */
function expectedAxis(p: ConvProblem, a: number): { size: number; rule: string } {
  const i = p.inputShape[a], k = p.kernelShape[a], s = p.strides[a], d = p.dilations[a];
  const same = p.autoPad === 'SAME_UPPER' || p.autoPad === 'SAME_LOWER';
  if (p.op === 'conv') {
    if (same) return { size: Math.ceil(i / s), rule: 'SAME: ceil(i/s)' };
    const [pb, pe] = p.autoPad === 'VALID' ? [0, 0] : [p.padsBegin[a], p.padsEnd[a]];
    return { size: countWindows(i, k, s, d, pb, pe), rule: 'windows that fit the padded input' };
  }
  if (p.outputShape !== undefined && p.autoPad !== 'VALID') return { size: p.outputShape[a], rule: 'output_shape' };
  if (same) return { size: i * s, rule: 'SAME: i·s' };
  const [pb, pe] = p.autoPad === 'VALID' ? [0, 0] : [p.padsBegin[a], p.padsEnd[a]];
  return { size: fullScatterLength(i, k, s, d) + p.outputPadding[a] - pb - pe, rule: 'full scatter + output_padding - pads' };
}

/** SAME pads: the extra pad goes to the end (UPPER) or the beginning (LOWER), and the total is the least that works. */
function checkSamePads(p: ConvProblem, a: number): string | undefined {
  if (p.autoPad !== 'SAME_UPPER' && p.autoPad !== 'SAME_LOWER') return undefined;
  const pads = resolvePads(p);
  const pb = pads.begin[a], pe = pads.end[a];
  // output_shape past the full output: the extra goes at the end in every mode (problem/shape.ts)
  if (p.op === 'convTranspose' && pe < 0) return pb === 0 ? undefined : `output_shape past the full output on axis ${a} gave pads begin ${pb}, end ${pe}`;
  const diff = p.autoPad === 'SAME_UPPER' ? pe - pb : pb - pe;
  if (diff !== 0 && diff !== 1) return `${p.autoPad} on axis ${a} gave pads begin ${pb}, end ${pe}`;
  if (p.op === 'conv') {
    const i = p.inputShape[a], k = p.kernelShape[a], s = p.strides[a], d = p.dilations[a];
    let least = 0;
    while (countWindows(i, k, s, d, 0, least) < Math.ceil(i / s)) least++;
    if (pb + pe !== least) return `${p.autoPad} on axis ${a}: total pad ${pb + pe}, but the least giving ceil(i/s) windows is ${least}`;
  }
  return undefined;
}

// conv: o = #{windows in the padded input} (SAME: ceil(i/s)); convT: o = max(i·s + k·d) + 1 + output_padding - pads (SAME: i·s; output_shape: as given)
export const outputShapeLaw = defineLaw('the output shape is the shape arithmetic', {
  math: 'conv: o = floor((i + pb + pe - d(k-1) - 1)/s) + 1, SAME ceil(i/s); convT: o = s(i-1) + op + d(k-1) + 1 - pb - pe, SAME i·s',
  convTypes: PROBLEM_TYPES,
  structural: true,
  mistrustZeros: false,
}, async (c, ctx) => {
  const p = c.problem;
  const arithmetic = ctx.aux.outputSpatialShape(p);
  const checks = p.inputShape.map((_, a) => {
    const want = expectedAxis(p, a);
    const got = arithmetic[a];
    return expectThat(got === want.size, `axis ${a}: shape arithmetic says ${got}, ${want.rule} says ${want.size}`);
  });
  const sameProblems = p.inputShape.map((_, a) => checkSamePads(p, a)).filter((m): m is string => m !== undefined);
  const run = await ctx.run(p, operandsOf(p, c.mode, c.seed)); // throws CaseFailure on a wrong output shape
  return allOf([
    ...checks,
    expectThat(sameProblems.length === 0, sameProblems.join('; ')),
    expectThat(run.shape.slice(2).join(',') === arithmetic.join(','), `the op returned [${run.shape}], the arithmetic says [${arithmetic}]`),
  ]);
});
