import { describe, expect, it } from 'vitest';
import { tensor } from '../problem/tensor.ts';
import { concatLeading, cropSpatial, flipSpatial, padSpatial, permuteAxis, subsampleSpatial, zeroInsertSpatial } from './tensor-ops.ts';

const row = tensor([1, 2, 3, 4, 5], [1, 1, 5]);
const data = (t: { data: ArrayLike<number> }): number[] => Array.from(t.data);

describe('tensor ops', () => {
  it('crop, pad, subsample, zero-insert and flip one axis', () => {
    expect(data(cropSpatial(row, [1], [3]))).toEqual([2, 3, 4]);
    expect(data(padSpatial(row, [2], [1]))).toEqual([0, 0, 1, 2, 3, 4, 5, 0]);
    expect(data(subsampleSpatial(row, [2]))).toEqual([1, 3, 5]);
    expect(data(zeroInsertSpatial(tensor([1, 2, 3], [1, 1, 3]), [3]))).toEqual([1, 0, 0, 2, 0, 0, 3]);
    expect(data(flipSpatial(row))).toEqual([5, 4, 3, 2, 1]);
  });

  it('work per axis in 2-D, on every leading index', () => {
    const t = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 1, 2, 3]); // two 2x3 images
    expect(data(flipSpatial(t))).toEqual([6, 5, 4, 3, 2, 1, 12, 11, 10, 9, 8, 7]);
    expect(data(cropSpatial(t, [1, 1], [1, 2]))).toEqual([5, 6, 11, 12]);
    expect(padSpatial(t, [0, 1], [1, 0]).shape).toEqual([2, 1, 3, 4]);
    expect(data(zeroInsertSpatial(t, [2, 1])).slice(0, 9)).toEqual([1, 2, 3, 0, 0, 0, 4, 5, 6]);
  });

  it('join and permute along the leading and channel axes', () => {
    const a = tensor([1, 2], [1, 2, 1]), b = tensor([3, 4], [1, 2, 1]);
    expect(data(concatLeading([a, b]))).toEqual([1, 2, 3, 4]);
    expect(concatLeading([a, b]).shape).toEqual([2, 2, 1]);
    expect(data(permuteAxis(tensor([1, 2, 3, 4, 5, 6], [1, 3, 2]), 1, [2, 0, 1]))).toEqual([5, 6, 1, 2, 3, 4]);
    expect(() => concatLeading([a, tensor([1], [1, 1, 1])])).toThrow(/shapes must agree off axis 0/);
  });
});
