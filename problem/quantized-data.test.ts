import { describe, expect, it } from 'vitest';
import { checkQuantizedOperands, makeQuantizedProblem } from './quantized.ts';
import { farthestFrom, makeQuantizedOperands, QUANTIZED_DATA_MODES } from './quantized-data.ts';

const p = makeQuantizedProblem({
  operator: 'QLinearConv', conv: { inChannels: 4, outChannels: 2, inputShape: [3], kernelShape: [2], bias: true },
  xType: 'u8', wType: 's8', xZeroPoint: 200, wZeroPoint: [-100, 90], yType: 'u8',
});

describe('quantized operand data', () => {
  it.each(QUANTIZED_DATA_MODES)('%s: deterministic, of the problem\'s shapes and types', (mode) => {
    const a = makeQuantizedOperands(p, mode, 42), b = makeQuantizedOperands(p, mode, 42);
    expect(a).toEqual(b);
    expect(() => checkQuantizedOperands(p, a)).not.toThrow();
  });

  it('near: within ±3 of the zero points', () => {
    const { x, w } = makeQuantizedOperands(p, 'near', 3);
    expect(x.data.every((v) => Math.abs(v - 200) <= 3)).toBe(true);
    expect(Array.from(w.data).every((v, i) => Math.abs(v - (i < 8 ? -100 : 90)) <= 3)).toBe(true);
  });

  it('extreme: the end farthest from each zero point (w = -128 where w_zp > 0), B at the int32 limit of the accumulator\'s sign', () => {
    const { x, w, b } = makeQuantizedOperands(p, 'extreme', 3);
    expect(farthestFrom(200, 'u8')).toBe(0);
    expect(new Set(x.data)).toEqual(new Set([0]));
    expect(Array.from(w.data)).toEqual([...Array(8).fill(127), ...Array(8).fill(-128)]);
    // channel 0: (0 - 200)(127 + 100) < 0 -> B near -2^31; channel 1: (0 - 200)(-128 - 90) > 0 -> B near 2^31 - 1
    expect(b!.data[0]).toBeLessThan(-(2 ** 31) + 256);
    expect(b!.data[1]).toBeGreaterThan(2 ** 31 - 257);
  });

  it('alternating: w flips to the other end for the second half of the input channels', () => {
    const { w } = makeQuantizedOperands(p, 'alternating', 3);
    expect(Array.from(w.data.slice(0, 8))).toEqual([127, 127, 127, 127, -128, -128, -128, -128]);
  });
});
