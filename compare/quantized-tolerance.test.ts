import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import { makeQuantizedProblem, type QuantizedConvProblem } from '../problem/quantized.ts';
import { exactRational, requantize, requantMultiplier } from '../reference/requantize.ts';
import { judgeIntegers } from './judge.ts';
import { isFloat32Value, quantizedExpectation } from './quantized-tolerance.ts';

/** A 1-D pointwise QLinearConv with one output per accumulator given. */
function oneChannel(xs: number, ws: number, ys: number, yz = 0, yType: 'u8' | 's8' = 's8'): QuantizedConvProblem {
  return makeQuantizedProblem({ operator: 'QLinearConv', conv: { inChannels: 1, outChannels: 1, inputShape: [1], kernelShape: [1] }, xType: 's8', wType: 's8', xScale: xs, wScale: ws, yScale: ys, yZeroPoint: yz, yType });
}

/** Allowed [lo, hi] of each accumulator under the rule, and the exact output. */
function allowed(p: QuantizedConvProblem, accs: readonly number[]): Array<[number, number, number]> {
  const r = p.requant!;
  const m = requantMultiplier(r.xScale, r.wScale[0], r.yScale);
  const y = Int32Array.from(accs, (a) => requantize(a, m, r.yZeroPoint, r.yType === 'u8' ? 0 : -128, r.yType === 'u8' ? 255 : 127));
  const many = { ...p, conv: { ...p.conv, inputShape: [accs.length] } };
  const e = quantizedExpectation(many, Float64Array.from(accs), y);
  return accs.map((_, i) => [e.lo[i], y[i], e.hi[i]]);
}

describe('float32 values as rationals', () => {
  it.each([
    [0.5, true], [Math.fround(0.1), true], [2 ** -149, true], [2 ** -150, false], [2 ** 127 * 1.5, true], [2 ** 128, false], [2 ** 24 + 1, false], [2 ** 25 + 4, true], [2 ** 25 + 2, false],
  ])('%s is a float32: %s', (v, want) => {
    expect(isFloat32Value(exactRational(v))).toBe(want);
  });
  it('1/3 is not', () => expect(isFloat32Value({ num: 1n, den: 3n })).toBe(false));
});

describe('the requantization rule', () => {
  it('power-of-two scales: every evaluation is exact, so ties must round to even (no allowance)', () => {
    const p = oneChannel(0.5, 1, 1, 10);
    expect(allowed(p, [1, 3, 5, -1, -3])).toEqual([[10, 10, 10], [12, 12, 12], [12, 12, 12], [10, 10, 10], [8, 8, 8]]);
  });

  it('an exact tie whose evaluation can round (y_scale 3): both neighbours are allowed', () => {
    // 1.5·0.25/3 = 1/8 exactly, but w_scale/y_scale = 1/12 is no float32: acc 4 and 12 give the ties 0.5 and 1.5
    const p = oneChannel(1.5, 0.25, 3);
    expect(allowed(p, [3, 4, 12])).toEqual([[0, 0, 0], [0, 0, 1], [1, 2, 2]]);
  });

  it('far from a tie, one answer even with inexact scales', () => {
    const p = oneChannel(0.003692047, 0.0017279458, 0.0016268126);
    for (const [lo, y, hi] of allowed(p, [100, -2000, 31365, 12345])) expect([lo, hi]).toEqual([y, y]);
  });

  it('contains what float32 pipelines compute, in every order, and float64: a property over random scales and accumulators', () => {
    const f = Math.fround;
    const scale = fc.double({ min: 1e-6, max: 1e3, noNaN: true }).map(f).filter((v) => v > 0);
    let neighbours = 0;
    fc.assert(fc.property(scale, scale, scale, fc.integer({ min: -(2 ** 28), max: 2 ** 28 }), fc.integer({ min: -128, max: 127 }), (xs, ws, ys, acc, yz) => {
      const p = oneChannel(xs, ws, ys, yz);
      const [[lo, y, hi]] = allowed(p, [acc]);
      const rne = (v: number): number => { const q = Math.round(v); return q - v === 0.5 && q % 2 !== 0 ? q - 1 : q; }; // Math.round rounds half up
      const sat = (v: number): number => Math.min(127, Math.max(-128, rne(v) + yz));
      const candidates = [
        f(f(acc) * f(f(xs * ws) / ys)), // ONNX Runtime (MLAS): float(acc) * (xs*ws/ys)
        f(f(acc) * f(xs * f(ws / ys))),
        f(f(f(acc) * xs) * ws) / ys,
        f(f(f(f(acc) * xs) * ws) / ys),
        (acc * xs * ws) / ys, // float64, ONNX's Python reference
      ];
      for (const v of candidates) {
        const got = sat(v);
        expect(got >= lo && got <= hi, `acc=${acc} xs=${xs} ws=${ws} ys=${ys}: ${got} outside ${lo}..${hi}`).toBe(true);
      }
      if (hi > lo) neighbours++;
      expect(y >= lo && y <= hi && hi - lo <= 1).toBe(true);
    }), { numRuns: 2000, seed: 11 });
    expect(neighbours).toBeLessThan(30); // the allowance is narrow: near ties only
  });

  it('finds the float32 pipeline\'s other answer near a tie and calls it tie-neighbour (allowed)', () => {
    // r = acc·xs·ws/ys a hair above 12.5; float32 rounding of the multiplier lands below it
    const p = parseQuantizedDescriptor('QLs8s8s8mb1ic1iw1oc1kw1xs0.1ws0.3ys0.7');
    const r = p.requant!;
    const m = requantMultiplier(r.xScale, r.wScale[0], r.yScale);
    let found = 0;
    for (let acc = 1; acc < 200_000 && found < 3; acc++) {
      const exact = requantize(acc, m, 0, -(2 ** 31), 2 ** 31 - 1);
      const f = Math.fround;
      const v = f(f(acc) * f(f(r.xScale * r.wScale[0]) / r.yScale));
      const ort = Math.round(v) - v === 0.5 && Math.round(v) % 2 !== 0 ? Math.round(v) - 1 : Math.round(v);
      if (ort === exact) continue;
      const [[lo, y, hi]] = allowed(makeQuantizedProblem({ ...p, operator: 'QLinearConv', conv: { ...p.conv }, xType: 's8', wType: 's8', xScale: r.xScale, wScale: r.wScale[0], yScale: r.yScale, yType: 's8' }), [acc]);
      expect(y).toBe(exact);
      if (Math.abs(exact) <= 127) {
        const c = judgeIntegers({ shape: [1, 1, 1], data: [ort] }, { shape: [1, 1, 1], value: [y], lo: [lo], hi: [hi], allowance: 'tie-neighbour' });
        expect(c.verdict).toBe('pass');
        expect(c.message).toMatch(/^tie-neighbour \(allowed\) at 1 of 1 elements/);
        found++;
      }
    }
    expect(found).toBeGreaterThan(0);
  });
});

describe('judging integers', () => {
  const want = { shape: [1, 1, 4], value: [3, 4, 5, 6], lo: [3, 3, 5, 6], hi: [3, 4, 6, 6], allowance: 'tie-neighbour' };
  it('exact, allowed neighbour, or impossible', () => {
    expect(judgeIntegers({ shape: [1, 1, 4], data: [3, 4, 5, 6] }, want)).toMatchObject({ verdict: 'pass', message: 'exact: all 4 elements equal the exact result', integers: { exact: 4, allowed: 0 } });
    expect(judgeIntegers({ shape: [1, 1, 4], data: [3, 3, 6, 6] }, want)).toMatchObject({ verdict: 'pass', integers: { exact: 2, allowed: 2 }, maxAbsError: 1 });
    const bad = judgeIntegers({ shape: [1, 1, 4], data: [4, 4, 5, 6] }, want);
    expect(bad.verdict).toBe('impossible');
    expect(bad.message).toBe('1 of 4 elements are neither exact nor an allowed tie-neighbour (impossible for a correct implementation); first at index 0 [0,0,0]: got 4, exact 3');
    expect(judgeIntegers({ shape: [1, 1, 4], data: [3, 3.5, 5, 6] }, want).verdict).toBe('impossible');
    expect(judgeIntegers({ shape: [1, 4], data: [3, 4, 5, 6] }, want).message).toMatch(/output shape \[1,4\]/);
  });
});
