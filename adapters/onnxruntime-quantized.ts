/**
 * ONNX Runtime's ConvInteger and QLinearConv (CPU execution provider): what it runs, what it
 * refuses, and one call on a session of adapters/onnx/quantized-model.ts. adapters/onnxruntime.ts
 * wires this into its backend (`quantized`), with its session cache.
 *
 * What ORT 1.30's CPU provider runs (measured: a single-node model of every type combination, per
 * tensor and per channel, zero points and scales as initializers and as inputs alike; w and B as
 * inputs here, and as initializers, which ORT pre-packs, in a test: the same exact outputs):
 * - both refuse auto_pad SAME_* with a dilation > 1, as its Conv does (ort-conv-same-dilation-refused);
 * - ConvInteger: x and w of either 8-bit type, w_zero_point per tensor only ("Non per-tensor
 *   quantization is not supported now": a refusal of a per-channel w_zero_point, which ConvInteger-10
 *   defines; known discrepancy ort-convinteger-per-channel-refused);
 * - QLinearConv: (x, w, y) = (u8, u8, u8), (u8, s8, u8), (s8, s8, s8), per tensor and per channel.
 *   ONNX lets T1, T2 and T3 vary independently; ORT registers no kernel for the five other
 *   combinations ("Could not find an implementation for QLinearConv(10)").
 */
import { ort } from './onnx/onnxruntime-node.ts';
import { SUPPORTED, unsupported, type Support } from '../problem/backend.ts';
import { checkQuantizedOperands, formatTypes, validateQuantizedProblem, type IntTensor, type QuantizedConvProblem, type QuantizedOperands, type QuantType } from '../problem/quantized.ts';
import { QUANTIZED_INPUT_NAMES, QUANTIZED_OUTPUT_NAME } from './onnx/quantized-model.ts';
import { ORT_CONV_INTEGER_PER_CHANNEL, ORT_CONV_SAME_DILATION, isConvIntegerPerChannel, isConvSameWithDilation } from './onnxruntime-known.ts';

/** The (x, w, y) type combinations ORT 1.30 registers a CPU QLinearConv kernel for. */
export const ORT_QLINEAR_CONV_TYPES: readonly string[] = ['u8u8u8', 'u8s8u8', 's8s8s8'];

/** Whether ORT runs the quantized problem, and if not, why (one reason per class). Never throws. */
export function onnxRuntimeQuantizedSupport(p: QuantizedConvProblem): Support {
  try {
    validateQuantizedProblem(p);
  } catch (error) {
    return unsupported(`onnxruntime: invalid problem: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (isConvSameWithDilation(p.conv)) {
    return unsupported(`onnxruntime: ${p.operator} with auto_pad SAME_UPPER/SAME_LOWER and a dilation > 1 is refused by the CPU kernel, as Conv is ("Dilation not supported for AutoPadType::SAME_UPPER or AutoPadType::SAME_LOWER"; known discrepancy ${ORT_CONV_SAME_DILATION.id}); explicit pads work.`);
  }
  if (isConvIntegerPerChannel(p)) {
    return unsupported(`onnxruntime: ConvInteger with a per-channel (1-D) w_zero_point is refused at run time ("Non per-tensor quantization is not supported now"; known discrepancy ${ORT_CONV_INTEGER_PER_CHANNEL.id}).`);
  }
  if (p.requant !== undefined && !ORT_QLINEAR_CONV_TYPES.includes(formatTypes(p))) {
    return unsupported(`onnxruntime: no CPU QLinearConv kernel for (x, w, y) = (${p.xType}, ${p.wType}, ${p.requant.yType}); ORT registers ${ORT_QLINEAR_CONV_TYPES.map((t) => `(${t.slice(0, 2)}, ${t.slice(2, 4)}, ${t.slice(4)})`).join(', ')} ("Could not find an implementation for QLinearConv(10)").`);
  }
  return SUPPORTED;
}

function feed(t: IntTensor, type: QuantType | 'i32'): ort.Tensor {
  const data = type === 'u8' ? Uint8Array.from(t.data) : type === 's8' ? Int8Array.from(t.data) : Int32Array.from(t.data);
  return new ort.Tensor(type === 'u8' ? 'uint8' : type === 's8' ? 'int8' : 'int32', data, [...t.shape]);
}

/** Runs the problem on its session; the output as integers. Throws on anything ORT throws. */
export async function runQuantizedSession(session: ort.InferenceSession, p: QuantizedConvProblem, operands: QuantizedOperands, runLogLevel: 0 | 1 | 2 | 3 | 4): Promise<IntTensor> {
  checkQuantizedOperands(p, operands);
  const n = QUANTIZED_INPUT_NAMES;
  const feeds: Record<string, ort.Tensor> = { [n.x]: feed(operands.x, p.xType), [n.w]: feed(operands.w, p.wType) };
  if (operands.b !== undefined) feeds[n.b] = feed(operands.b, 'i32');
  const results = await session.run(feeds, { logSeverityLevel: runLogLevel });
  const y = results[QUANTIZED_OUTPUT_NAME];
  const want = p.requant === undefined ? 'int32' : p.requant.yType === 'u8' ? 'uint8' : 'int8';
  if (y === undefined || y.type !== want) throw new Error(`output ${QUANTIZED_OUTPUT_NAME} is ${y === undefined ? 'missing' : `of type ${y.type}, not ${want}`}`);
  return { shape: [...y.dims], data: Int32Array.from(y.data as Int32Array | Uint8Array | Int8Array) };
}
