/**
 * Operand data for a problem, in the two modes of the tolerance model:
 * - exact: small integers with `n_acc · max|x| · max|w| + max|b| ≤ 2^24` (oneDNN benchdnn's scheme),
 *   so every partial sum in any order is an integer exactly representable in float32: a correct
 *   float32 backend matches the reference bit for bit;
 * - real: float32 reals in [-1, 1) with mixed signs, so cancellation happens.
 * Data is float32 (what backends consume); the reference reads the same float32 values.
 */
import type { ConvProblem } from './problem.ts';
import { biasShape, inputTensorShape, sizeOf, weightShape } from './shape.ts';
import type { Tensor } from './tensor.ts';
import type { ConvOperands } from './operands.ts';
import { Random } from './random.ts';

/** How operand values are drawn. */
export type DataMode = 'exact' | 'real';

/** Upper bound of the accumulation length of any output element: `C/group · Πk` (+1 with bias). */
export function maxAccumulationLength(p: ConvProblem): number {
  return (p.inChannels / p.group) * sizeOf(p.kernelShape) + (p.bias ? 1 : 0);
}

/** Integer ranges `|x| ≤ xMax`, `|w| ≤ wMax` that keep every partial sum within 2^24. */
export function exactRanges(p: ConvProblem): { xMax: number; wMax: number; bMax: number } {
  const n = maxAccumulationLength(p);
  const budget = 2 ** 24 / n;
  const xMax = Math.max(1, Math.min(8, Math.floor(Math.sqrt(budget))));
  const wMax = Math.max(1, Math.min(8, Math.floor(budget / xMax)));
  return { xMax, wMax, bMax: wMax };
}

function fill(shape: readonly number[], draw: () => number): Tensor<Float32Array> {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return { shape: [...shape], data };
}

/**
 * Operands for `p` drawn from `seed`. Exact mode draws integers in the ranges of
 * {@link exactRanges}, a third of them zero (sparse); real mode draws uniform reals in [-1, 1).
 */
export function makeOperands(p: ConvProblem, mode: DataMode, seed: number): ConvOperands {
  const rng = new Random(seed);
  const draw = (max: number) => (): number => {
    if (mode === 'real') return rng.next() * 2 - 1;
    return rng.int(0, 2) === 0 ? 0 : rng.int(-max, max);
  };
  const { xMax, wMax, bMax } = exactRanges(p);
  const x = fill(inputTensorShape(p), draw(xMax));
  const w = fill(weightShape(p), draw(wMax));
  return p.bias ? { x, w, b: fill(biasShape(p), draw(bMax)) } : { x, w };
}
