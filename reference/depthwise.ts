/**
 * Depthwise convolution (the article's §8.2 step 1 and §10.1: grouped with groups = channels):
 * every input channel is filtered on its own by `multiplier` kernels. N-d, strided, dilated,
 * padded, with bias. Its own loop, never a Conv call: "depthwise = grouped conv with group = C"
 * is a law that compares the two.
 */
import { ConvInputError } from '../problem/errors.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { sizeOf } from '../problem/shape.ts';
import { validateProblem } from '../problem/validate.ts';
import { checkReferenceOperands } from './inputs.ts';
import type { ConvOperands } from '../problem/operands.ts';
import type { OpResult } from './op-result.ts';
import { convGeometry } from './conv-setup.ts';
import { spatialTapCount } from './tap-count.ts';

/**
 * Reference depthwise Conv, float64, with `group = C` and `M = C · multiplier`:
 * `y[n, c·mult + j, o] = b[c·mult + j] + Σ_k x[n, c, o·s - pb + k·d] · w[c·mult + j, 0, k]`.
 * x `[N, C, ...]`, w `[C·mult, 1, ...k]`, b `[C·mult]`; y `[N, C·mult, ...o]`.
 * @example depthwiseConv(makeProblem({ inChannels: 2, outChannels: 2, group: 2, inputShape: [3], kernelShape: [2] }), { x, w }).y
 */
export function depthwiseConv(p: ConvProblem, operands: ConvOperands): OpResult {
  checkDepthwise('depthwiseConv', p);
  checkReferenceOperands(p, operands);
  const { x, w, b } = operands;
  const mult = depthwiseMultiplier(p);
  // the window walks the output o and gathers from the input: inPos = o·s - pb + k·d
  const { yShape, inSize, outSize, kernelSize, windowTable: outTable, kernelTable, window } = convGeometry(p);
  const C = p.inChannels, M = p.outChannels;
  const y = new Float64Array(p.batch * M * outSize);
  let multiplications = 0;
  for (let n = 0; n < p.batch; n++) {
    for (let c = 0; c < C; c++) {
      for (let j = 0; j < mult; j++) {
        const m = c * mult + j;
        for (let o = 0; o < outSize; o++) {
          let acc = b === undefined ? 0 : b.data[m];
          // y[n, m, o] += x[n, c, inPos] · w[m, 0, k]
          for (let k = 0; k < kernelSize; k++) {
            const inOffset = window.tapOffset(outTable, o, kernelTable, k);
            if (inOffset < 0) continue; // the tap reads zero padding
            acc += x.data[(n * C + c) * inSize + inOffset] * w.data[m * kernelSize + k];
            multiplications++;
          }
          y[(n * M + m) * outSize + o] = acc;
        }
      }
    }
  }
  return { y: { shape: yShape, data: y }, multiplications };
}

/** Channel multiplier of a depthwise problem: `M / C` filters per input channel. */
export function depthwiseMultiplier(p: ConvProblem): number {
  return p.outChannels / p.inChannels;
}

/**
 * Multiplications of {@link depthwiseConv}: `N · C·mult · T`, T = kernel taps inside the input over
 * all output positions (`Πk · Πo` without padding). Article §8.2: 7x7x3 to 5x5x3 with 3x3 is 675.
 */
export function depthwiseMultiplications(p: ConvProblem): number {
  checkDepthwise('depthwiseMultiplications', p);
  return p.batch * p.outChannels * spatialTapCount(p);
}

/** Parameters of a depthwise conv: `C·mult · Πk` weights, plus `C·mult` with a bias. */
export function depthwiseParameters(p: ConvProblem): number {
  checkDepthwise('depthwiseParameters', p);
  return p.outChannels * sizeOf(p.kernelShape) + (p.bias ? p.outChannels : 0);
}

/** Throws a ConvInputError unless `p` is a valid depthwise Conv: op conv and group = C. */
function checkDepthwise(op: string, p: ConvProblem): void {
  validateProblem(p);
  if (p.op !== 'conv') throw new ConvInputError('op', `${op}: the problem must be a conv, but op=${p.op}.`);
  if (p.group !== p.inChannels) {
    throw new ConvInputError('group', `${op}: group must equal the input channels, but group=${p.group} and C=${p.inChannels}.`);
  }
}
