/**
 * Flattened convolution (the article's §9; Jin, Dundar and Culurciello 2014, "Flattened
 * convolutional neural networks for feedforward acceleration", arXiv:1412.5474): each of the M
 * filters is three 1-D filters, a channel (lateral) filter `α_m[c]`, a vertical filter `β_m[kh]`
 * and a horizontal filter `γ_m[kw]`, applied in that order: a 1x1 channel step `C -> 1` per filter,
 * then a `k×1` step, then a `1×k` step, each on the filter's own map. Rank-generic: one spatial
 * filter per axis, axis 0 first. Written as those steps, never as a conv with the rank-1 kernel
 * `W[m, c, kh, kw] = α_m[c]·β_m[kh]·γ_m[kw]`: that equivalence is a law.
 */
import { ConvInputError } from '../problem/errors.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { inputTensorShape, sizeOf } from '../problem/shape.ts';
import { checkBias } from '../problem/operands.ts';
import { checkTensor, type Tensor } from '../problem/tensor.ts';
import { validateProblem } from '../problem/validate.ts';
import { pointwiseStep } from './depthwise-separable.ts';
import type { OpResult } from './op-result.ts';
import { axisConvStep, axisStepMultiplications, axisWindow } from './spatially-separable.ts';
import { addChannelBias } from './tensor-ops.ts';

/** The 1-D filters of M flattened filters. */
export interface FlattenedFilters {
  /** Channel (lateral) filters `α`, `[M, C]`. */
  readonly channel: Tensor;
  /** One spatial filter per axis, `[M, k_a]`: in 2-D `[β (vertical), γ (horizontal)]`. */
  readonly spatial: readonly Tensor[];
}

/**
 * Reference flattened convolution, float64:
 * channel step `u[n, m, i] = Σ_c α[m, c] · x[n, c, i]`, then, per spatial axis a in turn,
 * `u'[n, m, .., o, ..] = Σ_k u[n, m, .., o·s_a - pb_a + k·d_a, ..] · filter_a[m, k]`, then `+ b[m]`.
 * p: the standard Conv problem being flattened (`group = 1`; its kernelShape gives each 1-D filter's
 * length, its strides, dilations and pads apply on their axes); x `[N, C, ...]`, b `[M]`; y `[N, M, ...o]`.
 */
export function flattenedConv(p: ConvProblem, x: Tensor, filters: FlattenedFilters, b?: Tensor): OpResult {
  checkFlattened(p, x, filters, b);
  const channelStep = pointwiseStep(x, filters.channel);
  let t: Tensor = channelStep.y;
  let multiplications = channelStep.multiplications;
  for (let axis = 0; axis < p.inputShape.length; axis++) {
    const step = axisConvStep(t, filters.spatial[axis], axisWindow(p, axis));
    t = step.y;
    multiplications += step.multiplications;
  }
  const y = Float64Array.from(t.data);
  if (b !== undefined) addChannelBias(y, b, p.batch, p.outChannels);
  return { y: { shape: [...t.shape], data: y }, multiplications };
}

function checkFlattened(p: ConvProblem, x: Tensor, filters: FlattenedFilters, b?: Tensor): void {
  const op = 'flattenedConv';
  if (p.op !== 'conv') throw new ConvInputError('op', `${op}: the problem must be a conv, but op=${p.op}.`);
  validateProblem(p);
  if (p.group !== 1) throw new ConvInputError('group', `${op}: a flattened filter spans every input channel, so group must be 1, but group=${p.group}.`);
  checkTensor('x', x, inputTensorShape(p));
  checkTensor('filters.channel', filters.channel, [p.outChannels, p.inChannels]);
  if (filters.spatial.length !== p.inputShape.length) {
    throw new ConvInputError('filters.spatial', `${op}: one spatial filter per axis is required (${p.inputShape.length}), but ${filters.spatial.length} were given.`);
  }
  filters.spatial.forEach((f, a) => checkTensor(`filters.spatial[${a}]`, f, [p.outChannels, p.kernelShape[a]]));
  checkBias(op, p.bias, b, p.outChannels);
}

/**
 * Multiplications: channel step `N·M·C·Πi`, then axis step a `N·M·T_a·Π_{b<a} o_b·Π_{b>a} i_b`
 * (T_a = in-input taps along a, `o_a·k_a` without padding).
 */
export function flattenedMultiplications(p: ConvProblem): { readonly channel: number; readonly spatial: number[]; readonly total: number } {
  const channel = p.batch * p.outChannels * p.inChannels * sizeOf(p.inputShape);
  const spatial = axisStepMultiplications(p, p.outChannels);
  return { channel, spatial, total: channel + spatial.reduce((s, v) => s + v, 0) };
}

/** Parameters: `M·(C + Σ_a k_a)` instead of `M·C·Πk`, plus M with a bias. */
export function flattenedParameters(p: ConvProblem): number {
  return p.outChannels * (p.inChannels + p.kernelShape.reduce((s, k) => s + k, 0)) + (p.bias ? p.outChannels : 0);
}
