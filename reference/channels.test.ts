import { describe, expect, it } from 'vitest';
import { ConvInputError } from '../problem/errors.ts';
import { tensor } from '../problem/tensor.ts';
import { concatChannels, sliceAxis, sliceChannels } from './channels.ts';

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
