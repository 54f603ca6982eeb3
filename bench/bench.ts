/**
 * `npm run bench`: the reference's multiply-accumulates per second on real layer shapes
 * (bench/layers.ts), next to ONNX Runtime's time on the same problem and the same operands,
 * measured in the same run. Every timing is one warm-up run, then the median of several runs.
 * The reference is single-threaded float64; ORT is shown with 1 intra-op thread (same footing)
 * and with its default thread count. A layer the reference would need more than
 * {@link REFERENCE_BUDGET_SECONDS} for is scaled down (spatial size halved) and marked so.
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { makeOperands } from '../problem/operand-data.ts';
import { referenceResult } from '../compare/run-case.ts';
import { compareToReference } from '../compare/tolerance.ts';
import { createOnnxRuntimeBackend, ONNX_RUNTIME_VERSION, type OnnxRuntimeBackend } from '../adapters/onnxruntime.ts';
import { formatDescriptor, parseDescriptor } from '../problem/descriptor.ts';
import { withChanges, type ConvProblem } from '../problem/problem.ts';
import type { Tensor } from '../problem/tensor.ts';
import { denseMultiplications, effectiveMultiplications } from '../reference/cost.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { BENCH_LAYERS, type BenchLayer } from './layers.ts';

/** Longest a single reference run may take before the layer is scaled down. */
const REFERENCE_BUDGET_SECONDS = 30;
/** Timed reference runs after the warm-up (each takes up to a second or so). */
const REFERENCE_RUNS = 3;
/** Timed ORT runs after the warm-up (each takes about a millisecond). */
const ORT_RUNS = 15;

/** Median of a non-empty list. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds of `runs` timed calls of `fn`, after one untimed warm-up call. */
async function timeRuns<T>(fn: () => T | Promise<T>, runs: number): Promise<{ times: number[]; last: T }> {
  let last = await fn();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    last = await fn();
    times.push(performance.now() - start);
  }
  return { times, last };
}

/**
 * `p` with its spatial input halved (rounded up) until the reference, at `macsPerSecond`, needs
 * at most `budgetSeconds`; `p` itself when it already fits.
 */
function scaledToBudget(p: ConvProblem, macsPerSecond: number, budgetSeconds: number): ConvProblem {
  let scaled = p;
  while (denseMultiplications(scaled) / macsPerSecond > budgetSeconds && scaled.inputShape.some((i) => i > 1)) {
    scaled = withChanges(scaled, { inputShape: scaled.inputShape.map((i) => Math.max(1, Math.ceil(i / 2))) });
  }
  return scaled;
}

/** The reference's MAC/s on a small 3x3 conv, to decide whether a layer needs scaling. */
async function calibrateReference(): Promise<number> {
  const p = parseDescriptor('mb1ic32ih28iw28oc32kh3kw3ph1pw1');
  const operands = makeOperands(p, 'real', 1);
  const { times } = await timeRuns(() => referenceResult(p, operands), 3);
  return denseMultiplications(p) / (median(times) / 1000);
}

/** One row of the table. */
interface BenchRow {
  readonly layer: BenchLayer;
  readonly problem: ConvProblem;
  readonly scaled: boolean;
  readonly macs: number;
  readonly referenceMs: number;
  readonly ortSingleMs: number;
  readonly ortDefaultMs: number;
  readonly agreement: string;
}

async function benchLayer(layer: BenchLayer, referenceRate: number, ortSingle: OnnxRuntimeBackend, ortDefault: OnnxRuntimeBackend): Promise<BenchRow> {
  const problem = scaledToBudget(layer.problem, referenceRate, REFERENCE_BUDGET_SECONDS);
  const operands: ConvOperands = makeOperands(problem, 'real', 1);
  const reference = await timeRuns(() => referenceResult(problem, operands), REFERENCE_RUNS);
  const single = await timeRuns(() => ortSingle.run(problem, operands), ORT_RUNS);
  const threaded = await timeRuns((): Promise<Tensor> => ortDefault.run(problem, operands), ORT_RUNS);
  const comparison = compareToReference(reference.last, threaded.last, ortDefault.precision, { exact: false });
  return {
    layer, problem, scaled: problem !== layer.problem, macs: denseMultiplications(problem),
    referenceMs: median(reference.times), ortSingleMs: median(single.times), ortDefaultMs: median(threaded.times),
    agreement: `${comparison.verdict} (max err/(u·S) ${comparison.maxNormalizedError.toFixed(2)})`,
  };
}

function si(value: number, unit: string): string {
  const prefixes: Array<[number, string]> = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  const [scale, prefix] = prefixes.find(([s]) => value >= s) ?? [1, ''];
  return `${(value / scale).toFixed(value / scale >= 100 ? 0 : 1)} ${prefix}${unit}`;
}

function ms(value: number): string {
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(2)} ms`;
}

function machineLines(referenceRate: number): string[] {
  const cpus = os.cpus();
  return [
    `machine: ${cpus.length} logical CPUs (${cpus[0]?.model.trim() ?? 'unknown model'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.arch()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `node ${process.version}, onnxruntime-node ${ONNX_RUNTIME_VERSION} (CPU execution provider), ${new Date().toISOString()}`,
    `reference calibration: ${si(referenceRate, 'MAC/s')} on mb1ic32ih28iw28oc32kh3kw3ph1pw1`,
  ];
}

function table(rows: readonly BenchRow[]): string[] {
  const header = ['layer', 'descriptor', 'MACs', 'reference', 'reference MAC/s', 'ORT 1 thread', 'ORT default threads', 'reference / ORT 1 thread', 'ORT vs reference'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const label = row.scaled ? `${row.layer.label} (scaled down from ${formatDescriptor(row.layer.problem)})` : row.layer.label;
    lines.push(`| ${[
      label, `\`${formatDescriptor(withChanges(row.problem, { name: undefined }))}\``, si(row.macs, ''), ms(row.referenceMs),
      si(row.macs / (row.referenceMs / 1000), 'MAC/s'), ms(row.ortSingleMs), ms(row.ortDefaultMs),
      `${(row.referenceMs / row.ortSingleMs).toFixed(0)}x`, row.agreement,
    ].join(' | ')} |`);
  }
  return lines;
}

function notes(rows: readonly BenchRow[]): string[] {
  const lines = [
    '',
    `Each time is the median of ${REFERENCE_RUNS} (reference) or ${ORT_RUNS} (ORT) runs after one warm-up run, same operands (real mode, seed 1), batch 1.`,
    'MACs are the dense count N·M·Πo·(C/g)·Πk (reference/cost.ts denseMultiplications); MAC/s divides it by the median time.',
    'The reference is convcheck\'s float64 oracle with its error-bound bookkeeping (S and n per element), single-threaded.',
    'ORT runs through convcheck\'s adapter: cached session, weights as graph inputs (so no weight pre-packing or NCHWc rewrite), time of run() including feeding and copying out; "default threads" is ORT\'s own intra-op thread count.',
  ];
  for (const row of rows) {
    const skipped = 1 - effectiveMultiplications(row.problem) / row.macs;
    if (skipped > 0) lines.push(`${row.layer.label}: the reference skips ${(skipped * 100).toFixed(1)}% of the dense MACs (taps in the padding).`);
  }
  lines.push('', 'Sources:');
  for (const row of rows) lines.push(`- ${row.layer.label}: ${row.layer.source}`);
  return lines;
}

async function main(): Promise<void> {
  const referenceRate = await calibrateReference();
  const ortSingle = await createOnnxRuntimeBackend({ intraOpNumThreads: 1 });
  const ortDefault = await createOnnxRuntimeBackend();
  try {
    for (const line of machineLines(referenceRate)) console.log(line);
    console.log('');
    const rows: BenchRow[] = [];
    for (const layer of BENCH_LAYERS) {
      process.stderr.write(`measuring ${layer.label} ...\n`);
      rows.push(await benchLayer(layer, referenceRate, ortSingle, ortDefault));
    }
    for (const line of [...table(rows), ...notes(rows)]) console.log(line);
  } finally {
    await ortSingle.dispose?.();
    await ortDefault.dispose?.();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : String(error));
    process.exitCode = 1;
  });
}
