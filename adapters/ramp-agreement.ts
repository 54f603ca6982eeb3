/**
 * What the known-discrepancy tests (adapters/*-known.test.ts) share: ramp operands, which have no
 * zeros so no tap can be missed unseen, and whether a backend agrees with the reference on a
 * problem bit for bit.
 */
import { referenceResult } from '../compare/run-case.ts';
import { compareToReference } from '../compare/tolerance.ts';
import type { Backend } from '../problem/backend.ts';
import type { ConvOperands } from '../problem/operands.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { biasShape, inputTensorShape, sizeOf, weightShape } from '../problem/shape.ts';
import type { Tensor } from '../problem/tensor.ts';

/** A float32 tensor of `shape` holding `values`. */
export const f32 = (values: readonly number[], shape: readonly number[]): Tensor<Float32Array> => ({ shape: [...shape], data: Float32Array.from(values) });

/** x = 1, 2, 3, ...; w = 3, 4, 5, ...; b = 1, 2, ... (when `p` has a bias). */
export function ramps(p: ConvProblem): ConvOperands {
  const ramp = (shape: number[], start: number): Tensor<Float32Array> => f32(Array.from({ length: sizeOf(shape) }, (_, i) => i + start), shape);
  const x = ramp(inputTensorShape(p), 1), w = ramp(weightShape(p), 3);
  return p.bias ? { x, w, b: ramp(biasShape(p), 1) } : { x, w };
}

/** Runs `p` on `backend` (ramps data unless `operands` are given) and says whether it matched the reference bit for bit. */
export async function agreesExactly(backend: Backend, p: ConvProblem, operands: ConvOperands = ramps(p)): Promise<boolean> {
  const got = await backend.run(p, operands);
  return compareToReference(referenceResult(p, operands), got, 'fp32', { exact: true }).verdict === 'pass';
}
