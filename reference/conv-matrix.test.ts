import { describe, expect, it } from 'vitest';
import { makeOperands } from '../problem/operand-data.ts';
import { makeProblem, type ProblemSpec } from '../problem/problem.ts';
import { outputTensorShape } from '../problem/shape.ts';
import { tensor, zeros } from '../problem/tensor.ts';
import { conv } from './conv.ts';
import { adjointProblem, convTranspose } from './conv-transpose.ts';
import { convMatrix, matrixEntry, matTransposeVec, matVec, MAX_MATRIX_ENTRIES } from './conv-matrix.ts';

const w3x3 = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);

/** Rows of a matrix as nested arrays, for readable comparisons. */
function rowsOf(C: { rows: number; cols: number; data: Float64Array }): number[][] {
  return Array.from({ length: C.rows }, (_, r) => Array.from(C.data.subarray(r * C.cols, (r + 1) * C.cols)));
}

describe('the article, §6: conv as a matrix, C · Large = Small', () => {
  it('a 4x4 input and a 3x3 kernel give the 4x16 matrix C', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [4, 4], kernelShape: [3, 3] });
    const C = convMatrix(p, w3x3);
    expect([C.rows, C.cols]).toEqual([4, 16]);
    expect(C.rowShape).toEqual([1, 1, 2, 2]);
    expect(C.colShape).toEqual([1, 1, 4, 4]);
    expect(rowsOf(C)).toEqual([
      // input columns: row 0 of the image | row 1       | row 2       | row 3
      [1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0, 0], // output (0, 0)
      [0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0], // output (0, 1)
      [0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0], // output (1, 0)
      [0, 0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9], // output (1, 1)
    ]);
    expect(matrixEntry(C, 3, 15)).toBe(9);
  });

  it('C · Large = Small: the 4x4 input flattened to 16 gives the 2x2 output, in 64 dense multiplications', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [4, 4], kernelShape: [3, 3] });
    const large = tensor(Array.from({ length: 16 }, (_, i) => i + 1), [1, 1, 4, 4]);
    const small = matVec(convMatrix(p, w3x3), large);
    // (0,0): 1·1+2·2+3·3 + 5·4+6·5+7·6 + 9·7+10·8+11·9 = 14 + 92 + 242 = 348; each step right adds Σw = 45, down 4·45
    expect(Array.from(small.y.data)).toEqual([348, 393, 528, 573]);
    expect(small.y.shape).toEqual([1, 1, 2, 2]);
    expect(small.multiplications).toBe(64);
  });

  it('Cᵀ · Small = Large: the transpose maps the 2x2 back to 4x4, as the transposed conv does', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [4, 4], kernelShape: [3, 3] });
    const small = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    const large = matTransposeVec(convMatrix(p, w3x3), small);
    expect(large.y.shape).toEqual([1, 1, 4, 4]);
    expect(Array.from(large.y.data)).toEqual([1, 4, 7, 6, 7, 23, 33, 24, 19, 53, 63, 42, 21, 52, 59, 36]);
    expect(large.y.data).toEqual(convTranspose(adjointProblem(p), { x: small, w: w3x3 }).data);
  });

  it('places a dilated 1-D kernel with holes between its taps (i5 k2 d2: C is 3x5)', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [5], kernelShape: [2], dilations: [2] });
    expect(rowsOf(convMatrix(p, tensor([7, 8], [1, 1, 2])))).toEqual([
      [7, 0, 8, 0, 0],
      [0, 7, 0, 8, 0],
      [0, 0, 7, 0, 8],
    ]);
  });

  it('drops the taps that read padding and skips rows by the stride (i4 k3 s2 pads 1,2)', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [4], kernelShape: [3], strides: [2], pads: [1, 2] });
    // o = floor((4 + 3 - 3) / 2) + 1 = 3; output o reads inputs 2o-1, 2o, 2o+1
    expect(rowsOf(convMatrix(p, tensor([1, 2, 3], [1, 1, 3])))).toEqual([
      [2, 3, 0, 0],
      [0, 1, 2, 3],
      [0, 0, 0, 1],
    ]);
  });

  it('is block diagonal over groups: an input channel of the other group gets no weight', () => {
    const p = makeProblem({ inChannels: 2, outChannels: 2, group: 2, inputShape: [2], kernelShape: [1] });
    expect(rowsOf(convMatrix(p, tensor([5, 6], [2, 1, 1])))).toEqual([
      [5, 0, 0, 0],
      [0, 5, 0, 0],
      [0, 0, 6, 0],
      [0, 0, 0, 6],
    ]);
  });
});

const problems: Array<[string, ProblemSpec]> = [
  ['2-D, groups, strides, dilations, asymmetric pads, batch 2', {
    batch: 2, inChannels: 4, outChannels: 6, group: 2, inputShape: [5, 6], kernelShape: [3, 2],
    strides: [2, 1], dilations: [1, 2], pads: [1, 0, 0, 2],
  }],
  ['1-D, stride 2, dilation 2, asymmetric pads', { inChannels: 3, outChannels: 2, inputShape: [9], kernelShape: [3], strides: [2], dilations: [2], pads: [2, 1] }],
  ['1-D, pads larger than the kernel', { inChannels: 1, outChannels: 2, inputShape: [3], kernelShape: [2], pads: [3, 2] }],
  ['3-D depthwise, strides, dilations, asymmetric pads', {
    inChannels: 2, outChannels: 4, group: 2, inputShape: [3, 4, 3], kernelShape: [2, 3, 2],
    strides: [1, 2, 1], dilations: [2, 1, 1], pads: [0, 1, 1, 1, 0, 0],
  }],
  ['2-D SAME_LOWER with odd total padding', { inChannels: 2, outChannels: 3, inputShape: [5, 5], kernelShape: [4, 4], strides: [2, 2], autoPad: 'SAME_LOWER' }],
  ['2-D SAME_UPPER', { inChannels: 1, outChannels: 1, inputShape: [4, 5], kernelShape: [2, 3], autoPad: 'SAME_UPPER' }],
];

describe('the matrix is a second oracle for conv and its adjoint', () => {
  it.each(problems)('conv = C·x and convTranspose of the adjoint problem = Cᵀ·y: %s', (_, spec) => {
    const p = makeProblem(spec);
    const { x, w } = makeOperands(p, 'exact', 11);
    const { x: y } = makeOperands(adjointProblem(p), 'exact', 12);
    const C = convMatrix(p, w);
    expect(C.rows * C.cols).toBeLessThanOrEqual(MAX_MATRIX_ENTRIES);
    expect(matVec(C, x).y).toEqual(conv(p, { x, w })); // exact data: integer sums, so equal in any order
    expect(matTransposeVec(C, y).y).toEqual(convTranspose(adjointProblem(p), { x: y, w }));
  });

  it('accepts float32 operands and returns float64', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [3], kernelShape: [2] });
    const C = convMatrix(p, { shape: [1, 1, 2], data: Float32Array.from([0.1, 1]) });
    const y = matVec(C, { shape: [1, 1, 3], data: Float32Array.from([1, 2, 3]) }).y;
    expect(y.data).toBeInstanceOf(Float64Array);
    expect(y.data[0]).toBe(Math.fround(0.1) + 2);
  });
});

describe('convMatrix rejects what it does not define', () => {
  const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [4, 4], kernelShape: [3, 3] });

  it('a convTranspose problem (build C of the conv and use Cᵀ)', () => {
    expect(() => convMatrix({ ...p, op: 'convTranspose' }, w3x3)).toThrow(/convMatrix: C is built for a conv problem .*op=convTranspose/);
  });

  it('a bias, which makes the map affine', () => {
    expect(() => convMatrix({ ...p, bias: true }, w3x3)).toThrow(/bias must be false, but bias=true/);
  });

  it('an invalid problem, with the problem validator\'s message', () => {
    expect(() => convMatrix({ ...p, group: 2 }, w3x3)).toThrow(/group must divide input channels, but group=2 and C=1/);
  });

  it('a matrix above 2^22 entries', () => {
    const big = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [64, 64], kernelShape: [1, 1] });
    expect(() => convMatrix(big, zeros([1, 1, 1, 1]))).toThrow(/at most 2\^22 entries, but it would be 4096x4096 = 16777216/);
  });

  it('weights of the wrong shape', () => {
    expect(() => convMatrix(p, tensor([1, 2, 3, 4], [1, 1, 2, 2]))).toThrow(/w must have shape \[1,1,3,3\], but w.shape=\[1,1,2,2\]/);
  });

  it('a vector of the wrong shape for C·x or Cᵀ·y, and an entry outside C', () => {
    const C = convMatrix(p, w3x3);
    expect(() => matVec(C, zeros([1, 1, 2, 2]))).toThrow(/x must have shape \[1,1,4,4\]/);
    expect(() => matTransposeVec(C, zeros(outputTensorShape(p).map((s) => s + 1)))).toThrow(/y must have shape \[1,1,2,2\]/);
    expect(() => matrixEntry(C, 4, 0)).toThrow(/inside the 4x16 matrix, but \(r, c\)=\(4, 0\)/);
    expect(() => matrixEntry(C, 0, 1.5)).toThrow(/\(r, c\)=\(0, 1.5\)/);
  });
});
