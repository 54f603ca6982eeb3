// Hand-checked reference ConvTranspose. The 1-D cases are worked out in their comments (input i
// writes x[i]·w[k] to output i·s - pb + k·d); the 2-D and 3-D expectations were computed
// independently with numpy (scatter into the full s·(i-1) + d·(k-1) + 1 + output_padding output,
// then crop pads) and pasted here as literals.
import { describe, expect, it } from 'vitest';
import { makeOperands } from '../problem/operand-data.ts';
import { Random } from '../problem/random.ts';
import { parseDescriptor } from '../problem/descriptor.ts';
import { makeProblem, type ConvProblem, type ProblemSpec } from '../problem/problem.ts';
import { outputTensorShape, sizeOf } from '../problem/shape.ts';
import { dot, tensor, type Tensor64 } from '../problem/tensor.ts';
import { conv } from './conv.ts';
import { adjointProblem, convTranspose, convTransposeDetailed } from './conv-transpose.ts';

/** `v[i] = (i·step mod m) - floor(m/2)`: small mixed-sign integers, the same formula numpy used. */
function pattern(shape: number[], step: number, m: number): Tensor64 {
  return tensor(Array.from({ length: sizeOf(shape) }, (_, i) => ((i * step) % m) - Math.floor(m / 2)), shape);
}

const convT1d = (spec: Partial<ProblemSpec>) =>
  makeProblem({ op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [3], kernelShape: [3], strides: [2], ...spec });
// x = [1, 2, 3], w = [1, 1, 1], stride 2: input i writes to 2i, 2i+1, 2i+2, so the full output (7) is
// [1, 1, 1+2, 2, 2+3, 3, 3] = [1, 1, 3, 2, 5, 3, 3]: the checkerboard of k = 3 over s = 2
const ops = { x: tensor([1, 2, 3], [1, 1, 3]), w: tensor([1, 1, 1], [1, 1, 3]) };
const run = (p: ConvProblem) => Array.from(convTranspose(p, ops).data);

describe('reference conv transpose: 1-D by hand', () => {
  it('no pads: the full output [1, 1, 3, 2, 5, 3, 3]', () => {
    expect(run(convT1d({}))).toEqual([1, 1, 3, 2, 5, 3, 3]);
  });

  it('VALID is the full output too', () => {
    expect(run(convT1d({ autoPad: 'VALID' }))).toEqual([1, 1, 3, 2, 5, 3, 3]);
  });

  it('VALID with explicit non-zero pads is rejected: ONNX says they cannot be used together', () => {
    expect(() => run(convT1d({ autoPad: 'VALID', pads: [1, 1] }))).toThrow(/pads must be all zero when auto_pad is VALID/);
  });

  it('pads 1, 1 crop one position from each side: [1, 3, 2, 5, 3]', () => {
    expect(run(convT1d({ pads: [1, 1] }))).toEqual([1, 3, 2, 5, 3]);
  });

  it('pads 1, 1 with output_padding 1: the end crop starts one position later: [1, 3, 2, 5, 3, 3]', () => {
    expect(run(convT1d({ pads: [1, 1], outputPadding: [1] }))).toEqual([1, 3, 2, 5, 3, 3]);
  });

  it('output_padding with no pads adds a zero at the end: [1, 1, 3, 2, 5, 3, 3, 0]', () => {
    expect(run(convT1d({ outputPadding: [1] }))).toEqual([1, 1, 3, 2, 5, 3, 3, 0]);
  });

  it('SAME_UPPER, output i·s = 6, total pad 1 at the end: positions 0..5 of the full output', () => {
    expect(run(convT1d({ autoPad: 'SAME_UPPER' }))).toEqual([1, 1, 3, 2, 5, 3]);
  });

  it('SAME_LOWER, output 6, total pad 1 at the beginning: positions 1..6', () => {
    expect(run(convT1d({ autoPad: 'SAME_LOWER' }))).toEqual([1, 3, 2, 5, 3, 3]);
  });

  it('output_shape 6: NOTSET takes the larger half first (1, 0), SAME_UPPER the smaller (0, 1)', () => {
    expect(run(convT1d({ outputShape: [6] }))).toEqual([1, 3, 2, 5, 3, 3]);
    expect(run(convT1d({ outputShape: [6], autoPad: 'SAME_UPPER' }))).toEqual([1, 1, 3, 2, 5, 3]);
  });

  it('dilation 2: x = [1, 2], w = [1, 2]: i writes to i and i+2: [1, 2, 2, 4]', () => {
    const p = makeProblem({ op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [2], kernelShape: [2], dilations: [2] });
    expect(Array.from(convTranspose(p, { x: tensor([1, 2], [1, 1, 2]), w: tensor([1, 2], [1, 1, 2]) }).data)).toEqual([1, 2, 2, 4]);
  });
});

describe('reference conv transpose: 2-D and 3-D, checked with numpy', () => {
  it('g2 (C4 -> M2, w [4, 1, 3, 2]), stride [2,3], dilation [1,2], pads begin [1,0] end [0,1], output_padding [1,0], bias', () => {
    const p = makeProblem({
      op: 'convTranspose', inChannels: 4, outChannels: 2, group: 2, inputShape: [2, 2], kernelShape: [3, 2],
      strides: [2, 3], dilations: [1, 2], pads: [1, 0, 0, 1], outputPadding: [1, 0], bias: true,
    });
    const y = convTranspose(p, { x: pattern([1, 4, 2, 2], 3, 7), w: pattern([4, 1, 3, 2], 2, 5), b: tensor([1, -1], [2]) });
    // h: 2·1 + 1 + 3 - 1 = 5; w: 3·1 + 0 + 3 - 1 = 5; rows only the bias reaches read 1 and -1
    expect(y.shape).toEqual([1, 2, 5, 5]);
    expect(Array.from(y.data)).toEqual([
      -7, 1, 6, 3, 1, -12, 1, 9, 7, 1, 6, 1, -1, 2, 1, 2, 1, -5, 6, 1, 1, 1, 1, 1, 1,
      3, -1, -1, 0, -1, -4, -1, -1, 5, -1, 4, -1, 1, 1, -1, -7, -1, 0, -1, -1, -1, -1, -1, -1, -1,
    ]);
  });

  it('3-D, output_shape [4, 3, 4] with SAME_UPPER: h total 1 cropped at the end', () => {
    const p = makeProblem({ op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [2, 2, 2], kernelShape: [2, 2, 2], strides: [2, 2, 2], outputShape: [4, 3, 4], autoPad: 'SAME_UPPER' });
    const y = convTranspose(p, { x: pattern([1, 1, 2, 2, 2], 1, 5), w: pattern([1, 1, 2, 2, 2], 3, 4) });
    expect(y.shape).toEqual([1, 1, 4, 3, 4]);
    expect(Array.from(y.data)).toEqual([
      4, -2, 2, -1, 0, 2, 0, 1, 0, 0, -2, 1, 4, -2, 2, -1, 0, 2, 0, 1, 0, 0, -2, 1,
      -4, 2, 4, -2, 0, -2, 0, 2, 2, -1, 0, 0, -4, 2, 4, -2, 0, -2, 0, 2, 2, -1, 0, 0,
    ]);
  });
});

describe('reference conv transpose: what it returns besides the value', () => {
  // x = [1, -2], w = [3, -1], stride 2, pads (1, 0), b = 1: full output [3, -1, -6, 2], cropped to [-1, -6, 2]
  const p = makeProblem({ op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [2], kernelShape: [2], strides: [2], pads: [1, 0], bias: true });
  const result = convTransposeDetailed(p, { x: tensor([1, -2], [1, 1, 2]), w: tensor([3, -1], [1, 1, 2]), b: tensor([1], [1]) });

  it('y = b + what lands: 1 - 1, 1 - 6, 1 + 2', () => {
    expect(Array.from(result.y.data)).toEqual([0, -5, 3]);
  });

  it('absSum and terms count the bias and each landing tap; the cropped tap is neither counted nor multiplied', () => {
    expect(Array.from(result.absSum)).toEqual([2, 7, 3]);
    expect(Array.from(result.terms)).toEqual([2, 2, 2]);
    expect(result.multiplications).toBe(3);
  });
});

describe('reference conv transpose is the adjoint of conv: <conv(x), y> = <x, convT(y)>', () => {
  const problems = [
    'mb1ic1ih4iw4oc1kh3kw3',
    'g2mb2ic4ih5iw6oc6kh3kw2sh2sw2ph1pw0eh0ew1',
    'mb1ic2iw11oc3kw3sw3dw2pw2ew0', // needs output_padding 2 to recover i = 11
    'mb1ic3ih7iw6oc2kh3kw3sh2sw2dh2dw1apL',
    'g3mb1ic3id3ih4iw5oc3kd2kh3kw2sd2sh1sw2apU',
    'mb1ic2ih5iw5oc2kh2kw2sh3sw3', // stride > kernel: some inputs are read by no output
  ];

  it.each(problems)('%s', (text) => {
    const p = parseDescriptor(text);
    const t = adjointProblem(p);
    expect(outputTensorShape(t)).toEqual([p.batch, p.inChannels, ...p.inputShape]);
    const { x, w } = makeOperands(p, 'exact', 11);
    const rng = new Random(23);
    const yShape = outputTensorShape(p);
    const y = tensor(Array.from({ length: sizeOf(yShape) }, () => rng.int(-4, 4)), yShape);
    // integer data: both inner products are exact, so they must be equal, not merely close
    expect(dot(conv(p, { x, w }), y)).toBe(dot(x, convTranspose(t, { x: y, w })));
  });

  it('the adjoint problem of the 11 -> 3 case carries output_padding 2 and the conv\'s pads', () => {
    const t = adjointProblem(parseDescriptor('mb1ic2iw11oc3kw3sw3dw2pw2ew0'));
    // conv: floor((11 + 2 - 5) / 3) + 1 = 3; transposed back: 3·2 + 5 - 2 = 9 = 11 - 2, so output_padding 2
    expect(t).toMatchObject({ op: 'convTranspose', inChannels: 3, outChannels: 2, inputShape: [3], padsBegin: [2], padsEnd: [0], outputPadding: [2], autoPad: 'NOTSET' });
  });
});
