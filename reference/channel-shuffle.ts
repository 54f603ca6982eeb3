/**
 * ShuffleNet's channel shuffle (Zhang et al. 2017, arXiv:1707.01083, §3.1; the article's §11):
 * view the C channels as `(g, C/g)`, transpose to `(C/g, g)`, flatten. Channel j of group gi moves
 * next to channel j of every other group, so the next grouped conv sees every group.
 */
import { ConvInputError } from '../problem/errors.ts';
import { sizeOf } from '../problem/shape.ts';
import type { Tensor, Tensor64 } from '../problem/tensor.ts';
import { checkTensorShape } from './tensor-ops.ts';

/**
 * For each output channel of a shuffle of `channels` by `groups`, the input channel it takes:
 * output channel `j·g + gi` takes input channel `gi·(C/g) + j`.
 * @example shuffleSourceChannels(6, 2) // [0, 3, 1, 4, 2, 5]
 */
export function shuffleSourceChannels(channels: number, groups: number): number[] {
  checkShuffle(channels, groups);
  const perGroup = channels / groups;
  const source = new Array<number>(channels);
  // out[j·g + gi] = in[gi·(C/g) + j]
  for (let gi = 0; gi < groups; gi++) {
    for (let j = 0; j < perGroup; j++) source[j * groups + gi] = gi * perGroup + j;
  }
  return source;
}

/**
 * Channel shuffle of x `[N, C, ...spatial]` by `groups` (which must divide C); same shape out.
 * @example channelShuffle(x, 2) // channels [0, 1, 2, 3, 4, 5] come out as [0, 3, 1, 4, 2, 5]
 */
export function channelShuffle(x: Tensor, groups: number): Tensor64 {
  if (x.shape.length < 2) throw new ConvInputError('x.shape', `channelShuffle: x must be [N, C, ...spatial], but x.shape=[${x.shape}].`);
  checkTensorShape('channelShuffle', 'x', x);
  const [batch, channels] = x.shape;
  const source = shuffleSourceChannels(channels, groups);
  const spatial = sizeOf(x.shape.slice(2));
  const y = new Float64Array(x.data.length);
  // y[n, c, o] = x[n, source[c], o]
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      for (let o = 0; o < spatial; o++) y[(n * channels + c) * spatial + o] = x.data[(n * channels + source[c]) * spatial + o];
    }
  }
  return { shape: [...x.shape], data: y };
}

function checkShuffle(channels: number, groups: number): void {
  if (!Number.isInteger(channels) || channels < 1) throw new ConvInputError('channels', `channelShuffle: channels must be an integer >= 1, but C=${channels}.`);
  if (!Number.isInteger(groups) || groups < 1) throw new ConvInputError('groups', `channelShuffle: groups must be an integer >= 1, but groups=${groups}.`);
  if (channels % groups !== 0) throw new ConvInputError('groups', `channelShuffle: groups must divide channels, but groups=${groups} and C=${channels}.`);
}
