import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeOperands } from '../problem/operand-data.ts';
import { referenceResult, runCase } from '../compare/run-case.ts';
import { ConvInputError } from '../problem/errors.ts';
import { parseDescriptor } from '../problem/descriptor.ts';
import { withChanges } from '../problem/problem.ts';
import { UnsupportedError } from '../problem/backend.ts';
import { createOnnxRuntimeBackend, onnxRuntimeSupport, sessionKey, type OnnxRuntimeBackend } from './onnxruntime.ts';

/**
 * Problems covering every attribute of Conv and ConvTranspose; each must match the reference bit for
 * bit in exact data mode. Sizes are small so the whole table runs in about a second.
 */
const AGREEMENT_TABLE: ReadonlyArray<readonly [string, string]> = [
  // Conv
  ['2-D plain', 'mb1ic1ih5iw5oc1kh3kw3'],
  ['batch 2, bias, non-square kernel', 'mb2ic3ih6iw7oc4kh3kw2b1'],
  ['1-D', 'mb1ic2iw9oc3kw3'],
  ['3-D with bias', 'mb1ic2id4ih5iw3oc2kd2kh3kw2b1'],
  ['groups', 'g2mb1ic4ih5iw5oc6kh3kw3ph1pw1'],
  ['depthwise with multiplier 2', 'g4mb1ic4ih6iw6oc8kh3kw3ph1pw1b1'],
  ['1-D depthwise, stride and dilation', 'g3mb1ic3iw10oc3kw3sw2dw2pw2'],
  ['dilation with stride', 'mb1ic2ih9iw9oc2kh3kw3sh2sw3dh2dw2ph1pw2'],
  ['asymmetric pads', 'mb1ic1ih5iw6oc2kh3kw3ph2pw0eh0ew1'],
  ['3-D asymmetric pads', 'mb1ic1id3ih4iw5oc1kd2kh2kw3pd1ph0pw2ed0eh1ew0'],
  ['pads wider than the kernel', 'mb1ic1iw4oc1kw2pw3ew3b1'],
  ['kernel as large as the padded input', 'mb1ic1ih3iw3oc1kh5kw5ph1pw1'],
  ['1x1 with stride 2', 'mb1ic4ih5iw5oc3kh1kw1sh2sw2'],
  ['SAME_UPPER, odd total pad', 'mb1ic1ih6iw6oc1kh2kw2apU'],
  ['SAME_LOWER, odd total pad', 'mb1ic1ih6iw6oc1kh2kw2apL'],
  ['SAME_UPPER with stride 3', 'mb1ic1iw7oc1kw4sw3apU'],
  ['SAME_LOWER with stride 3', 'mb1ic1iw7oc1kw4sw3apL'],
  ['2-D SAME_UPPER, strides 2 and 3', 'mb1ic2ih7iw8oc2kh3kw4sh2sw3apUb1'],
  ['VALID', 'mb1ic2ih6iw6oc2kh3kw3sh2sw2apV'],
  // ConvTranspose
  ['transposed 2-D plain', 'Tmb1ic1ih3iw3oc1kh3kw3'],
  ['transposed stride, pads, bias', 'Tmb1ic2ih3iw4oc3kh3kw3sh2sw2ph1pw1b1'],
  ['transposed 1-D output_padding', 'Tmb1ic2iw5oc2kw3sw2opw1'],
  ['transposed 3-D output_padding', 'Tmb1ic2id2ih3iw2oc2kd2kh3kw2sd2sh1sw2opd1opw1'],
  ['transposed groups with output_padding', 'Tg2mb1ic4ih3iw3oc6kh3kw3sh2sw2ph1pw1oph1opw1'],
  ['transposed depthwise multiplier, batch 2', 'Tg3mb2ic3ih4iw4oc6kh3kw3sh2sw2'],
  ['transposed dilation, stride, asymmetric pads, output_padding', 'Tmb1ic1ih3iw3oc2kh3kw3sh2sw2dh2dw2ph1pw0eh0ew2oph1opw0'],
  ['transposed output_padding with dilation', 'Tmb1ic1ih4iw4oc1kh2kw2sh3sw3dh2dw2oph2opw1'],
  ['transposed SAME_UPPER, odd total pad', 'Tmb1ic1iw5oc1kw2apU'],
  ['transposed SAME_LOWER, odd total pad', 'Tmb1ic1iw5oc1kw2apL'],
  ['transposed SAME_UPPER, stride 3, odd total pad', 'Tmb1ic1iw4oc1kw4sw3apU'],
  ['transposed SAME_LOWER, stride 3, odd total pad', 'Tmb1ic1iw4oc1kw4sw3apL'],
  ['transposed SAME_UPPER with output_padding', 'Tmb1ic1ih3iw3oc1kh3kw3sh2sw2oph1opw1apU'],
  ['transposed VALID', 'Tmb1ic1iw4oc1kw3sw2apV'],
  ['transposed output_shape, odd total pad', 'Tmb1ic1iw4oc1kw4sw3ow10'],
  ['transposed output_shape with SAME_UPPER', 'Tmb1ic1iw4oc1kw4sw3ow10apU'],
  ['transposed output_shape with SAME_LOWER', 'Tmb1ic1iw4oc1kw4sw3ow10apL'],
  ['transposed output_shape with VALID', 'Tmb1ic1iw4oc1kw4sw3ow10apV'],
  ['transposed output_shape ignores pads', 'Tmb1ic1iw4oc1kw4sw3pw2ew0ow10'],
  ['transposed output_shape with output_padding', 'Tmb1ic1iw3oc1kw3sw2opw1ow6'],
  ['transposed 2-D output_shape with groups and bias', 'Tg2mb1ic2ih3iw3oc2kh3kw3sh2sw2oh6ow5b1'],
];

/** UPPER / LOWER pairs of the table whose reference outputs differ, so that a swap cannot pass. */
const SWAP_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['mb1ic1ih6iw6oc1kh2kw2apU', 'mb1ic1ih6iw6oc1kh2kw2apL'],
  ['mb1ic1iw7oc1kw4sw3apU', 'mb1ic1iw7oc1kw4sw3apL'],
  ['Tmb1ic1iw5oc1kw2apU', 'Tmb1ic1iw5oc1kw2apL'],
  ['Tmb1ic1iw4oc1kw4sw3apU', 'Tmb1ic1iw4oc1kw4sw3apL'],
  ['Tmb1ic1iw4oc1kw4sw3ow10apU', 'Tmb1ic1iw4oc1kw4sw3ow10apL'],
];

let backend: OnnxRuntimeBackend;
beforeAll(async () => { backend = await createOnnxRuntimeBackend(); });
afterAll(async () => { await backend.dispose?.(); });

describe('onnxruntime backend', () => {
  test('is named onnxruntime, carries the onnxruntime-node version and declares fp32', () => {
    const pkg = createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string };
    expect(backend.name).toBe('onnxruntime');
    expect(backend.version).toBe(pkg.version);
    expect(backend.precision).toBe('fp32');
  });

  test.each(AGREEMENT_TABLE)('agrees bit for bit with the reference in exact mode: %s (%s)', async (_, descriptor) => {
    const outcome = await runCase(backend, parseDescriptor(descriptor), { mode: 'exact', seed: 7 });
    expect(outcome.verdict, 'comparison' in outcome ? outcome.comparison.message : 'reason' in outcome ? outcome.reason : outcome.message).toBe('pass');
  });

  test.each(SWAP_PAIRS)('the reference tells %s from %s, so the table catches a SAME_UPPER/SAME_LOWER swap', (upper, lower) => {
    const pu = parseDescriptor(upper), pl = parseDescriptor(lower);
    const operands = makeOperands(pu, 'exact', 7);
    expect(Array.from(referenceResult(pu, operands).y.data)).not.toEqual(Array.from(referenceResult(pl, operands).y.data));
  });

  test.each([
    ['a 64-channel 3x3 conv with bias', 'mb1ic64ih10iw10oc32kh3kw3ph1pw1b1'],
    ['a depthwise 3x3 with stride 2', 'g32mb1ic32ih14iw14oc32kh3kw3sh2sw2ph1pw1'],
    ['a 4x4 stride-2 transposed conv', 'Tmb1ic32ih6iw6oc16kh4kw4sh2sw2ph1pw1'],
  ])('agrees with the reference within the tolerance model in real mode: %s', async (_, descriptor) => {
    const outcome = await runCase(backend, parseDescriptor(descriptor), { mode: 'real', seed: 11 });
    expect(outcome.verdict, 'comparison' in outcome ? outcome.comparison.message : '').toBe('pass');
  });

  test('builds opset-22 models that agree as well', async () => {
    const at22 = await createOnnxRuntimeBackend({ opset: 22 });
    try {
      for (const descriptor of ['g2mb1ic4ih5iw5oc6kh3kw3apL', 'Tmb1ic1iw4oc1kw4sw3ow10apU']) {
        expect((await runCase(at22, parseDescriptor(descriptor), { mode: 'exact', seed: 3 })).verdict).toBe('pass');
      }
    } finally {
      await at22.dispose?.();
    }
  });
});

describe('onnxruntime support', () => {
  test.each([
    ['Conv SAME_UPPER with a dilation', 'mb1ic1ih5iw5oc1kh3kw3dh1dw2apU', /Conv with auto_pad SAME_UPPER\/SAME_LOWER and a dilation > 1 is refused .*ort-conv-same-dilation-refused/],
    ['Conv SAME_LOWER with a dilation', 'mb1ic1iw5oc1kw2dw3apL', /Conv with auto_pad SAME_UPPER\/SAME_LOWER and a dilation > 1 is refused .*ort-conv-same-dilation-refused/],
    ['ConvTranspose output_padding = stride', 'Tmb1ic1iw3oc1kw2dw2opw1', /ConvTranspose with output_padding >= stride on an axis is refused .*ort-convtranspose-output-padding-ge-stride-refused/],
    ['ConvTranspose output_padding > stride with output_shape', 'Tmb1ic1ih2iw2oc1kh3kw2sh1sw2dh3dw1oph2opw0oh7ow3', /ConvTranspose with output_padding >= stride on an axis is refused/],
  ])('says unsupported, with the reason, for %s', async (_, descriptor, reason) => {
    const p = parseDescriptor(descriptor);
    const support = backend.supports(p);
    expect(support.supported).toBe(false);
    expect(support.supported ? '' : support.reason).toMatch(reason);
    await expect(backend.run(p, makeOperands(p, 'exact', 1))).rejects.toThrow(UnsupportedError);
    expect((await runCase(backend, p, { mode: 'exact', seed: 1 })).verdict).toBe('unsupported');
  });

  test.each([
    ['Conv SAME with dilation 1', 'mb1ic1ih5iw5oc1kh3kw3apU'],
    ['Conv dilated with explicit pads', 'mb1ic1ih5iw5oc1kh3kw3dh2dw2ph2pw2'],
    ['Conv VALID with a dilation', 'mb1ic1iw7oc1kw3dw2apV'],
    ['ConvTranspose SAME with a dilation', 'Tmb1ic1iw3oc1kw2sw2dw2apL'],
    ['ConvTranspose output_padding just below the stride', 'Tmb1ic1iw3oc1kw2sw2dw2opw1'],
  ])('supports (and runs correctly) the neighbouring problem: %s', async (_, descriptor) => {
    const p = parseDescriptor(descriptor);
    expect(onnxRuntimeSupport(p)).toEqual({ supported: true });
    expect((await runCase(backend, p, { mode: 'exact', seed: 5 })).verdict).toBe('pass');
  });

  test('an invalid problem is unsupported with the validation message, and supports does not throw', () => {
    const support = onnxRuntimeSupport(withChanges(parseDescriptor('mb1ic4iw5oc4kw3'), { group: 3 }));
    expect(support).toEqual({ supported: false, reason: expect.stringMatching(/invalid problem: conv: group must divide input channels, but group=3 and C=4/) });
  });
});

describe('onnxruntime sessions and errors', () => {
  test('one session per attribute set: the name, the seed and the data do not create another', async () => {
    const own = await createOnnxRuntimeBackend();
    try {
      const p = parseDescriptor('mb1ic2ih4iw4oc2kh3kw3');
      for (const [name, seed] of [['a', 1], ['b', 2], [undefined, 3]] as const) {
        await own.run(withChanges(p, { name }), makeOperands(p, 'real', seed));
      }
      expect(own.sessionsCreated).toBe(1);
      expect(sessionKey(withChanges(p, { name: 'layer' }))).toBe(sessionKey(p));
      await own.run(withChanges(p, { bias: true }), makeOperands(withChanges(p, { bias: true }), 'real', 1));
      expect(own.sessionsCreated).toBe(2);
    } finally {
      await own.dispose?.();
    }
  });

  test('the cache keeps at most maxSessions and recreates an evicted one; dispose empties it', async () => {
    const own = await createOnnxRuntimeBackend({ maxSessions: 2 });
    const problems = ['mb1ic1iw5oc1kw2', 'mb1ic1iw5oc1kw3', 'mb1ic1iw5oc1kw4'].map(parseDescriptor);
    for (const p of problems) await own.run(p, makeOperands(p, 'exact', 1));
    expect(own.cachedSessions).toBe(2);
    expect(own.sessionsCreated).toBe(3);
    const outcome = await runCase(own, problems[0], { mode: 'exact', seed: 2 });
    expect(outcome.verdict).toBe('pass');
    expect(own.sessionsCreated).toBe(4);
    await own.dispose?.();
    expect(own.cachedSessions).toBe(0);
  });

  test('operands that do not fit the problem are a ConvInputError naming the tensor', async () => {
    const p = parseDescriptor('mb1ic2iw5oc1kw3');
    const wrong = makeOperands(parseDescriptor('mb1ic1iw5oc1kw3'), 'exact', 1);
    await expect(backend.run(p, wrong)).rejects.toThrow(ConvInputError);
    await expect(backend.run(p, wrong)).rejects.toThrow(/x must have shape \[1,2,5\]/);
  });

  test('an error inside ORT reaches the caller with the descriptor, is not cached, and becomes an error verdict', async () => {
    const broken = await createOnnxRuntimeBackend({ intraOpNumThreads: -1 });
    const p = parseDescriptor('mb1ic1iw3oc1kw2');
    await expect(broken.run(p, makeOperands(p, 'exact', 1))).rejects.toThrow(/^onnxruntime \d+\.\d+\.\d+ failed on mb1ic1iw3oc1kw2: .*intraOpNumThreads/);
    expect(broken.cachedSessions).toBe(0);
    const outcome = await runCase(broken, p, { mode: 'exact', seed: 1 });
    expect(outcome.verdict).toBe('error');
    expect(broken.sessionsCreated).toBe(2);
    await broken.dispose?.();
  });

  test('an opset outside 11..22 is refused when the backend is created', async () => {
    await expect(createOnnxRuntimeBackend({ opset: 9 })).rejects.toThrow(/opset must be an integer in 11\.\.22, but opset=9/);
    await expect(createOnnxRuntimeBackend({ maxSessions: 0 })).rejects.toThrow(/maxSessions must be an integer >= 1, but maxSessions=0/);
  });
});
