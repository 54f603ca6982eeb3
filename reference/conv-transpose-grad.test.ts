import { describe, expect, it } from 'vitest';
import { parseDescriptor } from '../problem/descriptor.ts';
import { tensor } from '../problem/tensor.ts';
import { convTransposeInputGradDetailed, convTransposeWeightGradDetailed } from './conv-transpose-grad.ts';

describe('ConvTranspose gradients', () => {
  // stride 2, no overlap: x = [1, 2], w = [3, 4] scatter to y = [3, 4, 6, 8] at t = 2i + k
  const p = parseDescriptor('Tmb1ic1iw2oc1kw2sw2');
  const x = tensor([1, 2], [1, 1, 2]), w = tensor([3, 4], [1, 1, 2]);

  it('dx[i] = Σ_k w[k]·dy[2i + k] and dW[k] = Σ_i x[i]·dy[2i + k]', () => {
    const dy = tensor([1, 2, 3, 4], [1, 1, 4]);
    expect(Array.from(convTransposeInputGradDetailed(p, w, dy).y.data)).toEqual([3 * 1 + 4 * 2, 3 * 3 + 4 * 4]);
    const dw = convTransposeWeightGradDetailed(p, x, dy);
    expect(Array.from(dw.y.data)).toEqual([1 * 1 + 2 * 3, 1 * 2 + 2 * 4]);
    expect(dw.y.shape).toEqual([1, 1, 2]);
    expect(Array.from(dw.terms)).toEqual([2, 2]);
  });

  it('a tap that lands in the cropped border reads nothing and is not counted (pad 1 at the beginning)', () => {
    // t = 2i - 1 + k over an output of 3: (i=0, k=0) lands at -1, cropped
    const cropped = parseDescriptor('Tmb1ic1iw2oc1kw2sw2pw1ew0');
    const dy = tensor([1, 2, 3], [1, 1, 3]);
    const dx = convTransposeInputGradDetailed(cropped, w, dy);
    expect(Array.from(dx.y.data)).toEqual([4 * 1, 3 * 2 + 4 * 3]);
    expect(Array.from(dx.terms)).toEqual([1, 2]);
    expect(Array.from(convTransposeWeightGradDetailed(cropped, x, dy).y.data)).toEqual([2 * 2, 1 * 1 + 2 * 3]);
  });

  it('grouped: input channel c reads only its group\'s output channels, w is [C, M/G, ...k]', () => {
    const g = parseDescriptor('Tg2mb1ic2iw1oc2kw1');
    const dy = tensor([10, 100], [1, 2, 1]);
    expect(Array.from(convTransposeInputGradDetailed(g, tensor([2, 3], [2, 1, 1]), dy).y.data)).toEqual([2 * 10, 3 * 100]);
    expect(Array.from(convTransposeWeightGradDetailed(g, tensor([5, 7], [1, 2, 1]), dy).y.data)).toEqual([5 * 10, 7 * 100]);
  });

  it('refuses a Conv problem and operands of the wrong shape, naming them', () => {
    expect(() => convTransposeInputGradDetailed(parseDescriptor('mb1ic1iw2oc1kw2'), w, tensor([1], [1, 1, 1]))).toThrow(/must be a convTranspose, but op=conv/);
    expect(() => convTransposeWeightGradDetailed(p, x, tensor([1, 2, 3], [1, 1, 3]))).toThrow(/dy/);
  });
});
