/**
 * Where an implementation may multiply a padded zero by a weight. The reference skips taps that
 * read zero padding (Conv) or that land outside the output (ConvTranspose), so `0·w` never enters
 * its sums; an im2col kernel multiplies those zeros in, and so does a ConvTranspose computed as a
 * Conv over the zero-inserted, padded input. With finite weights both readings agree; with an
 * infinite or NaN weight `0·w` is NaN (IEEE 754), so the second reading gives NaN where the first
 * gives a number. ONNX defines padding as zeros and says nothing of the order of operations, so
 * convcheck accepts both: NaN is also allowed at the outputs this module marks.
 */
import type { ConvProblem } from '../problem/problem.ts';
import { outputSpatialShape, sizeOf } from '../problem/shape.ts';
import type { Tensor } from '../problem/tensor.ts';
import { convGeometry } from './conv-setup.ts';

/**
 * Per output element of `p` (`[N, M, ...o]`, flat), 1 where some tap of its window reads a
 * structural zero (padding, or for ConvTranspose an inserted zero between strided inputs) through a
 * weight that is not finite, else 0.
 * @example paddedInfiniteProducts(parseDescriptor('mb1ic1iw2oc1kw3ph1pw1'), { shape: [1, 1, 3], data: [Infinity, 1, 1] }) // [1, 0]
 */
export function paddedInfiniteProducts(p: ConvProblem, w: Tensor): Uint8Array {
  const outShape = outputSpatialShape(p), outSize = sizeOf(outShape), kernelSize = sizeOf(p.kernelShape);
  const marks = new Uint8Array(p.batch * p.outChannels * outSize);
  const inPerGroup = p.inChannels / p.group, outPerGroup = p.outChannels / p.group;
  // which (output channel m, tap k) pairs hold a non-finite weight, over every input channel of m's group
  const infinite = new Uint8Array(p.outChannels * kernelSize);
  for (let m = 0; m < p.outChannels; m++) {
    const g = Math.floor(m / outPerGroup);
    for (let c = 0; c < inPerGroup; c++) {
      for (let k = 0; k < kernelSize; k++) {
        // Conv w[m, c, k]; ConvTranspose w[g·C/G + c, m mod (M/G), k]
        const at = p.op === 'conv' ? (m * inPerGroup + c) * kernelSize + k : ((g * inPerGroup + c) * outPerGroup + (m % outPerGroup)) * kernelSize + k;
        if (!Number.isFinite(w.data[at])) infinite[m * kernelSize + k] = 1;
      }
    }
  }
  const readsZero = structuralZeroTaps(p); // [o, k]: tap k of output o reads a structural zero
  for (let m = 0; m < p.outChannels; m++) {
    for (let o = 0; o < outSize; o++) {
      for (let k = 0; k < kernelSize; k++) {
        if (readsZero[o * kernelSize + k] && infinite[m * kernelSize + k]) { marks[m * outSize + o] = 1; break; }
      }
    }
  }
  // the marks do not depend on the batch item: the first item's, repeated
  const plane = p.outChannels * outSize;
  for (let n = 1; n < p.batch; n++) marks.copyWithin(n * plane, 0, plane);
  return marks;
}

/**
 * Per (output position o, tap k), 1 when the tap reads a structural zero in the gather form of the
 * op: Conv reads input `o·s - pb + k·d`, a zero when outside the input; ConvTranspose reads the
 * zero-inserted input at `o + pb - k·d`, a zero unless an input i lands there, `o = i·s - pb + k·d`
 * (the scatter map its window table gives).
 */
function structuralZeroTaps(p: ConvProblem): Uint8Array {
  const { windowTable, kernelTable, window, kernelSize, inSize, outSize } = convGeometry(p);
  const zeros = new Uint8Array(outSize * kernelSize);
  if (p.op === 'conv') {
    for (let o = 0; o < outSize; o++) for (let k = 0; k < kernelSize; k++) zeros[o * kernelSize + k] = window.tapOffset(windowTable, o, kernelTable, k) < 0 ? 1 : 0;
    return zeros;
  }
  zeros.fill(1);
  for (let i = 0; i < inSize; i++) {
    for (let k = 0; k < kernelSize; k++) {
      const o = window.tapOffset(windowTable, i, kernelTable, k); // input i, tap k land at output o
      if (o >= 0) zeros[o * kernelSize + k] = 0;
    }
  }
  return zeros;
}
