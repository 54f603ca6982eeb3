/**
 * A problem's ONNX node attributes as plain JSON values, in the order and spelling the model
 * builder writes them into `model.onnx` (adapters/onnx/model.ts `convAttributes`), so the
 * manifest and case.json say exactly what the model holds.
 */
import onnxProto from 'onnx-proto';
import { convAttributes } from '../adapters/onnx/model.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { int64ToNumber } from './tensor-proto.ts';

const AttributeType = onnxProto.onnx.AttributeProto.AttributeType;

/** One attribute value: `group` an integer, `auto_pad` a string, the rest integer lists. */
export type AttributeValue = number | string | number[];

/**
 * `{ group, kernel_shape, strides, dilations, pads | auto_pad, output_padding?, output_shape? }`.
 * @example onnxAttributes(parseDescriptor('mb1ic1ih5iw5oc1kh3kw3')) // { group: 1, kernel_shape: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] }
 */
export function onnxAttributes(p: ConvProblem): Record<string, AttributeValue> {
  const result: Record<string, AttributeValue> = {};
  for (const a of convAttributes(p)) {
    const name = a.name ?? '';
    if (a.type === AttributeType.STRING) result[name] = new TextDecoder().decode(a.s ?? new Uint8Array(0));
    else if (a.type === AttributeType.INTS) result[name] = (a.ints ?? []).map(int64ToNumber);
    else result[name] = int64ToNumber(a.i ?? 0);
  }
  return result;
}
