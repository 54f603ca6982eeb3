/**
 * A named finding: a real backend's wrong answer, recorded with its minimal descriptor and the
 * observed vs expected values. Reports show it; its test fails if the discrepancy disappears, so
 * the list stays true. Never a loosened tolerance. Each backend lists its own records
 * (`Backend.knownDiscrepancies`); a failing case is `known` when one of them matches it.
 */
import type { GradientPart } from './backend.ts';
import type { ConvProblem } from './problem.ts';

/** What a known discrepancy records: the facts a report shows. */
export interface KnownDiscrepancyFacts {
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
  /**
   * What besides the problem it takes, for a finding about the process rather than the problem
   * (e.g. "the process's command line is longer than 24,576 bytes"): then `descriptor` is any
   * problem, `matches` is true only while the condition holds, and the record's own test makes
   * the condition.
   */
  readonly condition?: string;
}

/** One known discrepancy of one backend: its facts, and the class of problems it explains. */
export interface KnownDiscrepancy extends KnownDiscrepancyFacts {
  /**
   * Whether a wrong answer of the backend on `problem` belongs to this record's class: its forward
   * run when `part` is undefined, else its `part` gradient of Conv problem `problem`. Exact classes
   * (each record's test checks members fail and non-members agree). Must not throw.
   */
  matches(problem: ConvProblem, part?: GradientPart): boolean;
}

/** The first of `records` that matches `problem` (and `part`), or undefined; records are listed in precedence order. */
export function matchKnownDiscrepancy(records: readonly KnownDiscrepancy[] | undefined, problem: ConvProblem, part?: GradientPart): KnownDiscrepancy | undefined {
  return records?.find((r) => r.matches(problem, part));
}
