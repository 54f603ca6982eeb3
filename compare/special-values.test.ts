import { describe, expect, test } from 'vitest';
import { parseDescriptor } from '../problem/descriptor.ts';
import { judgeAgainstReference, referenceResult } from './run-case.ts';
import { allowedNaNs } from './special-values.ts';

// y = x0·w0 + x1·w1 + x2·w2 (one output, three taps): float64 keeps 3e38 + 3e38 finite, float32 overflows it
const p = parseDescriptor('mb1ic1iw3oc1kw3');
const w = { shape: [1, 1, 3], data: Float32Array.of(1, 1, 1) };
const operandsWith = (x0: number): { x: { shape: number[]; data: Float32Array }; w: typeof w } => ({ x: { shape: [1, 1, 3], data: Float32Array.of(x0, x0, -Infinity) }, w });
const answer = (v: number): { shape: number[]; data: Float32Array } => ({ shape: [1, 1, 1], data: Float32Array.of(v) });

describe('special values with finite terms that overflow', () => {
  test('an fp32 kernel whose finite partial sum overflows before it meets -Inf answers NaN: accepted; the reference infinity too', () => {
    const operands = operandsWith(3e38);
    const reference = referenceResult(p, operands);
    expect(Array.from(reference.y.data)).toEqual([-Infinity]);
    // what a float32 kernel summing in tap order gets: fround(3e38 + 3e38) = Inf, Inf + -Inf = NaN
    expect(Math.fround(Math.fround(3e38) + Math.fround(3e38)) + -Infinity).toBeNaN();
    expect(judgeAgainstReference(p, operands, reference, answer(NaN), 'fp32').verdict).toBe('pass');
    expect(judgeAgainstReference(p, operands, reference, answer(-Infinity), 'fp32').verdict).toBe('pass');
    // the other infinity and a number stay wrong
    expect(judgeAgainstReference(p, operands, reference, answer(Infinity), 'fp32').verdict).not.toBe('pass');
    expect(judgeAgainstReference(p, operands, reference, answer(0), 'fp32').verdict).not.toBe('pass');
  });

  test('where the finite terms cannot overflow (S = 2e38 < 3.4e38) or the precision is fp64, NaN stays wrong', () => {
    const small = operandsWith(1e38);
    expect(judgeAgainstReference(p, small, referenceResult(p, small), answer(NaN), 'fp32').verdict).not.toBe('pass');
    const big = operandsWith(3e38);
    expect(judgeAgainstReference(p, big, referenceResult(p, big), answer(NaN), 'fp64').verdict).not.toBe('pass');
  });

  test('allowedNaNs marks exactly the outputs whose finite S passes the largest value', () => {
    expect(Array.from(allowedNaNs(p, w, [4e38], 'fp32'))).toEqual([1]);
    expect(Array.from(allowedNaNs(p, w, [2e38], 'fp32'))).toEqual([0]);
    expect(Array.from(allowedNaNs(p, w, [7e4], 'fp16'))).toEqual([1]);
  });
});
