/**
 * The data of a cross-backend report: what `convcheck report` and `convcheck gate` collect and
 * every writer (JSON, Markdown, HTML, JUnit) renders. Plain JSON-serialisable values only.
 */
import type { KnownDiscrepancyFacts } from '../problem/known-discrepancy.ts';

/**
 * Verdict of one case. `known` is a recorded known discrepancy reproducing as recorded; `weak` a
 * case that compared too little to count (vacuous, or a mostly-zero reference): never a pass.
 */
export type Verdict = 'pass' | 'fail' | 'unsupported' | 'error' | 'known' | 'weak';

/** All verdicts, in the order reports list them. */
export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'known', 'unsupported', 'error', 'weak'];

/** Error metrics of one case (see compare/tolerance.ts). */
export interface CaseMetrics {
  readonly maxAbsError: number;
  readonly maxRelError: number;
  readonly maxUlp: number;
  readonly maxNormalizedError: number;
  readonly overTolerance: number;
  /** Tensor-level error statistics (large outputs only): `mean(z·sign y)` and `mean(z²)`, see compare/judge.ts. */
  readonly meanSigned?: number;
  readonly meanSquare?: number;
  /** Integer outputs (ConvInteger, QLinearConv): elements equal to the exact result, and elements the tie-neighbour allowance admitted. */
  readonly exactElements?: number;
  readonly allowedElements?: number;
}

/**
 * One case: a law instance, a golden fixture, a benchdnn batch line or an error input (an
 * ill-formed call the backend must refuse: `pass` is refused, `fail` accepted), on one backend.
 */
export interface ReportCase {
  readonly source: 'law' | 'golden' | 'batch' | 'error-input';
  /** The law's sentence, the golden case's name, the batch case's benchdnn name, or `error input <id>`. */
  readonly name: string;
  readonly backend: string;
  readonly convType: string;
  readonly descriptor: string;
  readonly verdict: Verdict;
  readonly metrics?: CaseMetrics;
  readonly message?: string;
  /** On a failed law case: which of its backend calls disagree with the reference on their own. */
  readonly diagnosis?: string;
  /** The one command that replays the case. */
  readonly replay?: string;
  readonly timeMs: number;
}

/** A backend as the report saw it. */
export interface ReportBackend {
  readonly name: string;
  readonly version?: string;
  readonly precision?: string;
  readonly available: boolean;
  readonly reason?: string;
}

/** A 2-D picture (row-major values) for heatmaps. */
export interface Picture {
  readonly title: string;
  readonly rows: number;
  readonly cols: number;
  readonly values: readonly number[];
}

/** A worst case with the picture of its per-element error (err / bound, or err where bound = 0). */
export interface WorstCase {
  readonly backend: string;
  readonly descriptor: string;
  readonly name: string;
  readonly maxNormalizedError: number;
  readonly maxUlp: number;
  readonly errorPicture?: Picture;
}

/** A law as the report lists it: its sentence, its math and the conv types it covers. */
export interface ReportLaw {
  readonly name: string;
  readonly math: string;
  readonly convTypes: readonly string[];
  /** Structural laws run on the reference only. */
  readonly structural: boolean;
}

/** Everything one report holds. */
export interface Report {
  readonly title: string;
  readonly createdAt: string;
  readonly convcheckVersion: string;
  readonly machine: { readonly cpus: number; readonly node: string; readonly platform: string };
  readonly settings: { readonly numRuns: number; readonly browserRuns?: number; readonly seed: number; readonly precision: string };
  readonly backends: readonly ReportBackend[];
  readonly cases: readonly ReportCase[];
  /** The laws the cases come from, in the suite's order. */
  readonly laws: readonly ReportLaw[];
  readonly knownDiscrepancies: readonly KnownDiscrepancyFacts[];
  readonly worstCases: readonly WorstCase[];
  readonly checkerboard: readonly Picture[];
  readonly durationMs: number;
}
