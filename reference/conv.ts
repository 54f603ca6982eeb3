/**
 * Conv as ONNX and deep learning define it: cross-correlation, N-d, grouped, strided, dilated,
 * padded, with optional bias.
 */
import type { ConvProblem } from '../problem/problem.ts';
import type { Tensor64 } from '../problem/tensor.ts';
import type { ConvResult } from './conv-result.ts';
import { convSetup } from './conv-setup.ts';
import { checkReferenceOperands } from './inputs.ts';
import type { ConvOperands } from '../problem/operands.ts';

/**
 * Reference Conv with the tolerance model's inputs:
 * `y[n, m, o] = b[m] + Σ_c Σ_k x[n, g·C/G + c, o·s - pb + k·d] · w[m, c, k]`, g = group of m.
 * @example convDetailed(makeProblem({ inChannels: 1, outChannels: 1, inputShape: [5, 5], kernelShape: [3, 3] }), { x, w }).y
 */
export function convDetailed(p: ConvProblem, operands: ConvOperands): ConvResult {
  checkReferenceOperands(p, operands);
  const { x, w, b } = operands;
  // the window walks the output o and gathers from the input: inPos = o·s - pb + k·d
  const {
    yShape, y, absSum, terms, inSize, outSize, kernelSize, inPerGroup, outPerGroup, windowTable: outTable, kernelTable, window,
  } = convSetup(p);
  let multiplications = 0;
  for (let n = 0; n < p.batch; n++) {
    for (let m = 0; m < p.outChannels; m++) {
      const g = Math.floor(m / outPerGroup);
      for (let o = 0; o < outSize; o++) {
        const yIdx = (n * p.outChannels + m) * outSize + o;
        let acc = 0, abs = 0, count = 0;
        if (b !== undefined) { acc = b.data[m]; abs = Math.abs(acc); count = 1; }
        for (let c = 0; c < inPerGroup; c++) {
          const xBase = (n * p.inChannels + g * inPerGroup + c) * inSize;
          const wBase = (m * inPerGroup + c) * kernelSize;
          for (let k = 0; k < kernelSize; k++) {
            const inOffset = window.tapOffset(outTable, o, kernelTable, k);
            if (inOffset < 0) continue; // the tap reads zero padding
            const product = x.data[xBase + inOffset] * w.data[wBase + k];
            acc += product; abs += Math.abs(product); count++;
          }
        }
        y[yIdx] = acc; absSum[yIdx] = abs; terms[yIdx] = count;
        multiplications += count - (b !== undefined ? 1 : 0);
      }
    }
  }
  return { y: { shape: yShape, data: y }, absSum, terms, multiplications };
}

/** Reference Conv: `[N, C, ...]` in, `[N, M, ...]` out, float64. See {@link convDetailed}. */
export function conv(p: ConvProblem, operands: ConvOperands): Tensor64 {
  return convDetailed(p, operands).y;
}
