/**
 * The gradient of Conv with respect to its weight: what a framework's backward-filter kernel
 * (TensorFlow's Conv2DBackpropFilter, cuDNN's wgrad) computes. Its own loop over the same window
 * map Conv gathers through; never a Conv call.
 */
import { ConvInputError } from '../problem/errors.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { inputTensorShape, outputTensorShape, sizeOf, weightShape } from '../problem/shape.ts';
import { checkTensor, type Tensor } from '../problem/tensor.ts';
import { validateProblem } from '../problem/validate.ts';
import type { ConvResult } from './conv-result.ts';
import type { OpResult } from './op-result.ts';
import { convGeometry } from './conv-setup.ts';

/**
 * Weight gradient of a Conv problem with the tolerance model's inputs (`absSum`, `terms` per
 * weight element): for `L = Σ y·dy`, `y = conv(p, x, w)`,
 * `dW[m, c, k] = Σ_n Σ_o dy[n, m, o] · x[n, g·C/G + c, o·s - pb + k·d]`, g = group of m; taps
 * in the zero padding contribute nothing and are not counted. x `[N, C, ...]`, dy `[N, M, ...o]`;
 * the result has the weight's shape `[M, C/group, ...k]`. The bias (if any) plays no part.
 * @example convWeightGradDetailed(makeProblem({ inChannels: 1, outChannels: 1, inputShape: [3], kernelShape: [2] }), x, dy).y
 */
export function convWeightGradDetailed(p: ConvProblem, x: Tensor, dy: Tensor): ConvResult {
  validateProblem(p);
  if (p.op !== 'conv') throw new ConvInputError('op', `convWeightGrad: the problem must be a conv, but op=${p.op}.`);
  checkTensor('x', x, inputTensorShape(p));
  checkTensor('dy', dy, outputTensorShape(p));
  // the window walks the output o and reads the input: inPos = o·s - pb + k·d
  const { inSize, outSize, kernelSize, inPerGroup, outPerGroup, windowTable: outTable, kernelTable, window } = convGeometry(p);
  const dw = new Float64Array(sizeOf(weightShape(p)));
  const absSum = new Float64Array(dw.length);
  const terms = new Int32Array(dw.length);
  let multiplications = 0;
  for (let m = 0; m < p.outChannels; m++) {
    const g = Math.floor(m / outPerGroup);
    for (let c = 0; c < inPerGroup; c++) {
      for (let k = 0; k < kernelSize; k++) {
        const wIdx = (m * inPerGroup + c) * kernelSize + k;
        let acc = 0, abs = 0, count = 0;
        for (let n = 0; n < p.batch; n++) {
          const xBase = (n * p.inChannels + g * inPerGroup + c) * inSize;
          const dyBase = (n * p.outChannels + m) * outSize;
          for (let o = 0; o < outSize; o++) {
            const inOffset = window.tapOffset(outTable, o, kernelTable, k);
            if (inOffset < 0) continue; // the tap read zero padding: no contribution
            const product = dy.data[dyBase + o] * x.data[xBase + inOffset];
            acc += product; abs += Math.abs(product); count++;
          }
        }
        dw[wIdx] = acc; absSum[wIdx] = abs; terms[wIdx] = count;
        multiplications += count;
      }
    }
  }
  return { y: { shape: weightShape(p), data: dw }, absSum, terms, multiplications };
}

/** Reference Conv weight gradient `[M, C/group, ...k]`, float64. See {@link convWeightGradDetailed}. */
export function convWeightGrad(p: ConvProblem, x: Tensor, dy: Tensor): OpResult {
  const { y, multiplications } = convWeightGradDetailed(p, x, dy);
  return { y, multiplications };
}
