/**
 * The receptive field of a stack of dilated, strided convs is its formula
 * `r = 1 + Σ_l (k_l - 1)·d_l·Π_{j<l} s_j`, and it is the span of the inputs one output reads,
 * measured by pulling a unit impulse back through the stack with transposed convs.
 */
import * as fc from 'fast-check';
import { makeProblem, type ConvProblem } from '../../problem/problem.ts';
import { convOutputSize, effectiveKernelSize, outputTensorShape, weightShape } from '../../problem/shape.ts';
import { adjointProblem } from '../../reference/conv-transpose.ts';
import type { ReceptiveLayer } from '../../reference/receptive-field.ts';
import { multiIndex } from '../../compare/judge.ts';
import type { Approx } from '../approx.ts';
import { allOf, defineLaw, expectThat } from '../law.ts';
import { filled } from '../../reference/tensor-ops.ts';

/** A stack of layers (per axis kernel, stride, dilation) and extra input beyond the minimum. */
interface StackCase {
  readonly layers: readonly ReceptiveLayer[];
  readonly extra: readonly number[];
}

/** Stacks of 1-D or 2-D layers (only the ranks the scope's conv1d / conv2d allow; dilated allows both). */
const stackArb = (ranks: readonly number[]): fc.Arbitrary<StackCase> => fc.constantFrom(...ranks).chain((rank) => {
  const perAxis = (min: number, max: number): fc.Arbitrary<number[]> => fc.array(fc.integer({ min, max }), { minLength: rank, maxLength: rank });
  return fc.record({
    layers: fc.array(fc.record({ kernel: perAxis(1, 3), stride: perAxis(1, 2), dilation: perAxis(1, 4) }), { minLength: 1, maxLength: 3 }),
    extra: perAxis(0, 2),
  });
});

/** The VALID conv problems of the stack, sized so the last layer has at least one output. */
function stackProblems(c: StackCase): ConvProblem[] {
  const rank = c.extra.length;
  // Smallest input per axis whose last-layer output is ≥ 1, working down from 1 output.
  const need = Array.from({ length: rank }, (_, a) => c.layers.reduceRight((size, l) => (size - 1) * l.stride[a] + effectiveKernelSize(l.kernel[a], l.dilation[a]), 1) + c.extra[a]);
  const problems: ConvProblem[] = [];
  let shape = need;
  for (const l of c.layers) {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: shape, kernelShape: l.kernel, strides: l.stride, dilations: l.dilation });
    problems.push(p);
    shape = shape.map((i, a) => convOutputSize(i, l.kernel[a], l.stride[a], l.dilation[a], 0, 0));
  }
  return problems;
}

/** Per axis, first and last spatial index of the nonzero elements of `a`. */
function support(a: Approx): { first: number[]; last: number[] } {
  const rank = a.shape.length - 2;
  const first = Array.from({ length: rank }, () => Infinity), last = Array.from({ length: rank }, () => -Infinity);
  a.value.forEach((v, i) => {
    if (v === 0) return;
    multiIndex(a.shape, i).slice(2).forEach((pos, axis) => { first[axis] = Math.min(first[axis], pos); last[axis] = Math.max(last[axis], pos); });
  });
  return { first, last };
}

// r = 1 + Σ_l (k_l - 1)·d_l·Π_{j<l} s_j = span of the inputs output 0 reads (article §7: rates 1, 2, 4 of 3x3 give 3, 7, 15)
export const receptiveFieldLaw = defineLaw<StackCase>('the receptive field of a dilated stack is its formula and the span of the inputs one output reads', {
  math: 'r = 1 + Σ_l (k_l - 1)·d_l·Π_{j<l} s_j',
  convTypes: ['dilated', 'conv1d', 'conv2d'],
  structural: true,
  mistrustZeros: false,
  cases: (scope) => stackArb(scope.convTypes.includes('dilated') ? [1, 2] : [1, 2].filter((r) => scope.convTypes.includes(r === 1 ? 'conv1d' : 'conv2d'))),
  describe: (c) => ({
    descriptor: c.layers.map((l) => `k[${l.kernel}]s[${l.stride}]d[${l.dilation}]`).join(' > '),
    convType: c.layers.some((l) => l.dilation.some((d) => d > 1)) ? 'dilated' : c.extra.length === 1 ? 'conv1d' : 'conv2d',
    mode: 'exact',
  }),
}, async (c, ctx) => {
  const rank = c.extra.length;
  const formula = Array.from({ length: rank }, (_, a) => {
    let field = 1, jump = 1;
    for (const l of c.layers) { field += (l.kernel[a] - 1) * l.dilation[a] * jump; jump *= l.stride[a]; }
    return field;
  });
  const problems = stackProblems(c);
  // Pull a unit impulse at output 0 of the last layer back through the adjoints, all weights 1.
  const last = problems[problems.length - 1];
  const impulse = filled(outputTensorShape(last), 0);
  impulse.data[0] = 1;
  let grad: Approx | undefined;
  let current = impulse as { shape: readonly number[]; data: Float64Array };
  for (const p of [...problems].reverse()) {
    const adjoint = adjointProblem(p);
    grad = await ctx.run(adjoint, { x: current, w: filled(weightShape(p), 1) });
    current = { shape: grad.shape, data: grad.value };
  }
  const span = support(grad!);
  const measured = span.first.map((f, a) => span.last[a] - f + 1);
  const computed = ctx.aux.receptiveField(c.layers, rank);
  return allOf([
    expectThat(computed.join() === formula.join(), `receptiveField says [${computed}], the formula [${formula}]`),
    expectThat(measured.join() === formula.join(), `output 0 reads inputs spanning [${measured}] (from [${span.first}]), the formula says [${formula}]`),
  ]);
});
