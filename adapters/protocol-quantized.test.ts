import { describe, expect, test } from 'vitest';
import { parseQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import { makeQuantizedOperands } from '../problem/quantized-data.ts';
import { decodeIntegers, encodeIntegers, fromWireIntTensor, helloSupportsQuantized, makeQuantizedRunRequest } from './protocol-quantized.ts';
import { parseHello, parseReply } from './protocol.ts';
import { compareQuantized, quantizedReferenceResult } from '../compare/quantized-case.ts';

const hello = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ type: 'hello', protocol: 1, name: 'q', version: '1', precision: 'fp32', ops: ['conv'], ...extra });

describe('integer tensors on the wire: base64 of raw little-endian values', () => {
  test('uint8 255 is the byte ff, int8 -128 the byte 80, int32 -2 the bytes fe ff ff ff', () => {
    expect(Buffer.from(encodeIntegers([255, 0], 'uint8'), 'base64')).toEqual(Buffer.from([0xff, 0x00]));
    expect(Buffer.from(encodeIntegers([-128, 127], 'int8'), 'base64')).toEqual(Buffer.from([0x80, 0x7f]));
    expect(Buffer.from(encodeIntegers([-2], 'int32'), 'base64')).toEqual(Buffer.from([0xfe, 0xff, 0xff, 0xff]));
    expect(Array.from(decodeIntegers('y', encodeIntegers([-(2 ** 31), 2 ** 31 - 1], 'int32'), 2, 'int32'))).toEqual([-(2 ** 31), 2 ** 31 - 1]);
  });

  test('a short payload, a wrong dtype or shape is an error naming the field', () => {
    expect(() => decodeIntegers('reply.y.data', encodeIntegers([1, 2, 3], 'uint8'), 4, 'uint8')).toThrow(/reply\.y\.data decodes to 3 bytes, but its shape needs 4 uint8 = 4 bytes/);
    expect(() => fromWireIntTensor('reply.y', { shape: [1, 1, 2], dtype: 'uint8', data: encodeIntegers([1, 2], 'uint8') }, [1, 1, 2], 'int32')).toThrow(/reply\.y\.dtype must be "int32", but reply\.y\.dtype="uint8"/);
    expect(() => fromWireIntTensor('reply.y', { shape: [2], dtype: 'int32', data: encodeIntegers([1, 2], 'int32') }, [1, 1, 2], 'int32')).toThrow(/reply\.y\.shape must be \[1,1,2\]/);
  });

  test('without an expected shape a reply keeps the shape it declares, so a wrong shape is judged a fail (impossible), not an error', () => {
    const p = parseQuantizedDescriptor('CIu8u8mb1ic1iw2oc1kw1wz5');
    const reference = quantizedReferenceResult(p, makeQuantizedOperands(p, 'uniform', 1));
    const wrong = fromWireIntTensor('reply.y', { shape: [1], dtype: 'int32', data: encodeIntegers([1], 'int32') }, undefined, 'int32');
    expect(wrong.shape).toEqual([1]);
    expect(compareQuantized(reference, wrong)).toMatchObject({ verdict: 'impossible', message: expect.stringMatching(/output shape \[1\] \(1 elements\) differs from the expected \[1,1,2\]/) });
    expect(() => fromWireIntTensor('reply.y', { shape: [3], dtype: 'int32', data: encodeIntegers([1], 'int32') }, undefined, 'int32')).toThrow(/reply\.y\.data decodes to 4 bytes, but its shape needs 3 int32 = 12 bytes/);
  });
});

describe('run_quantized requests', () => {
  test('carry the Conv attributes, the quantization parameters with ONNX names, the resolved pads and integer tensors', () => {
    const p = parseQuantizedDescriptor('QLu8s8u8mb1ic1iw4oc2kw3apUb1xs0.5xz3wsc0.25,2wzc0,-4ys1yz7');
    const o = makeQuantizedOperands(p, 'uniform', 1);
    const r = makeQuantizedRunRequest(5, p, o);
    expect(r).toMatchObject({
      type: 'run_quantized', id: 5, descriptor: 'QLu8s8u8mb1ic1iw4oc2kw3apUb1xs0.5xz3wsc0.25,2wzc0,-4ys1yz7',
      problem: { op: 'conv', group: 1, kernel_shape: [3], auto_pad: 'SAME_UPPER', bias: true, operator: 'QLinearConv', x_type: 'uint8', w_type: 'int8', x_zero_point: 3, w_zero_point: [0, -4], per_channel: true, x_scale: 0.5, w_scale: [0.25, 2], y_scale: 1, y_zero_point: 7, y_type: 'uint8' },
      resolved: { pads: [1, 1], y_shape: [1, 2, 4] },
      x: { shape: [1, 1, 4], dtype: 'uint8' }, w: { shape: [2, 1, 3], dtype: 'int8' }, b: { shape: [2], dtype: 'int32' },
    });
    expect(Array.from(decodeIntegers('w', r.w.data, 6, 'int8'))).toEqual(Array.from(o.w.data));
    const ci = makeQuantizedRunRequest(1, parseQuantizedDescriptor('CIu8u8mb1ic1iw2oc1kw1wz5'), makeQuantizedOperands(parseQuantizedDescriptor('CIu8u8mb1ic1iw2oc1kw1wz5'), 'uniform', 1));
    expect(ci.problem).toMatchObject({ operator: 'ConvInteger', w_zero_point: 5, per_channel: false });
    expect(ci.problem).not.toHaveProperty('x_scale');
  });
});

describe('the hello\'s optional quantized_ops', () => {
  test('absent: no quantized ops; a list of ConvInteger and QLinearConv: those; anything else is refused naming it', () => {
    expect(parseHello(hello()).quantized_ops).toBeUndefined();
    expect(parseHello(hello({ quantized_ops: ['ConvInteger'] })).quantized_ops).toEqual(['ConvInteger']);
    expect(() => parseHello(hello({ quantized_ops: ['QLinearMatMul'] }))).toThrow(/hello\.quantized_ops must be a non-empty list of "ConvInteger", "QLinearConv", but hello\.quantized_ops=\["QLinearMatMul"\]/);
    expect(() => parseHello(hello({ quantized_ops: [] }))).toThrow(/hello\.quantized_ops must be a non-empty list/);
  });

  test('support: the operator must be listed, and the limits apply to the Conv attributes', () => {
    const h = parseHello(hello({ quantized_ops: ['ConvInteger'], limits: { spatial_ranks: [2] } }));
    expect(helloSupportsQuantized(h, parseQuantizedDescriptor('CIu8u8mb1ic1ih2iw2oc1kh1kw1'))).toEqual({ supported: true });
    expect(helloSupportsQuantized(h, parseQuantizedDescriptor('QLu8u8u8mb1ic1ih2iw2oc1kh1kw1xs1ws1ys1'))).toEqual({ supported: false, reason: 'q: QLinearConv is not among the quantized_ops of its hello [ConvInteger]' });
    expect(helloSupportsQuantized(h, parseQuantizedDescriptor('CIu8u8mb1ic1iw2oc1kw1')).supported).toBe(false);
  });

  test('a result reply keeps its tensor\'s dtype', () => {
    expect(parseReply('{"type":"result","id":3,"y":{"shape":[1],"dtype":"int8","data":"gA=="}}', 3)).toEqual({ type: 'result', id: 3, y: { shape: [1], dtype: 'int8', data: 'gA==' } });
  });
});
