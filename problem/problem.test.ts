import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as fc from 'fast-check';
import { makeProblem, withChanges } from './problem.ts';
const problemObject = (p: any) => withChanges(p, {});
import { parseDescriptor } from './descriptor.ts';
import { problemArb } from '../properties/arbitraries/problem.ts';

describe('problemObject, through which every problem is built', () => {
  const transposed = makeProblem({ op: 'convTranspose', inChannels: 2, outChannels: 3, inputShape: [4, 5], kernelShape: [3, 3], strides: [2, 2], outputShape: [9, 11] });

  it('gives one layout, the same fields in the same order, to a problem from a spec, a descriptor, a change or the generator', () => {
    const layout = Object.keys(transposed);
    expect(Object.keys(parseDescriptor('Tmb1ic2ih4iw5oc3kh3kw3sh2sw2oh9ow11'))).toEqual(layout);
    expect(Object.keys(withChanges(makeProblem({ inChannels: 1, outChannels: 1, inputShape: [5], kernelShape: [3] }), { op: 'convTranspose', outputShape: [7] }))).toEqual(layout);
    const drawn = fc.sample(problemArb({ types: ['transposed'] }), { seed: 7, numRuns: 50 }).filter((p) => p.outputShape !== undefined);
    expect(drawn.length).toBeGreaterThan(0);
    for (const p of drawn) expect(Object.keys(p)).toEqual(layout);
    expect(Object.keys(withChanges(transposed, { outputShape: undefined }))).toEqual(layout.filter((k) => k !== 'outputShape'));
  });

  it('copies the arrays and keeps every value, integers or not (-0 is stored as 0), for validation to name', () => {
    const odd = problemObject({ ...transposed, strides: [2.5, 2 ** 31], padsBegin: [-0, 1e300], batch: 2 ** 40 });
    expect(odd.strides).toEqual([2.5, 2 ** 31]);
    expect(odd.padsBegin).toEqual([0, 1e300]);
    expect(odd.batch).toBe(2 ** 40);
    expect(odd.inputShape).toEqual(transposed.inputShape);
    expect(odd.inputShape).not.toBe(transposed.inputShape);
  });
});

describe('problemObject, seen by V8', () => {
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
    const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const seen = JSON.parse(run.stdout) as { count: number; sameMap: boolean; smi: boolean };
    expect(seen.count).toBeGreaterThan(10);
    expect(seen).toEqual({ count: seen.count, sameMap: true, smi: true });
  });
});
