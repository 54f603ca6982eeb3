/**
 * A named finding: a real backend's wrong answer, recorded with its minimal descriptor and the
 * observed vs expected values. Reports show it; its test fails if the discrepancy disappears, so
 * the list stays true. Never a loosened tolerance.
 */

/** One known discrepancy of one backend. */
export interface KnownDiscrepancy {
  /** Stable id, e.g. `ort-convtranspose-same-upper-swapped`. */
  readonly id: string;
  /** Backend name as in Backend.name (`onnxruntime`, `tfjs-cpu`, ...). */
  readonly backend: string;
  /** Minimal problem descriptor that shows it. */
  readonly descriptor: string;
  /** One-line description of what is wrong, in spec terms. */
  readonly summary: string;
  /** Observed vs expected, e.g. the first differing element or the output shape. */
  readonly observed: string;
  readonly expected: string;
  /** Where it is tracked upstream, if known. */
  readonly upstream?: string;
}
