// The Conv weight gradient: 1-D cases by hand, then against finite differences of the reference
// Conv. L(w) = Σ conv(p, x, w)·dy is linear in w, so the central difference (L(w+e) - L(w-e))/2
// is its exact derivative; on integer data every sum is exact in float64.
import { describe, expect, it } from 'vitest';
import { ConvInputError } from '../problem/errors.ts';
import { parseDescriptor } from '../problem/descriptor.ts';
import { makeProblem, type ConvProblem } from '../problem/problem.ts';
import { inputTensorShape, outputTensorShape, sizeOf, weightShape } from '../problem/shape.ts';
import { dot, tensor, type Tensor64 } from '../problem/tensor.ts';
import { conv, convDetailed } from './conv.ts';
import { convWeightGrad, convWeightGradDetailed } from './conv-weight-grad.ts';

/** `v[i] = (i·step mod m) - floor(m/2)`: small mixed-sign integers. */
function pattern(shape: number[], step: number, m: number): Tensor64 {
  return tensor(Array.from({ length: sizeOf(shape) }, (_, i) => ((i * step) % m) - Math.floor(m / 2)), shape);
}

/** The bias operand of `p`, if it has one (it cancels in the differences). */
function biasOf(p: ConvProblem): { b?: Tensor64 } {
  return p.bias ? { b: pattern([p.outChannels], 1, 3) } : {};
}

/** dL/dw by central differences of the reference conv, one weight element at a time. */
function finiteDifferenceGrad(p: ConvProblem, x: Tensor64, w: Tensor64, dy: Tensor64): number[] {
  return Array.from(w.data, (_, j) => {
    const plus = tensor(w.data, w.shape), minus = tensor(w.data, w.shape);
    plus.data[j] += 1;
    minus.data[j] -= 1;
    return (dot(conv(p, { x, w: plus, ...biasOf(p) }), dy) - dot(conv(p, { x, w: minus, ...biasOf(p) }), dy)) / 2;
  });
}

describe('reference conv weight gradient: by hand', () => {
  it('x=[1,2,3,4], k=2, dy=[1,0,2]: dW[k] = Σ_o dy[o]·x[o+k] = [1+0+6, 2+0+8] = [7, 10]', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [4], kernelShape: [2] });
    const result = convWeightGradDetailed(p, tensor([1, 2, 3, 4], [1, 1, 4]), tensor([1, 0, 2], [1, 1, 3]));
    expect(result.y.shape).toEqual([1, 1, 2]);
    expect(Array.from(result.y.data)).toEqual([7, 10]);
    expect(Array.from(result.terms)).toEqual([3, 3]);
  });

  it('stride 2, pads 1: windows at -1, 1, 3 of [1..5]; taps in the padding count nothing: [16, 22, 10] from 2, 3, 2 terms', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [5], kernelShape: [3], strides: [2], pads: [1, 1] });
    const result = convWeightGradDetailed(p, tensor([1, 2, 3, 4, 5], [1, 1, 5]), tensor([1, 2, 3], [1, 1, 3]));
    // k=0 reads x[-1], x[1], x[3]: 2·2 + 4·3; k=1 reads x[0], x[2], x[4]: 1 + 3·2 + 5·3; k=2 reads x[1], x[3], x[5]: 2 + 4·2
    expect(Array.from(result.y.data)).toEqual([16, 22, 10]);
    expect(Array.from(result.terms)).toEqual([2, 3, 2]);
    expect(Array.from(result.absSum)).toEqual([16, 22, 10]);
    expect(result.multiplications).toBe(7);
  });

  it('absSum is Σ|dy·x|: mixed signs cancel in the value, not in S', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [2], kernelShape: [1] });
    const result = convWeightGradDetailed(p, tensor([3, -3], [1, 1, 2]), tensor([1, 1], [1, 1, 2]));
    expect(Array.from(result.y.data)).toEqual([0]);
    expect(Array.from(result.absSum)).toEqual([6]);
  });
});

describe('reference conv weight gradient: equals finite differences of the reference conv', () => {
  it.each([
    ['2-D plain', 'mb1ic2ih5iw5oc3kh3kw3'],
    ['batch 2, stride, asymmetric pads, bias (which plays no part)', 'mb2ic2ih6iw7oc2kh3kw2sh2sw3ph1pw0eh0ew2b1'],
    ['groups', 'g2mb1ic4ih5iw5oc6kh3kw3ph1pw1'],
    ['depthwise multiplier 2, dilation', 'g3mb1ic3iw10oc6kw3dw2pw2'],
    ['dilation with stride, SAME_LOWER', 'mb1ic2ih9iw8oc2kh3kw2sh2sw3dh2dw2apL'],
    ['3-D SAME_UPPER', 'mb2ic2id3ih4iw3oc2kd2kh2kw2sd2sh1sw2apU'],
  ])('%s: %s', (_, descriptor) => {
    const p = parseDescriptor(descriptor);
    const x = pattern(inputTensorShape(p), 7, 9);
    const w = pattern(weightShape(p), 5, 7);
    const dy = pattern(outputTensorShape(p), 3, 5);
    const grad = convWeightGrad(p, x, dy);
    expect(grad.y.shape).toEqual(weightShape(p));
    expect(Array.from(grad.y.data)).toEqual(finiteDifferenceGrad(p, x, w, dy));
    // each product dy[n,m,o]·x[n,c,tap] of the gradient is one product x·w of the conv
    expect(grad.multiplications).toBe(convDetailed(p, { x, w, ...biasOf(p) }).multiplications);
  });
});

describe('reference conv weight gradient: rejects what it does not define', () => {
  it('a ConvTranspose problem', () => {
    const p = parseDescriptor('Tmb1ic1iw3oc1kw2');
    expect(() => convWeightGrad(p, tensor([1, 2, 3], [1, 1, 3]), tensor([1, 2, 3, 4], [1, 1, 4]))).toThrow(ConvInputError);
    expect(() => convWeightGrad(p, tensor([1, 2, 3], [1, 1, 3]), tensor([1, 2, 3, 4], [1, 1, 4]))).toThrow(/convWeightGrad: the problem must be a conv, but op=convTranspose/);
  });

  it('a dy that is not the conv output shape, naming dy', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [4], kernelShape: [2] });
    expect(() => convWeightGrad(p, tensor([1, 2, 3, 4], [1, 1, 4]), tensor([1, 2], [1, 1, 2]))).toThrow(/dy must have shape \[1,1,3\], but dy.shape=\[1,1,2\]/);
  });
});
