import { describe, expect, it } from 'vitest';
import { makeProblem } from '../problem/problem.ts';
import { tensor } from '../problem/tensor.ts';
import { conv } from './conv.ts';

describe('the article, §2.1: single-channel 2-D convolution', () => {
  it('5x5 input with kernel [[0,1,2],[2,2,0],[0,1,2]] gives [[12,12,17],[10,17,19],[9,6,14]]', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [5, 5], kernelShape: [3, 3] });
    const x = tensor([3, 3, 2, 1, 0, 0, 0, 1, 3, 1, 3, 1, 2, 2, 3, 2, 0, 0, 2, 2, 2, 0, 0, 0, 1], [1, 1, 5, 5]);
    const w = tensor([0, 1, 2, 2, 2, 0, 0, 1, 2], [1, 1, 3, 3]);
    expect(Array.from(conv(p, { x, w }).data)).toEqual([12, 12, 17, 10, 17, 19, 9, 6, 14]);
  });
});
