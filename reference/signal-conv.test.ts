import { describe, expect, it } from 'vitest';
import { ConvInputError } from '../problem/errors.ts';
import type { SignalMode } from '../problem/shape.ts';
import { tensor } from '../problem/tensor.ts';
import { MAX_REFERENCE_OUTPUT_ELEMENTS } from './inputs.ts';
import {
  convolveSignal, crossCorrelateSignal, flipKernel, signalMultiplications, signalOutputShape, signalParameters,
} from './signal-conv.ts';

const values = (r: { y: { data: Float64Array } }) => Array.from(r.y.data);
const x1 = tensor([1, 2, 3, 4, 5], [5]);
const odd = tensor([1, 10, 100], [3]);
const even = tensor([1, 10], [2]);

// Every expected value below is scipy.signal.convolve / correlate (scipy 1.17), checked by hand where small.
describe('signal convolution, 1-D', () => {
  it('example: [1, 2, 3] * [1, 1] full is [1, 3, 5, 3]', () => {
    expect(values(convolveSignal(tensor([1, 2, 3], [3]), tensor([1, 1], [2]), 'full'))).toEqual([1, 3, 5, 3]);
  });

  it('odd kernel: full, same (the centre of full) and valid', () => {
    // full y[o] = Σ_j x[o-j]·k[j]: y[2] = 3·1 + 2·10 + 1·100 = 123
    expect(values(convolveSignal(x1, odd, 'full'))).toEqual([1, 12, 123, 234, 345, 450, 500]);
    expect(values(convolveSignal(x1, odd, 'same'))).toEqual([12, 123, 234, 345, 450]);
    expect(values(convolveSignal(x1, odd, 'valid'))).toEqual([123, 234, 345]);
  });

  it('even kernel: same starts floor((k-1)/2) = 0 into full, as scipy and numpy do', () => {
    expect(values(convolveSignal(x1, even, 'full'))).toEqual([1, 12, 23, 34, 45, 50]);
    expect(values(convolveSignal(x1, even, 'same'))).toEqual([1, 12, 23, 34, 45]);
    expect(values(convolveSignal(x1, even, 'valid'))).toEqual([12, 23, 34, 45]);
  });

  it('same with a kernel longer than x keeps the size of x', () => {
    const r = convolveSignal(tensor([1, 2], [2]), tensor([1, 10, 100, 1000], [4]), 'same');
    expect(r.y.shape).toEqual([2]);
    expect(values(r)).toEqual([12, 120]);
    expect(values(crossCorrelateSignal(tensor([1, 2], [2]), tensor([1, 10, 100, 1000], [4]), 'same'))).toEqual([2100, 210]);
  });

  it('full convolution commutes', () => {
    expect(values(convolveSignal(odd, x1, 'full'))).toEqual(values(convolveSignal(x1, odd, 'full')));
  });
});

describe('cross-correlation, 1-D', () => {
  it('does not flip the kernel: full, same, valid', () => {
    // full y[o] = Σ_j x[o - 2 + j]·k[j]: y[0] = 1·100
    expect(values(crossCorrelateSignal(x1, odd, 'full'))).toEqual([100, 210, 321, 432, 543, 54, 5]);
    expect(values(crossCorrelateSignal(x1, odd, 'same'))).toEqual([210, 321, 432, 543, 54]);
    expect(values(crossCorrelateSignal(x1, odd, 'valid'))).toEqual([321, 432, 543]);
  });

  it('even kernel', () => {
    expect(values(crossCorrelateSignal(x1, even, 'full'))).toEqual([10, 21, 32, 43, 54, 5]);
    expect(values(crossCorrelateSignal(x1, even, 'same'))).toEqual([10, 21, 32, 43, 54]);
    expect(values(crossCorrelateSignal(x1, even, 'valid'))).toEqual([21, 32, 43, 54]);
  });

  it('is convolution with the flipped kernel, in every mode', () => {
    for (const mode of ['full', 'same', 'valid'] as const) {
      expect(values(crossCorrelateSignal(x1, odd, mode))).toEqual(values(convolveSignal(x1, flipKernel(odd), mode)));
      expect(values(crossCorrelateSignal(x1, even, mode))).toEqual(values(convolveSignal(x1, flipKernel(even), mode)));
    }
  });
});

describe('2-D and 3-D', () => {
  const x2 = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [3, 4]);
  const k2 = tensor([1, 2, 3, 4], [2, 2]);

  it('2-D convolution, full / same / valid', () => {
    const full = convolveSignal(x2, k2, 'full');
    expect(full.y.shape).toEqual([4, 5]);
    expect(values(full)).toEqual([1, 4, 7, 10, 8, 8, 26, 36, 46, 32, 24, 66, 76, 86, 56, 27, 66, 73, 80, 48]);
    expect(values(convolveSignal(x2, k2, 'same'))).toEqual([1, 4, 7, 10, 8, 26, 36, 46, 24, 66, 76, 86]);
    expect(values(convolveSignal(x2, k2, 'valid'))).toEqual([26, 36, 46, 66, 76, 86]);
  });

  it('2-D cross-correlation, full / same / valid', () => {
    expect(values(crossCorrelateSignal(x2, k2, 'full'))).toEqual([4, 11, 18, 25, 12, 22, 44, 54, 64, 28, 46, 84, 94, 104, 44, 18, 29, 32, 35, 12]);
    expect(values(crossCorrelateSignal(x2, k2, 'same'))).toEqual([4, 11, 18, 25, 22, 44, 54, 64, 46, 84, 94, 104]);
    expect(values(crossCorrelateSignal(x2, k2, 'valid'))).toEqual([44, 54, 64, 84, 94, 104]);
  });

  it("the article's §2.1 numbers are the valid cross-correlation", () => {
    const x = tensor([3, 3, 2, 1, 0, 0, 0, 1, 3, 1, 3, 1, 2, 2, 3, 2, 0, 0, 2, 2, 2, 0, 0, 0, 1], [5, 5]);
    const k = tensor([0, 1, 2, 2, 2, 0, 0, 1, 2], [3, 3]);
    expect(values(crossCorrelateSignal(x, k, 'valid'))).toEqual([12, 12, 17, 10, 17, 19, 9, 6, 14]);
    expect(values(convolveSignal(x, k, 'valid'))).not.toEqual([12, 12, 17, 10, 17, 19, 9, 6, 14]);
  });

  const x3 = tensor(Array.from({ length: 18 }, (_, i) => i + 1), [2, 3, 3]);
  const k3 = tensor([1, 0, 0, 2, -1, 0, 0, 1], [2, 2, 2]);

  it('3-D convolution, full / same / valid', () => {
    const full = convolveSignal(x3, k3, 'full');
    expect(full.y.shape).toEqual([3, 4, 4]);
    expect(values(full)).toEqual([
      1, 2, 3, 0, 4, 7, 10, 6, 7, 16, 19, 12, 0, 14, 16, 18,
      9, 9, 9, 0, 9, 30, 33, 27, 9, 39, 42, 36, 0, 39, 42, 45,
      -10, -11, -12, 0, -13, -4, -4, 12, -16, -4, -4, 15, 0, 16, 17, 18,
    ]);
    expect(values(convolveSignal(x3, k3, 'same'))).toEqual([1, 2, 3, 4, 7, 10, 7, 16, 19, 9, 9, 9, 9, 30, 33, 9, 39, 42]);
    expect(values(convolveSignal(x3, k3, 'valid'))).toEqual([30, 33, 39, 42]);
  });

  it('3-D cross-correlation, same / valid', () => {
    expect(values(crossCorrelateSignal(x3, k3, 'same'))).toEqual([1, 2, 3, 4, 4, 4, 7, 4, 4, 12, 15, 18, 21, 15, 18, 30, 24, 27]);
    expect(values(crossCorrelateSignal(x3, k3, 'valid'))).toEqual([15, 18, 24, 27]);
  });

  it('flipKernel reverses every axis', () => {
    expect(values({ y: flipKernel(k2) })).toEqual([4, 3, 2, 1]);
    expect(values({ y: flipKernel(tensor([1, 2, 3, 4, 5, 6], [1, 2, 3])) })).toEqual([6, 5, 4, 3, 2, 1]);
  });
});

describe('precision and multiplications', () => {
  it('reads float32, accumulates and returns float64', () => {
    const r = convolveSignal({ shape: [2], data: Float32Array.from([0.1, 0.2]) }, tensor([1, 1], [2]), 'valid');
    expect(r.y.data).toBeInstanceOf(Float64Array);
    expect(r.y.data[0]).toBe(Math.fround(0.1) + Math.fround(0.2));
  });

  // Taps per output of full 1-D (x 5, k 3): [1, 2, 3, 3, 3, 2, 1]; same keeps outputs 1..5, valid 2..4.
  const cases: Array<[string, number[], number[], SignalMode, number]> = [
    ['1-D full: every (x, k) pair once', [5], [3], 'full', 15],
    ['1-D same', [5], [3], 'same', 13],
    ['1-D valid', [5], [3], 'valid', 9],
    ['1-D same, even kernel', [5], [2], 'same', 9],
    ['1-D same, kernel longer than x', [2], [4], 'same', 4],
    ['2-D full', [3, 4], [2, 2], 'full', 48],
    ['2-D same: rows 1+2+2, columns 1+2+2+2', [3, 4], [2, 2], 'same', 35],
    ['2-D valid', [3, 4], [2, 2], 'valid', 24],
    ['3-D full', [2, 3, 3], [2, 2, 2], 'full', 144],
    ['3-D same', [2, 3, 3], [2, 2, 2], 'same', 75],
    ['3-D valid', [2, 3, 3], [2, 2, 2], 'valid', 32],
  ];
  for (const [name, xShape, kShape, mode, expected] of cases) {
    it(`counts ${expected} multiplications, the formula's count (${name})`, () => {
      const x = tensor(Array.from({ length: xShape.reduce((a, b) => a * b) }, () => 1), xShape);
      const k = tensor(Array.from({ length: kShape.reduce((a, b) => a * b) }, () => 1), kShape);
      expect(signalMultiplications(xShape, kShape, mode)).toBe(expected);
      expect(convolveSignal(x, k, mode).multiplications).toBe(expected);
      expect(crossCorrelateSignal(x, k, mode).multiplications).toBe(expected);
    });
  }

  it('output shapes and parameters', () => {
    expect(signalOutputShape([5, 4], [3, 2], 'full')).toEqual([7, 5]);
    expect(signalOutputShape([5, 4], [3, 2], 'same')).toEqual([5, 4]);
    expect(signalOutputShape([5, 4], [3, 2], 'valid')).toEqual([3, 3]);
    expect(signalParameters([3, 2])).toBe(6);
  });
});

describe('errors', () => {
  it('rejects an unknown mode', () => {
    expect(() => convolveSignal(x1, odd, 'circular' as SignalMode)).toThrow(/convolveSignal: mode must be one of full, same, valid, but mode=circular\./);
  });

  it('rejects valid with a kernel larger than x on an axis (scipy would swap; the oracle does not guess)', () => {
    expect(() => crossCorrelateSignal(tensor([1, 2], [2]), odd, 'valid')).toThrow(/crossCorrelateSignal: mode valid needs the kernel to fit in x on every axis, but k.shape\[0\]=3 > x.shape\[0\]=2\./);
  });

  it('rejects ranks that differ, rank 0 or above 3, bad sizes and a wrong data length', () => {
    expect(() => convolveSignal(x1, tensor([1], [1, 1]), 'full')).toThrow(/k must have the rank of x, but x.shape=\[5\] and k.shape=\[1,1\]/);
    expect(() => convolveSignal(tensor([1], [1, 1, 1, 1]), tensor([1], [1, 1, 1, 1]), 'full')).toThrow(/x must have 1, 2 or 3 axes, but x.shape=\[1,1,1,1\]/);
    expect(() => convolveSignal({ shape: [], data: new Float64Array(1) }, odd, 'full')).toThrow(/x must have 1, 2 or 3 axes/);
    expect(() => convolveSignal(x1, { shape: [0], data: new Float64Array(0) }, 'full')).toThrow(/every size must be an integer >= 1, but k.shape\[0\]=0/);
    expect(() => convolveSignal({ shape: [4], data: new Float64Array(3) }, odd, 'full')).toThrow(ConvInputError);
    expect(() => flipKernel({ shape: [2.5], data: new Float64Array(2) })).toThrow(/flipKernel: every size must be an integer >= 1, but k.shape\[0\]=2.5/);
  });

  it('rejects an output above the reference limit of 2^25 elements before allocating it (before: any size up to 2^31-1)', () => {
    // full mode: x [2^22 + 1, 1] (16 MB) and k [1, 8] make y [2^22 + 1, 8], 2^25 + 8 elements (256 MB as float64)
    const x = { shape: [2 ** 22 + 1, 1], data: new Float32Array(2 ** 22 + 1) };
    const k = { shape: [1, 8], data: new Float32Array(8) };
    expect(MAX_REFERENCE_OUTPUT_ELEMENTS).toBe(2 ** 25);
    let error: unknown;
    try { convolveSignal(x, k, 'full'); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConvInputError);
    expect((error as ConvInputError).field).toBe('y');
    expect((error as ConvInputError).message).toBe('convolveSignal: the reference computes at most 2^25 output elements (--max-elements), but y of shape [4194305,8] has 33554440.');
    expect(() => crossCorrelateSignal(x, k, 'full')).toThrow(/^crossCorrelateSignal: .*at most 2\^25 output elements/);
  });
});
