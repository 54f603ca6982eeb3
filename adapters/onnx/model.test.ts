import { describe, expect, test } from 'vitest';
import { ConvInputError } from '../../problem/errors.ts';
import { parseDescriptor } from '../../problem/descriptor.ts';
import { withChanges } from '../../problem/problem.ts';
import { tensor } from '../../problem/tensor.ts';
import {
  buildConvModel, decodeModel, encodeFloat32Tensor, irVersionForOpset, ONNX_INPUT_NAMES, ONNX_IR_VERSION, ONNX_OPSET, ONNX_OUTPUT_NAME,
} from './model.ts';
import onnxProto from 'onnx-proto';

type Attribute = onnxProto.onnx.IAttributeProto;

/** Attributes of the model's only node as plain values: ints lists, ints, strings. */
function attributesOf(bytes: Uint8Array): Record<string, number[] | number | string> {
  const model = decodeModel(bytes);
  const node = model.graph?.node?.[0];
  const out: Record<string, number[] | number | string> = {};
  for (const a of (node?.attribute ?? []) as Attribute[]) {
    if (a.type === onnxProto.onnx.AttributeProto.AttributeType.INTS) out[a.name ?? ''] = (a.ints ?? []).map(Number);
    else if (a.type === onnxProto.onnx.AttributeProto.AttributeType.INT) out[a.name ?? ''] = Number(a.i);
    else if (a.type === onnxProto.onnx.AttributeProto.AttributeType.STRING) out[a.name ?? ''] = new TextDecoder().decode(a.s ?? new Uint8Array());
  }
  return out;
}

/** Graph inputs and outputs as `name: [dims]`. */
function signatureOf(bytes: Uint8Array): { inputs: Record<string, number[]>; outputs: Record<string, number[]> } {
  const graph = decodeModel(bytes).graph;
  const shapes = (infos: onnxProto.onnx.IValueInfoProto[] | null | undefined): Record<string, number[]> =>
    Object.fromEntries((infos ?? []).map((v) => {
      expect(v.type?.tensorType?.elemType).toBe(onnxProto.onnx.TensorProto.DataType.FLOAT);
      return [v.name ?? '', (v.type?.tensorType?.shape?.dim ?? []).map((d) => Number(d.dimValue))];
    }));
  return { inputs: shapes(graph?.input), outputs: shapes(graph?.output) };
}

describe('buildConvModel', () => {
  test('a Conv with bias: one node, opset 11, IR 6, X W B in and Y out with static shapes, every attribute', () => {
    const bytes = buildConvModel(parseDescriptor('g2mb2ic4ih5iw6oc6kh3kw2sh2sw1dh1dw2ph1pw0eh0ew1b1'));
    const model = decodeModel(bytes);
    expect(Number(model.irVersion)).toBe(ONNX_IR_VERSION);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', ONNX_OPSET]]);
    expect(model.graph?.node).toHaveLength(1);
    expect(model.graph?.node?.[0].opType).toBe('Conv');
    expect(model.graph?.node?.[0].input).toEqual(['X', 'W', 'B']);
    expect(model.graph?.node?.[0].output).toEqual([ONNX_OUTPUT_NAME]);
    expect(attributesOf(bytes)).toEqual({ group: 2, kernel_shape: [3, 2], strides: [2, 1], dilations: [1, 2], pads: [1, 0, 0, 1] });
    // output: h = floor((5+1+0-3)/2)+1 = 2, w = floor((6+0+1-3)/1)+1 = 5
    expect(signatureOf(bytes)).toEqual({ inputs: { X: [2, 4, 5, 6], W: [6, 2, 3, 2], B: [6] }, outputs: { Y: [2, 6, 2, 5] } });
  });

  test('without bias the node has two inputs and the graph no B', () => {
    const bytes = buildConvModel(parseDescriptor('mb1ic1iw5oc1kw3'));
    expect(decodeModel(bytes).graph?.node?.[0].input).toEqual([ONNX_INPUT_NAMES.x, ONNX_INPUT_NAMES.w]);
    expect(Object.keys(signatureOf(bytes).inputs)).toEqual(['X', 'W']);
  });

  test.each([['apU', 'SAME_UPPER'], ['apL', 'SAME_LOWER'], ['apV', 'VALID']])('auto_pad %s is written as auto_pad=%s and pads are left out', (code, mode) => {
    const attributes = attributesOf(buildConvModel(parseDescriptor(`mb1ic1ih6iw6oc1kh3kw3sh2sw2${code}`)));
    expect(attributes.auto_pad).toBe(mode);
    expect(attributes).not.toHaveProperty('pads');
  });

  test('a ConvTranspose carries output_padding and output_shape, weight [C, M/group, k], output from output_shape', () => {
    const bytes = buildConvModel(parseDescriptor('Tg2mb1ic4id2ih3iw3oc6kd1kh3kw3sd1sh2sw2oph1opw0od2oh6ow5b1'));
    expect(decodeModel(bytes).graph?.node?.[0].opType).toBe('ConvTranspose');
    expect(attributesOf(bytes)).toEqual({
      group: 2, kernel_shape: [1, 3, 3], strides: [1, 2, 2], dilations: [1, 1, 1], pads: [0, 0, 0, 0, 0, 0], output_padding: [0, 1, 0], output_shape: [2, 6, 5],
    });
    expect(signatureOf(bytes)).toEqual({ inputs: { X: [1, 4, 2, 3, 3], W: [4, 3, 1, 3, 3], B: [6] }, outputs: { Y: [1, 6, 2, 6, 5] } });
  });

  test('the same problem gives the same bytes, and the name does not enter the model', () => {
    const p = parseDescriptor('Tmb1ic2iw4oc2kw3sw2opw1');
    expect(buildConvModel(withChanges(p, { name: 'a' }))).toEqual(buildConvModel(p));
  });

  test('opset 22 writes IR 10; the IR table follows the ONNX releases', () => {
    const model = decodeModel(buildConvModel(parseDescriptor('mb1ic1iw5oc1kw3'), { opset: 22 }));
    expect(model.opsetImport.map((o) => Number(o.version))).toEqual([22]);
    expect(Number(model.irVersion)).toBe(10);
    expect([11, 12, 15, 18, 19, 21].map(irVersionForOpset)).toEqual([6, 7, 8, 8, 9, 10]);
  });

  test.each([10, 23, 11.5])('opset %s is refused with a ConvInputError naming the range', (opset) => {
    expect(() => buildConvModel(parseDescriptor('mb1ic1iw5oc1kw3'), { opset })).toThrow(ConvInputError);
    expect(() => buildConvModel(parseDescriptor('mb1ic1iw5oc1kw3'), { opset })).toThrow(/opset must be an integer in 11\.\.22, but opset=/);
  });

  test('an invalid problem is refused before any bytes are written', () => {
    const p = withChanges(parseDescriptor('mb1ic4iw5oc4kw3'), { group: 3 });
    expect(() => buildConvModel(p)).toThrow(/group must divide input channels, but group=3 and C=4/);
  });
});

describe('encodeFloat32Tensor', () => {
  test('writes dims, FLOAT and little-endian raw_data that decode back to the values', () => {
    const bytes = encodeFloat32Tensor('X', tensor([1, -2.5, 3e-8, 0], [2, 2]));
    const decoded = onnxProto.onnx.TensorProto.decode(bytes);
    expect(decoded.name).toBe('X');
    expect(decoded.dims.map(Number)).toEqual([2, 2]);
    expect(decoded.dataType).toBe(onnxProto.onnx.TensorProto.DataType.FLOAT);
    const view = new DataView(decoded.rawData.buffer, decoded.rawData.byteOffset, decoded.rawData.byteLength);
    expect([0, 1, 2, 3].map((i) => view.getFloat32(i * 4, true))).toEqual([1, -2.5, Math.fround(3e-8), 0]);
  });
});
