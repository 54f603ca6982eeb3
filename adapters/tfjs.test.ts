import type { Tensor4D, Tensor5D } from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { runCase } from '../compare/run-case.ts';
import { ConvInputError } from '../problem/errors.ts';
import { parseDescriptor } from '../problem/descriptor.ts';
import { makeProblem } from '../problem/problem.ts';
import { isUnsupportedError, type Backend } from '../problem/backend.ts';
import { createTfjsBackend, createTfjsBackends, tfjsSupport } from './tfjs.ts';
import { knownTfjsDiscrepancy } from './tfjs-known.ts';
import { activateTfjsBackend, runExclusive, tf, type TfjsBackendName } from './tfjs/engine.ts';

const availability = await createTfjsBackends();
const available = availability.flatMap((a) => (a.available ? [a.backend] : []));
const unavailable = availability.flatMap((a) => (a.available ? [] : [a]));

/**
 * Every op the adapter maps onto, with the attributes each takes: conv1d, conv2d, depthwiseConv2d
 * (2-D and lifted 1-D), conv3d, conv2dTranspose (2-D and lifted 1-D), conv3dTranspose; 'same',
 * 'valid' and explicit pads; dilation, stride, output_padding, output_shape, bias, batch 2.
 * A row a known discrepancy covers on a backend must fail there (adapters/tfjs-known.ts); every
 * other row must match the reference bit for bit in exact mode.
 */
const AGREEMENT_TABLE: ReadonlyArray<readonly [string, string]> = [
  ['conv1d', 'mb1ic2iw9oc3kw3'],
  ['conv1d, batch 2, stride, asymmetric pads, bias', 'mb2ic2iw9oc3kw3sw2pw1ew2b1'],
  ['conv1d dilated', 'mb1ic1iw9oc2kw3dw3pw2'],
  ['conv1d SAME_UPPER stride 3', 'mb1ic1iw7oc1kw4sw3apU'],
  ['conv1d SAME_LOWER stride 3 (explicit pads)', 'mb1ic1iw7oc1kw4sw3apL'],
  ['conv1d VALID', 'mb1ic2iw6oc2kw3apV'],
  ['conv2d', 'mb1ic1ih5iw5oc1kh3kw3'],
  ['conv2d batch 2, bias, non-square kernel', 'mb2ic3ih6iw7oc4kh3kw2b1'],
  ['conv2d asymmetric pads', 'mb1ic1ih5iw6oc2kh3kw3ph2pw0eh0ew1'],
  ['conv2d kernel as large as the padded input', 'mb1ic1ih3iw3oc1kh5kw5ph1pw1'],
  ['conv2d 1x1 stride 2', 'mb1ic4ih5iw5oc3kh1kw1sh2sw2'],
  ['conv2d SAME_UPPER odd total', 'mb1ic1ih6iw6oc1kh2kw2apU'],
  ['conv2d SAME_LOWER odd total', 'mb1ic1ih6iw6oc1kh2kw2apL'],
  ['conv2d SAME_UPPER strides 2 and 3, bias', 'mb1ic2ih7iw8oc2kh3kw4sh2sw3apUb1'],
  ['conv2d SAME_UPPER, stride past the last inputs (known on wasm)', 'mb1ic1ih1iw6oc1kh1kw2sh1sw3apU'],
  ['conv2d VALID stride 2', 'mb1ic2ih6iw6oc2kh3kw3sh2sw2apV'],
  ['conv2d dilated, asymmetric dilations', 'mb1ic2ih7iw7oc2kh3kw2dh2dw3ph2pw1'],
  ['depthwise multiplier 2, bias', 'g4mb1ic4ih6iw6oc8kh3kw3ph1pw1b1'],
  ['depthwise 1-D dilated (lifted)', 'g3mb1ic3iw10oc3kw3dw2pw2'],
  ['depthwise dilated SAME_UPPER, batch 2', 'g2mb2ic2ih7iw7oc2kh3kw3dh2dw2apU'],
  ['depthwise stride 2 SAME_LOWER', 'g2mb1ic2ih7iw7oc4kh3kw3sh2sw2apL'],
  ['conv3d, bias', 'mb1ic2id4ih5iw3oc2kd2kh3kw2b1'],
  ['conv3d SAME_UPPER', 'mb1ic1id4ih4iw4oc1kd3kh3kw3apU'],
  ['conv3d SAME_UPPER strides 2', 'mb1ic1id5ih4iw4oc2kd3kh2kw2sd2sh2sw1apU'],
  ['conv3d dilated VALID', 'mb1ic1id5ih5iw5oc1kd2kh2kw2dd2dh2dw1apV'],
  ['conv3d SAME_UPPER, stride past the last inputs (known)', 'mb1ic1id1ih1iw2oc1kd1kh1kw1sd1sh1sw2apU'],
  ['conv2dTranspose', 'Tmb1ic1ih3iw3oc1kh3kw3'],
  ['conv2dTranspose stride, pads, bias', 'Tmb1ic2ih3iw4oc3kh3kw3sh2sw2ph1pw1b1'],
  ['conv2dTranspose 1-D with output_padding (lifted)', 'Tmb1ic2iw5oc2kw3sw2opw1'],
  ['conv2dTranspose asymmetric pads, output_padding, batch 2', 'Tmb2ic2ih3iw3oc3kh2kw3sh3sw2ph1pw0eh0ew2oph1opw1'],
  ['conv2dTranspose SAME_UPPER odd total', 'Tmb1ic1iw5oc1kw2apU'],
  ['conv2dTranspose SAME_LOWER odd total', 'Tmb1ic1iw5oc1kw2apL'],
  ['conv2dTranspose SAME_UPPER stride 3', 'Tmb1ic1iw4oc1kw4sw3apU'],
  ['conv2dTranspose SAME_UPPER with output_padding', 'Tmb1ic1ih3iw3oc1kh3kw3sh2sw2oph1opw1apU'],
  ['conv2dTranspose VALID', 'Tmb1ic1iw4oc1kw3sw2apV'],
  ['conv2dTranspose output_shape, odd total', 'Tmb1ic1iw4oc1kw4sw3ow10'],
  ['conv2dTranspose output_shape with SAME_UPPER', 'Tmb1ic1iw4oc1kw4sw3ow10apU'],
  ['conv2dTranspose 2-D output_shape with bias', 'Tmb1ic2ih3iw3oc2kh3kw3sh2sw2oh6ow5b1'],
  ['conv2dTranspose output_shape past the full output (negative end pads)', 'Tmb1ic2ih3iw3oc2kh3kw3sh2sw3oh8ow9'],
  ['conv3dTranspose output_shape past the full output (known on wasm)', 'Tmb1ic1id2ih2iw2oc1kd2kh2kw2sd2sh2sw2od5oh4ow4'],
  ['conv3dTranspose stride 1, depth 1', 'Tmb1ic2id1ih3iw2oc2kd2kh3kw2'],
  ['conv3dTranspose SAME_UPPER (known on wasm)', 'Tmb1ic1id2ih2iw2oc1kd2kh2kw2apU'],
  ['conv3dTranspose VALID with strides and output_padding (known on wasm)', 'Tmb1ic2id2ih3iw2oc2kd2kh3kw2sd2sh1sw2opd1opw1apV'],
];

/** Problems tfjs cannot express (adapters/tfjs/plan.test.ts has the full list of reasons). */
const UNSUPPORTED_TABLE: ReadonlyArray<readonly [string, string, RegExp]> = [
  ['grouped (not depthwise)', 'g2mb1ic4ih5iw5oc6kh3kw3ph1pw1', /^tfjs: grouped conv other than depthwise \(group=2, C=4\)/],
  ['3-D depthwise', 'g2mb1ic2id3ih3iw3oc2kd2kh2kw2', /^tfjs: 3-D depthwise conv/],
  ['strides and dilations both > 1', 'mb1ic2ih9iw9oc2kh3kw3sh2sw3dh2dw2ph1pw2', /^tfjs: strides and dilations both > 1/],
  ['3-D asymmetric pads', 'mb1ic1id3ih4iw5oc1kd2kh2kw3pd1ph0pw2ed0eh1ew0', /conv3d takes only 'valid' or 'same'/],
  ['3-D SAME_LOWER with odd totals', 'mb1ic1id4ih4iw4oc1kd2kh2kw2apL', /conv3d takes only 'valid' or 'same'/],
  ['grouped transposed', 'Tg2mb1ic4ih3iw3oc6kh3kw3sh2sw2ph1pw1', /^tfjs: grouped transposed conv/],
  ['dilated transposed', 'Tmb1ic1ih3iw3oc2kh3kw3sh2sw2dh2dw2ph1pw0eh0ew2oph1opw0', /^tfjs: dilated transposed conv/],
  ['3-D transposed with explicit pads', 'Tmb1ic1id3ih3iw3oc1kd3kh3kw3pd1ph0pw0ed0eh0ew0', /conv3dTranspose takes only 'valid' or 'same'/],
];

describe('tfjs backends: availability', () => {
  test('tfjs-cpu and tfjs-wasm are available; tfjs-node is listed, available or with its reason', () => {
    expect(availability.map((a) => (a.available ? a.backend.name : a.name))).toEqual(['tfjs-cpu', 'tfjs-wasm', 'tfjs-node']);
    expect(available.map((b) => b.name)).toEqual(expect.arrayContaining(['tfjs-cpu', 'tfjs-wasm']));
  });

  test.each(unavailable.length > 0 ? unavailable : [{ available: false as const, name: '(none)', reason: 'every tfjs backend loaded' }])(
    '$name is skipped: unavailable with a reason ($reason)', ({ reason }) => {
      expect(reason.trim().length).toBeGreaterThan(0);
    },
  );

  test('an unknown tfjs backend name is a ConvInputError naming the field', async () => {
    await expect(createTfjsBackend('tfjs-webgl')).rejects.toThrow(ConvInputError);
    await expect(createTfjsBackend('tfjs-webgl')).rejects.toThrow(/backend name must be one of tfjs-cpu, tfjs-wasm, tfjs-node, but name="tfjs-webgl"/);
  });
});

describe.each(available.map((backend) => ({ name: backend.name, backend })))('tfjs backend $name', ({ backend }) => {
  test('declares its name, tfjs-core version and fp32', () => {
    expect(backend.version).toBe(tf.version_core);
    expect(backend.version).toBe('4.22.0');
    expect(backend.precision).toBe('fp32');
  });

  test.each(AGREEMENT_TABLE)('exact data: %s (%s) matches the reference bit for bit, or reproduces its known discrepancy', async (_, descriptor) => {
    const p = parseDescriptor(descriptor);
    expect(backend.supports(p)).toEqual({ supported: true });
    const outcome = await runCase(backend, p, { mode: 'exact', seed: 11 });
    const known = knownTfjsDiscrepancy(backend.name, p);
    if (known === undefined) expect(outcome.verdict === 'pass' ? 'pass' : outcome).toBe('pass');
    else {
      // a wrong answer shows only on data that tells the wrong taps from the right ones (a shifted
      // window needs neighbours that differ; wasm's out-of-bounds reads depend on what lies there):
      // some of a dozen seeds of exact, then real, data must show it
      let reproduced = outcome.verdict === 'fail';
      for (const mode of ['exact', 'real'] as const) {
        for (let seed = 1; seed <= 12 && !reproduced; seed++) reproduced = (await runCase(backend, p, { mode, seed })).verdict === 'fail';
      }
      expect(reproduced, `${known.id} should still reproduce`).toBe(true);
    }
  });

  test('real data: every row outside the known discrepancies is within the fp32 error bound', async () => {
    for (const [, descriptor] of AGREEMENT_TABLE) {
      const p = parseDescriptor(descriptor);
      if (knownTfjsDiscrepancy(backend.name, p) !== undefined) continue;
      const outcome = await runCase(backend, p, { mode: 'real', seed: 5 });
      expect(outcome.verdict === 'pass' ? 'pass' : `${descriptor}: ${JSON.stringify(outcome)}`).toBe('pass');
    }
  });

  test.each(UNSUPPORTED_TABLE)('unsupported with its reason: %s (%s); run() rejects with UnsupportedError', async (_, descriptor, reason) => {
    const p = parseDescriptor(descriptor);
    const support = backend.supports(p);
    expect(support).toEqual({ supported: false, reason: expect.stringMatching(reason) });
    const error = await backend.run(p, { x: { shape: [1], data: new Float32Array(1) }, w: { shape: [1], data: new Float32Array(1) } }).catch((e: unknown) => e);
    expect(isUnsupportedError(error)).toBe(true);
    const outcome = await runCase(backend, p, { mode: 'exact', seed: 1 });
    expect(outcome).toMatchObject({ verdict: 'unsupported', reason: expect.stringMatching(reason) });
  });

  test('tfjs does not check a conv2dTranspose outputShape against x, filter and strides (so the adapter derives it from the problem and checks it)', async () => {
    const name = backend.name as TfjsBackendName;
    const values = await runExclusive(async () => {
      await activateTfjsBackend(name);
      return tf.tidy(() => {
        const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), filter = tf.tensor4d([1, 10, 100, 1000], [2, 2, 1, 1]);
        // the full output of a 2x2 input and a 2x2 kernel at stride 1 is 3x3; a forward conv maps 5x5 to 4x4, not 2x2
        return Array.from(tf.conv2dTranspose(x, filter, [1, 5, 5, 1], 1, 'valid').dataSync());
      });
    });
    expect(values).toHaveLength(25); // no error: the kernel reads dy past its end
    if (name === 'tfjs-cpu') expect(values.some(Number.isNaN)).toBe(true);
  });

  test('depthwise with strides and dilations both > 1: unsupported on cpu (its kernel asserts), run and exact on wasm', async () => {
    for (const descriptor of ['g2mb1ic2ih7iw9oc4kh2kw3sh2sw1dh1dw2ph1pw2', 'g3mb2ic3ih8iw8oc3kh3kw3sh2sw2dh2dw2apL', 'g2mb1ic2iw11oc2kw3sw2dw3pw1']) {
      const p = parseDescriptor(descriptor);
      if (backend.name === 'tfjs-wasm') {
        expect(backend.supports(p)).toEqual({ supported: true });
        expect((await runCase(backend, p, { mode: 'exact', seed: 4 })).verdict).toBe('pass');
      } else {
        expect(backend.supports(p)).toEqual({ supported: false, reason: expect.stringMatching(/^tfjs: strides and dilations both > 1 .* depthwiseConv2d kernel requires all strides or all dilations to be 1/) });
      }
    }
  });

  test('operands that do not fit the problem are a ConvInputError, not a tfjs error', async () => {
    const p = parseDescriptor('mb1ic1ih5iw5oc1kh3kw3');
    await expect(backend.run(p, { x: { shape: [1, 1, 5, 4], data: new Float32Array(20) }, w: { shape: [1, 1, 3, 3], data: new Float32Array(9) } })).rejects.toThrow(ConvInputError);
  });

  test('runs leave no tensors behind (tf.memory().numTensors is unchanged)', async () => {
    const before = await runExclusive(async () => tf.memory().numTensors);
    for (const [, descriptor] of AGREEMENT_TABLE.slice(0, 12)) await runCase(backend, parseDescriptor(descriptor), { mode: 'real', seed: 2 });
    await backend.run(parseDescriptor(UNSUPPORTED_TABLE[0][1]), { x: { shape: [1], data: new Float32Array(1) }, w: { shape: [1], data: new Float32Array(1) } }).catch(() => undefined);
    expect(await runExclusive(async () => tf.memory().numTensors)).toBe(before);
  });

  test('tfjs itself refuses what supports() calls inexpressible (each reason checked against the op)', async () => {
    const name = backend.name as TfjsBackendName;
    await runExclusive(async () => {
      await activateTfjsBackend(name);
      tf.tidy(() => {
        const x4 = tf.zeros([1, 7, 7, 4]) as Tensor4D;
        const x5 = tf.zeros([1, 4, 4, 4, 1]) as Tensor5D;
        // stride on one axis and dilation on the other: the ops check all axes together
        expect(() => tf.conv2d(x4, tf.zeros([2, 2, 4, 1]) as Tensor4D, [2, 1], 'valid', 'NHWC', [1, 2])).toThrow(/Either strides or dilations must be 1/);
        // depthwiseConv2d leaves that check to its kernel: cpu's asserts it, wasm's computes (see the next test)
        const depthwise = (): unknown => tf.depthwiseConv2d(x4, tf.zeros([2, 2, 4, 1]) as Tensor4D, [2, 1], 'valid', 'NHWC', [1, 2]);
        if (name === 'tfjs-wasm') expect(depthwise).not.toThrow();
        else expect(depthwise).toThrow(/Either strides or dilations must be 1/);
        // a grouped weight [kh, kw, C/g, M] is not a conv2d filter: there is no group argument
        expect(() => tf.conv2d(x4, tf.zeros([3, 3, 2, 6]) as Tensor4D, 1, 'valid')).toThrow(/depth of input \(4\) must match input depth for filter 2/);
        // conv3d has no explicit pads
        const explicit = [[0, 0], [1, 0], [0, 0], [0, 0], [0, 0]] as unknown as 'valid';
        expect(() => tf.conv3d(x5, tf.zeros([2, 2, 2, 1, 1]) as Tensor5D, 1, explicit)).toThrow(/Unknown padding parameter/);
        // depthwiseConv2d is 2-D only
        expect(() => tf.depthwiseConv2d(x5 as unknown as Tensor4D, tf.zeros([2, 2, 1, 1]) as Tensor4D, 1, 'valid')).toThrow(/must be rank 4/);
      });
    });
  });
});

describe('tfjs engine discipline', () => {
  test('runExclusive runs one task at a time, in order, and a failing task does not stop the queue', async () => {
    let running = 0, most = 0;
    const order: number[] = [];
    const task = (i: number, fail: boolean) => runExclusive(async () => {
      running++; most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      order.push(i);
      running--;
      if (fail) throw new Error(`task ${i} fails`);
      return i;
    });
    const results = await Promise.allSettled([task(0, false), task(1, true), task(2, false), task(3, false)]);
    expect(most).toBe(1);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  });

  test('interleaved runs on cpu and wasm each compute on their own backend', async () => {
    const byName = new Map(available.map((b) => [b.name, b] as const));
    const pair = [byName.get('tfjs-cpu'), byName.get('tfjs-wasm')].filter((b): b is Backend => b !== undefined);
    expect(pair).toHaveLength(2);
    const rows = AGREEMENT_TABLE.filter(([, d]) => pair.every((b) => knownTfjsDiscrepancy(b.name, parseDescriptor(d)) === undefined)).slice(0, 16);
    // wasm answers zeros for the SAME problem below (a known discrepancy); if a wasm run computed on cpu it would pass, and vice versa
    const probe = parseDescriptor('mb1ic1iw3oc1kw2sw3apU');
    const probeOperands = { x: { shape: [1, 1, 3], data: Float32Array.from([1, 2, 3]) }, w: { shape: [1, 1, 2], data: Float32Array.from([3, 4]) } };
    const runs = rows.flatMap(([, d]) => pair.map((b) => runCase(b, parseDescriptor(d), { mode: 'exact', seed: 3 })));
    const probes = pair.map((b) => runCase(b, probe, { mode: 'exact', seed: 3, operands: probeOperands }));
    const outcomes = await Promise.all([...runs, ...probes]);
    expect(outcomes.slice(0, runs.length).map((o) => o.verdict)).toEqual(runs.map(() => 'pass'));
    expect(outcomes.slice(runs.length).map((o) => o.verdict)).toEqual(['pass', 'fail']);
  });

  test('tfjsSupport never throws: an invalid problem is unsupported with the validation message', () => {
    const p = makeProblem({ inChannels: 2, outChannels: 2, inputShape: [3], kernelShape: [5] });
    expect(tfjsSupport(p)).toEqual({ supported: false, reason: expect.stringMatching(/^tfjs: invalid problem: conv: kernel must fit the padded input/) });
  });
});
