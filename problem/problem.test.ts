import { describe, expect, it } from 'vitest';
import { parseDescriptor } from './descriptor.ts';
import { makeProblem, problemObject, withChanges } from './problem.ts';

describe('problemObject, through which every problem is built', () => {
  const transposed = makeProblem({ op: 'convTranspose', inChannels: 2, outChannels: 3, inputShape: [4, 5], kernelShape: [3, 3], strides: [2, 2], outputShape: [9, 11] });

  it('gives one layout, the same fields in the same order, to a problem from a spec, a descriptor or a change (the generator: properties/arbitraries/problem.test.ts)', () => {
    const layout = Object.keys(transposed);
    expect(Object.keys(parseDescriptor('Tmb1ic2ih4iw5oc3kh3kw3sh2sw2oh9ow11'))).toEqual(layout);
    expect(Object.keys(withChanges(makeProblem({ inChannels: 1, outChannels: 1, inputShape: [5], kernelShape: [3] }), { op: 'convTranspose', outputShape: [7] }))).toEqual(layout);
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
