/**
 * One case of one law on one backend: runs each problem the law needs through the backend (support
 * checked first, time-limited, float32 operands), attaches the tolerance model's error bound and
 * remembers the problems, so a failure can be matched against known discrepancies.
 */
import type { Backend, GradientPart } from '../problem/backend.ts';
import { ROUNDOFF, type Precision } from '../problem/precision.ts';
import type { DataMode } from '../problem/operand-data.ts';
import { referenceResult, withTimeout } from '../compare/run-case.ts';
import { elementBounds } from '../compare/tolerance.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { formatDescriptor } from '../problem/descriptor.ts';
import { inputTensorShape, outputTensorShape, weightShape } from '../problem/shape.ts';
import { checkTensor, toFloat32, type Tensor } from '../problem/tensor.ts';
import { validateProblem } from '../problem/validate.ts';
import type { ConvResult } from '../reference/conv-result.ts';
import { adjointProblem, convTransposeDetailed } from '../reference/conv-transpose.ts';
import { convWeightGradDetailed } from '../reference/conv-weight-grad.ts';
import type { ConvOperands } from '../problem/operands.ts';
import type { Approx } from './approx.ts';
import type { AuxOps, LawContext } from './law.ts';

/** The backend cannot run a problem the case needs: the case is unsupported. */
export class UnsupportedCase extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'UnsupportedCase';
  }
}

/** The backend threw (or timed out) on a problem: the case is an error. */
export class BackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

/** The backend answered with something a law can reject outright (a wrong output shape): the case fails. */
export class CaseFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaseFailure';
  }
}

/** Precisions whose integer data stays exact (inputs hold small integers exactly, fp32 accumulation). */
const EXACT_CAPABLE: readonly Precision[] = ['fp64', 'fp32', 'tf32'];

/** Largest `S = Σ|x·w|` for which every partial sum of integers is exact in float32. */
const EXACT_LIMIT = 2 ** 24;

function isIntegerTensor(t: Tensor | undefined): boolean {
  return t === undefined || t.data.every((v) => Number.isInteger(v));
}

/** `t - float32(t)` elementwise, or undefined when `t` is float32 already. */
function roundingError(t: Tensor): Tensor<Float64Array> | undefined {
  if (t.data instanceof Float32Array) return undefined;
  let any = false;
  const data = new Float64Array(t.data.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.abs(t.data[i] - Math.fround(t.data[i]));
    if (data[i] !== 0) any = true;
  }
  return any ? { shape: [...t.shape], data } : undefined;
}

/** A gradient a case asked the backend for: the Conv problem and which part. */
export interface GradientRun {
  readonly problem: ConvProblem;
  readonly part: GradientPart;
}

/**
 * The reference gradient `part` of Conv problem `p` with S and n per element: `input` is the
 * transposed conv of dy (the adjoint), `weight` the weight gradient's own loop.
 */
function referenceGradient(part: GradientPart, p: ConvProblem, x: Tensor, w: Tensor, dy: Tensor): ConvResult {
  return part === 'input' ? convTransposeDetailed(adjointProblem(p), { x: dy, w }) : convWeightGradDetailed(p, x, dy);
}

/** The LawContext of one case. */
export class CaseSession implements LawContext {
  /** Every problem run so far, in order. */
  readonly problems: ConvProblem[] = [];
  /** Every gradient asked for so far, in order (routed to known discrepancies with their part). */
  readonly gradientRuns: GradientRun[] = [];

  constructor(
    private readonly backend: Backend,
    readonly precision: Precision,
    readonly mode: DataMode,
    readonly aux: AuxOps,
    private readonly timeoutMs: number = 60_000,
  ) {}

  async run(problem: ConvProblem, operands: ConvOperands, inputError?: Float64Array): Promise<Approx> {
    validateProblem(problem);
    let support;
    try {
      support = this.backend.supports(problem);
    } catch (error) {
      throw new BackendError(`${this.backend.name}.supports threw on ${formatDescriptor(problem)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!support.supported) throw new UnsupportedCase(support.reason);
    this.problems.push(problem);
    const f32: ConvOperands = { x: toFloat32(operands.x), w: toFloat32(operands.w), ...(operands.b ? { b: toFloat32(operands.b) } : {}) };
    const reference = referenceResult(problem, f32);
    let output: Tensor;
    try {
      output = await withTimeout(this.backend.run(problem, f32), this.timeoutMs, this.backend.name);
    } catch (error) {
      if (error instanceof Error && error.name === 'UnsupportedError') throw new UnsupportedCase(error.message);
      throw new BackendError(`${this.backend.name} threw on ${formatDescriptor(problem)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const want = reference.y.shape;
    if (output.shape.length !== want.length || output.shape.some((s, a) => s !== want[a]) || output.data.length !== reference.y.data.length) {
      throw new CaseFailure(`${this.backend.name} returned shape [${output.shape}] (${output.data.length} elements) for ${formatDescriptor(problem)}, but its output shape is [${want}]`);
    }
    const bound = this.bounds(problem, operands, f32, reference.absSum, reference.terms, reference.y.data, inputError);
    return { shape: [...want], value: Float64Array.from(output.data), bound, absSum: Float64Array.from(reference.absSum) };
  }

  async gradient(part: GradientPart, problem: ConvProblem, operands: { readonly x: Tensor; readonly w: Tensor }, dy: Tensor): Promise<Approx> {
    validateProblem(problem);
    if (problem.op !== 'conv') throw new Error(`gradient: gradients are taken of Conv problems, but op=${problem.op}`);
    checkTensor('x', operands.x, inputTensorShape(problem));
    checkTensor('w', operands.w, weightShape(problem));
    checkTensor('dy', dy, outputTensorShape(problem));
    for (const [field, t] of [['x', operands.x], ['w', operands.w], ['dy', dy]] as const) {
      if (roundingError(t)) throw new Error(`gradient: ${field} must hold float32 values (its bound assumes no input rounding)`);
    }
    const gradients = this.backend.gradients;
    if (gradients === undefined) throw new UnsupportedCase('backend has no gradients');
    let support;
    try {
      support = gradients.supports(problem, part);
    } catch (error) {
      throw new BackendError(`${this.backend.name}.gradients.supports threw on ${formatDescriptor(problem)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!support.supported) throw new UnsupportedCase(support.reason);
    this.gradientRuns.push({ problem, part });
    const x = toFloat32(operands.x), w = toFloat32(operands.w), dy32 = toFloat32(dy);
    const reference = referenceGradient(part, problem, x, w, dy32);
    let output: Tensor;
    try {
      const pending = part === 'input' ? gradients.input(problem, { x, w }, dy32) : gradients.weight(problem, { x, w }, dy32);
      output = await withTimeout(pending, this.timeoutMs, this.backend.name);
    } catch (error) {
      if (error instanceof Error && error.name === 'UnsupportedError') throw new UnsupportedCase(error.message);
      throw new BackendError(`${this.backend.name} threw on the ${part} gradient of ${formatDescriptor(problem)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const want = reference.y.shape;
    if (output.shape.length !== want.length || output.shape.some((s, a) => s !== want[a]) || output.data.length !== reference.y.data.length) {
      throw new CaseFailure(`${this.backend.name} returned shape [${output.shape}] (${output.data.length} elements) for the ${part} gradient of ${formatDescriptor(problem)}, but its shape is [${want}]`);
    }
    // Exact mode: integer operands and every gradient sum within 2^24 make any summation order exact.
    const r = ROUNDOFF[this.precision];
    const exact = this.mode === 'exact' && EXACT_CAPABLE.includes(this.precision) && [x, w, dy32].every(isIntegerTensor)
      && reference.absSum.every((s) => s <= EXACT_LIMIT);
    const bound = Float64Array.from(reference.y.data, (y, i) => {
      if (exact) return 0;
      const b = elementBounds(reference.absSum[i], reference.terms[i], y, r);
      return Math.min(b.hard, b.expected);
    });
    return { shape: [...want], value: Float64Array.from(output.data), bound, absSum: Float64Array.from(reference.absSum) };
  }

  /**
   * Per-element bound: zero in exact mode when the data is integer and small enough, else the
   * tolerance model's `min(hard, expected)`; plus what errors already in the operands (carried
   * from an earlier run, or from rounding to float32) can do. That part is bounded without
   * assuming which taps meet which inputs, so it holds for any wiring of the op:
   * `max|δx|·Σ|w[m]| + max|x|·Σ|δw[m]| + |δb[m]|`, sums over the filter of output channel m.
   */
  private bounds(
    p: ConvProblem, given: ConvOperands, f32: ConvOperands, absSum: Float64Array, terms: Int32Array, y: Float64Array, inputError?: Float64Array,
  ): Float64Array {
    const r = ROUNDOFF[this.precision];
    const dx = roundingError(given.x), dw = roundingError(given.w), db = given.b ? roundingError(given.b) : undefined;
    const carried = inputError !== undefined && inputError.some((e) => e !== 0);
    const exact = this.mode === 'exact' && EXACT_CAPABLE.includes(this.precision) && !carried && !dx && !dw && !db
      && isIntegerTensor(f32.x) && isIntegerTensor(f32.w) && isIntegerTensor(f32.b) && absSum.every((s) => s <= EXACT_LIMIT);
    const bound = new Float64Array(y.length);
    if (!exact) {
      for (let i = 0; i < y.length; i++) {
        const b = elementBounds(absSum[i], terms[i], y[i], r);
        bound[i] = Math.min(b.hard, b.expected);
      }
    }
    let xErr = 0, xMax = 0;
    given.x.data.forEach((v, i) => {
      xErr = Math.max(xErr, (dx?.data[i] ?? 0) + (inputError?.[i] ?? 0));
      xMax = Math.max(xMax, Math.abs(v));
    });
    const perChannel = y.length / (p.batch * p.outChannels);
    const wAbs = filterSums(p, f32.w.data), wErr = dw ? filterSums(p, dw.data) : undefined;
    for (let i = 0; i < bound.length; i++) {
      const m = Math.floor(i / perChannel) % p.outChannels;
      bound[i] += xErr * wAbs[m] + (wErr ? xMax * wErr[m] : 0) + (db ? db.data[m] : 0);
    }
    return bound;
  }
}

/**
 * Per output channel m, `Σ|w|` over every weight that can reach it: Conv `w[m, :, ...]`;
 * ConvTranspose `w[c, m mod (M/g), ...]` for the input channels c of m's group.
 */
function filterSums(p: ConvProblem, w: ArrayLike<number>): Float64Array {
  const sums = new Float64Array(p.outChannels);
  const kernel = p.kernelShape.reduce((n, k) => n * k, 1);
  if (p.op === 'conv') {
    const perFilter = (p.inChannels / p.group) * kernel;
    for (let m = 0; m < p.outChannels; m++) for (let j = 0; j < perFilter; j++) sums[m] += Math.abs(w[m * perFilter + j]);
    return sums;
  }
  const inPerGroup = p.inChannels / p.group, outPerGroup = p.outChannels / p.group;
  for (let c = 0; c < p.inChannels; c++) {
    const g = Math.floor(c / inPerGroup);
    for (let m = 0; m < outPerGroup; m++) {
      for (let k = 0; k < kernel; k++) sums[g * outPerGroup + m] += Math.abs(w[(c * outPerGroup + m) * kernel + k]);
    }
  }
  return sums;
}