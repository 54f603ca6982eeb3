import { describe, expect, test } from 'vitest';
import { ConvInputError } from './errors.ts';
import { ERROR_INPUTS, errorInputById, errorInputOperands } from './error-inputs.ts';
import { checkOperands } from './operands.ts';
import { validateProblem } from './validate.ts';
import { withChanges } from './problem.ts';

describe('error inputs', () => {
  test('names are unique, and there are conv and ConvTranspose cases', () => {
    const ids = ERROR_INPUTS.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ERROR_INPUTS.filter((e) => e.problem.op === 'conv').length).toBeGreaterThanOrEqual(10);
    expect(ERROR_INPUTS.filter((e) => e.problem.op === 'convTranspose').length).toBeGreaterThanOrEqual(5);
  });

  test.each(ERROR_INPUTS.map((e) => [e.id, e] as const))('%s is refused by convcheck\'s own checks, naming a field', (_id, e) => {
    // the catalogue cannot drift into well-formed calls: each breaks a rule of problem/validate.ts or problem/operands.ts
    const refusal = (() => { try { checkOperands(e.problem, errorInputOperands(e)); return undefined; } catch (error) { return error; } })();
    expect(refusal).toBeInstanceOf(ConvInputError);
  });

  test('the tensors have the shapes given, filled with small integers', () => {
    const e = errorInputById('conv-weight-input-channels');
    const ops = errorInputOperands(e);
    expect([ops.x.shape, ops.w.shape, ops.b]).toEqual([[1, 4, 5, 5], [4, 3, 3, 3], undefined]);
    expect(Math.max(...ops.w.data.map(Math.abs))).toBeLessThanOrEqual(3);
    expect(e.descriptor).toBe('mb1ic4ih5iw5oc4kh3kw3 with w [4,3,3,3]');
    expect(errorInputById('conv-bias-missing').descriptor).toBe('mb1ic4ih5iw5oc4kh3kw3b1 with b absent');
    expect(errorInputById('conv-stride-zero').descriptor).toBe('mb1ic4ih5iw5oc4kh3kw3sh0sw1');
  });

  test('each ill-formed attribute is the only thing wrong: with it put right, the call is well-formed', () => {
    const fixes: Record<string, (e: typeof ERROR_INPUTS[number]) => void> = {
      'conv-negative-pads': (e) => { checkOperands(withChanges(e.problem, { padsBegin: [0, 0] }), errorInputOperands(e)); },
      'conv-stride-zero': (e) => { validateProblem(withChanges(e.problem, { strides: [1, 1] })); },
      'convtranspose-output-padding-too-large': (e) => { validateProblem(withChanges(e.problem, { outputPadding: [1, 0] })); },
    };
    for (const [id, fix] of Object.entries(fixes)) expect(() => fix(errorInputById(id))).not.toThrow();
    expect(() => errorInputById('nope')).toThrow(/no error input is named "nope"; they are: conv-group-not-dividing-input-channels, /);
  });
});
