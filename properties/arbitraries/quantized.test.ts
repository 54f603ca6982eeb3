import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantizedReferenceResult } from '../../compare/quantized-case.ts';
import { formatQuantizedDescriptor, parseQuantizedDescriptor } from '../../problem/quantized-descriptor.ts';
import { makeQuantizedOperands } from '../../problem/quantized-data.ts';
import { QUANT_RANGE, validateQuantizedProblem } from '../../problem/quantized.ts';
import { quantizedCaseArb } from './quantized.ts';

const scope = { convTypes: ['conv-integer', 'qlinear-conv'] as const, modes: ['exact'] as const };
const sample = fc.sample(quantizedCaseArb({ ...scope, convTypes: [...scope.convTypes], modes: [...scope.modes] }, { int32Limit: 0.3 }), { numRuns: 400, seed: 21 });
const results = sample.map((c) => ({ c, o: makeQuantizedOperands(c.problem, c.mode, c.seed) })).map(({ c, o }) => ({ c, o, r: quantizedReferenceResult(c.problem, o) }));

describe('quantizedCaseArb', () => {
  it('generates valid problems whose descriptors read back, ConvInteger\'s within int32 (the reference computes every one)', () => {
    for (const { c } of results) {
      expect(() => validateQuantizedProblem(c.problem)).not.toThrow();
      expect(parseQuantizedDescriptor(formatQuantizedDescriptor(c.problem))).toEqual(c.problem);
    }
    expect(new Set(sample.map((c) => c.problem.operator))).toEqual(new Set(['ConvInteger', 'QLinearConv']));
  });

  it('reaches exact ties, the tie-neighbour allowance, saturation and extreme zero points, -128 weights, per-channel and every rank', () => {
    const count = (f: (x: (typeof results)[number]) => boolean): number => results.filter(f).length;
    const q = (x: (typeof results)[number]): boolean => x.c.problem.operator === 'QLinearConv';
    expect(count((x) => q(x) && x.r.real!.some((v, i) => Math.abs(v % 1) === 0.5 && x.r.expectation.lo[i] === x.r.expectation.hi[i]))).toBeGreaterThan(20);
    expect(count((x) => Array.from(x.r.expectation.lo).some((v, i) => v !== x.r.expectation.hi[i]))).toBeGreaterThan(5);
    expect(count((x) => q(x) && x.r.y.data.some((v) => v === QUANT_RANGE[x.c.problem.requant!.yType].max || v === QUANT_RANGE[x.c.problem.requant!.yType].min))).toBeGreaterThan(40);
    expect(count((x) => [x.c.problem.xZeroPoint, ...x.c.problem.wZeroPoint].some((z) => z === -128 || z === 127 || z === 255))).toBeGreaterThan(100);
    expect(count((x) => x.c.problem.wType === 's8' && x.o.w.data.includes(-128))).toBeGreaterThan(40);
    expect(count((x) => x.c.problem.perChannel)).toBeGreaterThan(60);
    for (const rank of [1, 2, 3]) expect(count((x) => x.c.problem.conv.inputShape.length === rank)).toBeGreaterThan(30);
  });

  it('reaches the int32 limits: ConvInteger outputs beyond 2^30 (but within int32), QLinearConv accumulators past int32', () => {
    const near = results.filter((x) => x.c.problem.operator === 'ConvInteger' && x.r.acc.some((v) => Math.abs(v) > 2 ** 30));
    expect(near.length).toBeGreaterThan(5);
    expect(results.filter((x) => x.r.int32Overflows > 0).length).toBeGreaterThan(5);
  });

  it('shrinks a failing case to a small one', () => {
    const details = fc.check(fc.property(quantizedCaseArb({ convTypes: ['qlinear-conv'], modes: ['exact'] }), (c) => c.problem.conv.inChannels < 3), { seed: 4 });
    expect(details.failed).toBe(true);
    const p = details.counterexample![0].problem;
    expect([p.conv.inChannels, p.conv.outChannels, p.conv.batch]).toEqual([3, 1, 1]);
    expect(formatQuantizedDescriptor(p)).toMatch(/^QL(u8|s8){3}mb1ic3/);
  });
});
