import { describe, expect, test } from 'vitest';
import { SUPPORTED, type Backend, type ConvGradients } from '../problem/backend.ts';
import { parseDescriptor } from '../problem/descriptor.ts';
import { toFloat32 } from '../problem/tensor.ts';
import { adjointProblem, convTranspose } from '../reference/conv-transpose.ts';
import { convWeightGrad } from '../reference/conv-weight-grad.ts';
import { referenceResult } from './run-case.ts';
import { gradientOperands, runGradientCase } from './run-gradient-case.ts';

const P = parseDescriptor('g2mb2ic4ih6iw5oc4kh3kw2sh2sw1ph1pw0eh0ew1');
/** The reference's gradients as a backend's (adapters/reference.ts is a floor up), judged as fp32. */
const referenceGradients: ConvGradients = {
  supports: () => SUPPORTED,
  // rounded to float32, as an fp32 backend answers: bit for bit on exact data only if the exact path holds
  input: async (p, { w }, dy) => toFloat32(convTranspose(adjointProblem(p), { x: dy, w })),
  weight: async (p, { x }, dy) => toFloat32(convWeightGrad(p, x, dy).y),
};
const fp32Reference: Backend = { name: 'reference-fp32', version: '0', precision: 'fp32', supports: () => SUPPORTED, run: async (p, o) => toFloat32(referenceResult(p, o).y), gradients: referenceGradients };

describe('one gradient of one Conv on a backend, against the reference', () => {
  test.each(['input', 'weight'] as const)('the reference\'s own %s gradient passes on exact (bit for bit) and real data', async (part) => {
    for (const mode of ['exact', 'real'] as const) {
      const outcome = await runGradientCase(fp32Reference, P, part, { mode, seed: 3 });
      expect(outcome.verdict, JSON.stringify(outcome)).toBe('pass');
      if (outcome.verdict === 'pass' && mode === 'exact') expect(outcome.comparison.maxUlp).toBe(0);
    }
  });

  test('a wrong weight gradient fails, with the element', async () => {
    const wrong: Backend = { ...fp32Reference, gradients: { ...referenceGradients, weight: async (p, o, dy) => { const g = await referenceGradients.weight(p, o, dy); return { shape: g.shape, data: g.data.map((v, i) => (i === 5 ? v + 1 : v)) }; } } };
    const outcome = await runGradientCase(wrong, P, 'weight', { mode: 'exact', seed: 3 });
    expect(outcome).toMatchObject({ verdict: 'fail', comparison: { overTolerance: 1, worst: { index: 5 } } });
  });

  test('no gradients, a declined problem, a ConvTranspose: unsupported; a throw: an error', async () => {
    const { gradients: _g, ...forwardOnly } = fp32Reference;
    expect(await runGradientCase(forwardOnly, P, 'input', { mode: 'exact', seed: 1 })).toMatchObject({ verdict: 'unsupported', reason: 'backend has no gradients' });
    const declining: Backend = { ...fp32Reference, gradients: { ...referenceGradients, supports: () => ({ supported: false, reason: 'no grouped backprop' }) } };
    expect(await runGradientCase(declining, P, 'input', { mode: 'exact', seed: 1 })).toMatchObject({ verdict: 'unsupported', reason: 'no grouped backprop' });
    expect(await runGradientCase(fp32Reference, parseDescriptor('Tmb1ic1iw3oc1kw2'), 'input', { mode: 'exact', seed: 1 })).toMatchObject({ verdict: 'unsupported' });
    const throwing: Backend = { ...fp32Reference, gradients: { ...referenceGradients, input: async () => { throw new Error('kernel crashed'); } } };
    expect(await runGradientCase(throwing, P, 'input', { mode: 'exact', seed: 1 })).toMatchObject({ verdict: 'error', message: 'kernel crashed' });
  });

  test('exact data keeps every sum of the gradient within 2^24; where |dy| <= 1 cannot, the rounding bound judges and says so', async () => {
    const { x, dy, exact } = gradientOperands(P, 'weight', 'exact', 1);
    expect(exact).toBe(true);
    expect([...x.data, ...dy.data].every(Number.isInteger)).toBe(true);
    // a weight gradient summing 128·128² = 2^21 products of |x| <= 8 stays exact with |dy| <= 1; one more batch item does not
    expect(gradientOperands(parseDescriptor('mb128ic1ih128iw128oc1kh1kw1'), 'weight', 'exact', 1).exact).toBe(true);
    const big = parseDescriptor('mb129ic1ih128iw128oc1kh1kw1');
    expect(gradientOperands(big, 'weight', 'exact', 1).exact).toBe(false);
    const outcome = await runGradientCase(fp32Reference, big, 'weight', { mode: 'exact', seed: 1 });
    expect(outcome).toMatchObject({ verdict: 'pass', comparison: { message: expect.stringMatching(/integer data, but its sums exceed 2\^24 even with \|dy\| <= 1: judged by the rounding bound/) } });
  });
});
