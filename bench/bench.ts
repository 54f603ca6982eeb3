/**
 * `npm run bench`, in one run on this machine:
 * 1. per real layer (bench/layers.ts): the reference's multiply-accumulates per second (its readable
 *    loops, its fast path on one thread and on every core, S and n included) next to ONNX Runtime
 *    on the same problem and operands (1 intra-op thread, and ORT's default threads), and numpy
 *    float64 and PyTorch float64 as outside anchors where they are installed (bench/numpy_anchor.py,
 *    bench/torch_anchor.py; PyTorch's float64 speed is issue 13's yardstick for the reference);
 * 2. the law suite's cases per second against every backend of the registry.
 * Every timing is one warm-up run, then the median of several runs. A layer the readable loops
 * would need more than {@link REFERENCE_BUDGET_SECONDS} for is scaled down for them only (marked).
 * The machine's core count and load average (before and after) are printed with the numbers: on a
 * shared machine the load says how far to trust them.
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { makeOperands } from '../problem/operand-data.ts';
import { compareToReference } from '../compare/tolerance.ts';
import { createOnnxRuntimeBackend, ONNX_RUNTIME_VERSION, type OnnxRuntimeBackend } from '../adapters/onnxruntime.ts';
import { availableBackends } from '../adapters/registry.ts';
import { torchPython } from '../adapters/torch.ts';
import { numpyAnchor, torchAnchor, type AnchorTiming, type TorchTiming } from './anchors.ts';
import { runLaws } from '../properties/runner.ts';
import { formatDescriptor, parseDescriptor } from '../problem/descriptor.ts';
import { withChanges, type ConvProblem } from '../problem/problem.ts';
import { sizeOf } from '../problem/shape.ts';
import type { ConvResult } from '../reference/conv-result.ts';
import { convDetailed } from '../reference/conv.ts';
import { convTransposeDetailed } from '../reference/conv-transpose.ts';
import { convFastDetailed, fastConvPlan } from '../reference/conv-fast.ts';
import { accumulatePlanes, fillTermsPlanes, planeCount, termsPattern } from '../reference/conv-fast-kernel.ts';
import { closeFastConvPool, convFastParallel, defaultThreads } from '../reference/conv-fast-pool.ts';
import { denseMultiplications, effectiveMultiplications } from '../reference/cost.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { BENCH_LAYERS, type BenchLayer } from './layers.ts';

/** Longest a single run of the readable reference may take before its layer is scaled down. */
const REFERENCE_BUDGET_SECONDS = 30;
/** Timed runs of the readable reference after the warm-up (each takes up to a second or so). */
const REFERENCE_RUNS = 2;
/** Timed runs of the fast path, ORT and numpy after the warm-up. */
const FAST_RUNS = 5;
const ORT_RUNS = 15;
/** Cases per law of the law-suite rate (the suite's own default budget is 25; gate's 100). */
const LAW_RUNS = 25;

/** Median of a non-empty list. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Milliseconds of `runs` timed calls of `fn`, after one untimed warm-up call, and the CPU
 * milliseconds of the whole process (all its threads) for each: on a machine shared with other
 * work, CPU time per run is what a loaded machine does not inflate as much as wall time.
 */
async function timeRuns<T>(fn: () => T | Promise<T>, runs: number): Promise<{ times: number[]; cpu: number[]; faults: number[]; last: T }> {
  let last = await fn();
  const times: number[] = [], cpu: number[] = [], faults: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now(), cpuStart = process.cpuUsage(), faultsStart = process.resourceUsage().minorPageFault;
    last = await fn();
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
    faults.push(process.resourceUsage().minorPageFault - faultsStart);
  }
  return { times, cpu, faults, last };
}

/**
 * What a first touch of a fresh page (a minor page fault) costs on this machine: 64 MiB newly
 * allocated, one write per 4 KiB page, timed, and the faults counted. A run whose output lands on
 * fresh pages pays this per page on top of its arithmetic.
 */
function pageFaultCost(): { faults: number; ms: number } {
  const bytes = 64 * 2 ** 20;
  const faultsStart = process.resourceUsage().minorPageFault, start = performance.now();
  const touched = new Float64Array(bytes / 8);
  for (let i = 0; i < touched.length; i += 512) touched[i] = 1;
  return { ms: performance.now() - start, faults: process.resourceUsage().minorPageFault - faultsStart };
}

/**
 * `p` with its spatial input halved (rounded up) until the reference, at `macsPerSecond`, needs
 * at most `budgetSeconds`; `p` itself when it already fits.
 */
export function scaledToBudget(p: ConvProblem, macsPerSecond: number, budgetSeconds: number): ConvProblem {
  let scaled = p;
  while (denseMultiplications(scaled) / macsPerSecond > budgetSeconds && scaled.inputShape.some((i) => i > 1)) {
    scaled = withChanges(scaled, { inputShape: scaled.inputShape.map((i) => Math.max(1, Math.ceil(i / 2))) });
  }
  return scaled;
}

/** The readable reference loops (reference/conv.ts, reference/conv-transpose.ts), never the fast path. */
function readableReference(p: ConvProblem, operands: ConvOperands): ConvResult {
  return p.op === 'conv' ? convDetailed(p, operands) : convTransposeDetailed(p, operands);
}

/** The readable reference's MAC/s on a small 3x3 conv, to decide whether a layer needs scaling for it. */
async function calibrateReadable(): Promise<number> {
  const p = parseDescriptor('mb1ic32ih28iw28oc32kh3kw3ph1pw1');
  const operands = makeOperands(p, 'real', 1);
  const { times } = await timeRuns(() => readableReference(p, operands), 3);
  return denseMultiplications(p) / (median(times) / 1000);
}

/** Largest `|a - b| / S` over the elements (0 where S is 0 and they are equal). */
function maxDiffOverS(a: ConvResult, b: ConvResult): number {
  let worst = 0;
  for (let i = 0; i < a.y.data.length; i++) {
    const d = Math.abs(a.y.data[i] - b.y.data[i]);
    worst = Math.max(worst, d === 0 ? 0 : d / a.absSum[i]);
  }
  return worst;
}


/**
 * The fast path's arithmetic alone on the calling thread: y, S and n computed into arrays allocated
 * (and their pages first touched) once, operands converted to float64 once; what
 * {@link convFastDetailed} does apart from allocating and converting.
 */
function fastArithmetic(problem: ConvProblem, operands: ConvOperands): () => void {
  const plan = fastConvPlan(problem);
  const count = sizeOf(plan.yShape);
  const y = new Float64Array(count).fill(0), absSum = new Float64Array(count).fill(0), terms = new Int32Array(count).fill(0);
  const x = Float64Array.from(operands.x.data), w = Float64Array.from(operands.w.data);
  const b = operands.b === undefined ? undefined : Float64Array.from(operands.b.data);
  return () => {
    accumulatePlanes(plan, x, w, b, y, absSum, 0, planeCount(plan));
    fillTermsPlanes(termsPattern(plan).pattern, terms, 0, planeCount(plan));
  };
}

/** One row of the layer table. */
interface LayerRow {
  readonly layer: BenchLayer;
  readonly problem: ConvProblem;
  readonly readableProblem: ConvProblem;
  readonly macs: number;
  readonly readableMs: number;
  readonly fastOneMs: number;
  readonly fastOneCpuMs: number;
  /** {@link fastArithmetic}'s median. */
  readonly fastArithmeticMs: number;
  readonly fastAllMs: number;
  readonly fastAllCpuMs: number;
  /** Median minor page faults of a run of the fast path on every core. */
  readonly fastAllFaults: number;
  readonly ortSingleMs: number;
  readonly ortDefaultMs: number;
  readonly numpy: AnchorTiming;
  readonly torch: TorchTiming;
  readonly notes: string;
}

async function benchLayer(
  layer: BenchLayer, readableRate: number, ortSingle: OnnxRuntimeBackend, ortDefault: OnnxRuntimeBackend, numpy: ReturnType<typeof numpyAnchor>,
  torch: ReturnType<typeof torchAnchor>,
): Promise<LayerRow> {
  const problem = layer.problem;
  const operands = makeOperands(problem, 'real', 1);
  const readableProblem = scaledToBudget(problem, readableRate, REFERENCE_BUDGET_SECONDS);
  const readableOperands = readableProblem === problem ? operands : makeOperands(readableProblem, 'real', 1);
  const readable = await timeRuns(() => readableReference(readableProblem, readableOperands), REFERENCE_RUNS);
  const fastOne = await timeRuns(() => convFastDetailed(problem, operands), FAST_RUNS);
  const arithmetic = await timeRuns(fastArithmetic(problem, operands), FAST_RUNS);
  const fastAll = await timeRuns(() => convFastParallel(problem, operands), FAST_RUNS);
  const single = await timeRuns(() => ortSingle.run(problem, operands), ORT_RUNS);
  const threaded = await timeRuns(() => ortDefault.run(problem, operands), ORT_RUNS);
  const ort = compareToReference(fastAll.last, threaded.last, ortDefault.precision, { exact: false });
  const fastVsReadable = readableProblem === problem ? `fast vs readable max |Δy|/S ${maxDiffOverS(readable.last, fastAll.last).toExponential(1)}` : 'readable scaled down';
  const numpyTiming = await numpy.time(problem, operands, fastAll.last);
  const torchTiming = await torch.time(problem, operands, fastAll.last);
  return {
    layer, problem, readableProblem, macs: denseMultiplications(problem),
    readableMs: median(readable.times), fastOneMs: median(fastOne.times), fastOneCpuMs: median(fastOne.cpu), fastArithmeticMs: median(arithmetic.times),
    fastAllMs: median(fastAll.times), fastAllCpuMs: median(fastAll.cpu), fastAllFaults: median(fastAll.faults),
    ortSingleMs: median(single.times), ortDefaultMs: median(threaded.times), numpy: numpyTiming, torch: torchTiming,
    notes: `ORT ${ort.verdict} (max err/(u·S) ${ort.maxNormalizedError.toFixed(2)}); ${fastVsReadable}; numpy: ${numpyTiming.note}; torch: ${torchTiming.note}`,
  };
}

/** One row of the law-suite table. */
interface LawRow {
  readonly backend: string;
  readonly cases: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly note: string;
}

/** The law suite (default laws, {@link LAW_RUNS} cases each, fixed seed) against every backend of the registry. */
async function benchLaws(): Promise<LawRow[]> {
  const rows: LawRow[] = [];
  for (const availability of await availableBackends()) {
    if (!availability.available) { rows.push({ backend: availability.name, cases: 0, wallMs: 0, cpuMs: 0, note: `unavailable: ${availability.reason}` }); continue; }
    const backend = availability.backend;
    process.stderr.write(`law suite on ${backend.name} ...\n`);
    try {
      const start = performance.now(), cpu = process.cpuUsage();
      const result = await runLaws({ backend, numRuns: LAW_RUNS, seed: 1729 });
      const used = process.cpuUsage(cpu);
      const counts = { pass: 0, unsupported: 0, other: 0 };
      for (const c of result.cases) { if (c.verdict === 'pass') counts.pass++; else if (c.verdict === 'unsupported') counts.unsupported++; else counts.other++; }
      rows.push({
        backend: backend.name, cases: result.cases.length, wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000,
        note: `${result.lawsRun.length} laws; ${counts.pass} pass, ${counts.unsupported} unsupported, ${counts.other} other`,
      });
    } finally {
      await backend.dispose?.();
    }
  }
  return rows;
}

function si(value: number, unit: string): string {
  const prefixes: Array<[number, string]> = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  const [scale, prefix] = prefixes.find(([s]) => value >= s) ?? [1, ''];
  return `${(value / scale).toFixed(value / scale >= 100 ? 0 : 2)} ${prefix}${unit}`;
}

function ms(value: number): string {
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(2)} ms`;
}

function gmacs(macs: number, milliseconds: number): string {
  return `${(macs / milliseconds / 1e6).toFixed(2)}`;
}

function load(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

function layerTable(rows: readonly LayerRow[], threads: number): string[] {
  const header = ['layer', 'descriptor', 'MACs', 'readable', 'G MAC/s', 'fast 1 thread', 'G MAC/s', 'G MAC per CPU s', 'fast 1 thread, arithmetic only (G MAC/s)', `fast ${threads} threads`, 'G MAC/s', 'G MAC per CPU s', 'page faults per run', 'ORT 1 thread', 'ORT default', 'numpy f64', 'torch f64 1 thread (G MAC/s)', 'torch f64 all cores', 'torch f64 y and S, 1 thread', `fast ${threads} threads / ORT 1 thread`];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const readableMacs = denseMultiplications(r.readableProblem);
    lines.push(`| ${[
      r.layer.label, `\`${formatDescriptor(withChanges(r.problem, { name: undefined }))}\``, si(r.macs, ''),
      `${ms(r.readableMs)}${r.readableProblem === r.problem ? '' : ` (on \`${formatDescriptor(withChanges(r.readableProblem, { name: undefined }))}\`)`}`, gmacs(readableMacs, r.readableMs),
      ms(r.fastOneMs), gmacs(r.macs, r.fastOneMs), gmacs(r.macs, r.fastOneCpuMs), `${ms(r.fastArithmeticMs)} (${gmacs(r.macs, r.fastArithmeticMs)})`, ms(r.fastAllMs), gmacs(r.macs, r.fastAllMs), gmacs(r.macs, r.fastAllCpuMs), r.fastAllFaults.toFixed(0),
      ms(r.ortSingleMs), ms(r.ortDefaultMs), r.numpy.ms === undefined ? 'n/a' : ms(r.numpy.ms),
      r.torch.ms1 === undefined ? 'n/a' : `${ms(r.torch.ms1)} (${gmacs(r.macs, r.torch.ms1)})`,
      r.torch.msAll === undefined ? 'n/a' : `${ms(r.torch.msAll)} (${gmacs(r.macs, r.torch.msAll)}, ${r.torch.threads ?? '?'} threads)`,
      r.torch.msWithS1 === undefined ? 'n/a' : `${ms(r.torch.msWithS1)} (${gmacs(r.macs, r.torch.msWithS1)})`, `${(r.fastAllMs / r.ortSingleMs).toFixed(0)}x`,
    ].join(' | ')} |`);
  }
  return lines;
}

function lawTable(rows: readonly LawRow[]): string[] {
  const lines = ['| backend | cases | wall | cases/s | CPU of this process | cases per CPU second | |', '|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    if (r.cases === 0) { lines.push(`| ${r.backend} | | | | | | ${r.note} |`); continue; }
    lines.push(`| ${r.backend} | ${r.cases} | ${(r.wallMs / 1000).toFixed(2)} s | ${(r.cases / (r.wallMs / 1000)).toFixed(0)} | ${(r.cpuMs / 1000).toFixed(2)} s | ${(r.cases / (r.cpuMs / 1000)).toFixed(0)} | ${r.note} |`);
  }
  return lines;
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  const threads = defaultThreads();
  console.log(`machine: ${threads} cores available (${cpus.length} logical CPUs, ${cpus[0]?.model.trim() ?? 'unknown model'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.arch()}`);
  console.log(`node ${process.version}, onnxruntime-node ${ONNX_RUNTIME_VERSION} (CPU execution provider), ${new Date().toISOString()}`);
  console.log(`load average at start: ${load()}`);
  const faultCost = pageFaultCost();
  const readableRate = await calibrateReadable();
  const ortSingle = await createOnnxRuntimeBackend({ intraOpNumThreads: 1 });
  const ortDefault = await createOnnxRuntimeBackend({ intraOpNumThreads: 0, interOpNumThreads: 0, graphOptimizationLevel: 'all' });
  const numpy = numpyAnchor(FAST_RUNS);
  const torch = torchAnchor(FAST_RUNS);
  const rows: LayerRow[] = [];
  try {
    for (const layer of BENCH_LAYERS) {
      process.stderr.write(`measuring ${layer.label} ...\n`);
      rows.push(await benchLayer(layer, readableRate, ortSingle, ortDefault, numpy, torch));
    }
  } finally {
    numpy.close();
    torch.close();
    await ortSingle.dispose?.();
    await ortDefault.dispose?.();
    await closeFastConvPool();
  }
  const lawRows = await benchLaws();
  console.log('');
  for (const line of layerTable(rows, threads)) console.log(line);
  console.log('');
  for (const line of lawTable(lawRows)) console.log(line);
  console.log('');
  console.log(`load average at end: ${load()}`);
  console.log(`Layer times are medians of ${REFERENCE_RUNS} (readable), ${FAST_RUNS} (fast, numpy, torch) or ${ORT_RUNS} (ORT) runs after one warm-up run, same operands (real mode, seed 1), batch 1.`);
  console.log('MACs are the dense count N·M·Πo·(C/g)·Πk (reference/cost.ts); G MAC/s divides it by the median wall time, G MAC per CPU s by the median CPU time of the process (all threads). Every reference time includes S and n per element and the allocation of y, S and n.');
  console.log(`Page faults per run are the process's minor page faults (first touches of fresh pages, all threads) during a run of "fast ${threads} threads", median; one costs about ${(faultCost.ms * 1000 / Math.max(1, faultCost.faults)).toFixed(1)} µs here (64 MiB newly allocated and written once per 4 KiB page: ${faultCost.faults} faults in ${faultCost.ms.toFixed(1)} ms).`);
  console.log('"arithmetic only" is the fast path\'s loops on one thread into y, S and n arrays allocated once and reused from run to run (no allocation, no float32 to float64 conversion, no fresh pages): what the reference computes, apart from what this machine charges for new memory.');
  console.log(`"fast ${threads} threads" is reference/conv-fast-pool.ts: the calling thread and ${threads - 1} worker thread(s), each on its share of the output planes.`);
  console.log('ORT runs through convcheck\'s adapter: cached session, weights as graph inputs (no pre-packing), run() with feeding and copying out; "default" is ORT\'s own thread count and optimization level.');
  console.log('numpy f64 is bench/numpy_anchor.py (sliding windows + einsum, float64, value only: no S and n), timed inside python.');
  console.log(`torch f64 is bench/torch_anchor.py under ${torchPython(process.env)} (torch.nn.functional conv / conv_transpose, float64, no_grad), timed inside python: value only on 1 thread and on every core; "y and S" adds conv(|x|, |w|) on 1 thread, the nearer match to the reference's work (n is not counted).`);
  console.log(`Law suite: every law of properties/laws, ${LAW_RUNS} cases per law (fewer for costly laws), seed 1729, against each backend of adapters/registry.ts; the reference also runs the structural laws.`);
  for (const r of rows) {
    const skipped = 1 - effectiveMultiplications(r.problem) / r.macs;
    console.log(`${r.layer.label}: ${r.notes}${skipped > 0 ? `; the reference skips ${(skipped * 100).toFixed(1)}% of the dense MACs (taps in the padding)` : ''}.`);
  }
  console.log('');
  console.log('Sources:');
  for (const r of rows) console.log(`- ${r.layer.label}: ${r.layer.source}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : String(error));
    process.exitCode = 1;
  });
}
