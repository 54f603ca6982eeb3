import { describe, expect, it } from 'vitest';
import { inputErrorOf } from '../problem/errors.ts';
import { makeProblem } from '../problem/problem.ts';
import { zeros } from '../problem/tensor.ts';
import { conv } from './conv.ts';
import { convTranspose } from './conv-transpose.ts';
import { checkReferenceOperands, MAX_REFERENCE_OUTPUT_ELEMENTS } from './inputs.ts';

const errorOf = inputErrorOf;

describe('checkReferenceOperands: the reference allocates at most 2^25 elements a tensor (the default --max-elements)', () => {
  const operands = { x: zeros([1, 1, 3]), w: zeros([1, 1, 1]) };

  it('rejects a conv whose pads alone ask for 2·10^9 + 3 outputs (before: 24 GB, then killed)', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [3], kernelShape: [1], pads: [1e9, 1e9] });
    const e = errorOf(() => conv(p, operands));
    expect(e.field).toBe('y');
    expect(e.message).toBe('mb1ic1iw3oc1kw1pw1000000000: y [1,1,2000000003] has 2,000,000,003 elements (16.0 GB as float64), more than the limit of 33,554,432 (2^25) elements per tensor; --max-elements 2000000003 raises it, if the machine has the memory.');
  });

  it('rejects a transposed conv whose stride asks for 2·10^9 + 1 outputs', () => {
    const p = makeProblem({ op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [3], kernelShape: [1], strides: [1e9] });
    expect(errorOf(() => convTranspose(p, operands)).field).toBe('y');
  });

  it('accepts exactly the limit and rejects one more', () => {
    const at = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [1], kernelShape: [1], pads: [0, MAX_REFERENCE_OUTPUT_ELEMENTS - 1] });
    expect(() => checkReferenceOperands(at, { x: zeros([1, 1, 1]), w: zeros([1, 1, 1]) })).not.toThrow();
    const over = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [1], kernelShape: [1], pads: [0, MAX_REFERENCE_OUTPUT_ELEMENTS] });
    expect(errorOf(() => checkReferenceOperands(over, { x: zeros([1, 1, 1]), w: zeros([1, 1, 1]) })).field).toBe('y');
  });

  it('validates the problem before reading or allocating anything: a tiny x is enough to show a huge one', () => {
    const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [65536, 32768], kernelShape: [1, 1] });
    const tiny = { x: { shape: [1], data: new Float32Array(1) }, w: { shape: [1], data: new Float32Array(1) } };
    expect(errorOf(() => conv(p, tiny)).field).toBe('x');
  });

  it('a transposed conv with stride 2^31-1 writes 2^32-1 outputs: refused on y', () => {
    const p = makeProblem({ op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [3], kernelShape: [1], strides: [2 ** 31 - 1] });
    expect(errorOf(() => convTranspose(p, operands)).field).toBe('y');
  });
});
