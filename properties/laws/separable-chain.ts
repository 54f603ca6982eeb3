/**
 * The chains of small convs that separable types are made of, run on the backend one stage at a
 * time (each stage's error bound carried into the next), and the full kernels they equal.
 */
import { withChanges, type ConvProblem } from '../../problem/problem.ts';
import { outputSpatialShape, resolvePads, sizeOf } from '../../problem/shape.ts';
import type { Tensor, Tensor64 } from '../../problem/tensor.ts';
import type { Approx } from '../approx.ts';
import type { LawContext } from '../law.ts';
import { reshape } from '../../reference/tensor-ops.ts';
import { withBias } from './common.ts';

/**
 * The depthwise (group = channels) conv along spatial axis `axis` only: kernel, stride, dilation
 * and resolved pads of `p` on that axis, 1 and 0 on the others; input of `inputShape`.
 */
function axisStage(p: ConvProblem, axis: number, inputShape: readonly number[], channels: number, bias: boolean): ConvProblem {
  const pads = resolvePads(p);
  const only = (values: readonly number[], other: number): number[] => values.map((v, a) => (a === axis ? v : other));
  return withChanges(p, {
    op: 'conv', batch: p.batch, inChannels: channels, outChannels: channels, group: channels, inputShape: [...inputShape],
    kernelShape: only(p.kernelShape, 1), strides: only(p.strides, 1), dilations: only(p.dilations, 1),
    padsBegin: only(pads.begin, 0), padsEnd: only(pads.end, 0), autoPad: 'NOTSET', outputPadding: p.inputShape.map(() => 0),
    outputShape: undefined, bias,
  });
}

/** Runs one stage on the backend with the previous stage's value as x and its bound carried. */
export async function runStage(ctx: LawContext, stage: ConvProblem, input: Approx, w: Tensor, b?: Tensor): Promise<Approx> {
  return ctx.run(stage, withBias({ x: { shape: input.shape, data: input.value }, w }, b), input.bound);
}

/** Runs the axis stages of `p` in order, axis 0 first, per-channel kernels `kernels[a]` `[channels, k_a]`; bias on the last. */
export async function runAxisStages(ctx: LawContext, p: ConvProblem, start: Approx, kernels: readonly Tensor[], b?: Tensor): Promise<Approx> {
  let current = start;
  const channels = start.shape[1];
  for (let axis = 0; axis < p.inputShape.length; axis++) {
    const last = axis === p.inputShape.length - 1;
    const stage = axisStage(p, axis, current.shape.slice(2), channels, last && b !== undefined);
    const w = reshape(kernels[axis], [channels, 1, ...p.kernelShape.map((k, a) => (a === axis ? k : 1))]);
    current = await runStage(ctx, stage, current, w, last ? b : undefined);
  }
  const want = outputSpatialShape(p);
  if (current.shape.slice(2).join() !== want.join()) throw new Error(`axis stages ended at [${current.shape}], the problem's output is [${want}]`);
  return current;
}

/**
 * The rank-1 kernel of per-axis 1-D kernels: `W[m, 0.., k_0, k_1, ..] = scale[m, ..]·Π_a kernels[a][m, k_a]`,
 * shape `[M, inner, ...k]` where `scale` is `[M, inner]` (ones when absent: inner = 1).
 */
export function outerProductKernel(kernels: readonly Tensor[], scale?: Tensor): Tensor64 {
  const M = kernels[0].shape[0];
  const kernelShape = kernels.map((k) => k.shape[1]);
  const inner = scale ? scale.shape[1] : 1;
  const kernelSize = sizeOf(kernelShape);
  const data = new Float64Array(M * inner * kernelSize);
  for (let m = 0; m < M; m++) {
    for (let q = 0; q < kernelSize; q++) {
      let product = 1, rest = q;
      for (let a = kernelShape.length - 1; a >= 0; a--) {
        product *= kernels[a].data[m * kernelShape[a] + (rest % kernelShape[a])];
        rest = Math.floor(rest / kernelShape[a]);
      }
      for (let c = 0; c < inner; c++) data[(m * inner + c) * kernelSize + q] = (scale ? scale.data[m * inner + c] : 1) * product;
    }
  }
  return { shape: [M, inner, ...kernelShape], data };
}
