import { describe, expect, it } from 'vitest';
import { ConvInputError } from '../problem/errors.ts';
import { tensor } from '../problem/tensor.ts';
import { channelShuffle, shuffleSourceChannels } from './channel-shuffle.ts';

/** x [1, C, 1] whose channel c holds the value c. */
const channelIds = (channels: number) => tensor(Array.from({ length: channels }, (_, c) => c), [1, channels, 1]);

describe('channel shuffle (ShuffleNet)', () => {
  // numpy: np.arange(6).reshape(2, 3).T.flatten() == [0, 3, 1, 4, 2, 5]
  it('shuffles 6 channels by 2 into [0, 3, 1, 4, 2, 5]', () => {
    expect(Array.from(channelShuffle(channelIds(6), 2).data)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(shuffleSourceChannels(6, 2)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  // numpy: np.arange(6).reshape(3, 2).T.flatten() == [0, 2, 4, 1, 3, 5]
  it('shuffles 6 channels by 3 into [0, 2, 4, 1, 3, 5]', () => {
    expect(Array.from(channelShuffle(channelIds(6), 3).data)).toEqual([0, 2, 4, 1, 3, 5]);
  });

  it('by 1 and by C is the identity', () => {
    expect(Array.from(channelShuffle(channelIds(6), 1).data)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(channelShuffle(channelIds(6), 6).data)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('shuffle by g then by C/g is the identity', () => {
    for (const [channels, groups] of [[6, 2], [6, 3], [12, 4], [8, 2]]) {
      const x = channelIds(channels);
      expect(Array.from(channelShuffle(channelShuffle(x, groups), channels / groups).data)).toEqual(Array.from(x.data));
    }
  });

  it('moves whole channel planes, in every batch item, keeping the shape (2-D spatial)', () => {
    // x [2, 4, 1, 2]: x[n, c, 0, o] = 100·n + 10·c + o; by 2: channels [0, 2, 1, 3]
    const values = [];
    for (let n = 0; n < 2; n++) for (let c = 0; c < 4; c++) for (let o = 0; o < 2; o++) values.push(100 * n + 10 * c + o);
    const y = channelShuffle({ shape: [2, 4, 1, 2], data: Float32Array.from(values) }, 2);
    expect(y.shape).toEqual([2, 4, 1, 2]);
    expect(y.data).toBeInstanceOf(Float64Array);
    expect(Array.from(y.data)).toEqual([0, 1, 20, 21, 10, 11, 30, 31, 100, 101, 120, 121, 110, 111, 130, 131]);
  });

  it('rejects groups that do not divide C, groups < 1 or non-integer, and a tensor without channels', () => {
    expect(() => channelShuffle(channelIds(6), 4)).toThrow(/channelShuffle: groups must divide channels, but groups=4 and C=6\./);
    expect(() => channelShuffle(channelIds(6), 0)).toThrow(/groups must be an integer >= 1, but groups=0/);
    expect(() => channelShuffle(channelIds(6), 1.5)).toThrow(/groups must be an integer >= 1, but groups=1.5/);
    expect(() => channelShuffle(tensor([1, 2], [2]), 1)).toThrow(/x must be \[N, C, \.\.\.spatial\], but x.shape=\[2\]/);
    expect(() => channelShuffle({ shape: [1, 4], data: new Float64Array(3) }, 2)).toThrow(ConvInputError);
    expect(() => shuffleSourceChannels(0, 1)).toThrow(/channels must be an integer >= 1, but C=0/);
  });

  it('names the field at fault', () => {
    try {
      channelShuffle(channelIds(6), 4);
      expect.unreachable();
    } catch (e) {
      expect((e as ConvInputError).field).toBe('groups');
    }
  });
});
