/**
 * Grouped convolution as the article's §10 explains it (AlexNet): cut the input into g channel
 * slices and the filters into g blocks, run g independent ordinary (group-1) convolutions, one per
 * slice, and stack their outputs along channels. Calling `conv` with group 1 here is the point:
 * the law "grouped = concatenation of g convs" holds this against `conv` with the group attribute.
 */
import { withChanges, type ConvProblem } from '../problem/problem.ts';
import { outputSpatialShape, resolvePads, sizeOf } from '../problem/shape.ts';
import { validateProblem } from '../problem/validate.ts';
import { concatChannels, sliceAxis, sliceChannels } from './tensor-ops.ts';
import { convTransposeDetailed } from './conv-transpose.ts';
import { convDetailed } from './conv.ts';
import { checkReferenceOperands } from './inputs.ts';
import type { ConvOperands } from '../problem/operands.ts';
import type { OpResult } from './op-result.ts';
import type { Tensor64 } from '../problem/tensor.ts';
import { axisTapCount } from './tap-count.ts';

/**
 * Reference grouped Conv or ConvTranspose, float64:
 * `y = concat_g op(groupProblem(p), x[:, g·C/G : (g+1)·C/G], w_g, b[g·M/G : (g+1)·M/G])` for g < G,
 * where `w_g` is block g of w along its first axis (Conv: filters `g·M/G ..`; ConvTranspose: input
 * channels `g·C/G ..`). x `[N, C, ...]`, w in ONNX layout, b `[M]`; y `[N, M, ...o]`.
 * @example groupedConv(makeProblem({ inChannels: 4, outChannels: 2, group: 2, inputShape: [3], kernelShape: [2] }), { x, w }).y
 */
export function groupedConv(p: ConvProblem, operands: ConvOperands): OpResult {
  checkReferenceOperands(p, operands);
  const { x, w, b } = operands;
  const one = groupProblem(p);
  const inPerGroup = p.inChannels / p.group, outPerGroup = p.outChannels / p.group;
  const blockSize = p.op === 'conv' ? outPerGroup : inPerGroup; // w's first axis: filters (Conv) or input channels (ConvTranspose)
  const run = p.op === 'conv' ? convDetailed : convTransposeDetailed;
  const parts: Tensor64[] = [];
  let multiplications = 0;
  for (let g = 0; g < p.group; g++) {
    const slice = {
      x: sliceChannels(x, g * inPerGroup, inPerGroup),
      w: sliceAxis(w, 0, g * blockSize, blockSize),
      ...(b !== undefined ? { b: sliceAxis(b, 0, g * outPerGroup, outPerGroup) } : {}),
    };
    const result = run(one, slice);
    parts.push(result.y);
    multiplications += result.multiplications;
  }
  return { y: concatChannels(parts), multiplications };
}

/**
 * The group-1 problem each group runs: same op and spatial attributes, `C/g` input and `M/g`
 * output channels.
 */
export function groupProblem(p: ConvProblem): ConvProblem {
  validateProblem(p);
  return withChanges(p, { group: 1, inChannels: p.inChannels / p.group, outChannels: p.outChannels / p.group });
}

/**
 * Multiplications of {@link groupedConv}: g groups, each `N · (M/g) · (C/g) · T` where T counts the
 * kernel taps inside the input (Conv) or inside the cropped output (ConvTranspose, the roles of
 * input and output swapped) over all window positions; without padding `T = Πo·Πk` (Conv).
 */
export function groupedMultiplications(p: ConvProblem): number {
  validateProblem(p);
  const pads = resolvePads(p), out = outputSpatialShape(p);
  let taps = 1;
  for (let a = 0; a < p.inputShape.length; a++) {
    const [windows, targets] = p.op === 'conv' ? [out[a], p.inputShape[a]] : [p.inputShape[a], out[a]];
    taps *= axisTapCount(targets, p.kernelShape[a], p.strides[a], p.dilations[a], pads.begin[a], windows);
  }
  const perGroup = p.batch * (p.outChannels / p.group) * (p.inChannels / p.group) * taps;
  return p.group * perGroup;
}

/**
 * Parameters of a grouped conv: g filter blocks of `(M/g) · (C/g) · Πk` weights (the same for Conv
 * and ConvTranspose), plus `M` with a bias. Article §10: `h·w·Din·Dout` weights with one group,
 * `(h·w·Din/2·Dout/2)·2` with two: g groups divide the weights by g.
 * @example groupedParameters(makeProblem({ inChannels: 96, outChannels: 256, group: 2, inputShape: [27, 27], kernelShape: [5, 5] })) // 307,200
 */
export function groupedParameters(p: ConvProblem): number {
  validateProblem(p);
  const perGroup = (p.outChannels / p.group) * (p.inChannels / p.group) * sizeOf(p.kernelShape);
  return p.group * perGroup + (p.bias ? p.outChannels : 0);
}
