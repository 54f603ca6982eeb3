import { describe, expect, it } from 'vitest';
import { roundToFloat16 } from './float16.ts';

describe('roundToFloat16', () => {
  it('keeps integers up to 2048 and rounds 2049 to even', () => {
    expect(roundToFloat16(2048)).toBe(2048);
    expect(roundToFloat16(2049)).toBe(2048);
    expect(roundToFloat16(2051)).toBe(2052);
    expect(roundToFloat16(-3)).toBe(-3);
  });

  it('has 11 significant bits, subnormals down to 2^-24 and overflows at 65520', () => {
    expect(roundToFloat16(1 / 3)).toBe(0.333251953125);
    expect(roundToFloat16(1 + 2 ** -11)).toBe(1); // tie to even
    expect(roundToFloat16(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9);
    expect(roundToFloat16(2 ** -25)).toBe(0); // tie to even (zero)
    expect(roundToFloat16(3 * 2 ** -25)).toBe(2 ** -23);
    expect(roundToFloat16(65504)).toBe(65504);
    expect(roundToFloat16(65519)).toBe(65504);
    expect(roundToFloat16(65520)).toBe(Infinity);
    expect(roundToFloat16(-1e6)).toBe(-Infinity);
  });
});
