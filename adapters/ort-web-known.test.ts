/**
 * The ONNX Runtime Web records hold: each minimal descriptor still gives the recorded wrong answer
 * (or refusal) on its backend in headless Chromium, the reference gives the recorded expected
 * values, members of each class fail and problems just outside agree. The test fails the day a
 * provider starts agreeing, so the list stays true. (On random problems, properties/browser-backends.test.ts.)
 */
import { afterAll, describe, expect, test } from 'vitest';
import { referenceResult } from '../compare/run-case.ts';
import { formatDescriptor, parseDescriptor } from '../problem/descriptor.ts';
import type { Backend } from '../problem/backend.ts';
import type { KnownDiscrepancy } from '../problem/known-discrepancy.ts';
import { matchKnownDiscrepancy } from '../problem/known-discrepancy.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { inputTensorShape, outputTensorShape, weightShape } from '../problem/shape.ts';
import { findChromium } from './browser/chromium.ts';
import { bundlePage, closeBrowserHost } from './browser/host.ts';
import { agreesExactly, f32, ramps } from './ramp-agreement.ts';
import { ORT_WEB_BACKENDS, ortWebAvailability, ortWebPlan, ortWebSupport, type OrtWebName } from './ort-web.ts';
import {
  ORT_WEB_KNOWN_DISCREPANCIES, ORT_WEB_WEBGL_SAME_NEGATIVE_PAD, ORT_WEB_WEBGPU_CONV3D_GROUPS_IGNORED, ORT_WEB_WEBGPU_CONV_TRANSPOSE_ASYMMETRIC_PADS,
  ORT_WEB_WEBGPU_CONV_TRANSPOSE_TWO_TO_ONE, ORT_WEB_WEBGPU_SAME_NEGATIVE_PAD, ORT_WEB_WEBGL_CONV_TRANSPOSE_SAME_OUTPUT_PADDING_SHAPE,
  ORT_WEB_WEBGPU_CONV_TRANSPOSE_SAME_OUTPUT_PADDING_SHAPE, ORT_WEB_WEBGPU_MATMUL_END_PADS_IGNORED, ortWebRefusalMessage, ORT_WEB_WEBGL_CONV_TRANSPOSE_OUTPUT_SHAPE_PADS,
} from './ort-web-known.ts';

describe('ORT Web records', () => {
  test('every record is listed once, names an ORT Web backend and has a canonical descriptor; refusals are unsupported with their id', () => {
    expect(new Set(ORT_WEB_KNOWN_DISCREPANCIES.map((d) => d.id)).size).toBe(ORT_WEB_KNOWN_DISCREPANCIES.length);
    for (const d of ORT_WEB_KNOWN_DISCREPANCIES) {
      expect(Object.keys(ORT_WEB_BACKENDS)).toContain(d.backend);
      expect(d.id.startsWith(`${d.backend}-`), d.id).toBe(true);
      expect(formatDescriptor(parseDescriptor(d.descriptor))).toBe(d.descriptor);
      const support = ortWebSupport(parseDescriptor(d.descriptor), d.backend as OrtWebName);
      if (d.id.endsWith('-refused')) expect(support.supported ? '' : support.reason).toContain(d.id);
      else expect(support.supported, d.id).toBe(true);
    }
  });

  test('every record reaches exactly one plan, its backend\'s', () => {
    const reached = (Object.keys(ORT_WEB_BACKENDS) as OrtWebName[]).flatMap((name) => ortWebPlan(name).knownDiscrepancies);
    expect(reached).toHaveLength(ORT_WEB_KNOWN_DISCREPANCIES.length);
    for (const d of ORT_WEB_KNOWN_DISCREPANCIES) {
      expect(reached.filter((r) => r === d), d.id).toHaveLength(1);
      expect(ortWebPlan(d.backend as OrtWebName).knownDiscrepancies, d.id).toContain(d);
    }
  });
});

const chromium = findChromium();
const backends: Partial<Record<OrtWebName, Backend>> = {};
if (chromium.found) {
  for (const name of ['ort-web-webgl', 'ort-web-webgpu'] as const) {
    const availability = await ortWebAvailability(name);
    if (availability.available) backends[name] = availability.backend;
  }
}

afterAll(async () => {
  for (const b of Object.values(backends)) await b?.dispose?.();
  await closeBrowserHost();
});

const agrees = (name: OrtWebName, p: ConvProblem): Promise<boolean> => agreesExactly(backends[name] as Backend, p);

/** Each wrong-answer record: the operands its observed/expected strings quote, what the provider gives, what the spec gives. */
const WRONG_ANSWERS: ReadonlyArray<{ record: KnownDiscrepancy; x: number[]; w: number[]; observed: number[]; expected: number[] }> = [
  { record: ORT_WEB_WEBGPU_SAME_NEGATIVE_PAD, x: [1, 2], w: [3], observed: [6], expected: [3] },
  { record: ORT_WEB_WEBGL_SAME_NEGATIVE_PAD, x: [1, 2], w: [3], observed: [6], expected: [3] },
  { record: ORT_WEB_WEBGPU_CONV3D_GROUPS_IGNORED, x: [1, 2], w: [3, 4], observed: [11, 4], expected: [3, 8] },
  { record: ORT_WEB_WEBGPU_CONV_TRANSPOSE_TWO_TO_ONE, x: [1, 2], w: [3, 4], observed: [0], expected: [11] },
  { record: ORT_WEB_WEBGPU_CONV_TRANSPOSE_ASYMMETRIC_PADS, x: [1, 2, 3], w: [3, 4], observed: [3, 10, 17], expected: [10, 17, 12] },
  { record: ORT_WEB_WEBGPU_MATMUL_END_PADS_IGNORED, x: [1], w: [3], observed: [3, 3], expected: [3, 0] },
  { record: ORT_WEB_WEBGL_CONV_TRANSPOSE_OUTPUT_SHAPE_PADS, x: [1, 2], w: [3, 4], observed: [3, 10], expected: [10, 8] },
];

/** The wrong-shape records: the output the provider gives, of another shape than ONNX's. */
const WRONG_SHAPES: ReadonlyArray<{ record: KnownDiscrepancy; observed: number[]; shape: number[] }> = [
  { record: ORT_WEB_WEBGL_CONV_TRANSPOSE_SAME_OUTPUT_PADDING_SHAPE, observed: [0, 3, 0], shape: [1, 1, 1, 3] },
  { record: ORT_WEB_WEBGPU_CONV_TRANSPOSE_SAME_OUTPUT_PADDING_SHAPE, observed: [0, 3, 0], shape: [1, 1, 3] },
];

/** Members of each class: recognised, and wrong on ramps data. */
const MEMBERS: ReadonlyArray<readonly [string, KnownDiscrepancy, string]> = [
  ['2-D SAME_UPPER, total -1 on height, 3 wide kernel', ORT_WEB_WEBGPU_SAME_NEGATIVE_PAD, 'mb1ic2ih5iw4oc3kh1kw3sh3sw1apU'],
  ['SAME_LOWER with a total of -2', ORT_WEB_WEBGPU_SAME_NEGATIVE_PAD, 'mb1ic1iw8oc1kw2sw4apL'],
  ['3-D SAME_UPPER, total -1 on width', ORT_WEB_WEBGPU_SAME_NEGATIVE_PAD, 'mb1ic2id2ih2iw6oc2kd1kh1kw2sd1sh1sw3apU'],
  ['WebGL, 2-D SAME_UPPER with bias and batch 2', ORT_WEB_WEBGL_SAME_NEGATIVE_PAD, 'mb2ic2ih3iw6oc2kh2kw2sh2sw3apUb1'],
  ['3-D depthwise with multiplier 2', ORT_WEB_WEBGPU_CONV3D_GROUPS_IGNORED, 'g2mb1ic2id2ih2iw2oc4kd2kh1kw2'],
  ['3-D grouped, 3 groups', ORT_WEB_WEBGPU_CONV3D_GROUPS_IGNORED, 'g3mb1ic6id1ih2iw2oc3kd1kh2kw2'],
  ['2-to-1 per group, 2 groups, stride 2, bias', ORT_WEB_WEBGPU_CONV_TRANSPOSE_TWO_TO_ONE, 'Tg2mb1ic4ih2iw3oc2kh2kw2sh2sw2b1'],
  ['asymmetric pads from SAME_LOWER', ORT_WEB_WEBGPU_CONV_TRANSPOSE_ASYMMETRIC_PADS, 'Tmb1ic1ih1iw3oc1kh1kw3sh1sw2apL'],
  ['end pad 2 above the begin pad', ORT_WEB_WEBGPU_CONV_TRANSPOSE_ASYMMETRIC_PADS, 'Tmb1ic2ih3iw3oc3kh3kw3ph0pw0eh2ew0'],
  ['1x1 conv, 2 input channels, end pad 2', ORT_WEB_WEBGPU_MATMUL_END_PADS_IGNORED, 'mb1ic2iw3oc1kw1ew2'],
  ['2-D output_shape with an even total pad (averaging alone would be right)', ORT_WEB_WEBGPU_CONV_TRANSPOSE_ASYMMETRIC_PADS, 'Tmb1ic1ih1iw3oc1kh1kw3oh1ow3'],
  ['WebGL, output_shape 2 smaller than the full output', ORT_WEB_WEBGL_CONV_TRANSPOSE_OUTPUT_SHAPE_PADS, 'Tmb1ic1ih3iw3oc2kh3kw3sh2sw2oh6ow6'],
  ['kernel the size of the input, SAME_UPPER end pad', ORT_WEB_WEBGPU_MATMUL_END_PADS_IGNORED, 'mb1ic1ih2iw2oc2kh2kw2apU'],
];

/** Just outside the classes: each agrees with the reference exactly. */
const NON_MEMBERS: ReadonlyArray<readonly [string, OrtWebName, string]> = [
  ['SAME_UPPER with total exactly 0 (stride = kernel)', 'ort-web-webgpu', 'mb1ic1ih4iw6oc1kh2kw2sh2sw2apU'],
  ['1x1 conv with a begin pad as well', 'ort-web-webgpu', 'mb1ic1iw2oc1kw1pw1'],
  ['1x1 grouped conv with an end pad', 'ort-web-webgpu', 'g2mb1ic2iw3oc2kw1ew2'],
  ['SAME_LOWER with a total of -1 (begin pad 0)', 'ort-web-webgpu', 'mb1ic1iw3oc1kw2sw3apL'],
  ['explicit pads where SAME would be negative', 'ort-web-webgpu', 'mb1ic1iw6oc1kw2sw3'],
  ['WebGL, SAME_LOWER with a total of -1', 'ort-web-webgl', 'mb1ic1ih1iw3oc1kh1kw2sh1sw3apL'],
  ['3-D ungrouped', 'ort-web-webgpu', 'mb1ic2id2ih2iw2oc3kd2kh1kw2'],
  ['2-D grouped conv', 'ort-web-webgpu', 'g2mb1ic4ih3iw3oc2kh2kw2'],
  ['ConvTranspose 2 to 2 channels', 'ort-web-webgpu', 'Tmb1ic2ih2iw2oc2kh2kw2'],
  ['ConvTranspose 3 to 1 channels', 'ort-web-webgpu', 'Tmb1ic3ih2iw2oc1kh2kw2'],
  ['ConvTranspose with the end pad one above the begin pad', 'ort-web-webgpu', 'Tmb1ic1ih1iw3oc1kh1kw2pw0ew1'],
  ['ConvTranspose SAME_UPPER (begin <= end)', 'ort-web-webgpu', 'Tmb1ic1ih1iw3oc1kh1kw3sh1sw2apU'],
  ['WebGL, output_shape equal to the full output', 'ort-web-webgl', 'Tmb1ic1ih1iw2oc1kh1kw2sh1sw2oh1ow4'],
  ['WebGL, output_shape with the pads attribute it implies', 'ort-web-webgl', 'Tmb1ic1ih1iw2oc1kh1kw2ph0pw1oh1ow2'],
];

describe.skipIf(!chromium.found)('ORT Web records still reproduce in Chromium', () => {
  test.each(WRONG_ANSWERS)('$record.id: the minimal problem gives the recorded wrong answer, the reference the expected one', async ({ record, x, w, observed, expected }) => {
    const p = parseDescriptor(record.descriptor);
    const backend = backends[record.backend as OrtWebName] as Backend;
    expect(matchKnownDiscrepancy(backend.knownDiscrepancies, p)).toBe(record);
    const operands = { x: f32(x, inputTensorShape(p)), w: f32(w, weightShape(p)) };
    expect(Array.from((await backend.run(p, operands)).data)).toEqual(observed);
    expect(Array.from(referenceResult(p, operands).y.data)).toEqual(expected);
    expect(record.observed).toContain(`y=[${observed}] (x=[${x}], w=[${w}]`);
    expect(record.expected).toContain(`y=[${expected}] of shape [${outputTensorShape(p)}]`);
  });

  test.each(WRONG_SHAPES)('$record.id: the minimal problem gives the recorded output of the wrong shape', async ({ record, observed, shape }) => {
    const p = parseDescriptor(record.descriptor);
    const backend = backends[record.backend as OrtWebName] as Backend;
    expect(matchKnownDiscrepancy(backend.knownDiscrepancies, p)).toBe(record);
    const operands = { x: f32([1], inputTensorShape(p)), w: f32([3], weightShape(p)) };
    const got = await backend.run(p, operands);
    expect({ shape: got.shape, data: Array.from(got.data) }).toEqual({ shape, data: observed });
    expect(Array.from(referenceResult(p, operands).y.data)).toEqual([3, 0]);
    expect(record.observed).toBe(`y=[${observed}] of shape [${shape}] (x=[1], w=[3])`);
    expect(record.expected).toContain(`y=[3,0] of shape [${outputTensorShape(p)}]`);
  });

  test(`${ORT_WEB_WEBGPU_CONV_TRANSPOSE_TWO_TO_ONE.id}: the bias is lost too, as the summary says`, async () => {
    const p = parseDescriptor('Tmb1ic2iw1oc1kw1b1');
    const got = await (backends['ort-web-webgpu'] as Backend).run(p, { x: f32([1, 2], [1, 2, 1]), w: f32([3, 4], [2, 1, 1]), b: f32([1], [1]) });
    expect(Array.from(got.data)).toEqual([0]);
  });

  test.each(MEMBERS.map(([what, record, descriptor]) => ({ what, record, descriptor, id: record.id })))('member of $id: $what ($descriptor) is recognised and wrong', async ({ record, descriptor }) => {
    const p = parseDescriptor(descriptor);
    const name = record.backend as OrtWebName;
    expect(ortWebSupport(p, name).supported).toBe(true);
    expect(matchKnownDiscrepancy(backends[name]?.knownDiscrepancies, p)).toBe(record);
    expect(await agrees(name, p)).toBe(false);
  });

  test.each(NON_MEMBERS)('outside: %s (%s on %s) is no member and agrees', async (_, name, descriptor) => {
    const p = parseDescriptor(descriptor);
    expect(ortWebSupport(p, name).supported).toBe(true);
    expect(matchKnownDiscrepancy(backends[name]?.knownDiscrepancies, p)).toBeUndefined();
    expect(await agrees(name, p)).toBe(true);
  });

  // the native provider's refusals are checked in properties/browser-backends.test.ts, where its page is open anyway (its WebAssembly takes 10 s and more to compile)
  test.each(ORT_WEB_KNOWN_DISCREPANCIES.filter((d) => d.id.endsWith('-refused') && d.backend !== 'ort-web-webgpu-native'))('$id: the provider still refuses the minimal problem (sent past supports())', async (record) => {
    const p = parseDescriptor(record.descriptor);
    const plan = ortWebPlan(record.backend as OrtWebName);
    const request = plan.forward(p, ramps(p));
    await expect(bundlePage(plan.bundle).call(request.method, request.request, 60_000)).rejects.toThrow(ortWebRefusalMessage(record));
  });
});
