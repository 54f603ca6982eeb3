/**
 * `convcheck run DESCRIPTOR`: one problem on the reference and every backend, side by side, with
 * the worst element of each.
 */
import type { Backend, BackendAvailability } from '../../problem/backend.ts';
import { parseDescriptor } from '../../problem/descriptor.ts';
import { outputTensorShape, stridesOf } from '../../problem/shape.ts';
import { checkReferenceOutputSize } from '../../reference/inputs.ts';
import { matchKnownDiscrepancy, matchKnownQuantizedDiscrepancy } from '../../problem/known-discrepancy.ts';
import { makeOperands, type DataMode } from '../../problem/operand-data.ts';
import { referenceResult, runCase } from '../../compare/run-case.ts';
import { intFlag, parseArgs, UsageError, type ParsedArgs } from '../args.ts';
import { isQuantizedDescriptor, parseQuantizedDescriptor } from '../../problem/quantized-descriptor.ts';
import { quantizedOutputShape } from '../../problem/quantized.ts';
import { isQuantizedDataMode, makeQuantizedOperands, QUANTIZED_DATA_MODES } from '../../problem/quantized-data.ts';
import { quantizedReferenceResult, quantizedVerdictWord, runQuantizedCase } from '../../compare/quantized-case.ts';
import { textTable, type Io } from '../output.ts';
import { formatNumber } from '../../reports/markdown.ts';
import { resolveBackends } from '../backend-spec.ts';

export const RUN_HELP = `Usage: convcheck run DESCRIPTOR [options]

Runs one problem on the reference and on every available backend (or those given) and prints,
side by side, the verdict, the error metrics and the worst element of each. A quantized
descriptor (CI... ConvInteger, QL... QLinearConv; docs/descriptor.md) runs on the backends'
quantized ops against the exact reference: exact, tie-neighbour (allowed), or fail.

Options:
  --mode exact|real     data mode (default real): exact = small integers, bit-exact match required;
                        quantized: uniform (default), near, extreme or alternating
  --seed N              data seed (default 1)
  --backend SPEC        a backend to run: a built-in name, a module path, or cmd:"COMMAND";
                        repeat with commas (default: every built-in backend)
  --timeout MS          per-run time limit in milliseconds (default 60000)
  --help                this text

Example: convcheck run g2mb1ic4ih5iw5oc6kh3kw3ph1pw1 --mode exact`;

/** Multi-index of a flat index in a shape, as `[n,m,h,w]`. */
export function multiIndex(index: number, shape: readonly number[]): string {
  const strides = stridesOf(shape);
  return `[${shape.map((s, a) => Math.floor(index / strides[a]) % s).join(',')}]`;
}

/** Parses the data mode flag. */
function modeFlag(raw: string | undefined, command: string): DataMode {
  if (raw === undefined) return 'real';
  if (raw !== 'exact' && raw !== 'real') throw new UsageError(`convcheck ${command}: --mode must be exact or real, but got "${raw}".`);
  return raw;
}

/** Runs the command; returns the exit code (0 when no backend failed or errored; a known discrepancy is not a failure). */
export async function runCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs('run', argv, { values: ['mode', 'seed', 'backend', 'timeout'], booleans: ['help'] });
  if (args.booleans.has('help')) { io.out(RUN_HELP); return 0; }
  if (args.positionals.length !== 1) throw new UsageError(`convcheck run: expected one DESCRIPTOR, but got ${args.positionals.length} arguments.\n\n${RUN_HELP}`);
  if (isQuantizedDescriptor(args.positionals[0])) return runQuantizedCommand(args, io);
  let problem;
  try {
    problem = parseDescriptor(args.positionals[0]);
    // before the operands are drawn: a y over the reference's limit used to allocate x first (seconds
    // and GiBs for ic1000ih1000iw1000), then fail with exit code 1 instead of this usage error
    checkReferenceOutputSize(problem.op, outputTensorShape(problem));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const mode = modeFlag(args.values.get('mode'), 'run');
  const seed = intFlag(args, 'run', 'seed', 1, 0);
  const timeoutMs = intFlag(args, 'run', 'timeout', 60_000);
  const availability: BackendAvailability[] = await resolveBackends(args.values.get('backend'), { timeoutMs });
  const operands = makeOperands(problem, mode, seed);
  const reference = referenceResult(problem, operands);
  io.out(`${args.positionals[0]}: output [${reference.y.shape}], ${mode} data, seed ${seed}`);
  const rows: string[][] = [];
  let failed = false;
  const backends: Backend[] = [];
  for (const a of availability) {
    if (!a.available) { rows.push([a.name, 'unavailable', '', '', '', a.reason]); continue; }
    backends.push(a.backend);
    const outcome = await runCase(a.backend, problem, { mode, seed, operands, reference, timeoutMs });
    if (outcome.verdict === 'unsupported') rows.push([a.backend.name, 'unsupported', '', '', '', outcome.reason]);
    else if (outcome.verdict === 'error') { failed = true; rows.push([a.backend.name, 'error', '', '', '', outcome.message]); }
    else {
      const c = outcome.comparison;
      // a failure a recorded discrepancy explains is `known` (as in gate and report), named by its id
      const known = outcome.verdict === 'fail' ? matchKnownDiscrepancy(a.backend.knownDiscrepancies, problem) : undefined;
      if (outcome.verdict === 'fail' && known === undefined) failed = true;
      const w = c.worst;
      const worst = w ? `${multiIndex(w.index, reference.y.shape)} got ${w.got} expected ${w.expected} bound ${formatNumber(w.bound)}` : '';
      // the tolerance model's 'impossible' (over the hard bound) is a fail, said so
      const shown = c.verdict === 'impossible' ? 'fail (impossible)' : c.verdict;
      const verdict = known ? `known (${shown})` : shown;
      rows.push([a.backend.name, verdict, formatNumber(c.maxAbsError), formatNumber(c.maxUlp), formatNumber(c.maxNormalizedError), known ? `${worst}; known discrepancy ${known.id}` : worst]);
    }
  }
  io.out(textTable(['backend', 'verdict', 'max abs', 'max ULP', 'max err/(u·S)', 'worst element / reason'], rows));
  for (const b of backends) await b.dispose?.();
  return failed ? 1 : 0;
}

/** `convcheck run` of a quantized descriptor: the exact reference, then each backend's quantized ops judged by the quantized rule. */
async function runQuantizedCommand(args: ParsedArgs, io: Io): Promise<number> {
  let problem;
  try {
    problem = parseQuantizedDescriptor(args.positionals[0]);
    checkReferenceOutputSize(problem.operator, quantizedOutputShape(problem));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const rawMode = args.values.get('mode') ?? 'uniform';
  if (!isQuantizedDataMode(rawMode)) throw new UsageError(`convcheck run: --mode of a quantized problem must be one of ${QUANTIZED_DATA_MODES.join(', ')}, but got "${rawMode}".`);
  const seed = intFlag(args, 'run', 'seed', 1, 0);
  const timeoutMs = intFlag(args, 'run', 'timeout', 60_000);
  const operands = makeQuantizedOperands(problem, rawMode, seed);
  let reference;
  try {
    reference = quantizedReferenceResult(problem, operands);
  } catch (error) {
    // e.g. a ConvInteger whose exact output leaves int32 on this data: the operator defines no answer
    throw new UsageError(`convcheck run: ${error instanceof Error ? error.message : String(error)}`);
  }
  const open = Array.from(reference.expectation.lo).filter((v, i) => v !== reference.expectation.hi[i]).length;
  io.out(`${args.positionals[0]}: ${problem.operator} output [${reference.y.shape}], ${rawMode} data, seed ${seed}; ${open} element(s) open to the tie-neighbour allowance${reference.int32Overflows > 0 ? `; ${reference.int32Overflows} accumulator(s) past int32` : ''}`);
  const availability = await resolveBackends(args.values.get('backend'), { timeoutMs });
  const rows: string[][] = [];
  let failed = false;
  const backends: Backend[] = [];
  for (const a of availability) {
    if (!a.available) { rows.push([a.name, 'unavailable', '', '', a.reason]); continue; }
    backends.push(a.backend);
    const outcome = await runQuantizedCase(a.backend, problem, { mode: rawMode, seed, operands, reference, timeoutMs });
    if (outcome.verdict === 'unsupported') rows.push([a.backend.name, 'unsupported', '', '', outcome.reason]);
    else if (outcome.verdict === 'error') { failed = true; rows.push([a.backend.name, 'error', '', '', outcome.message]); }
    else {
      const c = outcome.comparison;
      const known = outcome.verdict === 'fail' ? matchKnownQuantizedDiscrepancy(a.backend.knownDiscrepancies, problem, outcome.evidence) : undefined;
      if (outcome.verdict === 'fail' && known === undefined) failed = true;
      const w = c.worst;
      const worst = w ? `${multiIndex(w.index, reference.y.shape)} got ${w.got} exact ${w.expected}${w.bound > 0 ? ` (allowed ${reference.expectation.lo[w.index]}..${reference.expectation.hi[w.index]})` : ''}` : '';
      const word = quantizedVerdictWord(c);
      rows.push([a.backend.name, known ? `known (${word})` : word, formatNumber(c.maxAbsError), `${c.integers?.exact ?? 0}/${reference.y.data.length}`, known ? `${worst}; known discrepancy ${known.id}` : worst]);
    }
  }
  io.out(textTable(['backend', 'verdict', 'max |err| (steps)', 'exact elements', 'worst element / reason'], rows));
  for (const b of backends) await b.dispose?.();
  return failed ? 1 : 0;
}
