/**
 * Checkerboard artifacts (article §6.1). A transposed conv of a constant input with a
 * constant kernel has a uniform interior iff every kernel size is a multiple of its stride;
 * resize-convolution (up-sample, then conv) of a constant input is uniform always.
 */
import * as fc from 'fast-check';
import { makeProblem } from '../../problem/problem.ts';
import { inputTensorShape, outputSpatialShape, weightShape } from '../../problem/shape.ts';
import { upsample, type UpsampleMode } from '../../reference/upsample.ts';
import { defineLaw, allOf, expectThat } from '../law.ts';
import { filled } from '../../reference/tensor-ops.ts';
import { multiIndex } from '../../compare/judge.ts';

/** Kernel, stride and input size per axis, channels, and the resize mode. */
interface CheckerboardCase {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly input: readonly number[];
  readonly inChannels: number;
  readonly outChannels: number;
  readonly resize: UpsampleMode;
}

const caseArb: fc.Arbitrary<CheckerboardCase> = fc.integer({ min: 1, max: 2 }).chain((rank) => fc.record({
  axes: fc.array(fc.record({ kernel: fc.integer({ min: 1, max: 4 }), stride: fc.integer({ min: 1, max: 3 }), extra: fc.integer({ min: 1, max: 3 }) }), { minLength: rank, maxLength: rank }),
  inChannels: fc.integer({ min: 1, max: 2 }),
  outChannels: fc.integer({ min: 1, max: 2 }),
  resize: fc.constantFrom<UpsampleMode>('nearest', 'bilinear'),
})).map(({ axes, inChannels, outChannels, resize }) => ({
  kernel: axes.map((a) => a.kernel), stride: axes.map((a) => a.stride),
  input: axes.map((a) => a.kernel + a.extra), // ≥ k + 1: the interior holds at least s positions
  inChannels, outChannels, resize,
}));

/** Distinct values of `data` at positions whose spatial index lies in `[lo[a], hi[a]]` on every axis. */
function valuesIn(shape: readonly number[], data: Float64Array, lo: readonly number[], hi: readonly number[]): Set<number> {
  const seen = new Set<number>();
  for (let i = 0; i < data.length; i++) {
    const spatial = multiIndex(shape, i).slice(2);
    if (spatial.every((o, a) => o >= lo[a] && o <= hi[a])) seen.add(data[i]);
  }
  return seen;
}

// convT(1, 1) is constant on the interior [k-1, s(i-1)] iff s | k on every axis; conv(upsample(1)) is constant everywhere
export const checkerboardLaw = defineLaw<CheckerboardCase>('a transposed conv of constants has a uniform interior iff the kernel size is a multiple of the stride, and resize-convolution is always uniform', {
  math: 'convT(1, 1)[o] constant for k-1 ≤ o ≤ s(i-1) ⇔ k mod s = 0; conv(upsample(1), 1) constant',
  convTypes: ['transposed', 'resize-conv'],
  cases: () => caseArb,
  describe: (c) => ({ descriptor: `checkerboard k[${c.kernel}] s[${c.stride}] i[${c.input}] c${c.inChannels}m${c.outChannels} ${c.resize}`, convType: 'transposed', mode: 'exact' }),
}, async (c, ctx) => {
  const transposed = makeProblem({ op: 'convTranspose', inChannels: c.inChannels, outChannels: c.outChannels, inputShape: c.input, kernelShape: c.kernel, strides: c.stride });
  const y = await ctx.run(transposed, { x: filled(inputTensorShape(transposed), 1), w: filled(weightShape(transposed), 1) });
  const interior = valuesIn(y.shape, y.value, c.kernel.map((k) => k - 1), c.input.map((i, a) => c.stride[a] * (i - 1)));
  const divisible = c.kernel.every((k, a) => k % c.stride[a] === 0);
  const resized = upsample(filled([1, c.inChannels, ...c.input], 1), c.stride, c.resize).y;
  const convP = makeProblem({ inChannels: c.inChannels, outChannels: c.outChannels, inputShape: resized.shape.slice(2), kernelShape: c.kernel });
  const z = await ctx.run(convP, { x: resized, w: filled(weightShape(convP), 1) });
  const resizeValues = valuesIn(z.shape, z.value, c.kernel.map(() => 0), outputSpatialShape(convP).map((o) => o - 1));
  return allOf([
    expectThat((interior.size === 1) === divisible,
      `transposed conv interior has ${interior.size} distinct values [${[...interior].slice(0, 4)}], but k mod s ${divisible ? 'is 0 on every axis (uniform expected)' : '≠ 0 on some axis (a checkerboard expected)'}`),
    expectThat(resizeValues.size === 1, `resize-convolution (${c.resize}) output has ${resizeValues.size} distinct values [${[...resizeValues].slice(0, 4)}], uniform expected`),
  ]);
});
