/**
 * The reference result of one Conv / ConvTranspose problem, on the calling thread: the readable
 * loops for small problems, the fast path for large ones. compare/run-case.ts bounds it with a time
 * limit; compare/special-values.ts takes the S of the finite part through it.
 */
import type { ConvOperands } from '../problem/operands.ts';
import type { ConvProblem } from '../problem/problem.ts';
import type { ConvResult } from '../reference/conv-result.ts';
import { convDetailed } from '../reference/conv.ts';
import { convTransposeDetailed } from '../reference/conv-transpose.ts';
import { convFastDetailed } from '../reference/conv-fast.ts';
import { denseMultiplications } from '../reference/cost.ts';

/**
 * Dense multiply-accumulates from which {@link referenceResult} takes the reference's fast path
 * (reference/conv-fast.ts, held to the readable loops by properties/reference-fast.test.ts): the
 * law suite's small problems stay on the readable loops, network layers and golden fixtures do not
 * wait for them.
 */
export const FAST_REFERENCE_MIN_MACS = 1_000_000;

/**
 * The reference result (value, S and n) of a problem: the readable loops below
 * {@link FAST_REFERENCE_MIN_MACS}, the fast path (on this thread) from there on.
 */
export function referenceResult(p: ConvProblem, operands: ConvOperands): ConvResult {
  if (denseMultiplications(p) >= FAST_REFERENCE_MIN_MACS) return convFastDetailed(p, operands);
  return p.op === 'conv' ? convDetailed(p, operands) : convTransposeDetailed(p, operands);
}
