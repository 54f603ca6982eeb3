import { describe, expect, test } from 'vitest';
import { ConvInputError } from '../../problem/errors.ts';
import { moveAxis, permute, reshaped, toChannelsFirst, toChannelsLast, toKernelFirst, toKernelLast } from './layout.ts';

const ramp = (shape: number[]): { shape: number[]; data: Float32Array } =>
  ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i) });

describe('tfjs layouts', () => {
  test('channels last: [N=1, C=2, H=2, W=3] -> [1, 2, 3, 2] puts the two channel values of a pixel together', () => {
    const x = ramp([1, 2, 2, 3]); // channel 0 holds 0..5, channel 1 holds 6..11
    const last = toChannelsLast(x);
    expect(last.shape).toEqual([1, 2, 3, 2]);
    expect(Array.from(last.data)).toEqual([0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11]);
    expect(toChannelsFirst(last)).toEqual({ shape: [1, 2, 2, 3], data: Float32Array.from(x.data) });
  });

  test('channels last round trips in 1-D and 3-D with batch 2', () => {
    for (const shape of [[2, 3, 4], [2, 3, 2, 1, 4]]) {
      const x = ramp(shape);
      expect(toChannelsFirst(toChannelsLast(x))).toEqual({ shape, data: Float32Array.from(x.data) });
    }
  });

  test('kernel last: ONNX w [M=2, C=3, kh=1, kw=2] -> tfjs filter [1, 2, 3, 2], filter[0, kw, c, m] = w[m, c, 0, kw]', () => {
    const w = ramp([2, 3, 1, 2]);
    const f = toKernelLast(w);
    expect(f.shape).toEqual([1, 2, 3, 2]);
    const at = (kw: number, c: number, m: number): number => f.data[(kw * 3 + c) * 2 + m];
    expect(at(1, 2, 0)).toBe(w.data[((0 * 3 + 2) * 1 + 0) * 2 + 1]);
    expect(at(0, 1, 1)).toBe(w.data[((1 * 3 + 1) * 1 + 0) * 2 + 0]);
    expect(toKernelFirst(f)).toEqual({ shape: [2, 3, 1, 2], data: Float32Array.from(w.data) });
  });

  test('permute follows its order and moveAxis moves one axis', () => {
    const t = ramp([2, 3]);
    expect(permute(t, [1, 0])).toEqual({ shape: [3, 2], data: Float32Array.from([0, 3, 1, 4, 2, 5]) });
    expect(moveAxis(ramp([2, 1, 3]), 2, 0).shape).toEqual([3, 2, 1]);
  });

  test('reshape shares data and rejects a shape of another size, naming it', () => {
    const t = ramp([2, 3]);
    expect(reshaped(t, [3, 1, 2]).data).toBe(t.data);
    expect(() => reshaped(t, [4, 2])).toThrow(ConvInputError);
    expect(() => reshaped(t, [4, 2])).toThrow(/shape must hold 6 elements like \[2,3\], but shape=\[4,2\] holds 8/);
  });
});
