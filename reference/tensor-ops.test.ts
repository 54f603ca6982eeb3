import { describe, expect, it } from 'vitest';
import { ConvInputError } from '../problem/errors.ts';
import { tensor } from '../problem/tensor.ts';
import { concatChannels, concatLeading, cropSpatial, flipSpatial, padSpatial, permuteAxis, sliceAxis, sliceChannels, subsampleSpatial, zeroInsertSpatial } from './tensor-ops.ts';

// x [2, 3, 2]: x[n, c, o] = 100·n + 10·c + o
const x = tensor([0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121], [2, 3, 2]);

describe('sliceAxis and sliceChannels', () => {
  it('sliceAxis([[1,2],[3,4],[5,6]], axis 0, from 1, count 2) is [[3,4],[5,6]]', () => {
    const t = sliceAxis(tensor([1, 2, 3, 4, 5, 6], [3, 2]), 0, 1, 2);
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.data)).toEqual([3, 4, 5, 6]);
  });

  it('takes channels 1..2 of every batch item', () => {
    const t = sliceChannels(x, 1, 2);
    expect(t.shape).toEqual([2, 2, 2]);
    expect(Array.from(t.data)).toEqual([10, 11, 20, 21, 110, 111, 120, 121]);
  });

  it('reads float32 and returns float64', () => {
    const t = sliceChannels({ shape: [1, 2, 1], data: Float32Array.from([0.1, 7]) }, 0, 1);
    expect(t.data).toBeInstanceOf(Float64Array);
    expect(t.data[0]).toBe(Math.fround(0.1));
  });

  it('rejects a slice outside the axis, a bad axis, a rank-1 tensor and a wrong data length', () => {
    expect(() => sliceChannels(x, 2, 2)).toThrow(/sliceAxis: the slice \[from, from\+count\) must lie in \[0, 3\).*from=2 and count=2/);
    expect(() => sliceChannels(x, 0, 0)).toThrow(/count >= 1, but from=0 and count=0/);
    expect(() => sliceAxis(x, 3, 0, 1)).toThrow(/axis must be an integer in \[0, 3\), but axis=3/);
    expect(() => sliceChannels(tensor([1, 2], [2]), 0, 1)).toThrow(/t must be \[N, C, \.\.\.spatial\], but t.shape=\[2\]/);
    expect(() => sliceChannels({ shape: [1, 2, 2], data: new Float64Array(3) }, 0, 1)).toThrow(ConvInputError);
    expect(() => sliceChannels({ shape: [1, 2.5, 2], data: new Float64Array(5) }, 0, 1)).toThrow(/every size must be an integer >= 1, but t.shape\[1\]=2.5/);
  });
});

describe('concatChannels', () => {
  it('stacks parts along channels, part 0 first, in every batch item', () => {
    const y = concatChannels([sliceChannels(x, 0, 1), sliceChannels(x, 1, 2)]);
    expect(y.shape).toEqual([2, 3, 2]);
    expect(Array.from(y.data)).toEqual(Array.from(x.data));
  });

  it('puts a later part after an earlier one', () => {
    const y = concatChannels([sliceChannels(x, 2, 1), sliceChannels(x, 0, 1)]);
    expect(Array.from(y.data)).toEqual([20, 21, 0, 1, 120, 121, 100, 101]);
  });

  it('rejects no parts and parts that disagree off the channel axis', () => {
    expect(() => concatChannels([])).toThrow(/at least one part, but parts=\[\]/);
    expect(() => concatChannels([x, tensor([1, 2, 3], [1, 1, 3])])).toThrow(/parts\[0\].shape=\[2,3,2\] and parts\[1\].shape=\[1,1,3\]/);
    expect(() => concatChannels([tensor([1], [1])])).toThrow(/parts must be \[N, C, \.\.\.spatial\]/);
  });
});

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
