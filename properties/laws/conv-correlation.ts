/**
 * Deep learning's conv is cross-correlation; signal-processing convolution is the same
 * with the kernel flipped; full convolution commutes.
 */
import * as fc from 'fast-check';
import { makeProblem, type ConvProblem } from '../../problem/problem.ts';
import { signalModePads, type SignalMode } from '../../problem/shape.ts';
import type { Tensor } from '../../problem/tensor.ts';
import { convolveSignal, crossCorrelateSignal, flipKernel } from '../../reference/signal-conv.ts';
import { compareApprox, rearrange } from '../approx.ts';
import { dataArb, type DataDraw } from '../arbitraries/data.ts';
import { allOf, defineLaw, judge } from '../law.ts';
import { reshape } from '../../reference/tensor-ops.ts';
import { inputLike, nextSeed, referenceApprox } from './common.ts';

/** A single-channel signal x, a kernel k (spatial shapes) and a signal mode. */
interface SignalCase extends DataDraw {
  readonly xShape: readonly number[];
  readonly kShape: readonly number[];
  readonly mode2: SignalMode;
}

/** The single-channel Conv that slides a kernel of `kShape` over `xShape` with the signal mode's pads. */
function signalProblem(xShape: readonly number[], kShape: readonly number[], mode: SignalMode): ConvProblem {
  const pads = kShape.map((k) => signalModePads(k, mode));
  return makeProblem({ inChannels: 1, outChannels: 1, inputShape: xShape, kernelShape: kShape, pads: [...pads.map((p) => p.begin), ...pads.map((p) => p.end)] });
}

function asNCHW(t: Tensor): Tensor<Float64Array> {
  return reshape(t, [1, 1, ...t.shape]);
}

const signalCaseArb = (modes: DataDraw['mode'][]): fc.Arbitrary<SignalCase> => fc.integer({ min: 1, max: 3 }).chain((rank) => fc.record({
  data: dataArb(modes),
  xShape: fc.array(fc.integer({ min: 1, max: rank === 3 ? 4 : 7 }), { minLength: rank, maxLength: rank }),
  kShape: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: rank, maxLength: rank }),
  mode2: fc.constantFrom<SignalMode>('full', 'same', 'valid'),
})).map(({ data, xShape, kShape, mode2 }) => ({ ...data, xShape, kShape: mode2 === 'valid' ? kShape.map((k, a) => Math.min(k, xShape[a])) : kShape, mode2 }));

// conv_DL(x, flip(k)) = x ⊛ k (signal convolution);  conv_DL(x, k) = x ⋆ k (correlation);  x ⊛ k = k ⊛ x (full)
export const convCorrelationLaw = defineLaw<SignalCase>('deep-learning conv is cross-correlation, convolution is it with the flipped kernel, and full convolution commutes', {
  math: 'conv(x, flip(k)) = x ⊛ k; conv(x, k) = x ⋆ k; full: x ⊛ k = k ⊛ x',
  convTypes: ['signal'],
  cases: (scope) => signalCaseArb([...scope.modes]),
  describe: (c) => ({ descriptor: `signal x[${c.xShape}] k[${c.kShape}] ${c.mode2}`, convType: 'signal', mode: c.mode }),
}, async (c, ctx) => {
  const p = signalProblem(c.xShape, c.kShape, c.mode2);
  const x4 = inputLike(p, c.xShape, c.mode, c.seed);
  const k4 = inputLike(p, c.kShape, c.mode, nextSeed(c.seed));
  const x = reshape(x4, c.xShape), k = reshape(k4, c.kShape);
  const flat = (t: Tensor): Tensor => reshape(t, t.shape.slice(2));
  const convolved = await ctx.run(p, { x: x4, w: asNCHW(flipKernel(k)) });
  const correlated = await ctx.run(p, { x: x4, w: k4 });
  const checks = [
    judge(`conv(x, flip k) vs convolve(x, k, ${c.mode2})`, compareApprox(rearrange(convolved, flat), referenceApprox((a: Tensor, b: Tensor) => convolveSignal(a, b, c.mode2), x, k), ctx.precision)),
    judge(`conv(x, k) vs correlate(x, k, ${c.mode2})`, compareApprox(rearrange(correlated, flat), referenceApprox((a: Tensor, b: Tensor) => crossCorrelateSignal(a, b, c.mode2), x, k), ctx.precision)),
  ];
  if (c.mode2 === 'full') {
    const swapped = await ctx.run(signalProblem(c.kShape, c.xShape, 'full'), { x: k4, w: asNCHW(flipKernel(x)) });
    checks.push(judge('full x ⊛ k vs k ⊛ x', compareApprox(convolved, swapped, ctx.precision)));
  }
  return allOf(checks);
});
