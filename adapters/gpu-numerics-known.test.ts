/**
 * The GPU backends' numerics records, reproduced in Chromium: subnormal inputs flushed to zero on
 * every shader backend (not on ORT Web's wasm), and the native WebGPU Conv's C ≡ 6 (mod 12) input
 * channels. Each test fails the day its backend starts agreeing; the neighbours show the class.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { referenceResult } from '../compare/run-case.ts';
import { compareToReference } from '../compare/tolerance.ts';
import type { Backend } from '../problem/backend.ts';
import { parseDescriptor } from '../problem/descriptor.ts';
import { dataTraits } from '../problem/known-discrepancy.ts';
import { makeOperands } from '../problem/operand-data.ts';
import type { Tensor } from '../problem/tensor.ts';
import { findChromium } from './browser/chromium.ts';
import { closeBrowserHost } from './browser/host.ts';
import { ortWebAvailability, type OrtWebName } from './ort-web.ts';
import {
  ORT_WEB_WEBGL_SUBNORMALS, ORT_WEB_WEBGPU_NATIVE_CONV_CHANNELS_6_MOD_12, ORT_WEB_WEBGPU_NATIVE_SUBNORMALS, ORT_WEB_WEBGPU_SUBNORMALS,
} from './ort-web-known.ts';
import { TFJS_WEBGL_SUBNORMALS, TFJS_WEBGPU_SUBNORMALS } from './tfjs-browser-known.ts';
import { tfjsBrowserAvailability, type TfjsBrowserName } from './tfjs-browser.ts';

const f32 = (values: readonly number[], shape: readonly number[]): Tensor<Float32Array> => ({ shape: [...shape], data: Float32Array.from(values) });
const chromium = findChromium();
const backends: Record<string, Backend> = {};
if (chromium.found) {
  for (const name of ['ort-web-wasm', 'ort-web-webgl', 'ort-web-webgpu', 'ort-web-webgpu-native'] as OrtWebName[]) {
    const a = await ortWebAvailability(name);
    if (a.available) backends[name] = a.backend;
  }
  for (const name of ['tfjs-webgl', 'tfjs-webgpu'] as TfjsBrowserName[]) {
    const a = await tfjsBrowserAvailability(name);
    if (a.available) backends[name] = a.backend;
  }
}

afterAll(async () => {
  for (const b of Object.values(backends)) await b.dispose?.();
  await closeBrowserHost();
});

describe.skipIf(!chromium.found)('GPU numerics records still reproduce in Chromium', () => {
  const subnormal = { x: [2 ** -140], w: [2 ** 20] };

  test.each([TFJS_WEBGL_SUBNORMALS, TFJS_WEBGPU_SUBNORMALS, ORT_WEB_WEBGL_SUBNORMALS, ORT_WEB_WEBGPU_SUBNORMALS, ORT_WEB_WEBGPU_NATIVE_SUBNORMALS])('$id: x = 2^-140 times w = 2^20 gives 0, where it is 2^-120', async (record) => {
    const p = parseDescriptor(record.descriptor);
    const operands = { x: f32(subnormal.x, [1, 1, ...p.inputShape]), w: f32(subnormal.w, [1, 1, ...p.kernelShape]) };
    expect(Array.from(referenceResult(p, operands).y.data)).toEqual([2 ** -120]);
    expect(Array.from((await backends[record.backend].run(p, operands)).data)).toEqual([0]);
    expect(record.matches(p, undefined, dataTraits([operands.x, operands.w]))).toBe(true);
    expect(record.matches(p, undefined, dataTraits([f32([1], [1]), f32([1], [1])]))).toBe(false); // normal data: not a member
  });

  test('ORT Web\'s wasm provider keeps subnormals: the flush is the shaders\'', async () => {
    const p = parseDescriptor('mb1ic1iw1oc1kw1');
    const got = await backends['ort-web-wasm'].run(p, { x: f32(subnormal.x, [1, 1, 1]), w: f32(subnormal.w, [1, 1, 1]) });
    expect(Array.from(got.data)).toEqual([2 ** -120]);
  });

  test(`${ORT_WEB_WEBGPU_NATIVE_CONV_CHANNELS_6_MOD_12.id}: C = 6 and 18 with M = 4 fail; C = 5, 7, 8, 22 and the JavaScript kernels agree`, async () => {
    const agrees = async (name: string, d: string): Promise<boolean> => {
      const p = parseDescriptor(d), operands = makeOperands(p, 'exact', 3);
      return compareToReference(referenceResult(p, operands), await backends[name].run(p, operands), 'fp32', { exact: true }).verdict === 'pass';
    };
    const record = ORT_WEB_WEBGPU_NATIVE_CONV_CHANNELS_6_MOD_12;
    for (const d of [record.descriptor, 'mb1ic18iw2oc4kw1sw2', 'mb1ic6ih1iw2oc8kh1kw1sh1sw2']) {
      expect(record.matches(parseDescriptor(d)), d).toBe(true);
      expect(await agrees('ort-web-webgpu-native', d), d).toBe(false);
    }
    expect(await agrees('ort-web-webgpu', record.descriptor)).toBe(true);
    for (const d of ['mb1ic5iw2oc4kw1sw2', 'mb1ic7iw2oc4kw1sw2', 'mb1ic8iw2oc4kw1sw2', 'mb1ic22iw2oc4kw1sw2', 'mb1ic6iw2oc3kw1sw2']) {
      expect(record.matches(parseDescriptor(d)), d).toBe(false);
      expect(await agrees('ort-web-webgpu-native', d), d).toBe(true);
    }
  });
});
