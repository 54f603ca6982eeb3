import { describe, expect, it } from 'vitest';
import { parseQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import { inputErrorOf } from '../problem/errors.ts';
import type { IntTensor } from '../problem/quantized.ts';
import { convInteger, quantizedAccumulate, wrapInt32 } from './conv-integer.ts';

const ints = (values: readonly number[], shape: readonly number[]): IntTensor => ({ shape: [...shape], data: Int32Array.from(values) });
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('ConvInteger', () => {
  // ONNX's backend tests test_basic_convinteger / test_convinteger_with_padding (libonnx-testdata):
  // x = 2..10 on 3x3, w = ones 2x2, x_zero_point = 1
  const x = ints(range(2, 10), [1, 1, 3, 3]), w = ints([1, 1, 1, 1], [1, 1, 2, 2]);

  it('gives ONNX\'s test_basic_convinteger output', () => {
    expect(Array.from(convInteger(parseQuantizedDescriptor('CIu8u8mb1ic1ih3iw3oc1kh2kw2xz1'), { x, w }).data)).toEqual([12, 16, 24, 28]);
  });

  it('reads the padding as x_zero_point (ONNX\'s test_convinteger_with_padding)', () => {
    const y = convInteger(parseQuantizedDescriptor('CIu8u8mb1ic1ih3iw3oc1kh2kw2ph1pw1xz1'), { x, w });
    expect(y.shape).toEqual([1, 1, 4, 4]);
    expect(Array.from(y.data)).toEqual([1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9]);
  });

  it('subtracts per-channel w zero points by output channel, within groups', () => {
    // group 2: channel 0 sees x channel 0, channel 1 sees x channel 1; w - w_zp = [1, -2]
    const p = parseQuantizedDescriptor('CIs8s8g2mb1ic2iw2oc2kw1xz-3wzc4,-1');
    const y = convInteger(p, { x: ints([-3, 0, 5, -128], [1, 2, 2]), w: ints([5, -3], [2, 1, 1]) });
    expect(Array.from(y.data)).toEqual([0 * 1, 3 * 1, 8 * -2, -125 * -2]);
  });

  it('accumulates exactly up to the int32 limit and refuses past it, saying what an int32 accumulator gives', () => {
    // x = 255 (x_zp 0), w = 0 (w_zp 255): every product is -65025
    const fits = parseQuantizedDescriptor('CIu8u8mb1ic33025iw1oc1kw1wz255');
    const ones = (n: number, v: number): IntTensor => ({ shape: [1, n, 1], data: new Int32Array(n).fill(v) });
    expect(Array.from(convInteger(fits, { x: ones(33025, 255), w: ones(33025, 0) }).data)).toEqual([-2147450625]);
    const over = parseQuantizedDescriptor('CIu8u8mb1ic33026iw1oc1kw1wz255');
    const error = inputErrorOf(() => convInteger(over, { x: ones(33026, 255), w: ones(33026, 0) }));
    expect(error.field).toBe('y');
    expect(error.message).toMatch(/y\[0\] = -2147515650 does not fit ConvInteger's int32 output \(an int32 accumulator would wrap it to 2147451646\)/);
    expect(wrapInt32(-2147515650)).toBe(2147451646);
    expect(quantizedAccumulate(over, { x: ones(33026, 255), w: ones(33026, 0) }).acc[0]).toBe(-2147515650);
  });
});
