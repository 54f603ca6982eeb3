/**
 * Conv as an explicit matrix (the article's §6): flatten the input to a vector and conv is one
 * matrix-vector product, `C · Large = Small`; the transposed conv is `Cᵀ · Small = Large`. For a
 * 4x4 input and a 3x3 kernel, C is 4x16. Built from its own loops (where each weight lands), not by
 * running conv on unit vectors, so it is a second, independent oracle for conv and its adjoint.
 */
import { ConvInputError } from '../problem/errors.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { inputTensorShape, outputSpatialShape, outputTensorShape, resolvePads, sizeOf, weightShape } from '../problem/shape.ts';
import { checkTensor, type Tensor } from '../problem/tensor.ts';
import { validateProblem } from '../problem/validate.ts';
import { gridPositions, windowInputOffset } from './grid-index.ts';
import type { OpResult } from './op-result.ts';

/** Largest matrix convMatrix builds: 2^22 entries (32 MiB of float64). */
export const MAX_MATRIX_ENTRIES = 2 ** 22;

/**
 * A dense row-major matrix that maps tensors of `colShape` to tensors of `rowShape`:
 * entry `(r, c)` is `data[r·cols + c]`, `rows = sizeOf(rowShape)`, `cols = sizeOf(colShape)`.
 */
export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  /** Shape of `C·x`: the conv output `[N, M, ...o]`. */
  readonly rowShape: readonly number[];
  /** Shape of x: the conv input `[N, C, ...i]`. */
  readonly colShape: readonly number[];
  readonly data: Float64Array;
}

/**
 * The matrix C of a Conv problem with weights w: rows are output elements `[N·M·Πo]`, columns input
 * elements `[N·C·Πi]`, and `C[(n, m, o), (n, g·C/G + c, o·s - pb + k·d)] = w[m, c, k]` for every
 * tap k that lands inside the input (g = group of m). The bias is not linear: bias must be false.
 * @example convMatrix(makeProblem({ inChannels: 1, outChannels: 1, inputShape: [4, 4], kernelShape: [3, 3] }), w) // 4x16
 */
export function convMatrix(p: ConvProblem, w: Tensor): DenseMatrix {
  checkConvMatrix(p, w);
  const rowShape = outputTensorShape(p), colShape = inputTensorShape(p);
  const rows = sizeOf(rowShape), cols = sizeOf(colShape);
  const data = new Float64Array(rows * cols);
  const outPositions = gridPositions(outputSpatialShape(p)), kernelPositions = gridPositions(p.kernelShape);
  const outSize = outPositions.length, inSize = sizeOf(p.inputShape), kernelSize = kernelPositions.length;
  const geometry = { strides: p.strides, dilations: p.dilations, padsBegin: resolvePads(p).begin };
  const inPerGroup = p.inChannels / p.group, outPerGroup = p.outChannels / p.group;
  for (let n = 0; n < p.batch; n++) {
    for (let m = 0; m < p.outChannels; m++) {
      const g = Math.floor(m / outPerGroup);
      for (let o = 0; o < outSize; o++) {
        const row = (n * p.outChannels + m) * outSize + o;
        for (let c = 0; c < inPerGroup; c++) {
          const inChannel = g * inPerGroup + c;
          for (let k = 0; k < kernelSize; k++) {
            const inOffset = windowInputOffset(outPositions[o], kernelPositions[k], p.inputShape, geometry);
            if (inOffset < 0) continue; // the tap reads zero padding: no column
            const col = (n * p.inChannels + inChannel) * inSize + inOffset;
            data[row * cols + col] += w.data[(m * inPerGroup + c) * kernelSize + k];
          }
        }
      }
    }
  }
  return { rows, cols, rowShape, colShape, data };
}

function checkConvMatrix(p: ConvProblem, w: Tensor): void {
  if (p.op !== 'conv') {
    throw new ConvInputError('op', `convMatrix: C is built for a conv problem (its transposed conv, adjointProblem(p), is Cᵀ), but op=${p.op}.`);
  }
  validateProblem(p);
  if (p.bias) throw new ConvInputError('bias', 'convMatrix: C is the linear map x -> conv(x) and a bias makes it affine, so bias must be false, but bias=true.');
  const rows = sizeOf(outputTensorShape(p)), cols = sizeOf(inputTensorShape(p));
  if (rows * cols > MAX_MATRIX_ENTRIES) {
    throw new ConvInputError('inputShape', `convMatrix: C must have at most 2^22 entries, but it would be ${rows}x${cols} = ${rows * cols}.`);
  }
  checkTensor('w', w, weightShape(p));
}

/**
 * `y = C·x`: x of shape `colShape` -> y of shape `rowShape`, `y[r] = Σ_c C[r, c]·x[c]`. Dense: every
 * entry is multiplied, zeros included (`rows·cols` multiplications).
 */
export function matVec(C: DenseMatrix, x: Tensor): OpResult {
  checkTensor('x', x, C.colShape);
  const y = new Float64Array(C.rows);
  for (let r = 0; r < C.rows; r++) {
    let acc = 0;
    for (let c = 0; c < C.cols; c++) acc += C.data[r * C.cols + c] * x.data[c];
    y[r] = acc;
  }
  return { y: { shape: [...C.rowShape], data: y }, multiplications: C.rows * C.cols };
}

/**
 * `x = Cᵀ·y`: y of shape `rowShape` -> x of shape `colShape`, `x[c] = Σ_r C[r, c]·y[r]`: the
 * transposed conv of the adjoint problem. Dense: `rows·cols` multiplications.
 */
export function matTransposeVec(C: DenseMatrix, y: Tensor): OpResult {
  checkTensor('y', y, C.rowShape);
  const x = new Float64Array(C.cols);
  for (let c = 0; c < C.cols; c++) {
    let acc = 0;
    for (let r = 0; r < C.rows; r++) acc += C.data[r * C.cols + c] * y.data[r];
    x[c] = acc;
  }
  return { y: { shape: [...C.colShape], data: x }, multiplications: C.rows * C.cols };
}

/** Entry `(r, c)` of C. */
export function matrixEntry(C: DenseMatrix, r: number, c: number): number {
  if (!Number.isInteger(r) || r < 0 || r >= C.rows || !Number.isInteger(c) || c < 0 || c >= C.cols) {
    throw new ConvInputError('index', `matrixEntry: (r, c) must be inside the ${C.rows}x${C.cols} matrix, but (r, c)=(${r}, ${c}).`);
  }
  return C.data[r * C.cols + c];
}
