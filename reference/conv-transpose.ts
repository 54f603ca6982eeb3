/**
 * ConvTranspose as ONNX defines it: the exact adjoint of Conv with the same attributes. Each input
 * element scatters through the kernel along the same window map that Conv gathers through.
 */
import { withChanges, type ConvProblem } from '../problem/problem.ts';
import { outputSpatialShape, resolvePads } from '../problem/shape.ts';
import type { Tensor64 } from '../problem/tensor.ts';
import type { ConvResult } from './conv-result.ts';
import { convSetup } from './conv-setup.ts';
import { checkReferenceOperands } from './inputs.ts';
import type { ConvOperands } from '../problem/operands.ts';

/**
 * Reference ConvTranspose with the tolerance model's inputs:
 * `y[n, g·M/G + m, i·s - pb + k·d] += x[n, c, i] · w[c, m, k]` for every input position i, tap k,
 * then `+ b[m]`; g = group of c. The output is cropped by pads and extended by output_padding.
 */
export function convTransposeDetailed(p: ConvProblem, operands: ConvOperands): ConvResult {
  checkReferenceOperands(p, operands);
  const { x, w, b } = operands;
  // the window walks the input i and scatters into the output: outPos = i·s - pb + k·d
  const {
    yShape, y, absSum, terms, inSize, outSize, kernelSize, inPerGroup, outPerGroup, windowTable: inTable, kernelTable, window,
  } = convSetup(p);
  let multiplications = 0;
  for (let n = 0; n < p.batch; n++) {
    for (let c = 0; c < p.inChannels; c++) {
      const g = Math.floor(c / inPerGroup);
      for (let i = 0; i < inSize; i++) {
        const xValue = x.data[(n * p.inChannels + c) * inSize + i];
        for (let mLocal = 0; mLocal < outPerGroup; mLocal++) {
          const yBase = (n * p.outChannels + g * outPerGroup + mLocal) * outSize;
          const wBase = (c * outPerGroup + mLocal) * kernelSize;
          for (let k = 0; k < kernelSize; k++) {
            const outOffset = window.tapOffset(inTable, i, kernelTable, k);
            if (outOffset < 0) continue; // the tap lands in the cropped border
            const product = xValue * w.data[wBase + k];
            y[yBase + outOffset] += product; absSum[yBase + outOffset] += Math.abs(product); terms[yBase + outOffset]++;
            multiplications++;
          }
        }
      }
    }
  }
  if (b !== undefined) {
    for (let n = 0; n < p.batch; n++) {
      for (let m = 0; m < p.outChannels; m++) {
        for (let o = 0; o < outSize; o++) {
          const yIdx = (n * p.outChannels + m) * outSize + o;
          y[yIdx] += b.data[m]; absSum[yIdx] += Math.abs(b.data[m]); terms[yIdx]++;
        }
      }
    }
  }
  return { y: { shape: yShape, data: y }, absSum, terms, multiplications };
}

/** Reference ConvTranspose: `[N, C, ...]` in, `[N, M, ...]` out, float64. See {@link convTransposeDetailed}. */
export function convTranspose(p: ConvProblem, operands: ConvOperands): Tensor64 {
  return convTransposeDetailed(p, operands).y;
}

/**
 * The ConvTranspose problem that is the adjoint of a Conv problem: same kernel, strides,
 * dilations, resolved pads and group; channels swapped; input is the conv's output; the
 * output_padding that recovers the conv's input size exactly.
 */
export function adjointProblem(p: ConvProblem): ConvProblem {
  const pads = resolvePads(p);
  const convOut = outputSpatialShape(p);
  const t = withChanges(p, {
    op: 'convTranspose', inChannels: p.outChannels, outChannels: p.inChannels, inputShape: convOut,
    padsBegin: pads.begin, padsEnd: pads.end, autoPad: 'NOTSET', bias: false, outputShape: undefined,
    outputPadding: p.inputShape.map(() => 0),
  });
  const full = outputSpatialShape(t);
  return withChanges(t, { outputPadding: p.inputShape.map((i, a) => i - full[a]) });
}
