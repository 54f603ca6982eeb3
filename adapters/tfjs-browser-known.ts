/**
 * Known discrepancies of TensorFlow.js 4.22's GPU backends (tfjs-webgl, tfjs-webgpu) against the
 * ONNX spec, found by running the laws on them in headless Chromium (adapters/tfjs-browser.ts).
 */
import type { KnownDiscrepancy } from '../problem/known-discrepancy.ts';
import type { TfjsBrowserName } from './tfjs-browser.ts';

/** The records of one tfjs browser backend, in precedence order. */
export function tfjsBrowserKnownDiscrepancies(name: TfjsBrowserName): readonly KnownDiscrepancy[] {
  switch (name) {
    case 'tfjs-webgl': return [];
    case 'tfjs-webgpu': return [];
  }
}
