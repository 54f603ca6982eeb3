/**
 * The fast Conv / ConvTranspose reference on every core: the output planes (n, m) of a large
 * problem are split into contiguous shares, one per thread; the calling thread runs one share and
 * worker threads the others, all on shared memory (inputs copied once into a reused buffer, outputs
 * written in place, each page first touched by the thread that fills it). A small problem runs on
 * the calling thread only: a worker round trip costs more than it saves.
 *
 * Workers start on the first large problem (loading TypeScript through tsx, whichever way the
 * process itself loads it: tsx's CLI, its register() as bin/convcheck.js does, or vitest), stay
 * for the next one, and never keep the process alive: they are unref'd while idle.
 * {@link closeFastConvPool} ends them. A worker that dies fails its run with its error; the next
 * run starts a new one.
 *
 * A run given an AbortSignal can be stopped (compare/run-case.ts bounds the reference with the time
 * limit this way): all its shares run on workers, and an abort ends them. The readable reference
 * runs here too when it must be stoppable ({@link readableInWorker}).
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ConvProblem } from '../problem/problem.ts';
import { denseMultiplyAccumulates, sizeOf } from '../problem/shape.ts';
import type { ConvOperands } from '../problem/operands.ts';
import type { ConvResult } from './conv-result.ts';
import { convFastDetailed, fastConvPlan } from './conv-fast.ts';
import { planeCount, runFastJob, termsPattern, type FastConvPlan, type FastJob } from './conv-fast-kernel.ts';
import { FAST_WORKER_MARK, type QuantizedJob, type QuantizedJobResult, type ReadableJob } from './conv-fast-worker.ts';
import { checkReferenceOperands } from './inputs.ts';

/**
 * Multiply-accumulates below which a problem runs on the calling thread (about a millisecond of
 * work; measured: from about 1 M on, two threads took less time than one, both on a depthwise
 * and on a dense 3x3).
 */
export const PARALLEL_MIN_MACS = 1_000_000;

/** Threads a run uses by default: one per core the process may use. */
export function defaultThreads(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}


type Reply =
  | { readonly ready: true }
  | { readonly ok: true; readonly result?: ConvResult | QuantizedJobResult }
  | { readonly ok: false; readonly message: string };

/** One worker thread and the run waiting on it. */
class PoolWorker {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  private waiting: { resolve: (reply: Reply) => void; reject: (error: Error) => void } | undefined;
  dead = false;

  constructor() {
    const require = createRequire(import.meta.url);
    // tsx's ESM API (its CommonJS entry sits beside the ESM one), then the worker module itself
    const tsxApi = new URL('./index.mjs', `file://${require.resolve('tsx/esm/api')}`).href;
    const workerModule = new URL('./conv-fast-worker.ts', import.meta.url).href;
    const boot = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(workerModule)}); })`
      + `.catch((error) => { require('node:worker_threads').parentPort.postMessage({ ok: false, message: 'fast-conv worker failed to load: ' + (error && error.stack || error) }); });`;
    this.worker = new Worker(boot, { eval: true, workerData: { mark: FAST_WORKER_MARK } });
    let markReady: () => void = () => {};
    let failReady: (error: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => { markReady = resolve; failReady = reject; });
    this.ready.catch(() => {}); // observed by whoever awaits it
    this.waiting = { resolve: () => markReady(), reject: failReady };
    this.worker.on('message', (reply: Reply) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      this.worker.unref();
      if ('ready' in reply || reply.ok) waiting?.resolve(reply);
      else waiting?.reject(new Error(reply.message));
    });
    const die = (error: Error): void => {
      this.dead = true;
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.reject(error);
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new Error(`fast-conv worker exited with code ${code}`)));
    this.worker.ref(); // until it has answered that it is ready
  }

  /** Posts one job and resolves with the worker's answer once it has run it. */
  run(job: FastJob | ReadableJob | QuantizedJob): Promise<Reply> {
    if (this.dead) return Promise.reject(new Error('fast-conv worker is gone'));
    return new Promise<Reply>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.worker.ref();
      this.worker.postMessage(job);
    });
  }
}

let workers: PoolWorker[] = [];
/** Runs go one at a time: they share the input buffer and the workers. */
let queue: Promise<unknown> = Promise.resolve();
let inputBuffer = new SharedArrayBuffer(0);

/** The input buffer, grown (never shrunk) to hold `elements` float64 values. */
function inputBufferFor(elements: number): SharedArrayBuffer {
  if (inputBuffer.byteLength < elements * 8) inputBuffer = new SharedArrayBuffer(elements * 8);
  return inputBuffer;
}

async function readyWorkers(count: number): Promise<PoolWorker[]> {
  workers = workers.filter((w) => !w.dead);
  while (workers.length < count) workers.push(new PoolWorker());
  const chosen = workers.slice(0, count);
  await Promise.all(chosen.map((w) => w.ready));
  return chosen;
}

/**
 * Waits for `work` unless `signal` aborts first: then the workers `involved()` names are ended
 * (whatever they were computing stops at once; the next run starts new ones) and the wait rejects
 * with the signal's reason. Without a signal, waits for `work`.
 */
async function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, involved: () => readonly PoolWorker[]): Promise<T> {
  if (signal === undefined) return work;
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } catch (error) {
    if (signal.aborted) await endWorkers(involved());
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Ends `ending` now and drops them from the pool. */
async function endWorkers(ending: readonly PoolWorker[]): Promise<void> {
  for (const w of ending) w.dead = true;
  workers = workers.filter((w) => !ending.includes(w));
  inputBuffer = new SharedArrayBuffer(0);
  await Promise.all(ending.map((w) => w.worker.terminate()));
}

/**
 * The planes split over `threads` threads: with a signal every share goes to a worker (the calling
 * thread stays free to notice the abort), without one the calling thread runs the first share.
 */
async function runParallel(plan: FastConvPlan, operands: ConvOperands, threads: number, signal?: AbortSignal): Promise<ConvResult> {
  const onCaller = signal === undefined ? 1 : 0;
  let pool: PoolWorker[] = [];
  const starting = readyWorkers(threads - onCaller).then((ready) => { pool = ready; return ready; });
  await unlessAborted(starting, signal, () => workers.slice(0, threads - onCaller));
  const xLength = operands.x.data.length, wLength = operands.w.data.length, bLength = operands.b?.data.length ?? 0;
  const input = inputBufferFor(xLength + wLength + bLength);
  new Float64Array(input, 0, xLength).set(operands.x.data);
  new Float64Array(input, xLength * 8, wLength).set(operands.w.data);
  if (operands.b !== undefined) new Float64Array(input, (xLength + wLength) * 8, bLength).set(operands.b.data);
  const count = sizeOf(plan.yShape);
  const y = new SharedArrayBuffer(count * 8), absSum = new SharedArrayBuffer(count * 8), terms = new SharedArrayBuffer(count * 4);
  const { pattern, perPlane } = termsPattern(plan);
  const planes = planeCount(plan);
  const share = (t: number): FastJob => ({
    plan, input, xLength, wLength, bLength, y, absSum, terms, pattern,
    planeStart: Math.floor((planes * t) / threads), planeEnd: Math.floor((planes * (t + 1)) / threads),
  });
  const running = pool.map((w, t) => w.run(share(t + onCaller)));
  if (onCaller === 1) {
    try {
      runFastJob(share(0));
    } finally {
      await Promise.allSettled(running);
    }
  }
  await unlessAborted(Promise.all(running), signal, () => pool);
  return { y: { shape: [...plan.yShape], data: new Float64Array(y) }, absSum: new Float64Array(absSum), terms: new Int32Array(terms), multiplications: perPlane * planes };
}

/** Options of {@link convFastParallel}. */
export interface FastParallelOptions {
  /** Threads to use, the calling one included (default {@link defaultThreads}); 1 runs on the calling thread. */
  readonly threads?: number;
  /** Multiply-accumulates from which workers are used (default {@link PARALLEL_MIN_MACS}). */
  readonly minMacs?: number;
  /**
   * Stops the run: from `minMacs` on, every share then runs on a worker (the calling thread only
   * waits) and an abort ends those workers at once and rejects with the signal's reason. A
   * smaller problem runs on the calling thread (a few milliseconds) and is not interrupted.
   */
  readonly signal?: AbortSignal;
}

/**
 * Conv or ConvTranspose (by `p.op`) with the fast loops on every core: the result of
 * {@link convFastDetailed}, the same values bit for bit (each plane is summed in the same order
 * whichever thread runs it). Same checks and errors as the readable reference.
 */
export async function convFastParallel(p: ConvProblem, operands: ConvOperands, options: FastParallelOptions = {}): Promise<ConvResult> {
  checkReferenceOperands(p, operands);
  const plan = fastConvPlan(p);
  const threads = Math.max(1, Math.min(options.threads ?? defaultThreads(), planeCount(plan)));
  const stoppable = options.signal !== undefined;
  if ((threads === 1 && !stoppable) || denseMultiplyAccumulates(p) < (options.minMacs ?? PARALLEL_MIN_MACS)) return convFastDetailed(p, operands);
  const run = queue.then(() => runParallel(plan, operands, threads, options.signal));
  queue = run.catch(() => undefined);
  return run;
}

/**
 * A readable reference op (reference/conv.ts, conv-transpose.ts, conv-weight-grad.ts: the same
 * loops, the same result) run on a worker thread, so that `signal` can stop it: an abort ends the
 * worker and rejects with the signal's reason. The limits in force here are the worker's too.
 * @example await readableInWorker({ kind: 'readable', op: 'conv', problem, operands, limits: activeLimits() }, AbortSignal.timeout(60_000))
 */
export async function readableInWorker(job: ReadableJob, signal?: AbortSignal): Promise<ConvResult> {
  return (await onOneWorker(job, signal)) as ConvResult;
}

/**
 * A quantized reference op (ConvInteger or QLinearConv, reference/conv-integer.ts and
 * qlinear-conv.ts) run on a worker thread, so that `signal` can stop it, as {@link readableInWorker}.
 * @example await quantizedInWorker({ kind: 'quantized', problem, operands, limits: activeLimits() }, AbortSignal.timeout(60_000))
 */
export async function quantizedInWorker(job: QuantizedJob, signal?: AbortSignal): Promise<QuantizedJobResult> {
  return (await onOneWorker(job, signal)) as QuantizedJobResult;
}

/** Runs one job on one worker, after the runs queued before it; an abort of `signal` ends that worker. */
function onOneWorker(job: ReadableJob | QuantizedJob, signal?: AbortSignal): Promise<unknown> {
  const run = queue.then(async () => {
    let chosen: PoolWorker[] = [];
    const starting = readyWorkers(1).then((ready) => { chosen = ready; return ready; });
    await unlessAborted(starting, signal, () => workers.slice(0, 1));
    const reply = await unlessAborted(chosen[0].run(job), signal, () => chosen);
    if (!('ok' in reply) || !reply.ok || reply.result === undefined) throw new Error(`fast-conv worker answered a ${job.kind} job without a result`);
    return reply.result;
  });
  queue = run.catch(() => undefined);
  return run;
}

/** Ends every worker thread of the pool (a later run starts new ones). */
export async function closeFastConvPool(): Promise<void> {
  const ending = workers;
  workers = [];
  inputBuffer = new SharedArrayBuffer(0);
  await Promise.all(ending.map((w) => w.worker.terminate()));
}
