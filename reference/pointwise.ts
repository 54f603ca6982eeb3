/**
 * 1x1 (pointwise) convolution, the article's §4: at every pixel a linear map over channels
 * (Network-in-Network, Inception). Strides subsample; pads add positions whose only tap is zero
 * padding (their output is the bias alone). Written as a per-pixel matmul, not as a Conv call.
 */
import { ConvInputError } from '../problem/errors.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { outputSpatialShape, outputTensorShape, resolvePads, sizeOf } from '../problem/shape.ts';
import { validateProblem } from '../problem/validate.ts';
import { checkReferenceOperands } from './inputs.ts';
import type { ConvOperands } from '../problem/operands.ts';
import type { OpResult } from './op-result.ts';
import { multiIndexTable, WindowMap } from './spatial-index.ts';
import { spatialTapCount } from './tap-count.ts';

/**
 * Reference 1x1 Conv, group 1, float64: `y[n, m, o] = b[m] + Σ_c w[m, c] · x[n, c, o·s - pb]`.
 * x `[N, C, ...]`, w `[M, C, 1, ...]`, b `[M]`; y `[N, M, ...o]`. Any kernel size but 1, any group
 * but 1, or a ConvTranspose problem is rejected (pointwise grouped is `pointwiseGroupedConv`).
 * @example pointwiseConv(makeProblem({ inChannels: 2, outChannels: 1, inputShape: [3], kernelShape: [1] }), { x, w }).y
 */
export function pointwiseConv(p: ConvProblem, operands: ConvOperands): OpResult {
  checkOneByOne('pointwiseConv', p);
  if (p.group !== 1) {
    throw new ConvInputError('group', `pointwiseConv: group must be 1 (a grouped 1x1 conv is pointwiseGroupedConv), but group=${p.group}.`);
  }
  checkReferenceOperands(p, operands);
  const { x, w, b } = operands;
  const source = pointwiseSourceOffsets(p);
  const inSize = sizeOf(p.inputShape), outSize = source.length, C = p.inChannels, M = p.outChannels;
  const y = new Float64Array(p.batch * M * outSize);
  let multiplications = 0;
  for (let n = 0; n < p.batch; n++) {
    for (let o = 0; o < outSize; o++) {
      // y[n, :, o] = W · x[n, :, o·s - pb] + b: one matrix-vector product per output pixel
      for (let m = 0; m < M; m++) {
        let acc = b === undefined ? 0 : b.data[m];
        if (source[o] >= 0) {
          for (let c = 0; c < C; c++) acc += w.data[m * C + c] * x.data[(n * C + c) * inSize + source[o]];
          multiplications += C;
        }
        y[(n * M + m) * outSize + o] = acc;
      }
    }
  }
  return { y: { shape: outputTensorShape(p), data: y }, multiplications };
}

/**
 * For every output position of a 1x1 problem, the flat spatial offset its single tap reads,
 * `inPos = outPos·s - pb` on every axis, or -1 when that lands in the zero padding.
 */
export function pointwiseSourceOffsets(p: ConvProblem): Int32Array {
  const outShape = outputSpatialShape(p);
  const outTable = multiIndexTable(outShape), kernelTable = multiIndexTable(p.kernelShape);
  const window = new WindowMap(p.inputShape, p.strides, p.dilations, resolvePads(p).begin);
  // the one tap k = 0 of every output position
  return Int32Array.from({ length: sizeOf(outShape) }, (_, o) => window.tapOffset(outTable, o, kernelTable, 0));
}

/**
 * Throws a ConvInputError unless `p` is a valid Conv (not ConvTranspose) whose kernel is 1 on every
 * axis. `op` names the caller in the message.
 */
export function checkOneByOne(op: string, p: ConvProblem): void {
  validateProblem(p);
  if (p.op !== 'conv') throw new ConvInputError('op', `${op}: the problem must be a conv, but op=${p.op}.`);
  p.kernelShape.forEach((k, a) => {
    if (k !== 1) throw new ConvInputError(`kernelShape[${a}]`, `${op}: the kernel must be 1 on every axis, but kernelShape=[${p.kernelShape}].`);
  });
}

/**
 * Multiplications of {@link pointwiseConv}: `N · M · C · P`, P = output positions whose tap is
 * inside the input (`Πo` without padding).
 * @example pointwiseMultiplications(makeProblem({ inChannels: 3, outChannels: 128, inputShape: [5, 5], kernelShape: [1, 1] })) // 9,600
 */
export function pointwiseMultiplications(p: ConvProblem): number {
  checkOneByOne('pointwiseMultiplications', p);
  return p.batch * p.outChannels * p.inChannels * spatialTapCount(p);
}

/** Parameters of a 1x1 conv: `M · C` weights, plus `M` with a bias. */
export function pointwiseParameters(p: ConvProblem): number {
  checkOneByOne('pointwiseParameters', p);
  return p.outChannels * p.inChannels + (p.bias ? p.outChannels : 0);
}
