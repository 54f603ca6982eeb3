/**
 * The gradients of ConvTranspose, for `L = Σ y·dy` with `y = convTranspose(p, x, w)` (the bias
 * plays no part): what a framework's backward kernels of a transposed conv compute. Both read dy
 * along the map the forward scatters through, `t = i·s - pb + k·d`; taps that land in the cropped
 * border read nothing and are not counted. Their own loops; never a Conv call.
 */
import { ConvInputError } from '../problem/errors.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { inputTensorShape, outputTensorShape, sizeOf, weightShape } from '../problem/shape.ts';
import { checkTensor, type Tensor } from '../problem/tensor.ts';
import { validateProblem } from '../problem/validate.ts';
import type { ConvResult } from './conv-result.ts';
import { convGeometry } from './conv-setup.ts';

/** Checks a ConvTranspose problem and one operand and dy for its gradients. */
function checkGradientInputs(p: ConvProblem, what: string, name: 'x' | 'w', operand: Tensor, dy: Tensor): void {
  validateProblem(p);
  if (p.op !== 'convTranspose') throw new ConvInputError('op', `${what}: the problem must be a convTranspose, but op=${p.op}.`);
  checkTensor(name, operand, name === 'x' ? inputTensorShape(p) : weightShape(p));
  checkTensor('dy', dy, outputTensorShape(p));
}

/**
 * Input gradient of a ConvTranspose problem with the tolerance model's inputs (`absSum`, `terms`
 * per input element): `dx[n, c, i] = Σ_m Σ_k w[c, m, k] · dy[n, g·M/G + m, i·s - pb + k·d]`,
 * g = group of c. w `[C, M/G, ...k]`, dy `[N, M, ...o]`; the result has x's shape `[N, C, ...i]`.
 * @example convTransposeInputGradDetailed(parseDescriptor('Tmb1ic1iw2oc1kw2sw2'), w, dy).y
 */
export function convTransposeInputGradDetailed(p: ConvProblem, w: Tensor, dy: Tensor): ConvResult {
  checkGradientInputs(p, 'convTransposeInputGrad', 'w', w, dy);
  // the window walks the input i and reads the output: outPos = i·s - pb + k·d
  const { inSize, outSize, kernelSize, inPerGroup, outPerGroup, windowTable: inTable, kernelTable, window } = convGeometry(p);
  const shape = inputTensorShape(p);
  const dx = new Float64Array(sizeOf(shape)), absSum = new Float64Array(dx.length), terms = new Int32Array(dx.length);
  let multiplications = 0;
  for (let n = 0; n < p.batch; n++) {
    for (let c = 0; c < p.inChannels; c++) {
      const g = Math.floor(c / inPerGroup);
      for (let i = 0; i < inSize; i++) {
        const xIdx = (n * p.inChannels + c) * inSize + i;
        let acc = 0, abs = 0, count = 0;
        for (let mLocal = 0; mLocal < outPerGroup; mLocal++) {
          const dyBase = (n * p.outChannels + g * outPerGroup + mLocal) * outSize;
          const wBase = (c * outPerGroup + mLocal) * kernelSize;
          for (let k = 0; k < kernelSize; k++) {
            const outOffset = window.tapOffset(inTable, i, kernelTable, k);
            if (outOffset < 0) continue; // the tap lands in the cropped border: nothing to read
            const product = w.data[wBase + k] * dy.data[dyBase + outOffset];
            acc += product; abs += Math.abs(product); count++;
          }
        }
        dx[xIdx] = acc; absSum[xIdx] = abs; terms[xIdx] = count;
        multiplications += count;
      }
    }
  }
  return { y: { shape, data: dx }, absSum, terms, multiplications };
}

/**
 * Weight gradient of a ConvTranspose problem with the tolerance model's inputs:
 * `dW[c, m, k] = Σ_n Σ_i x[n, c, i] · dy[n, g·M/G + m, i·s - pb + k·d]`, g = group of c.
 * x `[N, C, ...i]`, dy `[N, M, ...o]`; the result has the weight's shape `[C, M/G, ...k]`.
 * @example convTransposeWeightGradDetailed(parseDescriptor('Tmb1ic1iw2oc1kw2sw2'), x, dy).y
 */
export function convTransposeWeightGradDetailed(p: ConvProblem, x: Tensor, dy: Tensor): ConvResult {
  checkGradientInputs(p, 'convTransposeWeightGrad', 'x', x, dy);
  const { inSize, outSize, kernelSize, inPerGroup, outPerGroup, windowTable: inTable, kernelTable, window } = convGeometry(p);
  const shape = weightShape(p);
  const dw = new Float64Array(sizeOf(shape)), absSum = new Float64Array(dw.length), terms = new Int32Array(dw.length);
  let multiplications = 0;
  for (let c = 0; c < p.inChannels; c++) {
    const g = Math.floor(c / inPerGroup);
    for (let mLocal = 0; mLocal < outPerGroup; mLocal++) {
      for (let k = 0; k < kernelSize; k++) {
        const wIdx = (c * outPerGroup + mLocal) * kernelSize + k;
        let acc = 0, abs = 0, count = 0;
        for (let n = 0; n < p.batch; n++) {
          const xBase = (n * p.inChannels + c) * inSize;
          const dyBase = (n * p.outChannels + g * outPerGroup + mLocal) * outSize;
          for (let i = 0; i < inSize; i++) {
            const outOffset = window.tapOffset(inTable, i, kernelTable, k);
            if (outOffset < 0) continue; // the tap lands in the cropped border: no contribution
            const product = x.data[xBase + i] * dy.data[dyBase + outOffset];
            acc += product; abs += Math.abs(product); count++;
          }
        }
        dw[wIdx] = acc; absSum[wIdx] = abs; terms[wIdx] = count;
        multiplications += count;
      }
    }
  }
  return { y: { shape, data: dw }, absSum, terms, multiplications };
}
