import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDescriptor, formatDescriptor } from '../../problem/descriptor.ts';
import { validateProblem } from '../../problem/validate.ts';
import { biasShape, inputTensorShape, outputSpatialShape, resolvePads, sizeOf, weightShape } from '../../problem/shape.ts';
import { convTypeOf, PROBLEM_TYPES } from '../../problem/conv-types.ts';
import { convDetailed } from '../../reference/conv.ts';
import { convTransposeDetailed } from '../../reference/conv-transpose.ts';
import { problemArb, UNTOUCHED_BIAS_SHARE, untouchedShare } from './problem.ts';

describe('problemArb', () => {
  it('generates only valid problems, each of the type it was asked for', () => {
    for (const type of PROBLEM_TYPES) {
      for (const p of fc.sample(problemArb({ types: [type] }), { numRuns: 200, seed: 7 })) {
        expect(() => validateProblem(p)).not.toThrow();
        expect(convTypeOf(p), formatDescriptor(p)).toBe(type);
        expect(parseDescriptor(formatDescriptor(p))).toEqual(p);
      }
    }
  });

  it('covers every auto_pad mode, output_padding, output_shape, strides, dilations, groups and size-1 dims', () => {
    const sample = fc.sample(problemArb(), { numRuns: 2000, seed: 11 });
    const seen = (f: (p: (typeof sample)[number]) => boolean): number => sample.filter(f).length;
    for (const mode of ['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'] as const) {
      expect(seen((p) => p.op === 'conv' && p.autoPad === mode)).toBeGreaterThan(10);
      expect(seen((p) => p.op === 'convTranspose' && p.autoPad === mode)).toBeGreaterThan(5);
    }
    expect(seen((p) => p.outputPadding.some((v) => v > 0))).toBeGreaterThan(10);
    expect(seen((p) => p.outputShape !== undefined)).toBeGreaterThan(10);
    // output_shape past the full output (the extra at the end), as ONNX's own test data has it
    expect(seen((p) => p.outputShape !== undefined && resolvePads(p).end.some((e) => e < 0))).toBeGreaterThan(5);
    expect(seen((p) => p.strides.some((s) => s > 1) && p.dilations.some((d) => d > 1))).toBeGreaterThan(20);
    expect(seen((p) => p.padsBegin.some((b, a) => b !== p.padsEnd[a]))).toBeGreaterThan(20);
    expect(seen((p) => p.group > 1 && p.group < p.inChannels)).toBeGreaterThan(20);
    expect(seen((p) => p.inputShape.includes(1) || outputSpatialShape(p).includes(1))).toBeGreaterThan(20);
    for (const rank of [1, 2, 3]) expect(seen((p) => p.inputShape.length === rank)).toBeGreaterThan(100);
  });

  it('shrinks a failing problem to a smallest one', () => {
    const details = fc.check(fc.property(problemArb({ types: ['conv2d'] }), (p) => p.inChannels < 3), { seed: 3 });
    expect(details.failed).toBe(true);
    const p = details.counterexample![0];
    expect(formatDescriptor(p)).toBe('mb1ic3ih1iw2oc1kh1kw2');
  });

  it('gives a bias to a problem whose outputs are mostly reached by no tap (else exactly 0: a backend returning zeros would pass), unless told not to', () => {
    const sample = fc.sample(problemArb(), { numRuns: 2000, seed: 5 });
    for (const p of sample) {
      // the share computed per axis equals the share of outputs whose n (terms, counted by the readable reference) is 0
      const zeros = (shape: number[]): { shape: number[]; data: Float32Array } => ({ shape, data: new Float32Array(sizeOf(shape)) });
      const operands = { x: zeros(inputTensorShape(p)), w: zeros(weightShape(p)), ...(p.bias ? { b: zeros(biasShape(p)) } : {}) };
      const { terms } = p.op === 'conv' ? convDetailed(p, operands) : convTransposeDetailed(p, operands);
      const zeroTaps = terms.filter((n) => n - (p.bias ? 1 : 0) === 0).length / terms.length;
      expect(untouchedShare(p), formatDescriptor(p)).toBeCloseTo(zeroTaps, 12);
      if (zeroTaps >= UNTOUCHED_BIAS_SHARE) expect(p.bias, formatDescriptor(p)).toBe(true);
    }
    const mostlyUntouched = sample.filter((p) => untouchedShare(p) >= UNTOUCHED_BIAS_SHARE).length;
    expect(mostlyUntouched).toBeGreaterThan(100); // the geometry stays: windows wholly in the padding are drawn
    expect(sample.filter((p) => !p.bias).length).toBeGreaterThan(600); // and bias-free problems elsewhere
    expect(fc.sample(problemArb({ bias: false }), { numRuns: 500, seed: 5 }).some((p) => p.bias)).toBe(false);
    expect(untouchedShare(parseDescriptor('mb1ic1iw1oc1kw1pw2ew2'))).toBeCloseTo(4 / 5, 12); // 5 outputs, only the middle one reads x
    expect(untouchedShare(parseDescriptor('Tmb1ic1iw2oc1kw1sw3'))).toBeCloseTo(2 / 4, 12); // outputs 0 and 3 get x; 1 and 2 nothing
  });
});

describe('the problems drawn, seen by V8', () => {
  it('gives problems from a spec, a descriptor, a change and the generator one hidden class, with small-integer arrays (what keeps shape code optimized)', () => {
    // %HaveSameMap and %HasSmiElements need --allow-natives-syntax, so this runs in a child process.
    const script = `
      import * as fc from 'fast-check';
      import { makeProblem, withChanges } from './problem/problem.ts';
      import { parseDescriptor } from './problem/descriptor.ts';
      import { problemArb } from './properties/arbitraries/problem.ts';
      const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)');
      const smi = new Function('a', 'return %HasSmiElements(a) && !%HasHoleyElements(a)');
      const ref = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [5], kernelShape: [3] });
      const problems = [parseDescriptor('mb1ic1iw5oc1kw3'), withChanges(ref, { bias: true }), ...fc.sample(problemArb({ types: ['conv1d', 'conv2d', 'transposed'] }), { seed: 1, numRuns: 30 }).filter((p) => p.outputShape === undefined)];
      const arrays = (p) => [p.inputShape, p.kernelShape, p.strides, p.dilations, p.padsBegin, p.padsEnd, p.outputPadding];
      console.log(JSON.stringify({ count: problems.length, sameMap: problems.every((p) => sameMap(p, ref)), smi: [ref, ...problems].every((p) => arrays(p).every(smi)) }));
    `;
    const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const seen = JSON.parse(run.stdout) as { count: number; sameMap: boolean; smi: boolean };
    expect(seen.count).toBeGreaterThan(10);
    expect(seen).toEqual({ count: seen.count, sameMap: true, smi: true });
  });

  it('have the layout of every other problem, the same fields in the same order (problemObject)', () => {
    const layout = Object.keys(parseDescriptor('Tmb1ic2ih4iw5oc3kh3kw3sh2sw2oh9ow11'));
    const drawn = fc.sample(problemArb({ types: ['transposed'] }), { seed: 7, numRuns: 50 }).filter((p) => p.outputShape !== undefined);
    expect(drawn.length).toBeGreaterThan(0);
    for (const p of drawn) expect(Object.keys(p)).toEqual(layout);
  });
});
