// Hand-checked shape arithmetic. Every expected number is worked out in the test's comment from the
// ONNX operator spec (onnx/docs/Operators.md, Conv-11 / ConvTranspose-11, unchanged through -22):
//   Conv:  o = floor((i + pb + pe - ((k-1)·d + 1)) / s) + 1
//          SAME_*: o = ceil(i / s), total = max(0, (o-1)·s + (k-1)·d + 1 - i), odd extra at the end
//          for SAME_UPPER, at the beginning for SAME_LOWER
//   ConvTranspose: o = s·(i-1) + output_padding + (k-1)·d + 1 - pb - pe
//          output_shape: total = s·(i-1) + output_padding + (k-1)·d + 1 - output_shape;
//          SAME_UPPER: pads[start] = total/2, pads[end] = total - total/2; else the larger half first
//          SAME_* without output_shape: output = i·s
import { describe, expect, it } from 'vitest';
import { makeProblem, type AutoPad, type ProblemSpec } from './problem.ts';
import {
  biasShape, convOutputSize, convSamePads, convTransposeOutputSize, convTransposePadsForOutput, effectiveKernelSize,
  inputTensorShape, outputSpatialShape, outputTensorShape, resolvePads, signalModePads, signalOutputSize, sizeOf,
  splitPadding, stridesOf, upsampleOutputSize, weightShape,
} from './shape.ts';

const conv1d = (i: number, k: number, extra: Partial<ProblemSpec> = {}) =>
  makeProblem({ inChannels: 1, outChannels: 1, inputShape: [i], kernelShape: [k], ...extra });
const convT1d = (i: number, k: number, extra: Partial<ProblemSpec> = {}) => conv1d(i, k, { op: 'convTranspose', ...extra });

describe('conv output size, explicit pads (NOTSET)', () => {
  it('article §2.1: 5 with a 3-tap kernel, stride 1, no pad gives 3', () => {
    expect(convOutputSize(5, 3, 1, 1, 0, 0)).toBe(3);
  });

  it('article §5: i=7, k=3, s=2, p=1 gives floor((7 + 2 - 3) / 2) + 1 = 4', () => {
    expect(convOutputSize(7, 3, 2, 1, 1, 1)).toBe(4);
  });

  it('asymmetric pads add up: i=5, k=3, s=2, pb=2, pe=0 gives floor(4/2) + 1 = 3', () => {
    expect(convOutputSize(5, 3, 2, 1, 2, 0)).toBe(3);
    expect(resolvePads(conv1d(5, 3, { strides: [2], pads: [2, 0] }))).toEqual({ begin: [2], end: [0] });
  });

  it('the stride drops a remainder: i=6, k=3, s=2 gives floor(3/2) + 1 = 2, not 2.5', () => {
    expect(convOutputSize(6, 3, 2, 1, 0, 0)).toBe(2);
  });

  it('dilation with stride: k=3, d=2 spans 5; i=10, s=3, p=1 gives floor((10 + 2 - 5) / 3) + 1 = 3', () => {
    expect(effectiveKernelSize(3, 2)).toBe(5);
    expect(effectiveKernelSize(4, 3)).toBe(10);
    expect(effectiveKernelSize(1, 7)).toBe(1);
    expect(convOutputSize(10, 3, 3, 2, 1, 1)).toBe(3);
  });

  it('a kernel exactly the padded input gives 1; one larger gives 0 (validation rejects it)', () => {
    expect(convOutputSize(3, 5, 1, 1, 1, 1)).toBe(1);
    expect(convOutputSize(3, 6, 1, 1, 1, 1)).toBe(0);
  });
});

describe('conv auto_pad', () => {
  it('VALID ignores the pads attribute: i=7, k=3, s=2 gives 3 with pads 0', () => {
    const p = conv1d(7, 3, { strides: [2], pads: [3, 3], autoPad: 'VALID' });
    expect(resolvePads(p)).toEqual({ begin: [0], end: [0] });
    expect(outputSpatialShape(p)).toEqual([3]);
  });

  it('odd total: i=6, k=3, s=2: o = 3, total = 2·2 + 3 - 6 = 1: UPPER puts it at the end, LOWER at the beginning', () => {
    expect(convSamePads(6, 3, 2, 1, 'SAME_UPPER')).toEqual({ begin: 0, end: 1 });
    expect(convSamePads(6, 3, 2, 1, 'SAME_LOWER')).toEqual({ begin: 1, end: 0 });
    expect(outputSpatialShape(conv1d(6, 3, { strides: [2], autoPad: 'SAME_UPPER' }))).toEqual([3]);
    expect(outputSpatialShape(conv1d(6, 3, { strides: [2], autoPad: 'SAME_LOWER' }))).toEqual([3]);
  });

  it('odd total: i=5, k=4, s=1: o = 5, total = 4 + 4 - 5 = 3: UPPER 1 + 2, LOWER 2 + 1', () => {
    expect(convSamePads(5, 4, 1, 1, 'SAME_UPPER')).toEqual({ begin: 1, end: 2 });
    expect(convSamePads(5, 4, 1, 1, 'SAME_LOWER')).toEqual({ begin: 2, end: 1 });
  });

  it('even total splits equally: i=7, k=3, s=2: o = 4, total = 3·2 + 3 - 7 = 2', () => {
    expect(convSamePads(7, 3, 2, 1, 'SAME_UPPER')).toEqual({ begin: 1, end: 1 });
    expect(convSamePads(7, 3, 2, 1, 'SAME_LOWER')).toEqual({ begin: 1, end: 1 });
  });

  it('dilation enters through the span: i=5, k=3, d=2: total = 4 + 5 - 5 = 4; i=3, k=3, d=3, s=2: o = 2, total = 2 + 7 - 3 = 6', () => {
    expect(convSamePads(5, 3, 1, 2, 'SAME_UPPER')).toEqual({ begin: 2, end: 2 });
    expect(convSamePads(3, 3, 2, 3, 'SAME_LOWER')).toEqual({ begin: 3, end: 3 });
  });

  it('a negative total is clamped to 0: i=4, k=1, s=2: o = 2, (2-1)·2 + 1 - 4 = -1', () => {
    expect(convSamePads(4, 1, 2, 1, 'SAME_UPPER')).toEqual({ begin: 0, end: 0 });
  });

  it('SAME_* ignore the explicit pads and keep o = ceil(i/s) on every axis', () => {
    for (const autoPad of ['SAME_UPPER', 'SAME_LOWER'] as AutoPad[]) {
      const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [7, 6, 5], kernelShape: [3, 2, 4], strides: [2, 3, 1], dilations: [2, 1, 1], pads: [9, 9, 9, 9, 9, 9], autoPad });
      expect(outputSpatialShape(p)).toEqual([4, 2, 5]);
    }
  });

  it('splitPadding: 0 is 0 + 0, 5 is 2 + 3 (UPPER) or 3 + 2 (LOWER)', () => {
    expect(splitPadding(0, 'SAME_UPPER')).toEqual({ begin: 0, end: 0 });
    expect(splitPadding(5, 'SAME_UPPER')).toEqual({ begin: 2, end: 3 });
    expect(splitPadding(5, 'SAME_LOWER')).toEqual({ begin: 3, end: 2 });
  });
});

describe('conv transpose output size', () => {
  it('i=3, k=3, s=2, pads 1, 1: 2·2 + 0 + 3 - 2 = 5; output_padding 1 makes it 6', () => {
    expect(convTransposeOutputSize(3, 3, 2, 1, 1, 1, 0)).toBe(5);
    expect(convTransposeOutputSize(3, 3, 2, 1, 1, 1, 1)).toBe(6);
    expect(outputSpatialShape(convT1d(3, 3, { strides: [2], pads: [1, 1], outputPadding: [1] }))).toEqual([6]);
  });

  it('dilation: i=3, k=3, s=2, d=2, output_padding 1: 4 + 1 + 5 = 10', () => {
    expect(convTransposeOutputSize(3, 3, 2, 2, 0, 0, 1)).toBe(10);
  });

  it('asymmetric pads crop each side: i=4, k=4, s=2, pb=0, pe=3: 6 + 4 - 3 = 7', () => {
    expect(outputSpatialShape(convT1d(4, 4, { strides: [2], pads: [0, 3] }))).toEqual([7]);
  });

  it('VALID: no crop, output_padding still added: i=3, k=3, s=2, op=1 gives 8', () => {
    const p = convT1d(3, 3, { strides: [2], pads: [1, 1], outputPadding: [1], autoPad: 'VALID' });
    expect(resolvePads(p)).toEqual({ begin: [0], end: [0] });
    expect(outputSpatialShape(p)).toEqual([8]);
  });
});

describe('conv transpose output_shape -> pads', () => {
  it('i=3, k=3, s=2 to 6: total = 4 + 3 - 6 = 1: SAME_UPPER the smaller half first (0, 1), otherwise the larger (1, 0)', () => {
    expect(convTransposePadsForOutput(3, 3, 2, 1, 0, 6, 'SAME_UPPER')).toEqual({ begin: 0, end: 1 });
    expect(convTransposePadsForOutput(3, 3, 2, 1, 0, 6, 'SAME_LOWER')).toEqual({ begin: 1, end: 0 });
    expect(convTransposePadsForOutput(3, 3, 2, 1, 0, 6, 'NOTSET')).toEqual({ begin: 1, end: 0 });
  });

  it('i=3, k=4, s=2 to 5: total = 4 + 4 - 5 = 3: SAME_UPPER (1, 2), NOTSET (2, 1); output_padding 1 adds one to total', () => {
    expect(convTransposePadsForOutput(3, 4, 2, 1, 0, 5, 'SAME_UPPER')).toEqual({ begin: 1, end: 2 });
    expect(convTransposePadsForOutput(3, 4, 2, 1, 0, 5, 'NOTSET')).toEqual({ begin: 2, end: 1 });
    expect(convTransposePadsForOutput(3, 4, 2, 1, 1, 5, 'NOTSET')).toEqual({ begin: 2, end: 2 });
  });

  it('output_shape wins over explicit pads, and the output is exactly output_shape', () => {
    const p = convT1d(3, 4, { strides: [2], pads: [7, 7], outputShape: [5] });
    expect(resolvePads(p)).toEqual({ begin: [2], end: [1] });
    expect(outputSpatialShape(p)).toEqual([5]);
  });

  it('output_shape wins over VALID too: pads come from it, the larger half first (1, 0)', () => {
    // ONNX: "If output_shape is specified pads values are ignored"; ONNX Runtime 1.30 agrees
    const p = convT1d(3, 3, { strides: [2], outputShape: [6], autoPad: 'VALID' });
    expect(resolvePads(p)).toEqual({ begin: [1], end: [0] });
    expect(outputSpatialShape(p)).toEqual([6]);
  });

  it('output_shape equal to the full output means no pads: i=3, k=3, s=2 full is 7', () => {
    expect(convTransposePadsForOutput(3, 3, 2, 1, 0, 7, 'SAME_LOWER')).toEqual({ begin: 0, end: 0 });
  });

  it('2-D: each axis gets its own total', () => {
    const p = makeProblem({ op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [3, 2], kernelShape: [3, 2], strides: [2, 3], outputShape: [6, 4], autoPad: 'SAME_UPPER' });
    // h: 4 + 3 - 6 = 1 -> (0, 1); w: 3 + 2 - 4 = 1 -> (0, 1)
    expect(resolvePads(p)).toEqual({ begin: [0, 0], end: [1, 1] });
    expect(outputSpatialShape(p)).toEqual([6, 4]);
  });
});

describe('conv transpose SAME_*: the output is i·s', () => {
  it('i=3, k=3, s=2: output 6, total = 4 + 3 - 6 = 1: UPPER (0, 1), LOWER (1, 0)', () => {
    const upper = convT1d(3, 3, { strides: [2], autoPad: 'SAME_UPPER' });
    const lower = convT1d(3, 3, { strides: [2], autoPad: 'SAME_LOWER' });
    expect(resolvePads(upper)).toEqual({ begin: [0], end: [1] });
    expect(resolvePads(lower)).toEqual({ begin: [1], end: [0] });
    expect(outputSpatialShape(upper)).toEqual([6]);
    expect(outputSpatialShape(lower)).toEqual([6]);
  });

  it('i=4, k=4, s=2: output 8, total = 6 + 4 - 8 = 2 split (1, 1); with output_padding 1 total 3 and still 8', () => {
    expect(resolvePads(convT1d(4, 4, { strides: [2], autoPad: 'SAME_LOWER' }))).toEqual({ begin: [1], end: [1] });
    const p = convT1d(4, 4, { strides: [2], outputPadding: [1], autoPad: 'SAME_UPPER' });
    expect(resolvePads(p)).toEqual({ begin: [1], end: [2] });
    expect(outputSpatialShape(p)).toEqual([8]);
  });

  it('3-D with dilation: [2, 3, 4] by strides [1, 2, 3] gives [2, 6, 12]', () => {
    const p = makeProblem({ op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [2, 3, 4], kernelShape: [2, 3, 3], strides: [1, 2, 3], dilations: [2, 1, 1], autoPad: 'SAME_LOWER' });
    // d: 1 + 3 - 2 = 2 -> (1, 1); h: 4 + 3 - 6 = 1 -> (1, 0); w: 9 + 3 - 12 = 0 -> (0, 0)
    expect(resolvePads(p)).toEqual({ begin: [1, 1, 0], end: [1, 0, 0] });
    expect(outputSpatialShape(p)).toEqual([2, 6, 12]);
  });
});

describe('tensor shapes, 1-D to 3-D', () => {
  it('1-D conv: x [N, C, W], w [M, C/g, k], y [N, M, o], b [M]', () => {
    const p = makeProblem({ batch: 2, inChannels: 4, outChannels: 6, group: 2, inputShape: [9], kernelShape: [3], strides: [2], pads: [1, 0] });
    expect(inputTensorShape(p)).toEqual([2, 4, 9]);
    expect(weightShape(p)).toEqual([6, 2, 3]);
    expect(outputTensorShape(p)).toEqual([2, 6, 4]); // floor((9 + 1 - 3) / 2) + 1
    expect(biasShape(p)).toEqual([6]);
  });

  it('3-D conv: each axis by its own attributes', () => {
    const p = makeProblem({ inChannels: 3, outChannels: 8, inputShape: [4, 7, 10], kernelShape: [2, 3, 3], strides: [1, 2, 3], dilations: [1, 1, 2], pads: [0, 1, 1, 1, 0, 1] });
    // d: (4 + 1 - 2)/1 + 1 = 4; h: floor((7 + 1 - 3)/2) + 1 = 3; w: floor((10 + 2 - 5)/3) + 1 = 3
    expect(outputTensorShape(p)).toEqual([1, 8, 4, 3, 3]);
    expect(weightShape(p)).toEqual([8, 3, 2, 3, 3]);
  });

  it('conv transpose weights are [C, M/g, k...]', () => {
    const p = makeProblem({ op: 'convTranspose', inChannels: 4, outChannels: 6, group: 2, inputShape: [3, 3], kernelShape: [2, 3] });
    expect(weightShape(p)).toEqual([4, 3, 2, 3]);
    expect(outputTensorShape(p)).toEqual([1, 6, 4, 5]);
  });

  it('sizeOf and stridesOf: row-major', () => {
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([5, 0])).toBe(0);
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(stridesOf([7])).toEqual([1]);
  });
});

describe('signal-processing modes and up-sampling', () => {
  it('scipy.signal.convolve of 5 and 4 samples: full 8 (pads 3, 3), same 5 (pads 2, 1), valid 2', () => {
    // scipy: convolve([1..5], [1, 0, 0, 0], 'same') == [2, 3, 4, 5, 0]: y[0] = x[3 - begin] = x[1], so begin = 2
    expect(signalModePads(4, 'full')).toEqual({ begin: 3, end: 3 });
    expect(signalModePads(4, 'same')).toEqual({ begin: 2, end: 1 });
    expect(signalModePads(4, 'valid')).toEqual({ begin: 0, end: 0 });
    expect([signalOutputSize(5, 4, 'full'), signalOutputSize(5, 4, 'same'), signalOutputSize(5, 4, 'valid')]).toEqual([8, 5, 2]);
  });

  it('an odd kernel centres: 3 taps pad 1, 1 in same mode', () => {
    expect(signalModePads(3, 'same')).toEqual({ begin: 1, end: 1 });
  });

  it('up-sampling 2 by 2 gives 4', () => {
    expect(upsampleOutputSize(2, 2)).toBe(4);
  });
});
