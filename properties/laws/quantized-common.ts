/**
 * What the quantized laws share: a case's operands, the zero-point-shifted operands as float
 * tensors, and problem edits (one output channel of a per-channel problem, a moved zero point).
 */
import { withChanges } from '../../problem/problem.ts';
import { sizeOf } from '../../problem/shape.ts';
import type { Tensor } from '../../problem/tensor.ts';
import { validateQuantizedProblem, wZeroPointOf, type IntTensor, type QuantizedConvProblem, type QuantizedOperands } from '../../problem/quantized.ts';
import { makeQuantizedOperands } from '../../problem/quantized-data.ts';
import type { QuantizedCase } from '../arbitraries/quantized.ts';

/** The operands of a quantized case, drawn from its pattern and seed. */
export function quantizedOperandsOf(c: QuantizedCase): QuantizedOperands {
  return makeQuantizedOperands(c.problem, c.mode, c.seed);
}

/** `x - x_zp` and `w - w_zp[m]` as float32 tensors: small integers, exact in float32. */
export function shiftedOperands(p: QuantizedConvProblem, o: QuantizedOperands): { x: Tensor<Float32Array>; w: Tensor<Float32Array> } {
  const perFilter = o.w.data.length / p.conv.outChannels;
  return {
    x: { shape: [...o.x.shape], data: Float32Array.from(o.x.data, (v) => v - p.xZeroPoint) },
    w: { shape: [...o.w.shape], data: Float32Array.from(o.w.data, (v, i) => v - wZeroPointOf(p, Math.floor(i / perFilter))) },
  };
}

/** An integer tensor from values. */
export function intTensor(shape: readonly number[], data: ArrayLike<number>): IntTensor {
  return { shape: [...shape], data: Int32Array.from(data) };
}

/**
 * Output channel `m` of a problem as a per-tensor problem of its own: one filter, the input
 * channels of m's group, w_zero_point[m] and w_scale[m] as scalars, B[m]; with its operands.
 */
export function channelSplit(p: QuantizedConvProblem, o: QuantizedOperands, m: number): { problem: QuantizedConvProblem; operands: QuantizedOperands } {
  const q = p.conv;
  const inPerGroup = q.inChannels / q.group, outPerGroup = q.outChannels / q.group;
  const g = Math.floor(m / outPerGroup);
  const plane = sizeOf(q.inputShape), perFilter = o.w.data.length / q.outChannels;
  const conv = withChanges(q, { inChannels: inPerGroup, outChannels: 1, group: 1, name: undefined });
  const problem = validateQuantizedProblem({
    ...p, conv, perChannel: false, wZeroPoint: [wZeroPointOf(p, m)],
    ...(p.requant ? { requant: { ...p.requant, wScale: [p.perChannel ? p.requant.wScale[m] : p.requant.wScale[0]] } } : {}),
  });
  const x = new Int32Array(q.batch * inPerGroup * plane);
  for (let n = 0; n < q.batch; n++) {
    x.set(o.x.data.subarray((n * q.inChannels + g * inPerGroup) * plane, (n * q.inChannels + (g + 1) * inPerGroup) * plane), n * inPerGroup * plane);
  }
  const operands: QuantizedOperands = {
    x: { shape: [q.batch, inPerGroup, ...q.inputShape], data: x },
    w: { shape: [1, ...o.w.shape.slice(1)], data: o.w.data.slice(m * perFilter, (m + 1) * perFilter) },
    ...(o.b ? { b: { shape: [1], data: Int32Array.of(o.b.data[m]) } } : {}),
  };
  return { problem, operands };
}
