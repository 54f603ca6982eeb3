/**
 * Cost model of Conv and ConvTranspose: multiplications (dense, as the article counts them, and
 * effective, as the reference performs them), parameters and output elements, as closed formulas.
 * The law "counted multiplications = the cost formula" holds {@link effectiveMultiplications} against
 * the `multiplications` an instrumented reference run counts.
 *
 * Conv (gather): output `y[n, m, o]` reads input `o·s - pb + k·d` on every axis. A tap whose input
 * position is in the zero padding is skipped, so per channel pair the count is
 * `T = Π_axis #{(o, k) : 0 ≤ o < O, 0 ≤ k < K, 0 ≤ o·s - pb + k·d < I}` (it factorizes: a tap is
 * inside iff it is inside on every axis), and the total is `N · M · (C/g) · T`.
 *
 * ConvTranspose (scatter, the adjoint): input `x[n, c, i]` writes output `i·s - pb + k·d`. A tap whose
 * output position falls outside `[0, O)` (cropped by the pads) is skipped, so the same count holds with
 * the roles of input and output swapped: `T' = Π_axis #{(i, k) : 0 ≤ i < I, 0 ≤ k < K, 0 ≤ i·s - pb + k·d < O}`,
 * and the total is `N · C · (M/g) · T'`. It equals the count of the Conv it is the adjoint of, since
 * both enumerate the same (window, tap, target) triples.
 */
import type { ConvProblem } from '../problem/problem.ts';
import { denseMultiplyAccumulates, outputSpatialShape, outputTensorShape, resolvePads, sizeOf } from '../problem/shape.ts';
import { validateProblem } from '../problem/validate.ts';
import { axisTapCount } from './tap-count.ts';

/**
 * Multiplications counting every tap, padding included (the article's formula, §8.2).
 * Conv: `N · M · Πo · (C/g) · Πk` (outputs × taps per output).
 * ConvTranspose: `N · C · Πi · (M/g) · Πk` (inputs × taps per input).
 * @example denseMultiplications(makeProblem({ inChannels: 3, outChannels: 128, inputShape: [7, 7], kernelShape: [3, 3] })) // 86,400
 */
export function denseMultiplications(p: ConvProblem): number {
  validateProblem(p);
  return denseMultiplyAccumulates(p);
}

/**
 * Multiplications the reference performs: taps in the zero padding (Conv) or cropped away
 * (ConvTranspose) are skipped. Conv `N · M · (C/g) · T`, ConvTranspose `N · C · (M/g) · T'`
 * (T, T' in the module header). Equal to {@link denseMultiplications} when no tap is skipped (VALID).
 */
export function effectiveMultiplications(p: ConvProblem): number {
  validateProblem(p);
  return countEffectiveMultiplications(p);
}

/**
 * {@link effectiveMultiplications} without validating `p` first: for a variant of a valid problem
 * that only the tensor-size rule (2^31-1 elements) would reject, e.g. the same layer without groups
 * that `convcheck cost` compares a grouped one with. Closed forms, so any size answers at once.
 */
export function countEffectiveMultiplications(p: ConvProblem): number {
  const pads = resolvePads(p);
  const out = outputSpatialShape(p);
  let taps = 1;
  for (let a = 0; a < p.inputShape.length; a++) {
    const k = p.kernelShape[a], s = p.strides[a], d = p.dilations[a], pb = pads.begin[a];
    taps *= p.op === 'conv'
      ? axisTapCount(p.inputShape[a], k, s, d, pb, out[a]) // windows: outputs; targets: inputs
      : axisTapCount(out[a], k, s, d, pb, p.inputShape[a]); // windows: inputs; targets: outputs
  }
  return p.op === 'conv'
    ? p.batch * p.outChannels * (p.inChannels / p.group) * taps
    : p.batch * p.inChannels * (p.outChannels / p.group) * taps;
}

/**
 * Learned parameters: weights `M · (C/g) · Πk` (Conv `[M, C/g, ...k]` and ConvTranspose
 * `[C, M/g, ...k]` hold the same number), plus `M` when the problem has a bias.
 * @example parameterCount(makeProblem({ inChannels: 3, outChannels: 128, inputShape: [7, 7], kernelShape: [3, 3] })) // 3,456
 */
export function parameterCount(p: ConvProblem): number {
  validateProblem(p);
  return countParameters(p);
}

/** {@link parameterCount} without validating `p` first (see {@link countEffectiveMultiplications}). */
export function countParameters(p: ConvProblem): number {
  return p.outChannels * (p.inChannels / p.group) * sizeOf(p.kernelShape) + (p.bias ? p.outChannels : 0);
}

/** Elements of the output `[N, M, ...o]`: `N · M · Πo`. */
export function outputElements(p: ConvProblem): number {
  validateProblem(p);
  return sizeOf(outputTensorShape(p));
}
