/**
 * One case of one law on one backend: runs each problem the law needs through the backend
 * (compare/backend-call.ts: support first, time-limited, float32 operands), attaches the tolerance
 * model's bounds, and keeps, for every call, its problem (to match known discrepancies), the share
 * of zeros in its reference output (to tell weak cases) and its own comparison with the reference
 * (to say which op is wrong when the law fails).
 */
import { callBackend, type CallOutcome } from '../compare/backend-call.ts';
import type { Comparison } from '../compare/judge.ts';
import { referenceResult } from '../compare/run-case.ts';
import { compareToReference, exactlyComputable, referenceBounds, type Bounds } from '../compare/tolerance.ts';
import type { Backend, GradientPart } from '../problem/backend.ts';
import { dataTraits, type DataTraits } from '../problem/known-discrepancy.ts';
import { formatDescriptor } from '../problem/descriptor.ts';
import type { DataMode } from '../problem/operand-data.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { normalizingUnit, type Precision } from '../problem/precision.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { inputTensorShape, outputTensorShape, weightShape } from '../problem/shape.ts';
import { checkTensor, toFloat32, type Tensor } from '../problem/tensor.ts';
import { validateProblem } from '../problem/validate.ts';
import { checkQuantizedOperands, type QuantizedConvProblem, type QuantizedOperands } from '../problem/quantized.ts';
import type { QuantizedEvidence } from '../problem/known-discrepancy.ts';
import { formatQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import { compareQuantized, noQuantizedOps, quantizedReferenceResult, type QuantizedReference, type QuantizedRun } from '../compare/quantized-case.ts';
import type { ConvResult } from '../reference/conv-result.ts';
import { referenceGradient } from '../compare/run-gradient-case.ts';
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

/** One call a case made: the problem, which gradient (none: the forward op), and what the call showed. */
export interface CaseCall {
  readonly problem: ConvProblem;
  readonly part?: GradientPart;
  /** Share of exactly-zero elements in the reference's output of this call. */
  readonly referenceZeroShare: number;
  /** What the call's operands held (NaN or ±Inf), for records about special values. */
  readonly data: DataTraits;
  /** The backend's output against the reference of the very same call (set once the call answered). */
  readonly comparison?: Comparison;
  /** The quantized problem, when the call ran the backend's ConvInteger or QLinearConv (`problem` is then its Conv attributes). */
  readonly quantized?: QuantizedConvProblem;
  /** What the exact reference knows of a quantized call (to match data-dependent known discrepancies). */
  readonly evidence?: QuantizedEvidence;
}

/** Integer data holds no NaN, infinity or subnormal. */
const NO_SPECIALS: DataTraits = { nonFinite: false, subnormal: false };

/** `t - float32(t)` elementwise, or undefined when `t` is float32 already. */
function roundingError(t: Tensor): Float64Array | undefined {
  if (t.data instanceof Float32Array) return undefined;
  let any = false;
  const data = new Float64Array(t.data.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.abs(t.data[i] - Math.fround(t.data[i]));
    if (data[i] !== 0) any = true;
  }
  return any ? data : undefined;
}

/** Share of exact zeros among `values`. */
function zeroShare(values: ArrayLike<number>): number {
  let zeros = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  return values.length === 0 ? 1 : zeros / values.length;
}

/** What a gradient sums: `Σ dy·w` per x element, `Σ x·dy` per weight. */
function gradientFactors(part: GradientPart, x: Tensor, w: Tensor, dy: Tensor): ReadonlyArray<readonly [Tensor, Tensor]> {
  return part === 'input' ? [[dy, w]] : [[x, dy]];
}

/** The LawContext of one case. */
export class CaseSession implements LawContext {
  /** Every call so far, in order. */
  readonly calls: CaseCall[] = [];

  constructor(
    private readonly backend: Backend,
    readonly precision: Precision,
    readonly mode: DataMode,
    readonly aux: AuxOps,
    private readonly timeoutMs: number = 60_000,
  ) {}

  /** Every problem run so far (forward runs and gradients), in order. */
  get problems(): ConvProblem[] {
    return this.calls.map((c) => c.problem);
  }

  async run(problem: ConvProblem, operands: ConvOperands, inputError?: Float64Array): Promise<Approx> {
    validateProblem(problem);
    const f32: ConvOperands = { x: toFloat32(operands.x), w: toFloat32(operands.w), ...(operands.b ? { b: toFloat32(operands.b) } : {}) };
    const where = formatDescriptor(problem);
    const outcome = await callBackend(this.backend, () => this.backend.supports(problem), (call) => this.backend.run(problem, f32, call), this.timeoutMs);
    const reference = this.answered(outcome, where, problem, undefined, dataTraits([f32.x, f32.w, f32.b]), () => referenceResult(problem, f32));
    const output = this.checkShape(outcome.kind === 'output' ? outcome.output : undefined, reference, where);
    // Errors already in the operands (rounding to float32, or carried from an earlier run) rule out exactness.
    const dx = roundingError(operands.x), dw = roundingError(operands.w), db = operands.b ? roundingError(operands.b) : undefined;
    const carried = inputError !== undefined && inputError.some((e) => e !== 0);
    const exact = !carried && !dx && !dw && !db && exactlyComputable(this.precision, [[f32.x, f32.w]], f32.b ? [f32.b] : [], reference.absSum);
    const bounds = referenceBounds(reference, this.precision, exact);
    this.judgeCall(output, reference, exact, bounds); // before the operand error is added below
    const operandError = this.operandErrorBound(problem, operands, f32, dx, dw, db, inputError);
    // the scale of normalized errors grows with the bound: err/(u·S) of a chained run or of operands
    // rounded to float32 is measured against u·S plus the error carried in, so it stays near 1 when correct
    const u = normalizingUnit(this.precision), absSum = Float64Array.from(reference.absSum);
    for (let i = 0; i < bounds.expected.length; i++) { bounds.expected[i] += operandError[i]; bounds.hard[i] += operandError[i]; absSum[i] += operandError[i] / u; }
    return { shape: [...reference.y.shape], value: Float64Array.from(output.data), bound: bounds.expected, hard: bounds.hard, absSum };
  }

  async gradient(part: GradientPart, problem: ConvProblem, operands: { readonly x: Tensor; readonly w: Tensor }, dy: Tensor): Promise<Approx> {
    validateProblem(problem);
    checkTensor('x', operands.x, inputTensorShape(problem));
    checkTensor('w', operands.w, weightShape(problem));
    checkTensor('dy', dy, outputTensorShape(problem));
    for (const [field, t] of [['x', operands.x], ['w', operands.w], ['dy', dy]] as const) {
      if (roundingError(t)) throw new Error(`gradient: ${field} must hold float32 values (its bound assumes no input rounding)`);
    }
    const gradients = this.backend.gradients;
    if (gradients === undefined) throw new UnsupportedCase('backend has no gradients');
    const x = toFloat32(operands.x), w = toFloat32(operands.w), dy32 = toFloat32(dy);
    const where = `the ${part} gradient of ${formatDescriptor(problem)}`;
    const outcome = await callBackend(
      this.backend, () => gradients.supports(problem, part),
      (call) => (part === 'input' ? gradients.input(problem, { x, w }, dy32, call) : gradients.weight(problem, { x, w }, dy32, call)), this.timeoutMs,
    );
    const reference = this.answered(outcome, where, problem, part, dataTraits([x, w, dy32]), () => referenceGradient(problem, part, x, w, dy32));
    const output = this.checkShape(outcome.kind === 'output' ? outcome.output : undefined, reference, where);
    const exact = exactlyComputable(this.precision, gradientFactors(part, x, w, dy32), [], reference.absSum);
    const bounds = referenceBounds(reference, this.precision, exact);
    this.judgeCall(output, reference, exact, bounds);
    return { shape: [...reference.y.shape], value: Float64Array.from(output.data), bound: bounds.expected, hard: bounds.hard, absSum: Float64Array.from(reference.absSum) };
  }

  async runQuantized(problem: QuantizedConvProblem, operands: QuantizedOperands): Promise<QuantizedRun> {
    checkQuantizedOperands(problem, operands);
    const ops = this.backend.quantized;
    if (ops === undefined) throw new UnsupportedCase(noQuantizedOps(this.backend));
    const where = formatQuantizedDescriptor(problem);
    const outcome = await callBackend(this.backend, () => ops.supports(problem), (call) => ops.run(problem, operands, call), this.timeoutMs);
    if (outcome.kind === 'unsupported') throw new UnsupportedCase(outcome.reason);
    if (outcome.kind === 'error') {
      if (outcome.phase === 'supports') throw new BackendError(`${this.backend.name}.quantized.supports threw on ${where}: ${outcome.message}`);
      this.calls.push({ problem: problem.conv, quantized: problem, referenceZeroShare: 0, data: NO_SPECIALS });
      throw new BackendError(`${this.backend.name} threw on ${where}: ${outcome.message}`);
    }
    const reference = quantizedReferenceResult(problem, operands);
    const output = outcome.output;
    const want = reference.y.shape;
    const referenceZeroShare = trivialShare(problem, reference);
    const evidence = { int32Overflows: reference.int32Overflows };
    if (output === undefined || output === null || !Array.isArray(output.shape) || output.shape.length !== want.length || output.shape.some((s, a) => s !== want[a]) || output.data?.length !== reference.y.data.length) {
      this.calls.push({ problem: problem.conv, quantized: problem, referenceZeroShare, evidence, data: NO_SPECIALS });
      throw new CaseFailure(`${this.backend.name} returned shape [${output?.shape}] (${output?.data?.length} elements) for ${where}, but its shape is [${want}]`);
    }
    const comparison = compareQuantized(reference, output);
    this.calls.push({ problem: problem.conv, quantized: problem, referenceZeroShare, evidence, comparison, data: NO_SPECIALS });
    return { output, reference, comparison };
  }

  /**
   * Turns a call's outcome into a record of the call and its reference result, or into the case's
   * verdict: unsupported, or an error naming the backend and the problem.
   */
  private answered<T>(outcome: CallOutcome<T>, where: string, problem: ConvProblem, part: GradientPart | undefined, data: DataTraits, reference: () => ConvResult): ConvResult {
    if (outcome.kind === 'unsupported') throw new UnsupportedCase(outcome.reason);
    const name = this.backend.name;
    if (outcome.kind === 'error') {
      if (outcome.phase === 'supports') throw new BackendError(`${name}${part ? '.gradients' : ''}.supports threw on ${formatDescriptor(problem)}: ${outcome.message}`);
      this.calls.push({ problem, ...(part ? { part } : {}), referenceZeroShare: 0, data });
      throw new BackendError(`${name} threw on ${where}: ${outcome.message}`);
    }
    const result = reference();
    this.calls.push({ problem, ...(part ? { part } : {}), referenceZeroShare: zeroShare(result.y.data), data });
    return result;
  }

  /** The output, unless its shape is not the reference's: then the case fails with both shapes. */
  private checkShape(output: Tensor | undefined, reference: ConvResult, where: string): Tensor {
    const want = reference.y.shape;
    if (output === undefined || output.shape.length !== want.length || output.shape.some((s, a) => s !== want[a]) || output.data.length !== reference.y.data.length) {
      throw new CaseFailure(`${this.backend.name} returned shape [${output?.shape}] (${output?.data.length} elements) for ${where}, but its shape is [${want}]`);
    }
    return output;
  }

  /** Records the last call's own comparison with the reference (what a failure's diagnosis reads). */
  private judgeCall(output: Tensor, reference: ConvResult, exact: boolean, bounds: Bounds): void {
    const last = this.calls.length - 1;
    this.calls[last] = { ...this.calls[last], comparison: compareToReference(reference, output, this.precision, { exact, bounds }) };
  }

  /**
   * What errors already in the operands (carried from an earlier run, or from rounding to float32)
   * can do to an output element, bounded without assuming which taps meet which inputs, so it
   * holds for any wiring of the op: `max|δx|·Σ|w[m]| + max|x|·Σ|δw[m]| + |δb[m]|`, sums over the
   * filter of output channel m.
   */
  private operandErrorBound(
    p: ConvProblem, given: ConvOperands, f32: ConvOperands, dx: Float64Array | undefined, dw: Float64Array | undefined, db: Float64Array | undefined, inputError?: Float64Array,
  ): Float64Array {
    const length = p.batch * p.outChannels * (outputTensorShape(p).slice(2).reduce((a, b) => a * b, 1));
    const bound = new Float64Array(length);
    let xErr = 0, xMax = 0;
    given.x.data.forEach((v, i) => {
      xErr = Math.max(xErr, (dx?.[i] ?? 0) + (inputError?.[i] ?? 0));
      xMax = Math.max(xMax, Math.abs(v));
    });
    if (xErr === 0 && !dw && !db) return bound;
    const perChannel = length / (p.batch * p.outChannels);
    const wAbs = filterSums(p, f32.w.data), wErr = dw ? filterSums(p, dw) : undefined;
    for (let i = 0; i < length; i++) {
      const m = Math.floor(i / perChannel) % p.outChannels;
      bound[i] = xErr * wAbs[m] + (wErr ? xMax * wErr[m] : 0) + (db ? db[m] : 0);
    }
    return bound;
  }
}

/**
 * The quantized counterpart of a zero share: the outputs an implementation ignoring its inputs
 * would get right. ConvInteger: exact zeros; QLinearConv: outputs equal to y_zp (a zero real value).
 */
function trivialShare(p: QuantizedConvProblem, reference: QuantizedReference): number {
  const trivial = p.requant?.yZeroPoint ?? 0;
  let count = 0;
  for (let i = 0; i < reference.y.data.length; i++) if (reference.y.data[i] === trivial) count++;
  return reference.y.data.length === 0 ? 1 : count / reference.y.data.length;
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
