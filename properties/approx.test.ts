import { describe, expect, it } from 'vitest';
import { tensor } from '../problem/tensor.ts';
import { combine, compareApprox, dotApprox, exact, type Approx } from './approx.ts';

/** An Approx with expected bounds `bounds` and hard bounds twice as large. */
function approx(values: number[], bounds: number[]): Approx {
  return { shape: [values.length], value: Float64Array.from(values), bound: Float64Array.from(bounds), hard: Float64Array.from(bounds, (b) => 2 * b), absSum: Float64Array.from(values, Math.abs) };
}

describe('approx', () => {
  it('passes within the sum of both bounds and fails just beyond, naming the first element', () => {
    const want = approx([1, 2, 3], [0.1, 0.1, 0.1]);
    expect(compareApprox(approx([1.15, 2, 3], [0.1, 0, 0]), want, 'fp32').verdict).toBe('pass');
    const over = compareApprox(approx([1, 2.25, 3.3], [0.1, 0.1, 0.1]), want, 'fp32');
    expect(over.verdict).toBe('fail');
    expect(over.overTolerance).toBe(2);
    expect(over.worst).toEqual({ index: 1, got: 2.25, expected: 2, bound: 0.2 });
    expect(over.message).toMatch(/2 of 3 elements over bound; first at index 1 \[1\]: got 2.25, expected 2, bound 0.2/);
  });

  it('is bit-exact when both bounds are zero (any difference is impossible), and fails on NaN or a shape mismatch', () => {
    expect(compareApprox(exact(tensor([3], [1])), exact(tensor([3], [1])), 'fp32').verdict).toBe('pass');
    expect(compareApprox(exact(tensor([3 + 2 ** -20], [1])), exact(tensor([3], [1])), 'fp32').verdict).toBe('impossible');
    expect(compareApprox(approx([NaN], [1]), approx([0], [1]), 'fp32').verdict).toBe('impossible');
    expect(compareApprox(exact(tensor([1, 2], [2])), exact(tensor([1, 2], [1, 2])), 'fp32').message).toMatch(/shape \[2\] \(2 elements\) differs from the expected \[1,2\]/);
  });

  it('over the sum of the expected bounds fails; over the sum of the hard bounds is impossible', () => {
    const want = approx([1], [0.1]);
    expect(compareApprox(approx([1.3], [0.1]), want, 'fp32').verdict).toBe('fail'); // 0.3 > 0.2, <= 0.4
    expect(compareApprox(approx([1.5], [0.1]), want, 'fp32').verdict).toBe('impossible'); // 0.5 > 0.4
  });

  it('NaN equals NaN and an infinity itself; an infinity where a number is expected is impossible', () => {
    expect(compareApprox(approx([NaN, Infinity, -Infinity], [0, 0, 0]), approx([NaN, Infinity, -Infinity], [0, 0, 0]), 'fp32').verdict).toBe('pass');
    // the other infinity where the sums' S (as the reference gives it) stays finite
    const finiteS = (a: ReturnType<typeof approx>): ReturnType<typeof approx> => ({ ...a, absSum: Float64Array.of(1) });
    expect(compareApprox(finiteS(approx([Infinity], [1])), finiteS(approx([-Infinity], [1])), 'fp32').verdict).toBe('impossible');
    // S (the scale of the sums, from the reference) below float32's largest value: no partial sum can overflow
    const got = { ...approx([Infinity], [1]), absSum: Float64Array.of(3e38) };
    expect(compareApprox(got, approx([3e38], [1]), 'fp32').verdict).toBe('impossible');
    // S past it: a correct float32 sum may overflow
    expect(compareApprox({ ...got, absSum: Float64Array.of(4e38) }, approx([3e38], [1]), 'fp32').verdict).toBe('pass');
  });

  it('propagates bounds through combinations and inner products', () => {
    const c = combine([[2, approx([1, 1], [0.5, 0])], [-3, approx([1, 2], [0, 0.25])]]);
    expect(Array.from(c.value)).toEqual([-1, -4]);
    expect(c.bound[0]).toBeCloseTo(1, 12);
    expect(c.bound[1]).toBeCloseTo(0.75, 12);
    const d = dotApprox(approx([1, 2], [0.5, 0.25]), tensor([2, -4], [2]));
    expect(d.value[0]).toBe(-6);
    expect(d.bound[0]).toBeCloseTo(2, 12);
  });
});
