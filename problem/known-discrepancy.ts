/**
 * A named finding: a real backend's wrong answer, recorded with its minimal descriptor and the
 * observed vs expected values. Reports show it; its test fails if the discrepancy disappears, so
 * the list stays true. Never a loosened tolerance. Each backend lists its own records
 * (`Backend.knownDiscrepancies`); a failing case is `known` when one of them matches it.
 */
import type { GradientPart } from './backend.ts';
import type { ConvProblem } from './problem.ts';
import type { QuantizedConvProblem } from './quantized.ts';

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
   * (e.g. "ORT's telemetry is on and the process's command line is longer than 28,900 bytes"):
   * then `descriptor` is any problem, `matches` is true only while the condition holds (never,
   * where convcheck prevents it), and the record's own test makes the condition.
   */
  readonly condition?: string;
}

/** What a record may ask of a call's data besides its problem. */
export interface DataTraits {
  /** Whether some operand holds NaN or ±Inf (the special-values law's data). */
  readonly nonFinite: boolean;
  /** Whether some operand holds a float32 subnormal, 0 < |v| < 2^-126 (the scaling law's data). */
  readonly subnormal?: boolean;
}

/** The traits of a call's operands. */
export function dataTraits(tensors: ReadonlyArray<{ readonly data: ArrayLike<number> } | undefined>): DataTraits {
  let nonFinite = false, subnormal = false;
  for (const t of tensors) {
    if (t === undefined) continue;
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i];
      if (!Number.isFinite(v)) nonFinite = true;
      else if (v !== 0 && Math.abs(v) < 2 ** -126) subnormal = true;
    }
  }
  return { nonFinite, subnormal };
}

/** One known discrepancy of one backend: its facts, and the class of problems it explains. */
export interface KnownDiscrepancy extends KnownDiscrepancyFacts {
  /**
   * Whether a wrong answer of the backend on `problem` belongs to this record's class: its forward
   * run when `part` is undefined, else its `part` gradient of Conv problem `problem`; `data`, when
   * known, tells what the operands held (a record about special values matches only calls whose
   * data had them). Exact classes where the bug does not depend on the values (each record's test
   * checks members fail and non-members agree). Must not throw.
   */
  matches(problem: ConvProblem, part?: GradientPart, data?: DataTraits): boolean;
  /**
   * Optional: whether a wrong answer of the backend's quantized ops (Backend.quantized) on
   * `problem` belongs to this record's class, given what the exact reference knows of the call
   * (`evidence`: a class may depend on the data, e.g. accumulators past int32). Records about
   * ConvInteger / QLinearConv have it (and a quantized descriptor, problem/quantized-descriptor.ts);
   * their `matches` is false. Must not throw.
   */
  matchesQuantized?(problem: QuantizedConvProblem, evidence: QuantizedEvidence): boolean;
}

/** What the exact reference knows of one quantized call, for classes that depend on the data. */
export interface QuantizedEvidence {
  /** Output elements whose exact accumulator (acc + B) lies outside int32. */
  readonly int32Overflows: number;
}

/** The first of `records` that matches `problem` (and `part`, `data`), or undefined; records are listed in precedence order. */
export function matchKnownDiscrepancy(records: readonly KnownDiscrepancy[] | undefined, problem: ConvProblem, part?: GradientPart, data?: DataTraits): KnownDiscrepancy | undefined {
  return records?.find((r) => r.matches(problem, part, data));
}

/** The first of `records` whose quantized class holds `problem`, or undefined. */
export function matchKnownQuantizedDiscrepancy(records: readonly KnownDiscrepancy[] | undefined, problem: QuantizedConvProblem, evidence: QuantizedEvidence): KnownDiscrepancy | undefined {
  return records?.find((r) => r.matchesQuantized?.(problem, evidence) === true);
}
