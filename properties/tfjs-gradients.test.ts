// tfjs's gradients against the reference: the input gradient of a conv is the reference transposed
// conv of the adjoint problem applied to dy, its weight gradient the reference weight gradient (and
// for a transposed conv, its forward twin's conv and weight gradient); each judged by the tolerance
// model with the reference gradient's own S = Σ|dy·w| or Σ|dy·x|, exact mode bit for bit.
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { makeOperands } from '../problem/operand-data.ts';
import { ConvInputError } from '../problem/errors.ts';
import { parseDescriptor } from '../problem/descriptor.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { outputTensorShape } from '../problem/shape.ts';
import type { Tensor } from '../problem/tensor.ts';
import { adjointProblem, convTranspose, convTransposeDetailed } from '../reference/conv-transpose.ts';
import { convWeightGrad, convWeightGradDetailed } from '../reference/conv-weight-grad.ts';
import { numRuns } from './budget.ts';
import { problemArb } from './arbitraries/problem.ts';
import { createTfjsBackends } from '../adapters/tfjs.ts';
import { knownTfjsDiscrepancy } from '../adapters/tfjs-known.ts';
import { checkTfjsGradients, forwardTwin, type GradientOutcome, type GradientPart } from '../adapters/tfjs/gradients.ts';

const available = (await createTfjsBackends()).flatMap((a) => (a.available ? [a.backend.name] : []));

/** What each part must come out as: 'pass', 'known' (a recorded discrepancy: must fail), or unsupported with a reason. */
type Expect = 'pass' | 'known' | RegExp;

const NO_WASM_FILTER = /the weight gradient of (conv1d|conv2d|conv2dTranspose) runs kernel Conv2DBackpropFilter, which is not registered for backend 'wasm'/;
const NO_WASM_DEPTHWISE = /gradient of depthwiseConv2d runs kernel DepthwiseConv2dNativeBackprop(Input|Filter), which is not registered for backend 'wasm'/;

/** Problems of every mapped op, and what each gradient part must give on cpu and on wasm. */
const TABLE: ReadonlyArray<{ name: string; descriptor: string; cpu: [Expect, Expect]; wasm: [Expect, Expect] }> = [
  { name: 'conv2d with stride, asymmetric pads, batch 2', descriptor: 'mb2ic2ih6iw7oc3kh3kw2sh2sw3ph1pw0eh0ew2', cpu: ['pass', 'pass'], wasm: ['pass', NO_WASM_FILTER] },
  { name: 'conv2d SAME_UPPER', descriptor: 'mb1ic2ih7iw8oc2kh3kw4sh2sw3apU', cpu: ['pass', 'pass'], wasm: ['pass', NO_WASM_FILTER] },
  { name: 'conv1d SAME_LOWER (explicit pads), bias dropped', descriptor: 'mb1ic2iw9oc3kw4sw2apLb1', cpu: ['pass', 'pass'], wasm: ['pass', NO_WASM_FILTER] },
  { name: 'depthwise multiplier 2', descriptor: 'g3mb1ic3ih6iw6oc6kh3kw3sh2sw2ph1pw1', cpu: ['pass', 'pass'], wasm: [NO_WASM_DEPTHWISE, NO_WASM_DEPTHWISE] },
  { name: 'conv3d stride 1, depth 1 output', descriptor: 'mb1ic2id2ih4iw3oc2kd2kh2kw2', cpu: ['pass', 'pass'], wasm: ['pass', 'pass'] },
  { name: 'conv3d stride 2 (wasm backprop kernels known broken)', descriptor: 'mb1ic1id3ih4iw5oc2kd2kh2kw3sd2sh2sw2', cpu: ['pass', 'pass'], wasm: ['known', 'known'] },
  { name: 'conv3d SAME, stride past the last inputs (known 3-D SAME pads)', descriptor: 'mb1ic2id5ih3iw3oc2kd1kh2kw2sd3sh1sw1apU', cpu: ['known', 'known'], wasm: ['known', 'known'] },
  { name: 'conv2dTranspose with output_padding and bias', descriptor: 'Tmb1ic2ih3iw4oc3kh3kw3sh2sw2ph1pw1oph1opw0b1', cpu: ['pass', 'pass'], wasm: ['pass', NO_WASM_FILTER] },
  { name: 'conv2dTranspose 1-D SAME_UPPER (lifted)', descriptor: 'Tmb2ic2iw5oc2kw3sw2apU', cpu: ['pass', 'pass'], wasm: ['pass', NO_WASM_FILTER] },
  { name: 'dilated conv2d', descriptor: 'mb1ic1ih7iw7oc1kh3kw3dh2dw2', cpu: [/no gradient for a dilated conv2d/, /no gradient for a dilated conv2d/], wasm: [/no gradient for a dilated conv2d/, /no gradient for a dilated conv2d/] },
  { name: 'conv3dTranspose', descriptor: 'Tmb1ic1id2ih2iw2oc1kd2kh2kw2', cpu: [/conv3dTranspose has no gradient/, /conv3dTranspose has no gradient/], wasm: [/conv3dTranspose has no gradient/, /conv3dTranspose has no gradient/] },
];

function expectOutcome(outcome: GradientOutcome, expected: Expect, what: string): void {
  if (expected === 'pass') expect(outcome.verdict === 'pass' ? 'pass' : `${what}: ${JSON.stringify(outcome)}`).toBe('pass');
  else if (expected === 'known') expect(['fail', 'impossible'], `${what} should still show its known discrepancy`).toContain(outcome.verdict);
  else expect(outcome).toEqual({ verdict: 'unsupported', reason: expect.stringMatching(expected) });
}

describe.each(available.filter((name) => name !== 'tfjs-node'))('tfjs gradients on %s', (backendName) => {
  const column = backendName === 'tfjs-cpu' ? 'cpu' : 'wasm';

  test.each(TABLE)('$name ($descriptor): input and weight gradients, exact and real data', async (row) => {
    const p = parseDescriptor(row.descriptor);
    const [inputExpect, weightExpect] = row[column];
    for (const [part, expected] of [['input', inputExpect], ['weight', weightExpect]] as const) {
      const known = knownTfjsDiscrepancy(backendName, p, part);
      expect(known === undefined ? 'no record' : 'record', `${part} routing`).toBe(expected === 'known' ? 'record' : 'no record');
    }
    for (const mode of ['exact', 'real'] as const) {
      const check = await checkTfjsGradients(backendName, p, 17, mode);
      expectOutcome(check.input, inputExpect, `${mode} input`);
      expectOutcome(check.weight, weightExpect, `${mode} weight`);
      expect(check.ok).toBe(inputExpect !== 'known' && weightExpect !== 'known');
    }
  });

  test('random conv and transposed problems: every gradient passes, is unsupported with a reason, or is a recorded discrepancy', async () => {
    const arb = fc.record({ problem: problemArb({ types: ['conv1d', 'conv2d', 'conv3d', 'pointwise', 'depthwise', 'transposed'], dilations: false }), seed: fc.nat() });
    await fc.assert(fc.asyncProperty(arb, async ({ problem, seed }) => {
      const check = await checkTfjsGradients(backendName, problem, seed, 'exact');
      for (const part of ['input', 'weight'] as const) {
        const outcome = check[part];
        if (outcome.verdict === 'unsupported') expect(outcome.reason).toMatch(/^(tfjs|reference): /);
        else if (outcome.verdict !== 'pass') expect(knownTfjsDiscrepancy(backendName, problem, part), `${part} of ${check.descriptor}: ${outcome.comparison.message}`).toBeDefined();
      }
    }), { numRuns: numRuns(25), seed: 4242 });
  });
});

describe('tfjs gradients: the check itself', () => {
  test('the bound uses the reference gradient\'s own S: Σ|dy·w| is the transposed conv of |dy| and |w|, Σ|dy·x| the weight gradient of |x| and |dy|', () => {
    const p = parseDescriptor('mb2ic2ih5iw6oc3kh3kw2sh2sw1ph1pw0eh0ew1');
    const { x, w } = makeOperands(p, 'real', 3);
    const dyShape = outputTensorShape(p);
    const dy = { shape: dyShape, data: Float32Array.from({ length: dyShape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i + 1)) };
    const abs = (t: Tensor): Tensor => ({ shape: t.shape, data: Float64Array.from(t.data, Math.abs) });
    expect(Array.from(convTransposeDetailed(adjointProblem(p), { x: dy, w }).absSum)).toEqual(Array.from(convTranspose(adjointProblem(p), { x: abs(dy), w: abs(w) }).data));
    expect(Array.from(convWeightGradDetailed(p, x, dy).absSum)).toEqual(Array.from(convWeightGrad(p, abs(x), abs(dy)).y.data));
  });

  test('the forward twin of a transposed problem maps the transposed output back to its input', () => {
    const p = parseDescriptor('Tmb1ic2ih3iw4oc3kh3kw3sh2sw2ph1pw1oph1opw0');
    const twin: ConvProblem = forwardTwin(p);
    expect(twin).toMatchObject({ op: 'conv', inChannels: 3, outChannels: 2, inputShape: [6, 7], padsBegin: [1, 1], padsEnd: [1, 1], bias: false });
    expect(outputTensorShape(twin)).toEqual([1, 2, 3, 4]);
  });

  test('an unknown backend name is a ConvInputError naming the field', async () => {
    await expect(checkTfjsGradients('tfjs-webgl', parseDescriptor('mb1ic1iw3oc1kw2'), 1)).rejects.toThrow(ConvInputError);
    await expect(checkTfjsGradients('tfjs-webgl', parseDescriptor('mb1ic1iw3oc1kw2'), 1)).rejects.toThrow(/backendName must be one of tfjs-cpu, tfjs-wasm, tfjs-node, but backendName="tfjs-webgl"/);
  });

  test('a transposed problem whose output_shape runs past its full output has no forward twin: unsupported, naming the reference', async () => {
    const check = await checkTfjsGradients('tfjs-cpu', parseDescriptor('Tmb1ic1iw3oc1kw3sw2ow8'), 1);
    const parts: GradientPart[] = ['input', 'weight'];
    for (const part of parts) expect(check[part]).toEqual({ verdict: 'unsupported', reason: expect.stringMatching(/^reference: the transposed problem's output_shape extends past its full output/) });
  });
});
