/**
 * Known discrepancies of ONNX Runtime Web 1.30 against the ONNX spec, per execution provider,
 * found by running the laws on adapters/ort-web.ts in headless Chromium.
 */
import type { ConvProblem } from '../problem/problem.ts';
import type { KnownDiscrepancy } from '../problem/known-discrepancy.ts';
import type { OrtWebName } from './ort-web.ts';

/** The records of one ORT Web backend, in precedence order. */
export function ortWebKnownDiscrepancies(name: OrtWebName): readonly KnownDiscrepancy[] {
  switch (name) {
    default: return [];
  }
}

/** Why backend `name` refuses `p` (a class its provider cannot or will not run), or undefined. */
export function ortWebRefusal(p: ConvProblem, name: OrtWebName): string | undefined {
  void p; void name;
  return undefined;
}
