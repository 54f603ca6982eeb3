import { describe, expect, it } from 'vitest';
import type { ConvResult } from '../reference/conv-result.ts';
import { compareToReference, elementBounds, gamma, LAMBDA } from './tolerance.ts';
import { ulpDistance } from './judge.ts';
import { ROUNDOFF } from '../problem/precision.ts';

/** A reference result of given values, S and n (shape [n]). */
function ref(values: number[], absSum: number[], terms: number[]): ConvResult {
  return { y: { shape: [values.length], data: Float64Array.from(values) }, absSum: Float64Array.from(absSum), terms: Int32Array.from(terms), multiplications: 0 };
}
const got = (values: number[]): { shape: number[]; data: Float32Array } => ({ shape: [values.length], data: Float32Array.from(values) });

describe('ulpDistance (float32)', () => {
  it('counts float32 steps, across zero too', () => {
    expect(ulpDistance(1, 1)).toBe(0);
    expect(ulpDistance(1, 1 + 2 ** -23)).toBe(1);
    expect(ulpDistance(-0, 0)).toBe(0);
    expect(ulpDistance(-(2 ** -149), 2 ** -149)).toBe(2);
    expect(ulpDistance(NaN, 1)).toBe(Infinity);
    expect(ulpDistance(Infinity, Infinity)).toBe(0);
  });
});

describe('bounds', () => {
  it('gamma_n(u) = n·u / (1 - n·u), Infinity once n·u >= 1', () => {
    expect(gamma(4, 2 ** -24)).toBeCloseTo((4 * 2 ** -24) / (1 - 4 * 2 ** -24), 30);
    expect(gamma(2 ** 24, 2 ** -24)).toBe(Infinity);
  });

  it('hard = (γ_n + (1+γ_n)(2u_in + u_in²))·S + u_out|y|; expected = λ√n(u_acc + 2u_in)·S + u_out|y|', () => {
    const r = ROUNDOFF.tf32;
    const { hard, expected } = elementBounds(10, 9, 2, r);
    const g = gamma(9, r.accumulate);
    expect(hard).toBeCloseTo((g + (1 + g) * (2 * r.input + r.input ** 2)) * 10 + r.output * 2, 20);
    expect(expected).toBeCloseTo(LAMBDA * 3 * (r.accumulate + 2 * r.input) * 10 + r.output * 2, 20);
  });
});

describe('compareToReference', () => {
  it('exact mode has zero tolerance: one float32 step off is a fail', () => {
    const reference = ref([3, 5], [3, 5], [2, 2]);
    expect(compareToReference(reference, got([3, 5]), 'fp32', { exact: true }).verdict).toBe('pass');
    const off = compareToReference(reference, got([3, Math.fround(5 + 2 ** -21)]), 'fp32', { exact: true });
    expect(off.verdict).toBe('impossible');
    expect(off.worst).toMatchObject({ index: 1, expected: 5, bound: 0 });
    expect(off.maxUlp).toBe(1);
  });

  it('real mode: within the expected bound passes, between expected and hard fails, past hard is impossible', () => {
    // n = 100 terms, S = 100: expected 8·10·2^-24·100 ≈ 4.8e-4 (the smaller here), hard ≈ γ_100·100 ≈ 6e-4
    const reference = ref([0.5], [100], [100]);
    const b = elementBounds(100, 100, 0.5, ROUNDOFF.fp32);
    expect(b.expected).toBeLessThan(b.hard);
    const at = (err: number): string => compareToReference(reference, { shape: [1], data: Float64Array.from([0.5 + err]) }, 'fp32', { exact: false }).verdict;
    expect(at(b.expected * 0.9)).toBe('pass');
    expect(at((b.expected + b.hard) / 2)).toBe('fail');
    expect(at(b.hard * 1.1)).toBe('impossible');
  });

  it('cancellation: a tiny result with a large S tolerates an error a fixed rtol would call wrong', () => {
    const reference = ref([1e-6], [1000], [64]);
    const c = compareToReference(reference, { shape: [1], data: Float64Array.from([1e-6 + 1e-5]) }, 'fp32', { exact: false });
    expect(c.verdict).toBe('pass');
    expect(c.maxRelError).toBeGreaterThan(5);
  });

  it('an element with S = 0 must be exactly zero, and NaN or a wrong shape always fails', () => {
    expect(compareToReference(ref([0], [0], [0]), got([1e-30]), 'fp32', { exact: false }).verdict).not.toBe('pass');
    expect(compareToReference(ref([1], [1], [1]), got([NaN]), 'fp32', { exact: false }).verdict).not.toBe('pass');
    const shape = compareToReference(ref([1, 2], [1, 2], [1, 1]), got([1]), 'fp32', { exact: false });
    expect(shape.verdict).toBe('fail');
    expect(shape.message).toMatch(/output shape \[1\] \(1 elements\) differs from the expected \[2\] \(2 elements\)/);
  });

  it('a lower declared precision widens the bound: bf16 accepts what fp32 rejects', () => {
    const reference = ref([1], [1], [1]);
    const output = { shape: [1], data: Float64Array.from([1 + 2 ** -10]) };
    expect(compareToReference(reference, output, 'fp32', { exact: false }).verdict).not.toBe('pass');
    expect(compareToReference(reference, output, 'bf16', { exact: false }).verdict).toBe('pass');
  });
});
