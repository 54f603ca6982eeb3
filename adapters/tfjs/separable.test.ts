import { describe, expect, test } from 'vitest';
import { Random } from '../../problem/random.ts';
import { ConvInputError } from '../../problem/errors.ts';
import { inputTensorShape, sizeOf, weightShape } from '../../problem/shape.ts';
import type { Tensor } from '../../problem/tensor.ts';
import { depthwiseSeparableConv, makeDepthwiseSeparable, type DepthwiseSeparableProblem, type DepthwiseSeparableSpec } from '../../reference/depthwise-separable.ts';
import { isUnsupportedError } from '../../problem/backend.ts';
import { knownTfjsDiscrepancy } from '../tfjs-known.ts';
import { runTfjsSeparableConv2d, tfjsSeparableSupport, type SeparableOperands } from './separable.ts';

/** Integers in [-2, 2]: every partial sum of both steps is a small integer, exact in float32 in any order. */
function operandsFor(p: DepthwiseSeparableProblem, seed: number): SeparableOperands {
  const rng = new Random(seed);
  const fill = (shape: number[]): Tensor<Float32Array> => ({ shape, data: Float32Array.from({ length: sizeOf(shape) }, () => rng.int(-2, 2)) });
  const dw = p.depthwise;
  const base = { x: fill(inputTensorShape(dw)), depthwiseW: fill(weightShape(dw)), pointwiseW: fill([p.outChannels, dw.outChannels]) };
  return p.bias ? { ...base, b: fill([p.outChannels]) } : base;
}

const SUPPORTED_TABLE: ReadonlyArray<readonly [string, DepthwiseSeparableSpec]> = [
  ['MobileNet-style 3x3 VALID', { inChannels: 3, outChannels: 5, inputShape: [6, 6], kernelShape: [3, 3] }],
  ['multiplier 2, stride 2, SAME_UPPER, bias, batch 2', { batch: 2, inChannels: 2, multiplier: 2, outChannels: 3, inputShape: [7, 6], kernelShape: [3, 3], strides: [2, 2], autoPad: 'SAME_UPPER', bias: true }],
  ['dilated, pads equal to SAME_UPPER', { inChannels: 2, outChannels: 2, inputShape: [7, 7], kernelShape: [3, 3], dilations: [2, 2], pads: [2, 2, 2, 2] }],
  ['one input channel', { inChannels: 1, multiplier: 3, outChannels: 2, inputShape: [5, 5], kernelShape: [2, 2], autoPad: 'VALID' }],
  ['1-D (unit height)', { inChannels: 3, outChannels: 4, inputShape: [9], kernelShape: [3], strides: [2], autoPad: 'SAME_UPPER' }],
  ['SAME_UPPER with a stride past the last inputs (known on wasm)', { inChannels: 2, outChannels: 2, inputShape: [3, 6], kernelShape: [1, 2], strides: [1, 3], autoPad: 'SAME_UPPER' }],
];

describe.each(['tfjs-cpu', 'tfjs-wasm'])('tf.separableConv2d on %s against the reference depthwise-then-pointwise composite', (backend) => {
  test.each(SUPPORTED_TABLE)('%s: bit for bit, or its known discrepancy', async (_, spec) => {
    const p = makeDepthwiseSeparable(spec);
    expect(tfjsSeparableSupport(backend === 'tfjs-cpu' ? 'tfjs-cpu' : 'tfjs-wasm', p)).toEqual({ supported: true });
    const operands = operandsFor(p, 9);
    const got = await runTfjsSeparableConv2d(backend, p, operands);
    const want = depthwiseSeparableConv(p, operands.x, operands.depthwiseW, operands.pointwiseW, operands.b).y;
    expect(got.shape).toEqual(want.shape);
    const agrees = got.data.every((v, i) => v === want.data[i]);
    expect(agrees).toBe(knownTfjsDiscrepancy(backend, p.depthwise) === undefined);
  });

  test.each([
    ['3-D', makeDepthwiseSeparable({ inChannels: 2, outChannels: 2, inputShape: [3, 3, 3], kernelShape: [2, 2, 2] }), /separableConv2d is 2-D only/],
    ['asymmetric explicit pads', makeDepthwiseSeparable({ inChannels: 2, outChannels: 2, inputShape: [5, 5], kernelShape: [3, 3], pads: [1, 0, 0, 1] }), /separableConv2d takes only 'valid' or 'same', but the depthwise pads \(begin \[1,0\], end \[0,1\]\)/],
  ])('unsupported: %s, with the reason; running it rejects with UnsupportedError', async (_, p, reason) => {
    expect(tfjsSeparableSupport('tfjs-cpu', p)).toEqual({ supported: false, reason: expect.stringMatching(reason) });
    const error = await runTfjsSeparableConv2d(backend, p, operandsFor(p, 1)).catch((e: unknown) => e);
    expect(isUnsupportedError(error)).toBe(true);
  });
});

describe('tf.separableConv2d: checks', () => {
  test('strides and dilations both > 1: refused on cpu (its depthwise kernel asserts), exact on wasm', async () => {
    const p = makeDepthwiseSeparable({ inChannels: 2, outChannels: 3, inputShape: [9, 9], kernelShape: [2, 2], strides: [2, 2], dilations: [2, 2], autoPad: 'VALID' });
    expect(tfjsSeparableSupport('tfjs-cpu', p)).toEqual({ supported: false, reason: expect.stringMatching(/depthwiseConv2d kernel requires all strides or all dilations to be 1/) });
    const operands = operandsFor(p, 4);
    const got = await runTfjsSeparableConv2d('tfjs-wasm', p, operands);
    expect(Array.from(got.data)).toEqual(Array.from(depthwiseSeparableConv(p, operands.x, operands.depthwiseW, operands.pointwiseW).y.data));
  });

  test('operands that do not fit are a ConvInputError naming the tensor', async () => {
    const p = makeDepthwiseSeparable({ inChannels: 2, outChannels: 3, inputShape: [4, 4], kernelShape: [3, 3] });
    const operands = { ...operandsFor(p, 2), pointwiseW: { shape: [3, 3], data: new Float32Array(9) } };
    await expect(runTfjsSeparableConv2d('tfjs-cpu', p, operands)).rejects.toThrow(ConvInputError);
    await expect(runTfjsSeparableConv2d('tfjs-cpu', p, operands)).rejects.toThrow(/pointwiseW must have shape \[3,2\]/);
  });
});
