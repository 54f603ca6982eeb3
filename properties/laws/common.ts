/**
 * Small helpers the law bodies share: operands of a case, the scale of a reference op, and the
 * problem edits laws are stated with.
 */
import { drawTensor, exactRanges, makeOperands, type DataMode } from '../../problem/operand-data.ts';
import { withChanges, type ConvProblem } from '../../problem/problem.ts';
import { explicitAttributes } from '../../problem/shape.ts';
import type { Tensor, Tensor64 } from '../../problem/tensor.ts';
import type { ConvOperands } from '../../problem/operands.ts';
import { referenceSide, type Approx } from '../approx.ts';
import type { LawScope } from '../law.ts';
import { mapTensor } from '../../reference/tensor-ops.ts';

/** Operands of a problem drawn from a seed (float32, see problem/operand-data.ts). */
export function operandsOf(p: ConvProblem, mode: DataMode, seed: number): ConvOperands {
  return makeOperands(p, mode, seed);
}

/** Elementwise absolute value. */
export function abs(t: Tensor): Tensor64 {
  return mapTensor(t, Math.abs);
}

/**
 * A reference op's answer as an Approx: `op(operands)` for the value, and `op(|operands|)` for the
 * scale `S` (every op here is linear in each operand, so that is `Σ|terms|`). An operand may be
 * undefined (an absent bias): it is passed on as undefined.
 */
export function referenceApprox<T extends ReadonlyArray<Tensor | undefined>>(op: (...args: T) => { readonly y: Tensor }, ...args: T): Approx {
  const absArgs = args.map((t) => (t === undefined ? undefined : abs(t))) as unknown as T;
  return referenceSide(op(...args).y, op(...absArgs).y);
}

/** Conv operands with the bias `b` when there is one: `{ x, w, b }` or `{ x, w }`. */
export function withBias(operands: { readonly x: Tensor; readonly w: Tensor }, b: Tensor | undefined): ConvOperands {
  return b === undefined ? operands : { ...operands, b };
}

/**
 * A scope for laws that feed one run's output into another run: the modes whose values sit at
 * float32's edges (positive-large, wide-range) would overflow the second run and leave little to
 * compare, so those laws draw the others.
 */
export function chainable(scope: LawScope): LawScope {
  return { ...scope, modes: scope.modes.filter((m) => m !== 'positive-large' && m !== 'wide-range') };
}

/** The problem without its bias (laws about the linear part). */
export function linearPart(p: ConvProblem): ConvProblem {
  return withChanges(p, { bias: false });
}

/** The problem with auto_pad and output_shape replaced by the explicit pads they resolve to. */
export function explicitPads(p: ConvProblem): ConvProblem {
  return withChanges(p, { autoPad: 'NOTSET', ...explicitAttributes(p), outputShape: undefined });
}

/** A number of ones, one per spatial axis of `p`. */
export function ones(p: ConvProblem): number[] {
  return p.inputShape.map(() => 1);
}

/** A second, independent seed derived from a case seed. */
export function nextSeed(seed: number, k = 1): number {
  return (seed + 0x9e3779b9 * k) >>> 1;
}

/**
 * An input-like tensor `[N, C, ...spatial]` for `p` of any spatial size, drawn like `makeOperands`
 * draws x in `mode` (integers within p's exact range in the exact modes).
 */
export function inputLike(p: ConvProblem, spatial: readonly number[], mode: DataMode, seed: number): Tensor<Float32Array> {
  return drawTensor([p.batch, p.inChannels, ...spatial], mode, seed, exactRanges(p).xMax);
}
