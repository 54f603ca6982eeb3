/**
 * The fast path of the Conv and ConvTranspose reference: the same sums as reference/conv.ts and
 * reference/conv-transpose.ts (which stay the source of truth; conv-fast.test.ts holds this to them
 * within float64 rounding on random problems of every type), with the same S = Σ|x·w| (+|b|) and n
 * per output element, computed in an order that streams memory (the loops are in
 * reference/conv-fast-kernel.ts):
 *
 * - every problem is seen as 3-D (a 1-D or 2-D one has leading axes of size 1), so one loop nest
 *   serves every rank, group, stride, dilation, padding, transposed or not, with or without bias;
 * - the window map `target = window·s - pb + k·d` is tabulated once per problem, per axis and tap,
 *   as the range of window positions whose tap lands inside the target;
 * - n per element is a product of per-axis tap counts (times C/G, plus the bias), computed once
 *   per plane and copied.
 *
 * This module runs on the calling thread; reference/conv-fast-pool.ts splits the output planes of
 * a large problem over worker threads.
 */
import type { ConvProblem } from '../problem/problem.ts';
import { outputSpatialShape, outputTensorShape, resolvePads, sizeOf } from '../problem/shape.ts';
import type { ConvOperands } from '../problem/operands.ts';
import type { TensorData } from '../problem/tensor.ts';
import type { ConvResult } from './conv-result.ts';
import { accumulatePlanes, fillTermsPlanes, planeCount, termsPattern, type FastConvPlan } from './conv-fast-kernel.ts';
import { checkReferenceOperands } from './inputs.ts';

export type { FastConvPlan } from './conv-fast-kernel.ts';

/** A rank-1 or rank-2 list with `fill` put in front, to 3 entries. */
function as3d(values: readonly number[], fill: number): number[] {
  return [...Array.from({ length: 3 - values.length }, () => fill), ...values];
}

/** `ceil(a / b)` for integers, b > 0. */
function ceilDiv(a: number, b: number): number {
  return -Math.floor(-a / b);
}

/** The plan of a validated problem (see {@link FastConvPlan}). */
export function fastConvPlan(p: ConvProblem): FastConvPlan {
  const outShape = outputSpatialShape(p);
  const transposed = p.op === 'convTranspose';
  const windowShape = as3d(transposed ? p.inputShape : outShape, 1);
  const targetShape = as3d(transposed ? outShape : p.inputShape, 1);
  const kernelShape = as3d(p.kernelShape, 1);
  const strides = as3d(p.strides, 1);
  const dilations = as3d(p.dilations, 1);
  const padsBegin = as3d(resolvePads(p).begin, 0);
  const kMax = Math.max(...kernelShape);
  const tapLo = new Int32Array(3 * kMax), tapHi = new Int32Array(3 * kMax);
  for (let a = 0; a < 3; a++) {
    for (let k = 0; k < kernelShape[a]; k++) {
      // 0 <= q·s - pb + k·d <= T - 1  <=>  ceil((pb - k·d) / s) <= q <= floor((T - 1 + pb - k·d) / s)
      const offset = k * dilations[a] - padsBegin[a];
      const lo = Math.max(0, ceilDiv(-offset, strides[a]));
      const hi = Math.min(windowShape[a], Math.floor((targetShape[a] - 1 - offset) / strides[a]) + 1);
      tapLo[a * kMax + k] = lo;
      tapHi[a * kMax + k] = Math.max(lo, hi);
    }
  }
  const kW = kernelShape[2];
  const threesLo = new Int32Array(kW), threesHi = new Int32Array(kW);
  for (let kw = 0; kw + 2 < kW; kw += 3) {
    let lo = 0, hi = windowShape[2];
    for (let t = kw; t < kw + 3; t++) { lo = Math.max(lo, tapLo[2 * kMax + t]); hi = Math.min(hi, tapHi[2 * kMax + t]); }
    threesLo.fill(lo < hi ? lo : 0, kw, kw + 3);
    threesHi.fill(lo < hi ? hi : 0, kw, kw + 3);
  }
  return {
    transposed, batch: p.batch, inChannels: p.inChannels, outChannels: p.outChannels,
    inPerGroup: p.inChannels / p.group, outPerGroup: p.outChannels / p.group, bias: p.bias,
    yShape: outputTensorShape(p), windowShape, targetShape, kernelShape, strides, dilations, padsBegin,
    inSize: sizeOf(p.inputShape), outSize: sizeOf(outShape), kernelSize: sizeOf(p.kernelShape), tapLo, tapHi, kMax, threesLo, threesHi,
  };
}

/** Most float64 elements {@link asFloat64} keeps between calls (16 MiB). */
const SCRATCH_MAX_ELEMENTS = 2 ** 21;
/** Where asFloat64 converts float32 data, reused from call to call (fresh pages cost more than the conversion). */
let scratch = new Float64Array(0);

/**
 * The data of a tensor as float64: the same array when it is float64 already, else a conversion
 * into `scratch` (from `offset`; valid until the next call) or, beyond its size limit, a new array.
 */
function asFloat64(data: TensorData, offset: number): Float64Array {
  if (data instanceof Float64Array) return data;
  const end = offset + data.length;
  if (end > SCRATCH_MAX_ELEMENTS) return new Float64Array(data);
  if (scratch.length < end) scratch = new Float64Array(Math.min(SCRATCH_MAX_ELEMENTS, Math.max(end, 2 * scratch.length)));
  const view = scratch.subarray(offset, end);
  view.set(data);
  return view;
}

/**
 * Conv or ConvTranspose (by `p.op`) on the calling thread with the fast loops: the result of
 * `convDetailed` / `convTransposeDetailed` up to float64 rounding of the order of the sums
 * (n and the multiplications are equal). Same checks and errors as they have.
 * @example convFastDetailed(parseDescriptor('mb1ic64ih56iw56oc64kh3kw3ph1pw1'), operands).absSum
 */
export function convFastDetailed(p: ConvProblem, operands: ConvOperands): ConvResult {
  checkReferenceOperands(p, operands);
  const plan = fastConvPlan(p);
  const count = sizeOf(plan.yShape);
  const y = new Float64Array(count), absSum = new Float64Array(count), terms = new Int32Array(count);
  // x, then w, then b one after the other in the scratch (those of them that are float32 and fit)
  let offset = 0;
  const converted = (data: TensorData): Float64Array => {
    const values = asFloat64(data, offset);
    if (values.buffer === scratch.buffer) offset += values.length;
    return values;
  };
  const x = converted(operands.x.data), w = converted(operands.w.data);
  const b = operands.b === undefined ? undefined : converted(operands.b.data);
  accumulatePlanes(plan, x, w, b, y, absSum, 0, planeCount(plan));
  const { pattern, perPlane } = termsPattern(plan);
  fillTermsPlanes(pattern, terms, 0, planeCount(plan));
  return { y: { shape: [...plan.yShape], data: y }, absSum, terms, multiplications: perPlane * planeCount(plan) };
}
