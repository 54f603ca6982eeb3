/**
 * A single-node ONNX model for a {@link QuantizedConvProblem}: one `ConvInteger` or `QLinearConv`
 * node (opset 10 operators; the model imports opset 11 like adapters/onnx/model.ts) with the Conv
 * attributes of adapters/onnx/model.ts. x, w (and QLinearConv's int32 B) are graph inputs, so no
 * runtime can pre-pack a constant weight; the zero points and scales, which the problem holds,
 * are initializers: scalars (`[]`) or, per output channel, `[M]`.
 *
 *   ConvInteger  inputs: X, W, x_zero_point, w_zero_point                        output Y int32
 *   QLinearConv  inputs: X, x_scale, x_zero_point, W, w_scale, w_zero_point,
 *                        y_scale, y_zero_point [, B]                             output Y (y's type)
 */
import onnxProto from 'onnx-proto';
import { ConvInputError } from '../../problem/errors.ts';
import { validateQuantizedProblem, wParameterShape, quantizedOutputShape, type QuantizedConvProblem, type QuantType } from '../../problem/quantized.ts';
import { biasShape, inputTensorShape, weightShape } from '../../problem/shape.ts';
import { checkOpset, convAttributes, float32TensorProto, modelProto, ONNX_OPSET, valueInfo, type ModelProto, type TensorProto } from './model.ts';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;

/** Graph input and initializer names, as ONNX's operator spec names the node inputs. */
export const QUANTIZED_INPUT_NAMES = {
  x: 'X', w: 'W', b: 'B',
  xScale: 'x_scale', xZeroPoint: 'x_zero_point', wScale: 'w_scale', wZeroPoint: 'w_zero_point', yScale: 'y_scale', yZeroPoint: 'y_zero_point',
} as const;

/** Graph output name. */
export const QUANTIZED_OUTPUT_NAME = 'Y';

/** ONNX TensorProto data type of an 8-bit type. */
export function onnxDataType(t: QuantType): number {
  return t === 'u8' ? DataType.UINT8 : DataType.INT8;
}

/**
 * A TensorProto of values of an ONNX data type (UINT8, INT8, INT32 or FLOAT), little-endian
 * `raw_data` as ONNX's `numpy_helper.from_array` writes it: initializers, and the `.pb` files of
 * quantized golden cases. FLOAT is adapters/onnx/model.ts's {@link float32TensorProto}.
 */
export function valuesTensorProto(name: string, dataType: number, shape: readonly number[], values: ArrayLike<number>): TensorProto {
  if (dataType === DataType.FLOAT) return float32TensorProto(name, shape, values);
  const size = dataType === DataType.UINT8 || dataType === DataType.INT8 ? 1 : 4;
  const raw = new Uint8Array(values.length * size);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) {
    if (dataType === DataType.UINT8) view.setUint8(i, values[i]);
    else if (dataType === DataType.INT8) view.setInt8(i, values[i]);
    else if (dataType === DataType.INT32) view.setInt32(i * 4, values[i], true);
    else throw new ConvInputError('dataType', `valuesTensorProto: data type ${dataType} is not UINT8, INT8, INT32 or FLOAT.`);
  }
  return { name, dims: [...shape], dataType, rawData: raw };
}

/** Serialized {@link valuesTensorProto}. */
export function encodeValuesTensor(name: string, dataType: number, shape: readonly number[], values: ArrayLike<number>): Uint8Array {
  return onnx.TensorProto.encode(valuesTensorProto(name, dataType, shape, values)).finish();
}

/** The model proto (validated problem, opset checked). */
function quantizedModelProto(p: QuantizedConvProblem, opset: number): ModelProto {
  validateQuantizedProblem(p);
  checkOpset(opset);
  const n = QUANTIZED_INPUT_NAMES;
  const xType = onnxDataType(p.xType), wType = onnxDataType(p.wType);
  const pShape = wParameterShape(p);
  const input = [valueInfo(n.x, xType, inputTensorShape(p.conv)), valueInfo(n.w, wType, weightShape(p.conv))];
  const initializer: TensorProto[] = [
    valuesTensorProto(n.xZeroPoint, xType, [], [p.xZeroPoint]),
    valuesTensorProto(n.wZeroPoint, wType, pShape, p.wZeroPoint),
  ];
  let nodeInputs: string[];
  let yType: number;
  const r = p.requant;
  if (r === undefined) {
    nodeInputs = [n.x, n.w, n.xZeroPoint, n.wZeroPoint];
    yType = DataType.INT32;
  } else {
    initializer.push(
      valuesTensorProto(n.xScale, DataType.FLOAT, [], [r.xScale]),
      valuesTensorProto(n.wScale, DataType.FLOAT, pShape, r.wScale),
      valuesTensorProto(n.yScale, DataType.FLOAT, [], [r.yScale]),
      valuesTensorProto(n.yZeroPoint, onnxDataType(r.yType), [], [r.yZeroPoint]),
    );
    nodeInputs = [n.x, n.xScale, n.xZeroPoint, n.w, n.wScale, n.wZeroPoint, n.yScale, n.yZeroPoint];
    if (p.conv.bias) {
      nodeInputs.push(n.b);
      input.push(valueInfo(n.b, DataType.INT32, biasShape(p.conv)));
    }
    yType = onnxDataType(r.yType);
  }
  return modelProto(opset, {
    node: [{ name: p.operator.toLowerCase(), opType: p.operator, domain: '', input: nodeInputs, output: [QUANTIZED_OUTPUT_NAME], attribute: convAttributes(p.conv) }],
    input, initializer, output: [valueInfo(QUANTIZED_OUTPUT_NAME, yType, quantizedOutputShape(p))],
  });
}

/**
 * Serialized ONNX model with one ConvInteger or QLinearConv node for `p`; throws ConvInputError for
 * an invalid problem or opset.
 * @example buildQuantizedConvModel(parseQuantizedDescriptor('CIu8u8mb1ic1ih3iw3oc1kh2kw2xz1'))
 */
export function buildQuantizedConvModel(p: QuantizedConvProblem, options: { opset?: number } = {}): Uint8Array {
  return onnx.ModelProto.encode(quantizedModelProto(p, options.opset ?? ONNX_OPSET)).finish();
}
