/**
 * Pointwise grouped convolution (ShuffleNet, arXiv:1707.01083; the article's §12): a 1x1 conv whose
 * channels are split into g groups, i.e. a per-pixel matmul with a block-diagonal `[M, C]` matrix.
 */
import type { ConvProblem } from '../problem/problem.ts';
import { outputTensorShape, sizeOf, weightShape } from '../problem/shape.ts';
import { checkTensor, type Tensor, type Tensor64 } from '../problem/tensor.ts';
import { checkReferenceOperands } from './inputs.ts';
import type { ConvOperands } from '../problem/operands.ts';
import type { OpResult } from './op-result.ts';
import { checkOneByOne, pointwiseSourceOffsets } from './pointwise.ts';
import { spatialTapCount } from './tap-count.ts';

/**
 * Reference grouped 1x1 Conv, float64:
 * `y[n, m, o] = b[m] + Σ_{c < C/g} w[m, c] · x[n, gm·C/g + c, o·s - pb]`, gm = `floor(m / (M/g))`.
 * x `[N, C, ...]`, w `[M, C/g, 1, ...]`, b `[M]`; y `[N, M, ...o]`. A kernel other than 1 is rejected.
 */
export function pointwiseGroupedConv(p: ConvProblem, operands: ConvOperands): OpResult {
  checkOneByOne('pointwiseGroupedConv', p);
  checkReferenceOperands(p, operands);
  const { x, w, b } = operands;
  const source = pointwiseSourceOffsets(p);
  const inSize = sizeOf(p.inputShape), outSize = source.length, C = p.inChannels, M = p.outChannels;
  const inPerGroup = C / p.group, outPerGroup = M / p.group;
  const y = new Float64Array(p.batch * M * outSize);
  let multiplications = 0;
  for (let n = 0; n < p.batch; n++) {
    for (let o = 0; o < outSize; o++) {
      // y[n, :, o] = blockdiag(W_0, ..., W_{g-1}) · x[n, :, o·s - pb] + b; block gm maps its C/g channels to its M/g
      for (let m = 0; m < M; m++) {
        const firstChannel = Math.floor(m / outPerGroup) * inPerGroup;
        let acc = b === undefined ? 0 : b.data[m];
        if (source[o] >= 0) {
          for (let c = 0; c < inPerGroup; c++) acc += w.data[m * inPerGroup + c] * x.data[(n * C + firstChannel + c) * inSize + source[o]];
          multiplications += inPerGroup;
        }
        y[(n * M + m) * outSize + o] = acc;
      }
    }
  }
  return { y: { shape: outputTensorShape(p), data: y }, multiplications };
}

/**
 * The dense `[M, C, 1, ...]` weight of the same map: `dense[m, gm·C/g + c] = w[m, c]`, zero off the
 * diagonal blocks. A group-1 1x1 conv with it equals the grouped one (law: pointwise grouped =
 * block-diagonal matmul).
 */
export function blockDiagonalWeight(p: ConvProblem, w: Tensor): Tensor64 {
  checkOneByOne('blockDiagonalWeight', p);
  checkTensor('w', w, weightShape(p));
  const C = p.inChannels, M = p.outChannels, inPerGroup = C / p.group, outPerGroup = M / p.group;
  const dense = new Float64Array(M * C);
  for (let m = 0; m < M; m++) {
    const firstChannel = Math.floor(m / outPerGroup) * inPerGroup;
    for (let c = 0; c < inPerGroup; c++) dense[m * C + firstChannel + c] = w.data[m * inPerGroup + c];
  }
  return { shape: [M, C, ...p.kernelShape], data: dense };
}

/**
 * Multiplications of {@link pointwiseGroupedConv}: `N · M · (C/g) · P`, P = output positions whose
 * tap is inside the input: g times fewer than the dense 1x1.
 */
export function pointwiseGroupedMultiplications(p: ConvProblem): number {
  checkOneByOne('pointwiseGroupedMultiplications', p);
  return p.batch * p.outChannels * (p.inChannels / p.group) * spatialTapCount(p);
}

/** Parameters of a grouped 1x1 conv: `M · C/g` weights, plus `M` with a bias. */
export function pointwiseGroupedParameters(p: ConvProblem): number {
  checkOneByOne('pointwiseGroupedParameters', p);
  return (p.outChannels * p.inChannels) / p.group + (p.bias ? p.outChannels : 0);
}
