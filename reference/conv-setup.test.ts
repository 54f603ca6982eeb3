import { describe, expect, it } from 'vitest';
import { makeProblem } from '../problem/problem.ts';
import { convSetup } from './conv-setup.ts';

describe('convSetup: what Conv and ConvTranspose build before their loops', () => {
  it('example: a grouped 1-D conv has 2 output channels per group', () => {
    expect(convSetup(makeProblem({ inChannels: 2, outChannels: 4, group: 2, inputShape: [5], kernelShape: [3] })).outPerGroup).toBe(2);
  });

  it('conv: zeroed y, S and n of y\'s size; sizes per plane and per group; the window walks the output', () => {
    // i [5, 4], k [3, 2], s [2, 1], pads 1 on H: o = [floor((5 + 2 - 3)/2) + 1, 4 - 2 + 1] = [3, 3]
    const p = makeProblem({ batch: 2, inChannels: 6, outChannels: 4, group: 2, inputShape: [5, 4], kernelShape: [3, 2], strides: [2, 1], pads: [1, 0, 1, 0] });
    const s = convSetup(p);
    expect(s.yShape).toEqual([2, 4, 3, 3]);
    expect([s.y.length, s.absSum.length, s.terms.length]).toEqual([72, 72, 72]);
    expect([...s.y, ...s.absSum, ...s.terms].every((v) => v === 0)).toBe(true);
    expect([s.inSize, s.outSize, s.kernelSize, s.inPerGroup, s.outPerGroup]).toEqual([20, 9, 6, 3, 2]);
    expect(Array.from(s.windowTable)).toEqual([0, 0, 0, 1, 0, 2, 1, 0, 1, 1, 1, 2, 2, 0, 2, 1, 2, 2]);
    expect(Array.from(s.kernelTable)).toEqual([0, 0, 0, 1, 1, 0, 1, 1, 2, 0, 2, 1]);
    // output (1, 2), tap (2, 1): input (1·2 - 1 + 2, 2 + 1) = (3, 3), offset 3·4 + 3 = 15; tap (0, 0) of output (0, 0) is in the pad
    expect(s.window.tapOffset(s.windowTable, 5, s.kernelTable, 5)).toBe(15);
    expect(s.window.tapOffset(s.windowTable, 0, s.kernelTable, 0)).toBe(-1);
  });

  it('convTranspose: the window walks the input and lands in the output', () => {
    // i [2], k [3], s 2: o = 2·(2 - 1) + 3 = 5; M = 3 output channels (w is [C, M/G, k])
    const p = makeProblem({ op: 'convTranspose', inChannels: 2, outChannels: 3, inputShape: [2], kernelShape: [3], strides: [2] });
    const s = convSetup(p);
    expect(s.yShape).toEqual([1, 3, 5]);
    expect([s.inSize, s.outSize, s.kernelSize, s.inPerGroup, s.outPerGroup]).toEqual([2, 5, 3, 2, 3]);
    expect(Array.from(s.windowTable)).toEqual([0, 1]);
    // input 1, tap 2: output 1·2 + 2 = 4
    expect(s.window.tapOffset(s.windowTable, 1, s.kernelTable, 2)).toBe(4);
  });
});
