import { describe, expect, it } from 'vitest';
import { makeOperands } from '../problem/operand-data.ts';
import { makeProblem } from '../problem/problem.ts';
import { tensor, zeros, type Tensor64 } from '../problem/tensor.ts';
import { conv } from './conv.ts';
import { convTranspose } from './conv-transpose.ts';
import { resizeConv, resizeConvInputShape, resizeConvMultiplications, resizeConvParameters } from './resize-conv.ts';

const x2x2 = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
const w3x3 = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
const flipped3x3 = tensor([9, 8, 7, 6, 5, 4, 3, 2, 1], [1, 1, 3, 3]);

/** Rows of a `[1, 1, H, W]` tensor. */
function grid(t: Tensor64): number[][] {
  const [, , h, w] = t.shape;
  return Array.from({ length: h }, (_, r) => Array.from(t.data.subarray(r * w, (r + 1) * w)));
}

/** The `[lo, hi)` square of a `[1, 1, H, W]` tensor's rows. */
function square(t: Tensor64, lo: number, hi: number): number[][] {
  return grid(t).slice(lo, hi).map((row) => row.slice(lo, hi));
}

describe('the article, §6: a transposed conv up-samples a 2x2 input', () => {
  it('to 4x4 with a 3x3 kernel and stride 1', () => {
    const p = makeProblem({ op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [2, 2], kernelShape: [3, 3] });
    const y = convTranspose(p, { x: x2x2, w: w3x3 });
    expect(y.shape).toEqual([1, 1, 4, 4]);
    // y[r][c] = Σ x[i][j]·w[r-i][c-j]: e.g. y[0][1] = 1·2 + 2·1 = 4, y[3][3] = 4·9 = 36
    expect(grid(y)).toEqual([[1, 4, 7, 6], [7, 23, 33, 24], [19, 53, 63, 42], [21, 52, 59, 36]]);
  });

  it('which is the article\'s direct conv: pad the input by 2 and convolve with the flipped kernel', () => {
    const padded = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [2, 2], kernelShape: [3, 3], pads: [2, 2, 2, 2] });
    const p = makeProblem({ op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [2, 2], kernelShape: [3, 3] });
    expect(conv(padded, { x: x2x2, w: flipped3x3 })).toEqual(convTranspose(p, { x: x2x2, w: w3x3 }));
  });

  it('to 5x5 with stride 2', () => {
    const p = makeProblem({ op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [2, 2], kernelShape: [3, 3], strides: [2, 2] });
    const y = convTranspose(p, { x: x2x2, w: w3x3 });
    expect(y.shape).toEqual([1, 1, 5, 5]);
    // the centre gets all four inputs: 1·9 + 2·7 + 3·3 + 4·1 = 36
    expect(grid(y)).toEqual([
      [1, 2, 5, 4, 6],
      [4, 5, 14, 10, 12],
      [10, 14, 36, 24, 30],
      [12, 15, 34, 20, 24],
      [21, 24, 55, 32, 36],
    ]);
  });

  it('which is the article\'s direct conv: insert a zero between inputs, pad by 2, convolve with the flipped kernel', () => {
    const spread = tensor([1, 0, 2, 0, 0, 0, 3, 0, 4], [1, 1, 3, 3]);
    const padded = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [3, 3], kernelShape: [3, 3], pads: [2, 2, 2, 2] });
    const p = makeProblem({ op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [2, 2], kernelShape: [3, 3], strides: [2, 2] });
    expect(conv(padded, { x: spread, w: flipped3x3 })).toEqual(convTranspose(p, { x: x2x2, w: w3x3 }));
  });
});

describe('the article, §6.1: checkerboard artifacts', () => {
  const ones = (shape: number[]): Tensor64 => tensor(new Array(shape.reduce((a, b) => a * b, 1)).fill(1), shape);
  /** Transposed conv of a constant 4x4 input with a constant k×k kernel and stride s. */
  const transposedOfConstant = (k: number, s: number): Tensor64 => {
    const p = makeProblem({ op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [4, 4], kernelShape: [k, k], strides: [s, s] });
    return convTranspose(p, { x: ones([1, 1, 4, 4]), w: ones([1, 1, k, k]) });
  };

  it('k3 s2 (k mod s ≠ 0): uneven overlap, the interior alternates 4, 2, 1 like a checkerboard', () => {
    const y = transposedOfConstant(3, 2);
    expect(y.shape).toEqual([1, 1, 9, 9]);
    // per axis, interior outputs 2..6 receive 2, 1, 2, 1, 2 taps; in 2-D the counts multiply
    expect(square(y, 2, 7)).toEqual([
      [4, 2, 4, 2, 4],
      [2, 1, 2, 1, 2],
      [4, 2, 4, 2, 4],
      [2, 1, 2, 1, 2],
      [4, 2, 4, 2, 4],
    ]);
  });

  it('k4 s2 (k mod s = 0): even overlap, the interior is uniform', () => {
    const y = transposedOfConstant(4, 2);
    expect(y.shape).toEqual([1, 1, 10, 10]);
    // interior outputs 3..6 receive 2 taps per axis
    expect(square(y, 3, 7).flat()).toEqual(new Array(16).fill(4));
    expect(new Set(grid(y).flat()).size).toBeGreaterThan(1); // only the border differs
  });

  it.each(['nearest', 'bilinear'] as const)('resize-convolution (%s, then k3 s1) is uniform everywhere the kernel fits', (mode) => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [8, 8], kernelShape: [3, 3], pads: [1, 1, 1, 1] });
    const y = resizeConv(p, { factors: [2, 2], mode }, { x: ones([1, 1, 4, 4]), w: ones([1, 1, 3, 3]) }).y;
    expect(y.shape).toEqual([1, 1, 8, 8]);
    expect(square(y, 1, 7).flat()).toEqual(new Array(36).fill(9));
  });
});

describe('resizeConv', () => {
  it('up-samples then convolves (1-D, hand-checked)', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [4], kernelShape: [2] });
    const operands = { x: tensor([1, 2], [1, 1, 2]), w: tensor([1, 10], [1, 1, 2]) };
    // nearest: [1, 1, 2, 2] -> [1+10, 1+20, 2+20]
    const nearest = resizeConv(p, { factors: [2], mode: 'nearest' }, operands);
    expect(Array.from(nearest.y.data)).toEqual([11, 21, 22]);
    expect(nearest.multiplications).toBe(6);
    // bilinear: [1, 1.25, 1.75, 2] -> [1+12.5, 1.25+17.5, 1.75+20]
    const bilinear = resizeConv(p, { factors: [2], mode: 'bilinear' }, operands);
    expect(Array.from(bilinear.y.data)).toEqual([13.5, 18.75, 21.75]);
    expect(bilinear.multiplications).toBe(8 + 6);
  });

  describe('2-D, hand-checked: x [[1, 2], [3, 4]] up-sampled by 2 to 4x4, then w = [[1, 2, 3], [4, 5, 6], [7, 8, 9]] with pads 1', () => {
    // Worked out by hand and with numpy (np.repeat for nearest, the half_pixel weights for bilinear,
    // then the zero-padded 3x3 cross-correlation); not computed with conv or upsample.
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [4, 4], kernelShape: [3, 3], pads: [1, 1, 1, 1] });

    it('nearest: [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]], then the conv', () => {
      const run = resizeConv(p, { factors: [2, 2], mode: 'nearest' }, { x: x2x2, w: w3x3 });
      expect(run.y.shape).toEqual([1, 1, 4, 4]);
      // y[0][0] = 5·1 + 6·1 + 8·1 + 9·1 = 28; y[3][3] = 1·4 + 2·4 + 4·4 + 5·4 = 48
      expect(grid(run.y)).toEqual([
        [28, 54, 67, 48],
        [67, 111, 126, 84],
        [89, 141, 156, 102],
        [48, 72, 79, 48],
      ]);
      // no multiplications to resize; the conv's in-input taps are (2 + 3 + 3 + 2)^2 = 100
      expect(run.multiplications).toBe(100);
    });

    it('bilinear: per axis [a, b] -> [a, a·3/4 + b/4, a/4 + b·3/4, b], then the conv', () => {
      // up-sampled: [[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]]
      const run = resizeConv(p, { factors: [2, 2], mode: 'bilinear' }, { x: x2x2, w: w3x3 });
      expect(run.y.shape).toEqual([1, 1, 4, 4]);
      // y[3][3] = 1·3.25 + 2·3.5 + 4·3.75 + 5·4 = 45.25
      expect(grid(run.y)).toEqual([
        [40.25, 65.5, 78.5, 52.75],
        [68.5, 105.75, 120.75, 78],
        [90.5, 135.75, 150.75, 96],
        [47.75, 68.5, 75.5, 45.25],
      ]);
      // resizing: 2 per element written, rows first (2x2 -> 4x2: 16) then columns (4x2 -> 4x4: 32); the conv: 100
      expect(run.multiplications).toBe(16 + 32 + 100);
    });
  });

  it('counts the multiplications its formula says (2-D grouped, strided, padded, bias)', () => {
    const p = makeProblem({
      batch: 2, inChannels: 4, outChannels: 2, group: 2, inputShape: [6, 4], kernelShape: [3, 2], strides: [2, 1], pads: [1, 0, 1, 1], bias: true,
    });
    for (const mode of ['nearest', 'bilinear'] as const) {
      const resize = { factors: [3, 2], mode };
      const { w, b } = makeOperands(p, 'exact', 2);
      const x = makeOperands({ ...p, inputShape: [2, 2] }, 'exact', 3).x;
      const run = resizeConv(p, resize, { x, w, ...(b ? { b } : {}) });
      expect(run.y.shape).toEqual([2, 2, 3, 4]);
      expect(run.multiplications).toBe(resizeConvMultiplications(p, resize));
    }
  });

  it('has the conv\'s parameters, and x is the input before resizing', () => {
    const p = makeProblem({ inChannels: 4, outChannels: 6, group: 2, inputShape: [6, 9], kernelShape: [3, 3], bias: true });
    expect(resizeConvParameters(p)).toBe(6 * 2 * 9 + 6);
    expect(resizeConvInputShape(p, { factors: [2, 3], mode: 'nearest' })).toEqual([1, 4, 3, 3]);
  });
});

describe('resizeConv rejects what it does not define', () => {
  const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [4, 4], kernelShape: [3, 3] });
  const operands = { x: zeros([1, 1, 2, 2]), w: zeros([1, 1, 3, 3]) };
  const nearest2 = { factors: [2, 2], mode: 'nearest' as const };

  it('a problem that is not a valid conv', () => {
    expect(() => resizeConv({ ...p, op: 'convTranspose' }, nearest2, operands)).toThrow(/resizeConv: the problem must be a conv, but op=convTranspose/);
    expect(() => resizeConv({ ...p, strides: [1, -1] }, nearest2, operands)).toThrow(/strides\[1\]=-1/);
  });

  it('factors that are not integers >= 1 dividing the conv input, one per axis', () => {
    expect(() => resizeConv(p, { factors: [2], mode: 'nearest' }, operands)).toThrow(/one factor per spatial axis is required \(2\), but factors=\[2\]/);
    expect(() => resizeConv(p, { factors: [2, 0], mode: 'nearest' }, operands)).toThrow(/factors must be integers >= 1, but factors\[1\]=0/);
    expect(() => resizeConv(p, { factors: [3, 2], mode: 'nearest' }, operands)).toThrow(/factor must divide the conv's input size, but factors\[0\]=3 and inputShape\[0\]=4/);
  });

  it('operands that do not fit: x before resizing, w and b as the conv says, an unknown mode', () => {
    expect(() => resizeConv(p, nearest2, { ...operands, x: zeros([1, 1, 4, 4]) })).toThrow(/x must have shape \[1,1,2,2\], but x.shape=\[1,1,4,4\]/);
    expect(() => resizeConv(p, nearest2, { ...operands, w: zeros([1, 1, 2, 2]) })).toThrow(/w must have shape \[1,1,3,3\]/);
    expect(() => resizeConv(p, nearest2, { ...operands, b: zeros([1]) })).toThrow(/a b tensor was given, but the problem has bias=false/);
    expect(() => resizeConv(p, { factors: [2, 2], mode: 'area' as 'nearest' }, operands)).toThrow(/mode must be one of nearest, bilinear, but mode=area/);
  });
});
