import { describe, expect, test } from 'vitest';
import { referenceResult } from '../compare/run-case.ts';
import { formatDescriptor, parseDescriptor } from '../problem/descriptor.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { convSamePadTotalUnclamped, inputTensorShape, outputTensorShape, weightShape } from '../problem/shape.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { convWeightGrad } from '../reference/conv-weight-grad.ts';
import type { Backend } from '../problem/backend.ts';
import { matchKnownDiscrepancy, type KnownDiscrepancy } from '../problem/known-discrepancy.ts';
import { agreesExactly, f32 } from './ramp-agreement.ts';
import { createTfjsBackend } from './tfjs.ts';
import { tfjsGradient } from './tfjs/gradients.ts';
import {
  knownTfjsDiscrepancy, TFJS_CPU_CONV3D_SAME_NEGATIVE_PAD, TFJS_KNOWN_DISCREPANCIES, TFJS_WASM_CONV3D_FILTER_GRAD_BOUNDS,
  TFJS_WASM_CONV3D_SAME_NEGATIVE_PAD, TFJS_WASM_CONV3D_TRANSPOSE_BOUNDS, TFJS_WASM_NAN_TO_MINUS_INFINITY, TFJS_WASM_SAME_NEGATIVE_PAD,
  tfjsKnownDiscrepancies,
} from './tfjs-known.ts';

const backends: Record<string, Backend> = { 'tfjs-cpu': await createTfjsBackend('tfjs-cpu'), 'tfjs-wasm': await createTfjsBackend('tfjs-wasm') };

/** Runs `p` on a tfjs backend (ramps data unless `operands` are given) and says whether it matched the reference bit for bit. */
const agrees = (backendName: string, p: ConvProblem, operands?: ConvOperands): Promise<boolean> => agreesExactly(backends[backendName], p, operands);

/** Each forward record: the operands its observed/expected strings quote, what tfjs gives, what the spec gives. */
const FORWARD_REPRODUCTIONS: ReadonlyArray<{ record: KnownDiscrepancy; x: number[]; w: number[]; observed: number[]; expected: number[] }> = [
  { record: TFJS_CPU_CONV3D_SAME_NEGATIVE_PAD, x: [1, 2], w: [3], observed: [6], expected: [3] },
  { record: TFJS_WASM_CONV3D_SAME_NEGATIVE_PAD, x: [1, 2], w: [3], observed: [6], expected: [3] },
  { record: TFJS_WASM_SAME_NEGATIVE_PAD, x: [1, 2, 3], w: [3, 4], observed: [0], expected: [11] },
  { record: TFJS_WASM_CONV3D_TRANSPOSE_BOUNDS, x: [1], w: [3], observed: [0], expected: [3] },
];

describe('known tfjs discrepancies: the records', () => {
  test('every record is listed once, names a tfjs backend and has a canonical descriptor', () => {
    expect(new Set(TFJS_KNOWN_DISCREPANCIES.map((d) => d.id)).size).toBe(TFJS_KNOWN_DISCREPANCIES.length);
    expect(TFJS_KNOWN_DISCREPANCIES.map((d) => d.id)).toEqual([...FORWARD_REPRODUCTIONS.map((r) => r.record.id), TFJS_WASM_CONV3D_FILTER_GRAD_BOUNDS.id, TFJS_WASM_NAN_TO_MINUS_INFINITY.id]);
    for (const d of TFJS_KNOWN_DISCREPANCIES) {
      expect(['tfjs-cpu', 'tfjs-wasm']).toContain(d.backend);
      expect(formatDescriptor(parseDescriptor(d.descriptor))).toBe(d.descriptor);
      for (const field of [d.summary, d.observed, d.expected]) expect(field.length).toBeGreaterThan(10);
    }
  });

  test.each(FORWARD_REPRODUCTIONS)('$record.id still reproduces on $record.backend, and the reference gives the recorded expected values', async ({ record, x, w, observed, expected }) => {
    const p = parseDescriptor(record.descriptor);
    expect(knownTfjsDiscrepancy(record.backend, p)).toBe(record);
    const operands = { x: f32(x, inputTensorShape(p)), w: f32(w, weightShape(p)) };
    const got = await backends[record.backend].run(p, operands);
    expect(Array.from(got.data)).toEqual(observed);
    expect(Array.from(referenceResult(p, operands).y.data)).toEqual(expected);
    expect(record.observed).toContain(`y=[${observed}] (x=[${x}], w=[${w}]`);
    expect(record.expected).toContain(`y=[${expected}] of shape [${outputTensorShape(p)}]`);
  });

  test(`${TFJS_WASM_CONV3D_TRANSPOSE_BOUNDS.id}: its stride-1 depth form, quoted in the summary, reproduces too`, async () => {
    const p = parseDescriptor('Tmb1ic1id2ih1iw1oc1kd1kh1kw1');
    expect(knownTfjsDiscrepancy('tfjs-wasm', p)).toBe(TFJS_WASM_CONV3D_TRANSPOSE_BOUNDS);
    const got = await backends['tfjs-wasm'].run(p, { x: f32([1, 2], [1, 1, 2, 1, 1]), w: f32([3], [1, 1, 1, 1, 1]) });
    expect(Array.from(got.data)).toEqual([3, 0]);
    expect(TFJS_WASM_CONV3D_TRANSPOSE_BOUNDS.summary).toContain('gives y=[3,0] for x=[1,2], w=[3] (expected [3,6])');
  });

  test(`${TFJS_WASM_CONV3D_FILTER_GRAD_BOUNDS.id} still reproduces on tfjs-wasm's conv3d weight gradient, and the reference gives the expected`, async () => {
    const record = TFJS_WASM_CONV3D_FILTER_GRAD_BOUNDS;
    const p = parseDescriptor(record.descriptor);
    expect(knownTfjsDiscrepancy('tfjs-wasm', p, 'weight')).toBe(record);
    const x = f32([1, 2, 3], inputTensorShape(p)), dy = f32([1, 1], outputTensorShape(p)), w = f32([5], weightShape(p));
    expect(Array.from((await tfjsGradient('tfjs-wasm', p, 'weight', { x, w }, dy)).data)).toEqual([1]);
    expect(Array.from((await tfjsGradient('tfjs-cpu', p, 'weight', { x, w }, dy)).data)).toEqual([4]);
    expect(Array.from(convWeightGrad(p, x, dy).y.data)).toEqual([4]);
    expect(record.observed).toContain('dW=[1] (x=[1,2,3], dy=[1,1]');
    expect(record.expected).toContain(`dW=[4] of shape [${weightShape(p)}]`);
  });

  test('the unclamped SAME total the classes test: negative when the stride steps past the last inputs', () => {
    expect(convSamePadTotalUnclamped(2, 1, 2, 1)).toBe(-1); // out 1: the window [0] leaves x[1] unread
    expect(convSamePadTotalUnclamped(6, 2, 3, 1)).toBe(-1);
    expect(convSamePadTotalUnclamped(8, 2, 4, 1)).toBe(-2);
    expect(convSamePadTotalUnclamped(7, 3, 2, 1)).toBe(2);
    expect(convSamePadTotalUnclamped(5, 3, 1, 2)).toBe(4);
  });
});

/** Members of each class: they fail on the record's backend (ramps data) and pass on tfjs-cpu unless the record is cpu's. */
const MEMBERS: ReadonlyArray<readonly [string, KnownDiscrepancy, string]> = [
  ['3-D SAME, stride 3 on depth, kernel 1', TFJS_CPU_CONV3D_SAME_NEGATIVE_PAD, 'mb1ic2id5ih3iw3oc2kd1kh2kw2sd3sh1sw1apU'],
  ['3-D SAME, batch 2, bias, total -2 on width', TFJS_CPU_CONV3D_SAME_NEGATIVE_PAD, 'mb2ic1id2ih2iw8oc2kd2kh1kw2sd1sh1sw4apUb1'],
  ['3-D transposed SAME with output_padding = stride - kernel', TFJS_CPU_CONV3D_SAME_NEGATIVE_PAD, 'Tmb1ic1id1ih1iw2oc1kd1kh1kw1sd1sh1sw2opd0oph0opw1apU'],
  ['3-D SAME on wasm too', TFJS_WASM_CONV3D_SAME_NEGATIVE_PAD, 'mb1ic2id5ih3iw3oc2kd1kh2kw2sd3sh1sw1apU'],
  ['2-D SAME, total -1 on width, kernel 1x2', TFJS_WASM_SAME_NEGATIVE_PAD, 'mb1ic2ih3iw6oc2kh1kw2sh1sw3apU'],
  ['2-D SAME, negative on height with a 1-high kernel, 3 wide', TFJS_WASM_SAME_NEGATIVE_PAD, 'mb1ic2ih5iw4oc3kh1kw3sh3sw1apU'],
  ['depthwise SAME, total -1', TFJS_WASM_SAME_NEGATIVE_PAD, 'g2mb1ic2ih6iw6oc4kh2kw2sh3sw3apU'],
  ['conv3dTranspose, stride 2 on height only', TFJS_WASM_CONV3D_TRANSPOSE_BOUNDS, 'Tmb1ic2id1ih2iw2oc2kd1kh2kw2sd1sh2sw1'],
  ['conv3dTranspose, stride 1, depth 3 > begin pad + 1', TFJS_WASM_CONV3D_TRANSPOSE_BOUNDS, 'Tmb1ic1id3ih2iw2oc2kd2kh2kw1'],
  ['conv3dTranspose VALID with output_padding', TFJS_WASM_CONV3D_TRANSPOSE_BOUNDS, 'Tmb2ic1id2ih1iw2oc1kd2kh1kw2sd2sh1sw2opd1oph0opw0apV'],
];

/** Outside every class: each runs exactly on both backends (the predicates' other sides). */
const NON_MEMBERS: ReadonlyArray<readonly [string, string]> = [
  ['2-D SAME with total exactly 0 (stride = kernel)', 'mb1ic1ih4iw6oc1kh2kw2sh2sw2apU'],
  ['2-D SAME, negative total but a 1x1 kernel', 'mb1ic2ih5iw5oc2kh1kw1sh2sw2apU'],
  ['2-D explicit pads where SAME would be negative', 'mb1ic1iw6oc1kw2sw3'],
  ['2-D SAME_LOWER (explicit pads) with a negative total', 'mb1ic1ih3iw6oc1kh1kw2sh1sw3apL'],
  ['3-D SAME with non-negative totals and strides', 'mb1ic1id5ih4iw4oc2kd3kh2kw2sd2sh2sw1apU'],
  ['3-D VALID, stride past the last inputs', 'mb1ic1id1ih1iw2oc1kd1kh1kw1sd1sh1sw2apV'],
  ['conv3dTranspose, stride 1, depth 1', 'Tmb1ic2id1ih3iw2oc2kd2kh3kw2'],
  ['conv3dTranspose, stride 1, depth 2 with SAME begin pad 1', 'Tmb1ic1id2ih2iw2oc1kd3kh2kw2apU'],
];

describe('known tfjs discrepancies: the classes hold', () => {
  test.each(MEMBERS.map(([name, record, descriptor]) => ({ name, record, descriptor, id: record.id })))('member of $id: $name ($descriptor) is recognised and fails on its backend', async ({ record, descriptor }) => {
    const p = parseDescriptor(descriptor);
    expect(knownTfjsDiscrepancy(record.backend, p)).toBe(record);
    expect(await agrees(record.backend, p)).toBe(false);
    if (record.backend === 'tfjs-wasm' && knownTfjsDiscrepancy('tfjs-cpu', p) === undefined) expect(await agrees('tfjs-cpu', p)).toBe(true);
  });

  test.each(NON_MEMBERS)('outside: %s (%s) is no member and agrees on cpu and wasm', async (_, descriptor) => {
    const p = parseDescriptor(descriptor);
    for (const name of ['tfjs-cpu', 'tfjs-wasm']) {
      expect(knownTfjsDiscrepancy(name, p)).toBeUndefined();
      expect(await agrees(name, p)).toBe(true);
    }
  });

  test('backends without records route nothing', () => {
    const p = parseDescriptor(TFJS_WASM_SAME_NEGATIVE_PAD.descriptor);
    for (const name of ['tfjs-node', 'reference', 'onnxruntime']) {
      expect(knownTfjsDiscrepancy(name, p)).toBeUndefined();
      expect(knownTfjsDiscrepancy(name, p, 'input')).toBeUndefined();
    }
    expect(knownTfjsDiscrepancy('tfjs-cpu', p)).toBeUndefined();
  });
});

describe('tfjs-wasm-nan-clamped-to-minus-infinity', () => {
  const record = TFJS_WASM_NAN_TO_MINUS_INFINITY;
  const p = parseDescriptor(record.descriptor);
  const operands = { x: f32([-8], [1, 1, 1]), w: f32([NaN], [1, 1, 1]) };

  test('still reproduces: -8·NaN comes back as -Infinity on wasm, NaN on cpu and in the reference', async () => {
    expect(Array.from(referenceResult(p, operands).y.data)).toEqual([NaN]);
    expect(Array.from((await backends['tfjs-wasm'].run(p, operands)).data)).toEqual([-Infinity]);
    expect(Array.from((await backends['tfjs-cpu'].run(p, operands)).data)).toEqual([NaN]);
  });

  test('also on a depthwise conv; matches only data with NaN or ±Inf, only on wasm, only its ops', async () => {
    const dw = parseDescriptor('g4mb1ic4iw2oc4kw1');
    const x = f32([1, NaN, 2, 3, 4, 5, 6, 7], [1, 4, 2]), w = f32([1, 1, 1, 1], [4, 1, 1]);
    const y = Array.from((await backends['tfjs-wasm'].run(dw, { x, w })).data);
    expect(y[1]).toBe(-Infinity);
    expect(record.matches(dw, undefined, { nonFinite: true })).toBe(true);
    expect(record.matches(dw, undefined, { nonFinite: false })).toBe(false);
    expect(record.matches(dw, undefined)).toBe(false);
    expect(record.matches(dw, 'input', { nonFinite: true })).toBe(false);
    expect(matchKnownDiscrepancy(tfjsKnownDiscrepancies('tfjs-wasm'), dw, undefined, { nonFinite: true })).toBe(record);
    expect(matchKnownDiscrepancy(tfjsKnownDiscrepancies('tfjs-cpu'), dw, undefined, { nonFinite: true })).toBeUndefined();
    expect(record.matches(parseDescriptor('Tmb1ic1iw2oc1kw2sw2'), undefined, { nonFinite: true })).toBe(false); // conv2dTranspose
  });
});

