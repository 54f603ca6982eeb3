import { describe, expect, it } from 'vitest';
import { errorStatistics, judge, STATISTICS_MIN_ELEMENTS, type Expectation } from './judge.ts';
import { exactlyComputable } from './tolerance.ts';

/** An expectation of `values` with the same expected and hard bound `bound` everywhere (hard twice that), S = 1. */
function want(values: number[], bound = 0, extra: Partial<Expectation> = {}): Expectation {
  return {
    shape: [values.length], value: values, expectedBound: values.map(() => bound), hardBound: values.map(() => 2 * bound),
    absSum: values.map(() => 1), ...extra,
  };
}
const got = (values: number[]): { shape: number[]; data: number[] } => ({ shape: [values.length], data: values });

describe('judge: special values', () => {
  it('NaN equals NaN, an infinity itself; NaN or an infinity where a number is expected is impossible', () => {
    expect(judge(got([NaN, Infinity, -Infinity, 2]), want([NaN, Infinity, -Infinity, 2]), 'fp32').verdict).toBe('pass');
    expect(judge(got([0]), want([NaN]), 'fp32').verdict).toBe('impossible');
    expect(judge(got([NaN]), want([1]), 'fp32').verdict).toBe('impossible');
    expect(judge(got([Infinity]), want([-Infinity]), 'fp32').verdict).toBe('impossible');
  });

  it('NaN is also accepted where a second reading allows it (a padded zero times an infinite weight), nowhere else', () => {
    const expectation = want([3, 4], 0, { nanAllowed: [1, 0] });
    expect(judge(got([NaN, 4]), expectation, 'fp32').verdict).toBe('pass');
    expect(judge(got([3, NaN]), expectation, 'fp32').verdict).toBe('impossible');
  });

  it('a NaN or infinite expected value is judged by the rule alone, even where its S, and so its bounds, are infinite (before: 0 for Inf passed, and so did -Inf)', () => {
    // an infinite input makes S infinite, and the tolerance model's bounds with it
    const infinite = want([Infinity, NaN, 2], Infinity, { absSum: [Infinity, NaN, 1], expectedBound: [Infinity, NaN, 0], hardBound: [Infinity, NaN, 0] });
    expect(judge(got([Infinity, NaN, 2]), infinite, 'fp32').verdict).toBe('pass');
    expect(judge(got([0, NaN, 2]), infinite, 'fp32').verdict).toBe('impossible');
    expect(judge(got([-Infinity, NaN, 2]), infinite, 'fp32').verdict).toBe('impossible');
    expect(judge(got([Infinity, 0, 2]), infinite, 'fp32').verdict).toBe('impossible');
  });

  it('the sign of a zero is not judged', () => {
    expect(judge(got([-0]), want([0]), 'fp32').verdict).toBe('pass');
    expect(judge(got([0]), want([-0]), 'fp32').verdict).toBe('pass');
  });

  it('overflow is a correct answer only where S passes the precision\'s largest value', () => {
    const big = want([1e39], 1e32, { absSum: [1e39] });
    expect(judge(got([Infinity]), big, 'fp32').verdict).toBe('pass');
    expect(judge(got([NaN]), big, 'fp32').verdict).toBe('pass');
    expect(judge(got([Infinity]), want([1e38], 1e31, { absSum: [3e38] }), 'fp32').verdict).toBe('impossible');
    // fp16's largest value is 65504
    expect(judge(got([Infinity]), want([7e4], 10, { absSum: [7e4] }), 'fp16').verdict).toBe('pass');
  });
});

describe('judge: bounds', () => {
  it('over the expected bound fails, over the hard bound is impossible; an exact match passes whatever the bound', () => {
    expect(judge(got([1.5]), want([1], 0.4), 'fp32').verdict).toBe('fail');
    expect(judge(got([2]), want([1], 0.4), 'fp32').verdict).toBe('impossible');
    expect(judge(got([1]), want([1], NaN), 'fp32').verdict).toBe('pass');
  });

  it('a wrong shape is a fail naming both shapes', () => {
    const c = judge({ shape: [1, 2], data: [1, 2] }, want([1, 2]), 'fp32');
    expect(c.verdict).toBe('fail');
    expect(c.message).toMatch(/output shape \[1,2\] \(2 elements\) differs from the expected \[2\] \(2 elements\)/);
  });
});

describe('errorStatistics', () => {
  const u = 2 ** -24;
  const n = STATISTICS_MIN_ELEMENTS * 2;
  /** Distinct sums with S = 1 and n = 2: z = err / (u·√(3/3)) = err/u. */
  const expectation = (values: number[]): Expectation => ({ ...want(values, 1), terms: values.map(() => 2) });
  const values = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1) * (1 + i / n));

  it('passes unbiased errors of the model\'s size', () => {
    const noisy = values.map((v, i) => v + ((i * 7919) % 3 - 1) * u * 0.5);
    const s = errorStatistics(noisy, expectation(values), u);
    expect(s?.elements).toBe(n);
    expect(Math.abs(s?.meanSigned ?? 9)).toBeLessThan(s?.meanLimit ?? 0);
    expect(judge(got(noisy), expectation(values), 'fp32').verdict).toBe('pass');
  });

  it('fails errors pulled toward zero (truncation) though every element is within its bound', () => {
    const truncated = values.map((v) => v - Math.sign(v) * 0.7 * u);
    const c = judge(got(truncated), expectation(values), 'fp32');
    expect(c.overTolerance).toBe(0);
    expect(c.verdict).toBe('fail');
    expect(c.message).toMatch(/biased toward zero \(truncation\?\)/);
  });

  it('fails errors too large for the declared precision (mean(z²) > 2)', () => {
    const loose = values.map((v, i) => v + (i % 2 === 0 ? 1.8 : -1.8) * u * Math.sign(v) * (i % 4 < 2 ? 1 : -1));
    expect(judge(got(loose), expectation(values), 'fp32').message).toMatch(/too large for the declared precision/);
  });

  it('counts a repeated sum once: a constant input repeats one rounding everywhere, which is one sample', () => {
    const repeated = Array.from({ length: n }, () => 3);
    expect(errorStatistics(repeated.map((v) => v - u), expectation(repeated), u)).toBeUndefined();
  });

  it('counts each distinct sum once among repeats, -0 and 0 alike', () => {
    // n values: each of n/2 sums twice
    const twice = Array.from({ length: n }, (_, i) => 1 + (i % (n / 2)) * 2 ** -10);
    expect(errorStatistics(twice.map((v) => v + u), expectation(twice), u)?.elements).toBe(n / 2);
    const zeros = Array.from({ length: n }, (_, i) => (i < 2 ? [0, -0][i] : 1 + i * 2 ** -10));
    const withZeroS = { ...expectation(zeros), absSum: zeros.map((v, i) => (i < 2 ? 1 : Math.abs(v))) };
    expect(errorStatistics(zeros, withZeroS, u)?.elements).toBe(n - 1);
  });
});

describe('exactlyComputable: integers times powers of two whose partial sums are exact', () => {
  const t = (v: number[]): { shape: number[]; data: Float32Array } => ({ shape: [v.length], data: Float32Array.from(v) });
  it('small integers, integers near 2^120 and subnormal inputs are exact; 24-bit fractions are not', () => {
    expect(exactlyComputable('fp32', [[t([3, -5]), t([7, 2])]], [], [31])).toBe(true);
    expect(exactlyComputable('fp32', [[t([3 * 2 ** 60]), t([5 * 2 ** 60])]], [], [15 * 2 ** 120])).toBe(true);
    expect(exactlyComputable('fp32', [[t([3 * 2 ** -140]), t([5 * 2 ** 20])]], [], [15 * 2 ** -120])).toBe(true);
    expect(exactlyComputable('fp32', [[t([0.1]), t([0.3])]], [], [0.03])).toBe(false);
  });

  it('not when a partial sum needs more than 24 bits, passes the largest float32, or falls below the smallest subnormal', () => {
    expect(exactlyComputable('fp32', [[t([2 ** 12 + 1]), t([2 ** 12 + 1])]], [], [(2 ** 12 + 1) ** 2])).toBe(false);
    expect(exactlyComputable('fp32', [[t([2 ** 70]), t([2 ** 70])]], [], [2 ** 140])).toBe(false);
    expect(exactlyComputable('fp32', [[t([2 ** -100]), t([2 ** -60])]], [], [2 ** -160])).toBe(false);
  });

  it('tf32 rounds inputs to 11 bits; fp16 and bf16 are never exact here', () => {
    expect(exactlyComputable('tf32', [[t([2047]), t([3])]], [], [6141])).toBe(true);
    expect(exactlyComputable('tf32', [[t([4097]), t([3])]], [], [12291])).toBe(false);
    expect(exactlyComputable('fp16', [[t([3]), t([5])]], [], [15])).toBe(false);
    expect(exactlyComputable('fp32', [[t([NaN]), t([1])]], [], [NaN])).toBe(false);
  });
});
