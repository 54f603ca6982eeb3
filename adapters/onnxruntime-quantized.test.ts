/**
 * ONNX Runtime's ConvInteger and QLinearConv: what it refuses is unsupported with its reason, each
 * known discrepancy of the quantized ops still reproduces on ORT itself (run without supports()
 * screening) and its class is exact, and what was checked and does not reproduce stays guarded.
 */
import { ort } from './onnx/onnxruntime-node.ts';
import { afterAll, describe, expect, test } from 'vitest';
import { quantizedReferenceResult } from '../compare/quantized-case.ts';
import { matchKnownQuantizedDiscrepancy } from '../problem/known-discrepancy.ts';
import { parseQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import { makeQuantizedOperands, type QuantizedDataMode } from '../problem/quantized-data.ts';
import type { IntTensor, QuantizedConvProblem, QuantizedOperands } from '../problem/quantized.ts';
import { buildQuantizedConvModel, onnxDataType, valuesTensorProto } from './onnx/quantized-model.ts';
import { createOnnxRuntimeBackend } from './onnxruntime.ts';
import { ONNX_RUNTIME_QUANTIZED_KNOWN_DISCREPANCIES, ORT_CONV_INTEGER_PER_CHANNEL, ORT_CONV_SAME_DILATION, ORT_QLINEAR_CONV_INT32_WRAP } from './onnxruntime-known.ts';
import { onnxRuntimeQuantizedSupport, runQuantizedSession } from './onnxruntime-quantized.ts';

const backend = await createOnnxRuntimeBackend();
afterAll(async () => { await backend.dispose?.(); });

/** Runs `p` on ORT directly (no supports() screening): its output values, or the message it threw. */
async function onOrt(p: QuantizedConvProblem, operands: QuantizedOperands): Promise<{ y: number[] } | { error: string }> {
  let session: ort.InferenceSession | undefined;
  try {
    session = await ort.InferenceSession.create(buildQuantizedConvModel(p), { logSeverityLevel: 3 });
    return { y: Array.from((await runQuantizedSession(session, p, operands, 4)).data) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  } finally {
    await session?.release();
  }
}

const ints = (shape: number[], values: number[]): IntTensor => ({ shape, data: Int32Array.from(values) });
const evidenceOf = (p: QuantizedConvProblem, o: QuantizedOperands) => ({ int32Overflows: quantizedReferenceResult(p, o).int32Overflows });

describe('what ORT 1.30 refuses is unsupported, with its reason', () => {
  test.each([
    ['CIu8u8mb1ic1iw1oc2kw1wzc0,4', /per-channel \(1-D\) w_zero_point is refused .*ort-convinteger-per-channel-refused/],
    ['QLu8u8s8mb1ic1iw1oc1kw1xs1ws1ys1', /no CPU QLinearConv kernel for \(x, w, y\) = \(u8, u8, s8\); ORT registers \(u8, u8, u8\), \(u8, s8, u8\), \(s8, s8, s8\)/],
    ['QLs8u8s8mb1ic1iw1oc1kw1xs1ws1ys1', /no CPU QLinearConv kernel for \(x, w, y\) = \(s8, u8, s8\)/],
    ['QLu8u8u8mb1ic1iw2oc1kw2dw2apUxs1ws1ys1', /QLinearConv with auto_pad SAME_UPPER\/SAME_LOWER and a dilation > 1 .*ort-conv-same-dilation-refused/],
  ])('%s', async (descriptor, reason) => {
    const p = parseQuantizedDescriptor(descriptor);
    const support = onnxRuntimeQuantizedSupport(p);
    expect(support).toEqual({ supported: false, reason: expect.stringMatching(reason) });
    // and ORT itself refuses it
    expect(await onOrt(p, makeQuantizedOperands(p, 'uniform', 1))).toEqual({ error: expect.any(String) });
  });

  test.each([
    'CIu8u8mb1ic1iw1oc1kw1wzc3', // a 1-D w_zero_point of one element: ORT's IsScalarOr1ElementVector takes it
    'CIs8u8mb1ic2ih3iw3oc2kh2kw2xz-128wz255', 'QLu8u8u8mb1ic1iw3oc2kw2xs1wsc1,2wzc0,3ys1', 'QLu8s8u8mb1ic2iw3oc1kw2b1xs1ws1ys1', 'QLs8s8s8g2mb1ic2iw4oc2kw2dw2pw1xs1ws1ys1',
  ])('%s runs on ORT and agrees with the reference exactly', async (descriptor) => {
    const p = parseQuantizedDescriptor(descriptor);
    expect(onnxRuntimeQuantizedSupport(p)).toEqual({ supported: true });
    for (const mode of ['uniform', 'near', 'extreme'] as QuantizedDataMode[]) {
      const o = makeQuantizedOperands(p, mode, 3);
      if (evidenceOf(p, o).int32Overflows > 0) continue; // extreme data puts B at the int32 limit: the wrap record's class
      expect(await onOrt(p, o), mode).toEqual({ y: Array.from(quantizedReferenceResult(p, o).y.data) });
    }
  });
});

describe('known discrepancies of ORT\'s quantized ops', () => {
  test('every record names onnxruntime, has a quantized descriptor and is routed by the backend', () => {
    expect(ONNX_RUNTIME_QUANTIZED_KNOWN_DISCREPANCIES.map((d) => d.id)).toEqual([ORT_CONV_INTEGER_PER_CHANNEL.id, ORT_QLINEAR_CONV_INT32_WRAP.id]);
    for (const d of ONNX_RUNTIME_QUANTIZED_KNOWN_DISCREPANCIES) {
      expect(d.backend).toBe('onnxruntime');
      expect(() => parseQuantizedDescriptor(d.descriptor)).not.toThrow();
      expect(backend.knownDiscrepancies).toContain(d);
    }
  });

  test(`${ORT_CONV_INTEGER_PER_CHANNEL.id} still reproduces, and the reference gives the recorded values`, async () => {
    const p = parseQuantizedDescriptor(ORT_CONV_INTEGER_PER_CHANNEL.descriptor);
    const o = { x: ints([1, 1, 1], [2]), w: ints([2, 1, 1], [1, 3]) };
    expect(matchKnownQuantizedDiscrepancy(backend.knownDiscrepancies, p, evidenceOf(p, o))).toBe(ORT_CONV_INTEGER_PER_CHANNEL);
    expect(await onOrt(p, o)).toEqual({ error: expect.stringMatching(/Non per-tensor quantization is not supported now/) });
    expect(ORT_CONV_INTEGER_PER_CHANNEL.observed).toContain('x=[2], w=[1,3]');
    expect(Array.from(quantizedReferenceResult(p, o).y.data)).toEqual([2, -2]);
    expect(ORT_CONV_INTEGER_PER_CHANNEL.expected).toContain('y=[2,-2]');
  });

  test(`${ORT_CONV_SAME_DILATION.id} covers the quantized ops too, and they refuse it`, async () => {
    const p = parseQuantizedDescriptor('CIu8u8mb1ic1iw2oc1kw2dw2apU');
    const o = makeQuantizedOperands(p, 'uniform', 1);
    expect(matchKnownQuantizedDiscrepancy(backend.knownDiscrepancies, p, evidenceOf(p, o))).toBe(ORT_CONV_SAME_DILATION);
    expect(await onOrt(p, o)).toEqual({ error: expect.stringMatching(/Dilation not supported for AutoPadType::SAME_UPPER/) });
    expect(ORT_CONV_SAME_DILATION.summary).toContain('CIu8u8mb1ic1iw2oc1kw2dw2apU');
  });

  test(`${ORT_QLINEAR_CONV_INT32_WRAP.id} still reproduces on its minimal descriptor: ORT wraps, the reference does not`, async () => {
    const p = parseQuantizedDescriptor(ORT_QLINEAR_CONV_INT32_WRAP.descriptor);
    const o = makeQuantizedOperands(p, 'extreme', 0); // x = 127, w = 127 everywhere
    expect(new Set([...o.x.data, ...o.w.data])).toEqual(new Set([127]));
    const reference = quantizedReferenceResult(p, o);
    expect(Array.from(reference.acc)).toEqual([2147515650]);
    expect(reference.int32Overflows).toBe(1);
    expect(Array.from(reference.y.data)).toEqual([64]);
    expect(await onOrt(p, o)).toEqual({ y: [-64] });
    expect(ORT_QLINEAR_CONV_INT32_WRAP.observed).toContain('y=[-64]');
    expect(ORT_QLINEAR_CONV_INT32_WRAP.expected).toContain('y=[64]');
    expect(matchKnownQuantizedDiscrepancy(backend.knownDiscrepancies, p, evidenceOf(p, o))).toBe(ORT_QLINEAR_CONV_INT32_WRAP);
  });

  test('the int32 class holds through the bias: acc + B past 2^31 wraps on ORT too', async () => {
    const p = parseQuantizedDescriptor('QLu8u8u8mb1ic1iw1oc1kw1b1xs1ws1ys16777216yz128');
    const o = { x: ints([1, 1, 1], [1]), w: ints([1, 1, 1], [1]), b: ints([1], [2 ** 31 - 1]) };
    const reference = quantizedReferenceResult(p, o);
    expect(Array.from(reference.y.data)).toEqual([255]); // 2^31·2^-24 = 128, + 128 saturates
    expect(await onOrt(p, o)).toEqual({ y: [0] }); // -2^31·2^-24 = -128, + 128
    expect(matchKnownQuantizedDiscrepancy(backend.knownDiscrepancies, p, evidenceOf(p, o))).toBe(ORT_QLINEAR_CONV_INT32_WRAP);
  });

  test('outside the class (the same problems one channel below the limit, or B one below it) ORT is exact', async () => {
    const limit = parseQuantizedDescriptor('QLs8s8s8mb1ic33025iw1oc1kw1xs1xz-128ws1wz-128ys33554432');
    const o = makeQuantizedOperands(limit, 'extreme', 0);
    expect(evidenceOf(limit, o)).toEqual({ int32Overflows: 0 });
    expect(matchKnownQuantizedDiscrepancy(backend.knownDiscrepancies, limit, evidenceOf(limit, o))).toBeUndefined();
    expect(await onOrt(limit, o)).toEqual({ y: Array.from(quantizedReferenceResult(limit, o).y.data) });
    const p = parseQuantizedDescriptor('QLu8u8u8mb1ic1iw1oc1kw1b1xs1ws1ys16777216yz128');
    const below = { x: ints([1, 1, 1], [1]), w: ints([1, 1, 1], [0]), b: ints([1], [2 ** 31 - 1]) };
    expect(await onOrt(p, below)).toEqual({ y: Array.from(quantizedReferenceResult(p, below).y.data) });
  });
});

describe('checked and not reproducing', () => {
  test('with w and B as initializers (ORT pre-packs constant weights; graph optimization all) the outputs are the same exact ones', async () => {
    const { onnx } = (await import('onnx-proto')).default;
    for (const descriptor of ['QLu8s8u8mb1ic3ih5iw5oc4kh3kw3ph1pw1b1xs0.02xz128wsc0.001,0.002,0.0015,0.003wzc0,0,0,0ys0.05yz128', 'QLs8s8s8mb1ic8iw6oc2kw3sw2b1xs0.5xz-3ws0.125ys0.5yz-10', 'QLu8u8u8g2mb1ic4ih4iw4oc2kh2kw2xs0.1xz100ws0.05wz131ys0.2yz20', 'CIu8s8mb1ic4ih3iw3oc3kh3kw3ph1pw1xz7wz-2']) {
      const p = parseQuantizedDescriptor(descriptor);
      for (const mode of ['uniform', 'near'] as QuantizedDataMode[]) {
        const o = makeQuantizedOperands(p, mode, 5);
        const model = onnx.ModelProto.decode(buildQuantizedConvModel(p));
        const g = model.graph!;
        g.input = g.input!.filter((i) => i.name !== 'W' && i.name !== 'B');
        g.initializer!.push(valuesTensorProto('W', onnxDataType(p.wType), o.w.shape, o.w.data));
        if (o.b) g.initializer!.push(valuesTensorProto('B', 6, o.b.shape, o.b.data));
        const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), { logSeverityLevel: 3, graphOptimizationLevel: 'all' });
        const x = p.xType === 'u8' ? Uint8Array.from(o.x.data) : Int8Array.from(o.x.data);
        const y = (await session.run({ X: new ort.Tensor(p.xType === 'u8' ? 'uint8' : 'int8', x, [...o.x.shape]) })).Y;
        await session.release();
        expect(Array.from(y.data as Int32Array), `${descriptor} ${mode}`).toEqual(Array.from(quantizedReferenceResult(p, o).y.data));
      }
    }
  });

  test('ORT rounds exact ties to even (power-of-two scales), both u8u8 and u8s8', async () => {
    for (const types of ['u8u8u8', 'u8s8u8']) {
      const p = parseQuantizedDescriptor(`QL${types}mb1ic1iw5oc1kw1xs0.5xz100ws1ys1yz10`);
      const o = { x: ints([1, 1, 5], [101, 103, 105, 99, 97]), w: ints([1, 1, 1], [1]) };
      expect(await onOrt(p, o), types).toEqual({ y: [10, 12, 12, 10, 8] });
    }
  });

  test('ORT pads with the zero point, in ConvInteger and QLinearConv (ONNX\'s test_convinteger_with_padding)', async () => {
    const p = parseQuantizedDescriptor('CIu8u8mb1ic1ih3iw3oc1kh2kw2ph1pw1xz1');
    const o = { x: ints([1, 1, 3, 3], [2, 3, 4, 5, 6, 7, 8, 9, 10]), w: ints([1, 1, 2, 2], [1, 1, 1, 1]) };
    expect(await onOrt(p, o)).toEqual({ y: [1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9] });
    const q = parseQuantizedDescriptor('QLu8u8u8mb1ic1iw3oc1kw3pw2xs1xz200ws1ys1yz100');
    const oq = { x: ints([1, 1, 3], [201, 202, 203]), w: ints([1, 1, 3], [1, 1, 1]) };
    expect(await onOrt(q, oq)).toEqual({ y: Array.from(quantizedReferenceResult(q, oq).y.data) });
    expect(Array.from(quantizedReferenceResult(q, oq).y.data)).toEqual([101, 103, 106, 105, 103]);
  });

  test('int8 weights of -128 against w_zp 127 (|w - w_zp| = 255), u8 x at 255 with x_zp 0: exact through u8s8', async () => {
    const p = parseQuantizedDescriptor('CIu8s8mb1ic64iw1oc1kw1wz127');
    const o = makeQuantizedOperands(p, 'extreme', 0);
    expect(await onOrt(p, o)).toEqual({ y: [64 * 255 * -255] });
  });
});
