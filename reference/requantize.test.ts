import { describe, expect, it } from 'vitest';
import { exactRational, integer, multiply, requantize, requantMultiplier, roundHalfEven } from './requantize.ts';

describe('exact rationals of floats', () => {
  it.each([
    [0.375, 3n, 8n], [-6, -6n, 1n], [2 ** -149, 1n, 2n ** 149n], [Math.fround(0.1), 13421773n, 2n ** 27n], [0, 0n, 1n], [3 * 2 ** 40, 3n * 2n ** 40n, 1n],
  ])('%s = num/den', (v, num, den) => {
    expect(exactRational(v)).toEqual({ num, den });
  });

  it('the multiplier is x_scale·w_scale/y_scale exactly, not its float rounding', () => {
    const m = requantMultiplier(1.5, 1, 3); // ws/ys = 1/3 is no float; the product is 1/2 exactly
    expect(Number(m.num) / Number(m.den)).toBe(0.5);
    expect(roundHalfEven(multiply(integer(3), m))).toBe(2n); // 1.5 -> 2
  });
});

describe('round half to even', () => {
  it.each([
    [1n, 2n, 0n], [3n, 2n, 2n], [5n, 2n, 2n], [-1n, 2n, 0n], [-3n, 2n, -2n], [-5n, 2n, -2n],
    [7n, 4n, 2n], [-7n, 4n, -2n], [5n, 4n, 1n], [-5n, 4n, -1n], [10n, 3n, 3n], [-10n, 3n, -3n], [0n, 5n, 0n],
  ])('%s/%s -> %s', (num, den, want) => {
    expect(roundHalfEven({ num, den })).toBe(want);
  });
});

describe('requantize', () => {
  it('rounds ties to even, adds the zero point, saturates', () => {
    const half = requantMultiplier(0.5, 1, 1);
    expect([1, 3, 5, -1, -3].map((acc) => requantize(acc, half, 10, 0, 255))).toEqual([10, 12, 12, 10, 8]);
    expect(requantize(1000, half, 10, 0, 255)).toBe(255);
    expect(requantize(-1000, half, 10, -128, 127)).toBe(-128);
  });

  it('is exact where float32 and float64 evaluations round: 2^24 + 1 times 2^-25 (a tie past float32)', () => {
    const m = requantMultiplier(2 ** -25, 1, 1);
    // exact: (2^24 + 1)/2^25 = 0.5 + 2^-25 -> 1; float32(2^24 + 1) = 2^24 gives 0.5 -> 0
    expect(requantize(2 ** 24 + 1, m, 0, 0, 255)).toBe(1);
    expect(requantize(2 ** 24, m, 0, 0, 255)).toBe(0);
  });
});
