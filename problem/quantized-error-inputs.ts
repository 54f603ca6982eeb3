/**
 * Error inputs of the quantized operators: ill-formed ConvInteger and QLinearConv calls that an
 * implementation must refuse, sent with the float ones of problem/error-inputs.ts by
 * `gate --error-inputs`. Each breaks one rule of ONNX ConvInteger-10 / QLinearConv-10 (the Conv
 * attributes' rules, plus the quantization parameters': a zero point holds a value of its
 * tensor's type, a per-channel one has M values, a scale and its zero point have the same shape,
 * ConvInteger has no bias input, B is `[M]`), every one of which validateQuantizedProblem and
 * checkQuantizedOperands (problem/quantized.ts) check, and is otherwise a small, valid call. The
 * problems are built with makeQuantizedProblem, which does not validate, and must never be given
 * to the reference's loops.
 */
import type { IllFormedCall } from './error-inputs.ts';
import type { ProblemSpec } from './problem.ts';
import { makeQuantizedProblem, QUANT_RANGE, type IntTensor, type QuantizedConvProblem, type QuantizedOperands, type QuantizedProblemSpec, type QuantType } from './quantized.ts';
import { formatQuantizedDescriptor } from './quantized-descriptor.ts';
import { biasShape, inputTensorShape, sizeOf, weightShape } from './shape.ts';

/** One ill-formed ConvInteger or QLinearConv call: its problem carries the operator and quantization parameters. */
export type QuantizedErrorInput = IllFormedCall<QuantizedConvProblem>;

/** A small valid 2-D conv: x [1, 4, 5, 5], w [4, 4, 3, 3]. */
const CONV: ProblemSpec = { inChannels: 4, outChannels: 4, inputShape: [5, 5], kernelShape: [3, 3] };

/** Changes a built problem could not express through its spec (a list of the wrong length). */
type Override = (p: QuantizedConvProblem) => QuantizedConvProblem;

/** An error input whose tensors have the shapes its problem implies, unless `shapes` overrides some. */
function quantizedErrorInput(
  id: string, rule: string, spec: QuantizedProblemSpec, shapes: Partial<QuantizedErrorInput['shapes']> = {}, override: Override = (p) => p,
): QuantizedErrorInput {
  const problem = override(makeQuantizedProblem(spec));
  const implied = { x: inputTensorShape(problem.conv), w: weightShape(problem.conv).map(Math.floor), b: problem.conv.bias ? biasShape(problem.conv) : undefined };
  const sent = { x: shapes.x ?? implied.x, w: shapes.w ?? implied.w, ...(shapes.b ?? implied.b ? { b: shapes.b ?? implied.b } : {}) };
  const notes = (['x', 'w', 'b'] as const).flatMap((t) => (JSON.stringify(sent[t]) === JSON.stringify(implied[t]) ? [] : [`${t} [${sent[t]}]`]));
  return { id, rule, problem, shapes: sent, descriptor: `${describe(problem)}${notes.length > 0 ? ` with ${notes.join(', ')}` : ''}` };
}

/** The descriptor where the problem has one (an ill-formed one may not), else its operator and types. */
function describe(p: QuantizedConvProblem): string {
  try {
    return formatQuantizedDescriptor(p);
  } catch {
    return `${p.operator} ${p.xType}${p.wType}${p.requant?.yType ?? ''} (ill-formed: no descriptor)`;
  }
}

/** Every quantized error input, ConvInteger first, then QLinearConv. */
export const QUANTIZED_ERROR_INPUTS: readonly QuantizedErrorInput[] = [
  quantizedErrorInput('convinteger-bias', 'ConvInteger has no bias input (ONNX ConvInteger-10: x, w, x_zero_point, w_zero_point), but B [4] is given',
    { operator: 'ConvInteger', conv: { ...CONV, bias: true } }),
  quantizedErrorInput('convinteger-x-zero-point-out-of-range', 'x_zero_point is a value of x\'s type (uint8: 0 to 255), but x_zero_point=256',
    { operator: 'ConvInteger', conv: CONV, xZeroPoint: 256 }),
  quantizedErrorInput('convinteger-w-zero-point-length', 'a per-channel w_zero_point holds one value per output channel (M=4), but it holds 3',
    { operator: 'ConvInteger', conv: CONV, wZeroPoint: [1, 2, 3] }),
  quantizedErrorInput('convinteger-group-not-dividing-input-channels', 'group must divide the input channels: group=3, C=4',
    { operator: 'ConvInteger', conv: { ...CONV, group: 3, outChannels: 3 } }),
  quantizedErrorInput('convinteger-weight-input-channels', 'w must be [M, C/group, ...kernel_shape]: C/group=4, but w.shape[1]=3',
    { operator: 'ConvInteger', conv: CONV }, { w: [4, 3, 3, 3] }),
  quantizedErrorInput('qlinearconv-w-scale-length', 'w_scale and w_zero_point have the same shape (ONNX QLinearConv-10), so a per-channel w_scale holds M=4 values, but it holds 3',
    { operator: 'QLinearConv', conv: CONV, wZeroPoint: [0, 0, 0, 0] }, {}, (p) => ({ ...p, requant: { ...p.requant!, wScale: [1, 1, 1] } })),
  quantizedErrorInput('qlinearconv-y-scale-zero', 'y_scale must be a positive float32 (y = round(acc·x_scale·w_scale / y_scale) + y_zero_point), but y_scale=0',
    { operator: 'QLinearConv', conv: CONV }, {}, (p) => ({ ...p, requant: { ...p.requant!, yScale: 0 } })),
  quantizedErrorInput('qlinearconv-y-zero-point-out-of-range', 'y_zero_point is a value of y\'s type (int8: -128 to 127), but y_zero_point=128',
    { operator: 'QLinearConv', conv: CONV, xType: 's8', wType: 's8', yType: 's8', yZeroPoint: 128 }),
  quantizedErrorInput('qlinearconv-bias-length', 'B must be [M] int32: M=4, but B is [3]',
    { operator: 'QLinearConv', conv: { ...CONV, bias: true } }, { b: [3] }),
];

/** The quantized error input named `id`; throws naming the known ones. */
export function quantizedErrorInputById(id: string): QuantizedErrorInput {
  const found = QUANTIZED_ERROR_INPUTS.find((e) => e.id === id);
  if (found === undefined) throw new Error(`no quantized error input is named "${id}"; they are: ${QUANTIZED_ERROR_INPUTS.map((e) => e.id).join(', ')}`);
  return found;
}

/** Integer tensors of an error input's shapes: x and w small values of their types (0 to 6, or -3 to 3), B small int32s. */
export function quantizedErrorInputOperands(e: QuantizedErrorInput): QuantizedOperands {
  const fill = (shape: readonly number[], offset: number, type: QuantType | 'i32'): IntTensor => {
    const low = type === 'u8' ? QUANT_RANGE.u8.min : -3;
    return { shape: [...shape], data: Int32Array.from({ length: sizeOf(shape) }, (_, i) => low + ((i * 5 + offset) % 7)) };
  };
  return {
    x: fill(e.shapes.x, 0, e.problem.xType),
    w: fill(e.shapes.w, 1, e.problem.wType),
    ...(e.shapes.b ? { b: fill(e.shapes.b, 2, 'i32') } : {}),
  };
}
