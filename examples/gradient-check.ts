/**
 * Gradients of any Conv or ConvTranspose problem by their definition, for the example
 * implementations' tests: with `L = Σ op(x, w, b)·dy` and op linear in x and in w,
 * `∂L/∂x[j] = Σ op(e_j, w)·dy` and `∂L/∂w[j] = Σ op(x, e_j)·dy` (one reference forward run per
 * element, e_j one-hot), and `∂L/∂b[m] = Σ dy[:, m, ...]`. It shares no loop with any gradient
 * code (the reference's, numpy's, PyTorch's autograd), and is slow: for small problems only.
 */
import { referenceResult } from '../compare/run-case.ts';
import { withChanges, type ConvProblem } from '../problem/problem.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { biasShape, outputTensorShape, sizeOf } from '../problem/shape.ts';
import { checkTensor, type Tensor } from '../problem/tensor.ts';
import type { ExternalBackend } from '../adapters/process-backend.ts';
import { gradientCase } from './tables.ts';

/** dx, dw (and db when the problem has a bias), float64. */
export interface DefinedGradients {
  readonly dx: Tensor<Float64Array>;
  readonly dw: Tensor<Float64Array>;
  readonly db?: Tensor<Float64Array>;
}

/** Largest x or w this check takes (one forward run per element). */
const MAX_ELEMENTS = 4096;

/** `Σ op(x, w)·dy` for the linear part of `p` (no bias). */
function loss(p: ConvProblem, x: Tensor, w: Tensor, dy: Tensor): number {
  const y = referenceResult(p, { x, w }).y.data;
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i] * dy.data[i];
  return sum;
}

/** `∂L/∂t[j]` for every element j of t, where `L(t)` is linear in t: L at the one-hot e_j. */
function gradientOf(t: Tensor, lossAt: (oneHot: Tensor) => number): Tensor<Float64Array> {
  if (t.data.length > MAX_ELEMENTS) throw new RangeError(`gradientsByDefinition: ${t.data.length} elements, more than ${MAX_ELEMENTS}; use a smaller problem.`);
  const oneHot = { shape: [...t.shape], data: new Float64Array(t.data.length) };
  const grad = new Float64Array(t.data.length);
  for (let j = 0; j < grad.length; j++) {
    oneHot.data[j] = 1;
    grad[j] = lossAt(oneHot);
    oneHot.data[j] = 0;
  }
  return { shape: [...t.shape], data: grad };
}

/** The gradients of `p` at `operands` for the upstream gradient `dy` (shape of the output), by definition. */
export function gradientsByDefinition(p: ConvProblem, operands: ConvOperands, dy: Tensor): DefinedGradients {
  checkTensor('dy', dy, outputTensorShape(p));
  const linear = withChanges(p, { bias: false });
  const dx = gradientOf(operands.x, (e) => loss(linear, e, operands.w, dy));
  const dw = gradientOf(operands.w, (e) => loss(linear, operands.x, e, dy));
  if (!p.bias) return { dx, dw };
  const [m] = biasShape(p);
  const perChannel = sizeOf(dy.shape) / (p.batch * m);
  const db = new Float64Array(m);
  for (let i = 0; i < dy.data.length; i++) db[Math.floor(i / perChannel) % m] += dy.data[i];
  return { dx, dw, db: { shape: [m], data: db } };
}

/**
 * Where an implementation's dx, dw and db of `p` differ from their definition on exact data (where
 * a correct float32 implementation matches the float64 definition rounded once), as
 * `dw[3]: got 1, expected 2`; empty when they agree bit for bit. Also an entry when the definition
 * is all zeros (the check would prove nothing).
 */
export async function gradientMismatches(backend: ExternalBackend, p: ConvProblem, seed: number): Promise<string[]> {
  const { operands, dy } = gradientCase(p, 'exact', seed);
  const got = await backend.gradient(p, operands, dy);
  const want = gradientsByDefinition(p, operands, dy);
  const found: string[] = [];
  const compare = (field: string, have: Tensor | undefined, expected: Tensor | undefined): void => {
    if (have === undefined || expected === undefined) {
      if (have !== expected) found.push(`${field}: got ${have === undefined ? 'none' : 'one'}, expected ${expected === undefined ? 'none' : 'one'}`);
      return;
    }
    if (have.shape.join() !== expected.shape.join()) { found.push(`${field}: shape [${have.shape}], expected [${expected.shape}]`); return; }
    const index = Array.from(have.data).findIndex((v, i) => v !== Math.fround(expected.data[i]));
    if (index >= 0) found.push(`${field}[${index}]: got ${have.data[index]}, expected ${Math.fround(expected.data[index])}`);
  };
  compare('dx', got.dx, want.dx);
  compare('dw', got.dw, want.dw);
  compare('db', got.db, want.db);
  if (!want.dx.data.some((v) => v !== 0) || !want.dw.data.some((v) => v !== 0)) found.push('the definition is all zeros: the data shows nothing');
  return found;
}
