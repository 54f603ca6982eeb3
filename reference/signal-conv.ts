/**
 * Signal-processing convolution and cross-correlation (the article's §1): single channel, N-d
 * (1 to 3 axes), shapes spatial only, with numpy / scipy's full, same and valid modes. Deep learning
 * "convolution" is the cross-correlation; the signal-processing one flips the kernel.
 *
 * Modes (scipy.signal.convolve / correlate, numpy.convolve): full is every overlap, size `i+k-1`;
 * valid only windows inside x, size `i-k+1`; same is the centre of full with the size of x, starting
 * `floor((k-1)/2)` into full on every axis (scipy/signal/_signaltools.py `_centered`:
 * `startind = (currshape - newshape) // 2`), so for an even kernel the extra element is dropped at the
 * end: `convolve([1,2,3,4], [1,10], 'same')` is `[1, 12, 23, 34]`, the first 4 of full
 * `[1, 12, 23, 34, 40]`. Checked against numpy 2.4 and scipy 1.17. Pads: problem/shape.ts `signalModePads`.
 */
import { ConvInputError } from '../problem/errors.ts';
import { signalModePads, signalOutputSize, sizeOf, stridesOf, type SignalMode } from '../problem/shape.ts';
import { checkTensor, type Tensor, type Tensor64 } from '../problem/tensor.ts';
import { checkReferenceOutputSize } from './inputs.ts';
import type { OpResult } from './op-result.ts';
import { multiIndexTable } from './spatial-index.ts';
import { axisTapCount } from './tap-count.ts';

const MODES: readonly SignalMode[] = ['full', 'same', 'valid'];

/**
 * Signal-processing convolution, kernel flipped: `y[o] = Σ_j x[o + start - j] · k[j]` per axis,
 * `start` = 0 (full), `floor((K-1)/2)` (same), `K-1` (valid); x outside its bounds is zero.
 * x and k are spatial only (`[W]`, `[H, W]` or `[D, H, W]`, same rank).
 * @example convolveSignal(tensor([1, 2, 3], [3]), tensor([1, 1], [2]), 'full').y // [1, 3, 5, 3]
 */
export function convolveSignal(x: Tensor, k: Tensor, mode: SignalMode): OpResult {
  return slideKernel('convolveSignal', x, k, mode, true);
}

/**
 * Cross-correlation, kernel not flipped: `y[o] = Σ_j x[o + start - (K-1) + j] · k[j]` per axis, with
 * `start` as in {@link convolveSignal}; equal to `convolveSignal(x, flipKernel(k), mode)` (scipy's
 * definition of correlate's modes). Its valid mode is deep learning's Conv with no padding.
 * @example crossCorrelateSignal(tensor([1, 2, 3], [3]), tensor([1, 10], [2]), 'valid').y // [21, 32]
 */
export function crossCorrelateSignal(x: Tensor, k: Tensor, mode: SignalMode): OpResult {
  return slideKernel('crossCorrelateSignal', x, k, mode, false);
}

/**
 * The kernel reversed along every axis: `flipped[j] = k[K-1-j]` per axis.
 * @example flipKernel(tensor([1, 2, 3], [3])) // [3, 2, 1]
 */
export function flipKernel(k: Tensor): Tensor64 {
  checkSignalTensor('flipKernel', 'k', k);
  const table = multiIndexTable(k.shape), strides = stridesOf(k.shape), rank = k.shape.length;
  const data = new Float64Array(k.data.length);
  // flipped[j] = k[K-1-j] on every axis
  for (let j = 0; j < data.length; j++) {
    let source = 0;
    for (let a = 0; a < rank; a++) source += (k.shape[a] - 1 - table[j * rank + a]) * strides[a];
    data[j] = k.data[source];
  }
  return { shape: [...k.shape], data };
}

/** Spatial output shape of a signal convolution or correlation: per axis `signalOutputSize`. */
export function signalOutputShape(xShape: readonly number[], kShape: readonly number[], mode: SignalMode): number[] {
  return xShape.map((i, a) => signalOutputSize(i, kShape[a], mode));
}

/**
 * Multiplications of {@link convolveSignal} and {@link crossCorrelateSignal} (the same: flipping the
 * kernel permutes the taps): `Π_axis` taps of the window inside x; full and same skip the taps that
 * land outside x. Without any padding (valid) it is `Πo · Πk`.
 * @example signalMultiplications([5], [3], 'full') // 15 = 5·3: every (x, k) pair once
 */
export function signalMultiplications(xShape: readonly number[], kShape: readonly number[], mode: SignalMode): number {
  const outShape = signalOutputShape(xShape, kShape, mode);
  let taps = 1;
  for (let a = 0; a < xShape.length; a++) {
    taps *= axisTapCount(xShape[a], kShape[a], 1, 1, signalModePads(kShape[a], mode).begin, outShape[a]);
  }
  return taps;
}

/** Parameters of a signal-processing kernel: `Πk`. */
export function signalParameters(kShape: readonly number[]): number {
  return sizeOf(kShape);
}

/** One loop for both ops: `flip` reads tap j of the kernel as `K-1-j` on every axis. */
function slideKernel(op: string, x: Tensor, k: Tensor, mode: SignalMode, flip: boolean): OpResult {
  checkSignal(op, x, k, mode);
  const rank = x.shape.length;
  const padsBegin = k.shape.map((size) => signalModePads(size, mode).begin);
  const outShape = signalOutputShape(x.shape, k.shape, mode);
  const outTable = multiIndexTable(outShape), kernelTable = multiIndexTable(k.shape);
  const xStrides = stridesOf(x.shape), kernelSize = k.data.length;
  const y = new Float64Array(sizeOf(outShape));
  let multiplications = 0;
  for (let o = 0; o < y.length; o++) {
    let acc = 0;
    for (let j = 0; j < kernelSize; j++) {
      // inPos = outPos - padBegin + kernelPos, kernelPos = K-1-j (convolution) or j (correlation)
      let inOffset = 0;
      for (let a = 0; a < rank && inOffset >= 0; a++) {
        const tap = kernelTable[j * rank + a];
        const kernelPos = flip ? k.shape[a] - 1 - tap : tap;
        const inPos = outTable[o * rank + a] - padsBegin[a] + kernelPos;
        inOffset = inPos < 0 || inPos >= x.shape[a] ? -1 : inOffset + inPos * xStrides[a];
      }
      if (inOffset < 0) continue; // x is zero outside its bounds
      acc += x.data[inOffset] * k.data[j];
      multiplications++;
    }
    y[o] = acc;
  }
  return { y: { shape: outShape, data: y }, multiplications };
}

function checkSignal(op: string, x: Tensor, k: Tensor, mode: SignalMode): void {
  if (!MODES.includes(mode)) throw new ConvInputError('mode', `${op}: mode must be one of full, same, valid, but mode=${String(mode)}.`);
  checkSignalTensor(op, 'x', x);
  checkSignalTensor(op, 'k', k);
  if (k.shape.length !== x.shape.length) {
    throw new ConvInputError('k.shape', `${op}: k must have the rank of x, but x.shape=[${x.shape}] and k.shape=[${k.shape}].`);
  }
  if (mode === 'valid') {
    x.shape.forEach((i, a) => {
      if (k.shape[a] > i) throw new ConvInputError(`k.shape[${a}]`, `${op}: mode valid needs the kernel to fit in x on every axis, but k.shape[${a}]=${k.shape[a]} > x.shape[${a}]=${i}.`);
    });
  }
  checkReferenceOutputSize(op, signalOutputShape(x.shape, k.shape, mode));
}

function checkSignalTensor(op: string, field: string, t: Tensor): void {
  const rank = t.shape.length;
  if (rank < 1 || rank > 3) throw new ConvInputError(`${field}.shape`, `${op}: ${field} must have 1, 2 or 3 axes, but ${field}.shape=[${t.shape}].`);
  t.shape.forEach((s, a) => {
    if (!Number.isInteger(s) || s < 1) throw new ConvInputError(`${field}.shape[${a}]`, `${op}: every size must be an integer >= 1, but ${field}.shape[${a}]=${s}.`);
  });
  checkTensor(field, t, t.shape);
}
