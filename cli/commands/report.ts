/**
 * `convcheck report`: the main job. Runs the property laws and the golden corpus against every
 * available backend and writes reports/<timestamp>/ with report.json, report.md and index.html.
 */
import os from 'node:os';
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { checkOutputFolder } from '../output-paths.ts';
import type { Backend, BackendAvailability } from '../../problem/backend.ts';
import type { ConvResult } from '../../reference/conv-result.ts';
import { elementBounds } from '../../compare/tolerance.ts';
import { type Comparison } from '../../compare/judge.ts';
import { ROUNDOFF } from '../../problem/precision.ts';
import type { GoldenCase } from '../../golden/golden-case.ts';
import type { Tensor } from '../../problem/tensor.ts';
import { checkerboardPictures } from '../../reports/checkerboard.ts';
import type { Picture, Report, ReportBackend, ReportCase, WorstCase } from '../../reports/report-model.ts';
import { casesOf, countVerdicts, quantizedVerdicts } from '../../reports/summary.ts';
import { ReportExistsError, timestampDirName, writeReport } from '../../reports/write.ts';
import { intFlag, parseArgs, UsageError } from '../args.ts';
import { BROWSER_BACKEND_NAMES } from '../../adapters/registry.ts';
import { resolveBackends } from '../backend-spec.ts';
import { textTable, type Io } from '../output.ts';
import { Progress } from '../progress.ts';
import { runSuite } from '../suite.ts';
import { LIMIT_FLAGS, LIMITS_HELP } from '../limits.ts';
import { batchFlag, suiteFlags } from './gate.ts';
import { allLaws } from '../../properties/laws/index.ts';

export const REPORT_HELP = `Usage: convcheck report [options]

The main job: runs every property law and the golden corpus against every available backend
(the reference, ONNX Runtime, tfjs cpu / wasm / node, the example external implementation) and
writes reports/<timestamp>/: report.json (every case), report.md (fits a pull-request comment)
and index.html (self-contained: verdict matrix, error distributions, worst cases with error
heatmaps, known discrepancies, checkerboard pictures). Prints a summary table.

Options:
  --backend LIST      backends to include (default: every built-in one); names, module paths or
                      cmd:"COMMAND", comma separated
  --num-runs N        cases per law, fewer for costly laws (default: CONVCHECK_NUM_RUNS or 25)
  --browser-runs N    cases per law on the browser backends, where each new shape compiles
                      shaders (default 3; a deep browser run sets it as high as --num-runs)
  --seed N            fast-check seed (default: CONVCHECK_SEED or random; recorded in the report)
  --conv-types LIST   only these conv types
  --golden CORPUS     small (default), networks, all or none
  --batch FILE        also the problems of a benchdnn batch file on every backend, each against
                      the reference on exact and real data (docs/descriptor.md)
  --out DIR           where to write (default reports/<timestamp>); a new folder: one that exists
                      is refused (exit 2), one made by another command while this one runs is
                      an error (exit 1). The folder appears whole once the report is written
  --timeout MS        per-call time limit (default 60000), for every backend and for the reference;
                      for a cmd: backend, the time limit of each request to the process (its hello
                      has its own: the larger of this and 10 s)
  --error-inputs      also send every backend the ill-formed calls it must refuse (their own
                      section in the report; off by default)
${LIMITS_HELP.replace(/^ {2}--(\S+) N {6}/gm, '  --$1 N    ').replace(/^ {24}/gm, '                      ')}
  --help              this text`;

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The per-element error picture of a golden case's output against its reference: err / bound on its first 2-D (or 1-D) slice. */
export function errorPicture(c: GoldenCase, output: Tensor, precision: Backend['precision'], ref: ConvResult): Picture {
  const shape = ref.y.shape;
  const rows = shape.length >= 4 ? shape[shape.length - 2] : 1;
  const cols = shape[shape.length - 1];
  const values: number[] = [];
  for (let i = 0; i < rows * cols; i++) {
    const err = Math.abs(output.data[i] - ref.y.data[i]);
    const b = elementBounds(ref.absSum[i], ref.terms[i], ref.y.data[i], ROUNDOFF[precision]);
    const bound = c.mode === 'exact' ? 0 : Math.min(b.hard, b.expected);
    values.push(bound > 0 ? err / bound : err);
  }
  return { title: `${c.name}: |err| / bound, [0, 0, ...] slice${c.mode === 'exact' ? ' (exact mode: |err|)' : ''}`, rows, cols, values };
}

/** Runs the command; returns the exit code (0 once the report is written). */
export async function reportCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs('report', argv, { values: ['backend', 'num-runs', 'browser-runs', 'seed', 'conv-types', 'golden', 'batch', 'out', 'timeout', ...LIMIT_FLAGS], booleans: ['help', 'error-inputs'] });
  if (args.booleans.has('help')) { io.out(REPORT_HELP); return 0; }
  if (args.positionals.length > 0) throw new UsageError(`convcheck report: unexpected argument "${args.positionals[0]}".\n\n${REPORT_HELP}`);
  const flags = suiteFlags(args, 'report', 25);
  const browserRuns = intFlag(args, 'report', 'browser-runs', Math.min(3, flags.numRuns));
  const batch = batchFlag(args, 'report');
  const started = Date.now();
  const createdAt = new Date(started);
  const outDir = args.values.get('out') ?? path.join('reports', timestampDirName(createdAt));
  // a report folder is never mixed into: an --out that exists is refused before anything runs
  if (args.values.has('out') && existsSync(outDir)) throw new UsageError(`convcheck report: --out ${outDir} exists already; a report is written into a new folder only, never mixed with the files of another (remove it, or choose another --out).`);
  checkOutputFolder('report', 'out', outDir);
  const availability: BackendAvailability[] = await resolveBackends(args.values.get('backend'), { timeoutMs: flags.timeoutMs });
  const backends: ReportBackend[] = availability.map((a) => a.available
    ? { name: a.backend.name, version: a.backend.version, precision: a.backend.precision, available: true }
    : { name: a.name, available: false, reason: a.reason });
  io.out(`convcheck report: ${backends.filter((b) => b.available).length} backends (${backends.filter((b) => !b.available).map((b) => `${b.name} unavailable`).join(', ') || 'all available'}), ${flags.numRuns} runs per law, seed ${flags.seed}${batch ? `, ${batch.cases.length} batch cases from ${args.values.get('batch')}` : ''}`);
  for (const note of batch?.notes ?? []) io.out(`note: ${note}`);
  const cases: ReportCase[] = [];
  const worst: Array<WorstCase & { score: number }> = [];
  const available = availability.flatMap((a) => (a.available ? [a.backend] : []));
  try {
    for (const backend of available) {
      const progress = new Progress(io, 0, backend.name);
      const start = Date.now();
      let last = '';
      const keepWorst = (g: GoldenCase, output: Tensor, comparison: Comparison, reference: ConvResult): void => {
        if (backend.name === 'reference' || comparison.maxNormalizedError === 0) return;
        worst.push({ backend: backend.name, descriptor: g.descriptor, name: g.name, maxNormalizedError: comparison.maxNormalizedError, maxUlp: comparison.maxUlp, score: comparison.maxNormalizedError, errorPicture: errorPicture(g, output, backend.precision, reference) });
        worst.sort((a, b) => b.score - a.score);
        worst.splice(8);
      };
      const result = await runSuite({
        backend, backendArg: backend.name, ...flags, ...(batch ? { batch: batch.cases } : {}), errorInputs: args.booleans.has('error-inputs'),
        numRuns: BROWSER_BACKEND_NAMES.includes(backend.name) ? browserRuns : flags.numRuns,
        onStep: (label) => { const step = label.startsWith('golden ') ? 'golden corpus' : label; if (step !== last) { last = step; progress.tick(step); } },
        onGoldenOutput: keepWorst,
      });
      progress.finish();
      cases.push(...result.cases);
      const c = countVerdicts(result.cases);
      io.out(`  ${backend.name}: ${c.pass} pass, ${c.fail} fail, ${c.known} known, ${c.unsupported} unsupported, ${c.error} error, ${c.weak} weak (${((Date.now() - start) / 1000).toFixed(1)} s)`);
    }
  } finally {
    for (const b of available) await b.dispose?.();
  }
  const report: Report = {
    title: 'convcheck cross-backend report', createdAt: createdAt.toISOString(), convcheckVersion: packageVersion(),
    machine: { cpus: os.cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
    settings: { numRuns: flags.numRuns, browserRuns, seed: flags.seed, precision: flags.precision ?? 'declared by each backend' },
    backends, cases, laws: allLaws().map((l) => ({ name: l.name, math: l.math, convTypes: [...l.convTypes], structural: l.structural })),
    // the facts of every record of the backends in this report (the predicates stay behind)
    knownDiscrepancies: available.flatMap((b) => b.knownDiscrepancies ?? []).map(({ matches: _matches, ...facts }) => facts),
    worstCases: worst.map(({ score: _score, ...w }) => w), checkerboard: checkerboardPictures(), durationMs: Date.now() - started,
  };
  // written whole or not at all (reports/write.ts); a default folder made meanwhile (another report
  // in the same second) gets a fresh sibling, <name>-2; an --out made meanwhile is an error: a CI
  // step reading that folder would read another run's report
  const explicitOut = args.values.has('out');
  let files;
  try {
    files = await writeReport(report, outDir, { ifExists: explicitOut ? 'refuse' : 'sibling' });
  } catch (error) {
    if (explicitOut && error instanceof ReportExistsError) throw new Error(`--out ${outDir} appeared while the report ran (another command made it), so this report was not written: that folder is not this run's report (choose another --out).`);
    throw error;
  }
  if (files.dir !== outDir) io.out(`note: ${outDir} appeared while the report ran; written to ${files.dir} instead`);
  io.out('');
  io.out(textTable(['backend', 'pass', 'fail', 'known', 'unsupported', 'error'], backends.map((b) => {
    if (!b.available) return [b.name, 'unavailable', '', '', '', ''];
    const c = countVerdicts(casesOf(report, b.name));
    return [b.name, c.pass, c.fail, c.known, c.unsupported, c.error].map(String);
  })));
  const quantizedRows = backends.flatMap((b) => {
    const q = b.available ? quantizedVerdicts(casesOf(report, b.name)) : undefined;
    return q ? [[b.name, q.exact, q.tieNeighbour, q.fail, q.known, q.unsupported, q.error].map(String)] : [];
  });
  if (quantizedRows.length > 0) {
    io.out('\nquantized (ConvInteger, QLinearConv):');
    io.out(textTable(['backend', 'exact', 'tie-neighbour (allowed)', 'fail', 'known', 'unsupported', 'error'], quantizedRows));
  }
  io.out(`\nreport: ${files.html}\n        ${files.markdown}\n        ${files.json}`);
  return 0;
}
