/**
 * Conv's and ConvTranspose's gradients (of a backend that differentiates them: tfjs, an external
 * implementation). For `L = Σ conv(x, w)·dy`,
 * the input gradient is the transposed conv of dy and the weight gradient the correlation of x
 * with dy. Each law compares the backend's gradient (LawContext.gradient, bounded by the tolerance
 * model over the gradient's own sums) with a computation that shares no loop with the reference's
 * gradients, so on the reference too the law could fail: the input side is `Cᵀ·dy` with C built
 * by reference/conv-matrix.ts, the weight side `⟨dy, conv(x, e_j)⟩` for each one-hot weight e_j,
 * by the reference forward conv. ConvTranspose's, for `L = Σ convT(x, w)·dy`, by the same one-hot
 * directional derivatives through the reference forward transposed conv (it is linear in x and in
 * w): `dx[j] = ⟨dy, convT(e_j, w)⟩`, `dW[j] = ⟨dy, convT(x, e_j)⟩`. A backend without gradients
 * makes them unsupported.
 */
import type * as fc from 'fast-check';
import { drawTensor, exactRanges } from '../../problem/operand-data.ts';
import { withChanges, type ConvProblem } from '../../problem/problem.ts';
import { outputTensorShape, sizeOf, weightShape } from '../../problem/shape.ts';
import type { Tensor } from '../../problem/tensor.ts';
import { sliceChannels } from '../../reference/tensor-ops.ts';
import { convMatrix, matTransposeVec } from '../../reference/conv-matrix.ts';
import { conv } from '../../reference/conv.ts';
import { convTransposeDetailed } from '../../reference/conv-transpose.ts';
import { compareApprox, referenceSide, type Approx } from '../approx.ts';
import { problemCaseArb, type ProblemCase } from '../arbitraries/problem-case.ts';
import type { ProblemType } from '../../problem/conv-types.ts';
import { defineLaw, judge, type LawScope } from '../law.ts';
import { abs, linearPart, nextSeed, operandsOf } from './common.ts';

/** The problem types with a Conv to differentiate (every single-problem type but transposed). */
const GRADIENT_TYPES: readonly ProblemType[] = ['conv1d', 'conv2d', 'conv3d', 'pointwise', 'dilated', 'grouped', 'depthwise', 'pointwise-grouped'];

/** The problem type with a ConvTranspose to differentiate. */
const TRANSPOSED_GRADIENT_TYPES: readonly ProblemType[] = ['transposed'];

/** The Conv of a case (no bias: it plays no part in either gradient), its x and w, and dy `[N, M, ...o]`. */
function gradientOperands(c: ProblemCase): { p: ConvProblem; x: Tensor; w: Tensor; dy: Tensor } {
  const p = linearPart(c.problem);
  const { x, w } = operandsOf(p, c.mode, c.seed);
  const dy = drawTensor(outputTensorShape(p), c.mode, nextSeed(c.seed, 2), exactRanges(p).xMax);
  return { p, x, w, dy };
}

/**
 * `Cᵀ·dy` `[N, C, ...i]` with its scale `|C|ᵀ·|dy|`, C the conv's matrix for one batch item
 * (reference/conv-matrix.ts, its own loops), applied item by item so the matrix stays small.
 */
export function matrixInputGradient(p: ConvProblem, w: Tensor, dy: Tensor): Approx {
  const C = convMatrix(withChanges(p, { batch: 1 }), w);
  const absC = { ...C, data: Float64Array.from(C.data, Math.abs) };
  const value = new Float64Array(p.batch * C.cols), scale = new Float64Array(p.batch * C.cols);
  for (let n = 0; n < p.batch; n++) {
    const item = { shape: [...C.rowShape], data: dy.data.subarray(n * C.rows, (n + 1) * C.rows) };
    value.set(matTransposeVec(C, item).y.data, n * C.cols);
    scale.set(matTransposeVec(absC, abs(item)).y.data, n * C.cols);
  }
  const shape = [p.batch, ...C.colShape.slice(1)];
  return referenceSide({ shape, data: value }, { shape, data: scale });
}

/**
 * `dW[m, c, k] = ⟨dy[:, m], conv(x[:, g·C/G + c], e_k)⟩` `[M, C/G, ...k]` with its scale (the same
 * with |dy|, |x|): conv is linear in w, so the derivative along the one-hot weight e_{m,c,k} is the
 * conv of x's channel with the one-hot kernel e_k (x shifted by the tap), summed against dy.
 */
export function correlationWeightGradient(p: ConvProblem, x: Tensor, dy: Tensor): Approx {
  const single = withChanges(p, { inChannels: 1, outChannels: 1, group: 1, bias: false });
  const kernelSize = sizeOf(p.kernelShape), outSize = dy.data.length / (p.batch * p.outChannels);
  const inPerGroup = p.inChannels / p.group, outPerGroup = p.outChannels / p.group;
  const value = new Float64Array(sizeOf(weightShape(p))), scale = new Float64Array(value.length);
  for (let inChannel = 0; inChannel < p.inChannels; inChannel++) {
    const g = Math.floor(inChannel / inPerGroup), c = inChannel % inPerGroup;
    const channel = sliceChannels(x, inChannel, 1);
    for (let k = 0; k < kernelSize; k++) {
      const oneHot = { shape: [1, 1, ...p.kernelShape], data: Float64Array.from({ length: kernelSize }, (_, j) => (j === k ? 1 : 0)) };
      const shifted = conv(single, { x: channel, w: oneHot }).data; // [N, 1, ...o]: x read at o·s - pb + k·d, 0 in the padding
      for (let m = g * outPerGroup; m < (g + 1) * outPerGroup; m++) {
        let acc = 0, absAcc = 0;
        for (let n = 0; n < p.batch; n++) {
          for (let o = 0; o < outSize; o++) {
            const term = dy.data[(n * p.outChannels + m) * outSize + o] * shifted[n * outSize + o];
            acc += term; absAcc += Math.abs(term);
          }
        }
        value[(m * inPerGroup + c) * kernelSize + k] = acc;
        scale[(m * inPerGroup + c) * kernelSize + k] = absAcc;
      }
    }
  }
  const shape = weightShape(p);
  return referenceSide({ shape, data: value }, { shape, data: scale });
}

/** Conv problems without bias (the bias plays no part in these gradients). */
const gradientCases = (scope: LawScope): fc.Arbitrary<ProblemCase> => problemCaseArb(scope, { types: GRADIENT_TYPES, bias: false });

// ∂/∂x Σ conv(x, w)·dy = Cᵀ·dy = convT(dy, w): the transposed conv is the adjoint of conv
export const inputGradientLaw = defineLaw('the input gradient of conv is the transposed conv of dy', {
  math: '∂/∂x Σ conv(x, w)·dy = Cᵀ·dy = convT(dy, w)',
  convTypes: GRADIENT_TYPES,
  budgetShare: 0.6,
  cases: gradientCases,
}, async (c, ctx) => {
  const { p, x, w, dy } = gradientOperands(c);
  const got = await ctx.gradient('input', p, { x, w }, dy);
  return judge('∂L/∂x vs Cᵀ·dy', compareApprox(got, matrixInputGradient(p, w, dy), ctx.precision));
});

// ∂/∂w[m,c,k] Σ conv(x, w)·dy = ⟨dy, conv(x, e_{m,c,k})⟩ = Σ_n,o dy[n,m,o]·x[n, g·C/G + c, o·s - pb + k·d]
export const weightGradientLaw = defineLaw('the weight gradient of conv is the correlation of x with dy', {
  math: '∂/∂w[m,c,k] Σ conv(x, w)·dy = ⟨dy, conv(x, e_{m,c,k})⟩ = Σ_n,o dy[n,m,o]·x[n,c,o·s - pb + k·d]',
  convTypes: GRADIENT_TYPES,
  budgetShare: 0.6,
  cases: gradientCases,
}, async (c, ctx) => {
  const { p, x, w, dy } = gradientOperands(c);
  const got = await ctx.gradient('weight', p, { x, w }, dy);
  return judge('∂L/∂w vs ⟨dy, conv(x, e_j)⟩', compareApprox(got, correlationWeightGradient(p, x, dy), ctx.precision));
});

/**
 * `dx[n, c, i] = ⟨dy[n], convT(e_{c,i}, w)⟩` `[N, C, ...i]` with its scale (the same with |dy|,
 * |w|): convT is linear in x, so its derivative along the one-hot input e_{c,i} of one batch item
 * is the forward transposed conv of that one-hot input, read against the item's dy.
 */
export function oneHotTransposeInputGradient(p: ConvProblem, w: Tensor, dy: Tensor): Approx {
  const item = withChanges(p, { batch: 1, bias: false });
  const itemIn = sizeOf(p.inputShape) * p.inChannels, itemOut = dy.data.length / p.batch;
  const value = new Float64Array(p.batch * itemIn), scale = new Float64Array(value.length);
  const oneHot = { shape: [1, p.inChannels, ...p.inputShape], data: new Float64Array(itemIn) };
  for (let j = 0; j < itemIn; j++) {
    oneHot.data.fill(0);
    oneHot.data[j] = 1;
    // one 1 in x: the S of each output is the transposed conv with |w|
    const spread = convTransposeDetailed(item, { x: oneHot, w });
    const column = spread.y.data, absColumn = spread.absSum;
    for (let n = 0; n < p.batch; n++) {
      let acc = 0, absAcc = 0;
      for (let o = 0; o < itemOut; o++) {
        const d = dy.data[n * itemOut + o];
        acc += d * column[o]; absAcc += Math.abs(d) * absColumn[o];
      }
      value[n * itemIn + j] = acc;
      scale[n * itemIn + j] = absAcc;
    }
  }
  const shape = [p.batch, p.inChannels, ...p.inputShape];
  return referenceSide({ shape, data: value }, { shape, data: scale });
}

/**
 * `dW[c, m, k] = ⟨dy[:, g·M/G + m], convT(x[:, c], e_k)⟩` `[C, M/G, ...k]` with its scale (the
 * same with |dy|, |x|): convT is linear in w, so its derivative along the one-hot weight e_{c,m,k}
 * is the transposed conv of x's channel c with the one-hot kernel e_k, landing in output channel
 * g·M/G + m alone.
 */
export function oneHotTransposeWeightGradient(p: ConvProblem, x: Tensor, dy: Tensor): Approx {
  const single = withChanges(p, { inChannels: 1, outChannels: 1, group: 1, bias: false });
  const kernelSize = sizeOf(p.kernelShape), outSize = dy.data.length / (p.batch * p.outChannels);
  const inPerGroup = p.inChannels / p.group, outPerGroup = p.outChannels / p.group;
  const value = new Float64Array(sizeOf(weightShape(p))), scale = new Float64Array(value.length);
  for (let c = 0; c < p.inChannels; c++) {
    const g = Math.floor(c / inPerGroup);
    const channel = sliceChannels(x, c, 1);
    for (let k = 0; k < kernelSize; k++) {
      const oneHot = { shape: [1, 1, ...p.kernelShape], data: Float64Array.from({ length: kernelSize }, (_, j) => (j === k ? 1 : 0)) };
      const spread = convTransposeDetailed(single, { x: channel, w: oneHot }); // [N, 1, ...o]: x[i] placed at i·s - pb + k·d
      for (let mLocal = 0; mLocal < outPerGroup; mLocal++) {
        const m = g * outPerGroup + mLocal;
        let acc = 0, absAcc = 0;
        for (let n = 0; n < p.batch; n++) {
          for (let o = 0; o < outSize; o++) {
            const d = dy.data[(n * p.outChannels + m) * outSize + o];
            acc += d * spread.y.data[n * outSize + o]; absAcc += Math.abs(d) * spread.absSum[n * outSize + o];
          }
        }
        value[(c * outPerGroup + mLocal) * kernelSize + k] = acc;
        scale[(c * outPerGroup + mLocal) * kernelSize + k] = absAcc;
      }
    }
  }
  const shape = weightShape(p);
  return referenceSide({ shape, data: value }, { shape, data: scale });
}

/** ConvTranspose problems without bias. */
const transposedGradientCases = (scope: LawScope): fc.Arbitrary<ProblemCase> => problemCaseArb(scope, { types: TRANSPOSED_GRADIENT_TYPES, bias: false });

// ∂/∂x[j] Σ convT(x, w)·dy = ⟨dy, convT(e_j, w)⟩ = Σ_m,k w[c,m,k]·dy[n, g·M/G + m, i·s - pb + k·d]: the conv of dy
export const transposeInputGradientLaw = defineLaw('the input gradient of convTranspose is the conv of dy', {
  math: '∂/∂x[j] Σ convT(x, w)·dy = ⟨dy, convT(e_j, w)⟩ = Σ_m,k w[c,m,k]·dy[n,m,i·s - pb + k·d]',
  convTypes: TRANSPOSED_GRADIENT_TYPES,
  budgetShare: 0.6,
  cases: transposedGradientCases,
}, async (c, ctx) => {
  const { p, x, w, dy } = gradientOperands(c);
  const got = await ctx.gradient('input', p, { x, w }, dy);
  return judge('∂L/∂x vs ⟨dy, convT(e_j, w)⟩', compareApprox(got, oneHotTransposeInputGradient(p, w, dy), ctx.precision));
});

// ∂/∂w[j] Σ convT(x, w)·dy = ⟨dy, convT(x, e_j)⟩ = Σ_n,i x[n,c,i]·dy[n, g·M/G + m, i·s - pb + k·d]
export const transposeWeightGradientLaw = defineLaw('the weight gradient of convTranspose is the correlation of dy with x', {
  math: '∂/∂w[c,m,k] Σ convT(x, w)·dy = ⟨dy, convT(x, e_{c,m,k})⟩ = Σ_n,i x[n,c,i]·dy[n,m,i·s - pb + k·d]',
  convTypes: TRANSPOSED_GRADIENT_TYPES,
  budgetShare: 0.6,
  cases: transposedGradientCases,
}, async (c, ctx) => {
  const { p, x, w, dy } = gradientOperands(c);
  const got = await ctx.gradient('weight', p, { x, w }, dy);
  return judge('∂L/∂w vs ⟨dy, convT(x, e_j)⟩', compareApprox(got, oneHotTransposeWeightGradient(p, x, dy), ctx.precision));
});
