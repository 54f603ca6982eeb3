/**
 * Every recorded known discrepancy of the built-in backends, and the lookup that routes a failing
 * case to its `known` verdict. Each adapter keeps its own list next to it; this module joins them.
 */
import type { ConvProblem } from '../problem/problem.ts';
import type { GradientPart } from '../problem/backend.ts';
import type { KnownDiscrepancy } from './known-discrepancy.ts';
import { isKnownOnnxRuntimeDiscrepancy, ONNX_RUNTIME_KNOWN_DISCREPANCIES } from './onnxruntime-known.ts';
import { isKnownTfjsDiscrepancy, isKnownTfjsGradientDiscrepancy, TFJS_KNOWN_DISCREPANCIES } from './tfjs-known.ts';

/** All known discrepancies, every backend. */
export const KNOWN_DISCREPANCIES: readonly KnownDiscrepancy[] = [...ONNX_RUNTIME_KNOWN_DISCREPANCIES, ...TFJS_KNOWN_DISCREPANCIES];

/**
 * The known discrepancy that explains a failure of `backendName` on `p`, if any; with `part`, a
 * failure of its gradient of Conv problem `p` (only tfjs has gradients with records).
 */
export function knownDiscrepancyFor(backendName: string, p: ConvProblem, part?: GradientPart): KnownDiscrepancy | undefined {
  if (part !== undefined) return backendName.startsWith('tfjs-') ? isKnownTfjsGradientDiscrepancy(backendName, p, part) : undefined;
  if (backendName === 'onnxruntime') return isKnownOnnxRuntimeDiscrepancy(p);
  if (backendName.startsWith('tfjs-')) return isKnownTfjsDiscrepancy(backendName, p);
  return undefined;
}
