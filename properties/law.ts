/**
 * What a law is: a named invariant of convolution, stated as a sentence with a one-line formula,
 * with a generator of cases and ONE body that runs against any backend (the reference included).
 * `defineLaw(sentence, { math, convTypes }, body)` declares one.
 * The body runs every problem it needs through `ctx.run`, which checks that the backend supports
 * it (if not, the case is `unsupported`, never a pass), runs it and attaches the tolerance model's
 * error bound; the body then compares the two sides of its equation with `compareApprox`.
 */
import type * as fc from 'fast-check';
import type { GradientPart } from '../problem/backend.ts';
import type { Precision } from '../problem/precision.ts';
import type { DataMode } from '../problem/operand-data.ts';
import type { Comparison } from '../compare/judge.ts';
import type { ConvProblem } from '../problem/problem.ts';
import type { Tensor } from '../problem/tensor.ts';
import type { ConvOperands } from '../problem/operands.ts';
import type { QuantizedConvProblem, QuantizedOperands } from '../problem/quantized.ts';
import type { QuantizedRun } from '../compare/quantized-case.ts';
import type { ReceptiveLayer } from '../reference/receptive-field.ts';
import type { Approx } from './approx.ts';
import type { ConvType } from '../problem/conv-types.ts';
import { labelOf, problemCaseArb, type ProblemCase } from './arbitraries/problem-case.ts';

/**
 * Auxiliary ops and formulas some laws check or use besides Conv / ConvTranspose (default: the
 * reference's); the mutant tests swap in broken ones to prove those laws can fail.
 */
export interface AuxOps {
  /** ShuffleNet's channel shuffle of `x` `[N, C, ...]` with `groups` groups. */
  readonly channelShuffle: (x: Tensor, groups: number) => Tensor;
  /** Spatial output sizes of a problem (problem/shape.ts). */
  readonly outputSpatialShape: (p: ConvProblem) => number[];
  /** Multiplications of a Conv / ConvTranspose with padding taps skipped (reference/cost.ts). */
  readonly effectiveMultiplications: (p: ConvProblem) => number;
  /** Multiplications counting every tap, padding included: the article's formula (reference/cost.ts). */
  readonly denseMultiplications: (p: ConvProblem) => number;
  /** Learned parameters: weights and bias (reference/cost.ts). */
  readonly parameterCount: (p: ConvProblem) => number;
  /** Receptive field per axis of a stack of layers (reference/receptive-field.ts). */
  readonly receptiveField: (layers: readonly ReceptiveLayer[], rank: number) => number[];
}

/** What a law generates its cases for: the conv types asked for (a non-empty subset of the law's) and the data modes. */
export interface LawScope {
  readonly convTypes: readonly ConvType[];
  readonly modes: readonly DataMode[];
}

/** How a case is named in records and reports. */
export interface CaseLabel {
  /** The main problem of the case as a descriptor (problem/descriptor.ts), or a law-specific line. */
  readonly descriptor: string;
  readonly convType: ConvType;
  readonly mode: DataMode;
}

/** What a case body has at hand besides the backend. */
export interface LawContext {
  /** Precision the backend is judged by. */
  readonly precision: Precision;
  readonly mode: DataMode;
  readonly aux: AuxOps;
  /**
   * Runs `problem` on the backend with `operands` (rounded to float32 first) and returns the output
   * with its error bound. `inputError` bounds the error already in `operands.x` (from an earlier
   * run). Throws if the backend does not support the problem (the case becomes unsupported), if it
   * throws (error), or if its output has the wrong shape (fail).
   */
  run(problem: ConvProblem, operands: ConvOperands, inputError?: Float64Array): Promise<Approx>;
  /**
   * Runs the backend's gradient `part` (problem/backend.ts ConvGradients) of Conv problem
   * `problem` at x, w and dy (float32 values; the bias plays no part) and returns it with its
   * error bound: the tolerance model over the gradient's own sums (`Σ|dy·w|` per x element for
   * `input`, `Σ|dy·x|` per weight for `weight`), zero in exact mode when those stay exact. Throws
   * like `run`: unsupported when the backend has no gradients or not this one, error when it
   * throws, fail on a wrong shape.
   */
  gradient(part: GradientPart, problem: ConvProblem, operands: { readonly x: Tensor; readonly w: Tensor }, dy: Tensor): Promise<Approx>;
  /**
   * Runs ConvInteger or QLinearConv `problem` on the backend's quantized ops (problem/backend.ts
   * QuantizedConvOps) with integer `operands` and returns the output with the exact reference's
   * answer, its allowed outputs (compare/quantized-tolerance.ts) and the judgement of the one against
   * the other. Throws like `run`: unsupported when the backend has no quantized ops or declines the
   * problem, error when it throws, fail on a wrong shape.
   */
  runQuantized(problem: QuantizedConvProblem, operands: QuantizedOperands): Promise<QuantizedRun>;
}

/** The outcome of one case body. */
export interface Judgement {
  readonly ok: boolean;
  /** What was checked and, on failure, the first mismatching element. */
  readonly message: string;
  readonly metrics?: Comparison;
  /** Set when the check covered too little to count as a pass (nothing compared): the case is `weak`, with this reason. */
  readonly weak?: string;
}

/** A law's case generator: fast-check arbitrary of its cases within a scope. */
export type CasesOf<C> = (scope: LawScope) => fc.Arbitrary<C>;

/** A law's body: one case on one backend, through `ctx` only (it never asks which backend). */
export type LawBody<C> = (c: C, ctx: LawContext) => Promise<Judgement>;

/** What a law declares besides its name and body; everything but `math` and `convTypes` has a default. */
export interface LawSpec {
  /** One line of math: `⟨conv(x), y⟩ = ⟨x, convT(y)⟩`. Shown by `convcheck laws` and in reports. */
  readonly math: string;
  /** The conv types its cases cover. */
  readonly convTypes: readonly ConvType[];
  /** Structural laws (shapes, costs, receptive fields, permutations) run on the reference only; default false. */
  readonly structural?: boolean;
  /** Share of the per-law case budget (default 1; below 1 for costly laws). */
  readonly budgetShare?: number;
  /**
   * Whether a case whose reference outputs are mostly zeros is weak (mistrusted, default true).
   * False for a law whose check is itself about where the zeros are (a receptive field's support,
   * an output shape), which an implementation returning zeros cannot pass.
   */
  readonly mistrustZeros?: boolean;
}

/** A law over cases of type `C`, as the runner sees it. */
export interface Law<C = unknown> extends Required<LawSpec> {
  /** The law as a sentence: `transposed conv is the adjoint of conv`. */
  readonly name: string;
  /** The generator of its cases. */
  readonly cases: CasesOf<C>;
  /** How a case is named in records and reports. */
  readonly describe: (c: C) => CaseLabel;
  /** The body: one case on one backend. */
  readonly check: LawBody<C>;
}

/**
 * How a law's cases are drawn and named: by default one problem with its data, named by its
 * descriptor; `cases` is required for any other case type, and `describe` unless they extend problem cases.
 */
export type CaseSpec<C> = ([ProblemCase] extends [C] ? { readonly cases?: CasesOf<C> } : { readonly cases: CasesOf<C> }) & ([C] extends [ProblemCase]
  ? { readonly describe?: (c: C) => CaseLabel }
  : { readonly describe: (c: C) => CaseLabel });

/**
 * Declares a law as a sentence, its spec and one body, as `@fast-check/vitest`'s
 * `test.prop(arbs)('sentence', body)` reads. By default its cases are one problem of its conv
 * types with its data (`problemCaseArb`), named by the problem's descriptor (`labelOf`); a law
 * with other cases gives `cases`, and `describe` unless its cases are problem cases.
 * @example defineLaw('batch items are computed independently', { math: 'op(x)[n] = op(x_n)', convTypes: PROBLEM_TYPES }, async (c, ctx) => ...)
 */
export function defineLaw<C = ProblemCase>(name: string, spec: LawSpec & CaseSpec<C>, body: LawBody<C>): Law {
  const law: Law<C> = {
    name,
    math: spec.math,
    convTypes: spec.convTypes,
    structural: spec.structural ?? false,
    budgetShare: spec.budgetShare ?? 1,
    mistrustZeros: spec.mistrustZeros ?? true,
    cases: (spec.cases as CasesOf<C> | undefined) ?? ((scope) => problemCaseArb(scope) as unknown as fc.Arbitrary<C>),
    describe: (spec.describe as ((c: C) => CaseLabel) | undefined) ?? ((c) => labelOf(c as unknown as ProblemCase)),
    check: body,
  };
  // The case type is checked above; the runner lists laws of every case type together.
  return law as unknown as Law;
}

/** A passing judgement, or a failing one when `comparison` failed; the label says what was compared. */
export function judge(label: string, comparison: Comparison): Judgement {
  return { ok: comparison.verdict === 'pass', message: `${label}: ${comparison.message}`, metrics: comparison };
}

/** A case whose check compares nothing (every comparison would be vacuous): weak, never a pass. */
export function vacuous(reason: string): Judgement {
  return { ok: true, message: `vacuous: ${reason}`, weak: `vacuous: ${reason}` };
}

/** A structural check: pass when `ok`, else fail with `message`. */
export function expectThat(ok: boolean, message: string): Judgement {
  return { ok, message };
}

/** The first failing judgement, or a pass carrying the metrics with the largest normalized error. */
export function allOf(judgements: readonly Judgement[]): Judgement {
  const failed = judgements.find((j) => !j.ok);
  if (failed) return failed;
  const withMetrics = judgements.filter((j) => j.metrics !== undefined);
  const worst = withMetrics.reduce<Judgement | undefined>((w, j) => (w === undefined || (j.metrics?.maxNormalizedError ?? 0) > (w.metrics?.maxNormalizedError ?? 0) ? j : w), undefined);
  return { ok: true, message: judgements.map((j) => j.message).join('; '), ...(worst?.metrics ? { metrics: worst.metrics } : {}) };
}
