/**
 * The most common case of a law: one problem and its data.
 *
 *   problemCase = problem data
 */
import * as fc from 'fast-check';
import type { ConvProblem } from '../../problem/problem.ts';
import { formatDescriptor } from '../../problem/descriptor.ts';
import { convTypeOf, PROBLEM_TYPES, type ConvType, type ProblemType } from '../../problem/conv-types.ts';
import type { CaseLabel, LawScope } from '../law.ts';
import { dataArb, type DataDraw } from './data.ts';
import { problemArb, type ProblemArbOptions } from './problem.ts';

/** One problem with a data mode and seed. */
export interface ProblemCase extends DataDraw {
  readonly problem: ConvProblem;
}

/** The problem types of a law's scope (its conv types that are single-problem types). */
function scopeTypes(scope: LawScope): ProblemType[] {
  return scope.convTypes.filter((t): t is ProblemType => (PROBLEM_TYPES as readonly ConvType[]).includes(t));
}

/** Cases of problems restricted to the scope's problem types and `options`, with the scope's data modes. */
export function problemCaseArb(scope: LawScope, options: ProblemArbOptions = {}): fc.Arbitrary<ProblemCase> {
  const types = scopeTypes(scope).filter((t) => options.types === undefined || options.types.includes(t));
  return fc.record({ problem: problemArb({ ...options, types }), data: dataArb(scope.modes) })
    .map(({ problem, data }) => ({ problem, ...data }));
}

/** The label of a problem case: its descriptor, type and mode. */
export function labelOf(c: ProblemCase): CaseLabel {
  return { descriptor: formatDescriptor(c.problem), convType: convTypeOf(c.problem), mode: c.mode };
}
