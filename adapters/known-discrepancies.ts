/**
 * Every recorded known discrepancy of the built-in backends, in report order. Each adapter keeps
 * its own records next to it and lists them on its Backend (`knownDiscrepancies`); this module
 * only joins them for documentation and the tests that keep the ledger true.
 */
import type { KnownDiscrepancy } from '../problem/known-discrepancy.ts';
import { ONNX_RUNTIME_KNOWN_DISCREPANCIES, ONNX_RUNTIME_QUANTIZED_KNOWN_DISCREPANCIES } from './onnxruntime-known.ts';
import { TFJS_KNOWN_DISCREPANCIES } from './tfjs-known.ts';
import { TFJS_BROWSER_KNOWN_DISCREPANCIES } from './tfjs-browser-known.ts';
import { ORT_WEB_KNOWN_DISCREPANCIES } from './ort-web-known.ts';

/** All known discrepancies, every built-in backend. */
export const KNOWN_DISCREPANCIES: readonly KnownDiscrepancy[] = [
  ...ONNX_RUNTIME_KNOWN_DISCREPANCIES, ...ONNX_RUNTIME_QUANTIZED_KNOWN_DISCREPANCIES, ...TFJS_KNOWN_DISCREPANCIES, ...TFJS_BROWSER_KNOWN_DISCREPANCIES, ...ORT_WEB_KNOWN_DISCREPANCIES,
];
