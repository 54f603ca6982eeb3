import onnxProto from 'onnx-proto';
import { describe, expect, test } from 'vitest';
import { ConvInputError } from '../../problem/errors.ts';
import { parseQuantizedDescriptor } from '../../problem/quantized-descriptor.ts';
import { decodeModel } from './model.ts';
import { buildQuantizedConvModel, encodeValuesTensor } from './quantized-model.ts';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;

/** Graph inputs, outputs and initializers as `name: [elemType, dims]`, initializers with their values. */
function graphOf(bytes: Uint8Array) {
  const g = decodeModel(bytes).graph!;
  const sig = (infos: onnxProto.onnx.IValueInfoProto[]) => Object.fromEntries(infos.map((v) => [v.name, [v.type?.tensorType?.elemType, (v.type?.tensorType?.shape?.dim ?? []).map((d) => Number(d.dimValue))]]));
  const values = (t: onnxProto.onnx.ITensorProto): number[] => {
    const raw = t.rawData!;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (t.dataType === DT.FLOAT) return Array.from({ length: raw.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
    if (t.dataType === DT.INT8) return Array.from(raw, (_, i) => view.getInt8(i));
    return Array.from(raw);
  };
  return {
    node: g.node![0],
    inputs: sig(g.input!), outputs: sig(g.output!),
    initializers: Object.fromEntries(g.initializer!.map((t) => [t.name, [t.dataType, t.dims!.map(Number), values(t)]])),
  };
}

describe('buildQuantizedConvModel', () => {
  test('ConvInteger: X, W inputs, zero points as initializers (scalar x_zp, per-channel w_zp [M]), int32 Y, Conv attributes', () => {
    const g = graphOf(buildQuantizedConvModel(parseQuantizedDescriptor('CIu8s8g2mb1ic2ih4iw4oc2kh3kw3ph1pw1xz3wzc-128,127')));
    expect(g.node.opType).toBe('ConvInteger');
    expect(g.node.input).toEqual(['X', 'W', 'x_zero_point', 'w_zero_point']);
    expect(g.inputs).toEqual({ X: [DT.UINT8, [1, 2, 4, 4]], W: [DT.INT8, [2, 1, 3, 3]] });
    expect(g.outputs).toEqual({ Y: [DT.INT32, [1, 2, 4, 4]] });
    expect(g.initializers).toEqual({ x_zero_point: [DT.UINT8, [], [3]], w_zero_point: [DT.INT8, [2], [-128, 127]] });
    expect(g.node.attribute!.map((a) => a.name)).toEqual(['group', 'kernel_shape', 'strides', 'dilations', 'pads']);
  });

  test('QLinearConv: the eight inputs in ONNX order, B as an int32 input, y of its own type', () => {
    const g = graphOf(buildQuantizedConvModel(parseQuantizedDescriptor('QLs8s8s8mb1ic1iw5oc2kw3apUb1xs0.5xz-1wsc0.25,2wzc0,3ys4yz-7')));
    expect(g.node.opType).toBe('QLinearConv');
    expect(g.node.input).toEqual(['X', 'x_scale', 'x_zero_point', 'W', 'w_scale', 'w_zero_point', 'y_scale', 'y_zero_point', 'B']);
    expect(g.inputs).toEqual({ X: [DT.INT8, [1, 1, 5]], W: [DT.INT8, [2, 1, 3]], B: [DT.INT32, [2]] });
    expect(g.outputs).toEqual({ Y: [DT.INT8, [1, 2, 5]] });
    expect(g.initializers).toEqual({
      x_zero_point: [DT.INT8, [], [-1]], w_zero_point: [DT.INT8, [2], [0, 3]], x_scale: [DT.FLOAT, [], [0.5]], w_scale: [DT.FLOAT, [2], [0.25, 2]],
      y_scale: [DT.FLOAT, [], [4]], y_zero_point: [DT.INT8, [], [-7]],
    });
  });

  test('integer tensors are little-endian raw_data, as numpy_helper writes them', () => {
    const t = onnx.TensorProto.decode(encodeValuesTensor('B', DT.INT32, [2], [-2, 258]));
    expect(Array.from(t.rawData!)).toEqual([0xfe, 0xff, 0xff, 0xff, 2, 1, 0, 0]);
  });

  test('an invalid problem or opset is a ConvInputError', () => {
    const p = parseQuantizedDescriptor('CIu8u8mb1ic1iw3oc1kw2');
    expect(() => buildQuantizedConvModel({ ...p, xZeroPoint: 300 })).toThrow(ConvInputError);
    expect(() => buildQuantizedConvModel(p, { opset: 9 })).toThrow(/opset must be an integer in 11\.\.22/);
  });
});
