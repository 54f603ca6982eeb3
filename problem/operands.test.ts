import { describe, expect, it } from 'vitest';
import { inputErrorOf } from './errors.ts';
import { checkOperands, type ConvOperands } from './operands.ts';
import { makeProblem, withChanges, type ConvProblem, type ProblemSpec } from './problem.ts';
import { biasShape, inputTensorShape, sizeOf, weightShape } from './shape.ts';
import type { Tensor } from './tensor.ts';

const errorOf = inputErrorOf;

const base = (spec: Partial<ProblemSpec> = {}): ConvProblem =>
  makeProblem({ inChannels: 4, outChannels: 6, inputShape: [5, 5], kernelShape: [3, 3], ...spec });
const baseT = (spec: Partial<ProblemSpec> = {}): ConvProblem => base({ op: 'convTranspose', ...spec });

function operandsFor(p: ConvProblem): { x: Tensor; w: Tensor; b?: Tensor } {
  const x = { shape: inputTensorShape(p), data: new Float32Array(sizeOf(inputTensorShape(p))) };
  const w = { shape: weightShape(p), data: new Float32Array(sizeOf(weightShape(p))) };
  return p.bias ? { x, w, b: { shape: biasShape(p), data: new Float32Array(p.outChannels) } } : { x, w };
}

describe('checkOperands: tensors must match the problem', () => {
  const p = base({ group: 2, bias: true });

  it('accepts matching operands', () => {
    expect(() => checkOperands(p, operandsFor(p))).not.toThrow();
  });

  it('validates the problem first', () => {
    const bad = withChanges(p, { group: 3 });
    expect(errorOf(() => checkOperands(bad, operandsFor(p))).message).toMatch(/group=3 and C=4/);
  });

  it('x must have shape [N, C, ...] and as many elements as that shape holds', () => {
    const ops = operandsFor(p);
    const e = errorOf(() => checkOperands(p, { ...ops, x: { shape: [1, 4, 5, 4], data: new Float32Array(80) } }));
    expect([e.field, e.message]).toEqual(['x.shape', 'x must have shape [1,4,5,5], but x.shape=[1,4,5,4].']);
    const short = errorOf(() => checkOperands(p, { ...ops, x: { shape: [1, 4, 5, 5], data: new Float32Array(99) } }));
    expect([short.field, short.message]).toEqual(['x.data.length', 'x of shape [1,4,5,5] must hold 100 elements, but x.data.length=99.']);
  });

  it('w must have the ONNX weight shape: conv [M, C/g, k...], transposed [C, M/g, k...]', () => {
    const ops = operandsFor(p);
    const e = errorOf(() => checkOperands(p, { ...ops, w: { shape: [6, 4, 3, 3], data: new Float32Array(216) } }));
    expect(e.field).toBe('w.shape');
    expect(e.message).toMatch(/w must have shape \[6,2,3,3\], but w\.shape=\[6,4,3,3\]/);
    const t = baseT({ group: 2 });
    // the conv layout [M, C/g, k] = [6, 2, 3, 3] is not the transposed [C, M/g, k] = [4, 3, 3, 3]
    const swapped: ConvOperands = { x: operandsFor(t).x, w: { shape: [6, 2, 3, 3], data: new Float32Array(108) } };
    expect(errorOf(() => checkOperands(t, swapped)).message).toMatch(/w must have shape \[4,3,3,3\]/);
    const long = errorOf(() => checkOperands(p, { ...ops, w: { shape: [6, 2, 3, 3], data: new Float32Array(109) } }));
    expect(long.field).toBe('w.data.length');
  });

  it('b is present exactly when the problem has a bias, with shape [M]', () => {
    const { x, w, b } = operandsFor(p);
    expect(errorOf(() => checkOperands(p, { x, w })).message).toMatch(/^conv: the problem has a bias, but no b tensor was given\.$/);
    const noBias = withChanges(p, { bias: false });
    const extra = errorOf(() => checkOperands(noBias, { x, w, b }));
    expect([extra.field, extra.message]).toEqual(['b', 'conv: a b tensor was given, but the problem has bias=false.']);
    const wrong = errorOf(() => checkOperands(p, { x, w, b: { shape: [4], data: new Float32Array(4) } }));
    expect([wrong.field, wrong.message]).toEqual(['b.shape', 'b must have shape [6], but b.shape=[4].']);
  });
});

