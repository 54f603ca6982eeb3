/**
 * One call of a backend, as every part of convcheck makes it (a law's runs and gradients, a
 * golden case, `convcheck run`): support asked first (a `supports` that throws is an error, not a
 * crash), then the call under a time limit; an UnsupportedError is the unsupported verdict, any
 * other throw or a time-out an error carrying its message. Never throws itself.
 *
 * What the time limit can do depends on where the work runs:
 * - work that waits (a process backend's reply, a worker thread, a browser page, an async
 *   library call): at the limit the call is an error and the backend is told to stop through the
 *   AbortSignal it is given (the reference ends its worker thread; a backend that ignores the
 *   signal is left to finish, and its late answer is dropped);
 * - work that holds this thread (onnxruntime-node runs its session synchronously, tfjs-cpu and
 *   tfjs-wasm compute in JavaScript on it): no timer can fire until it returns, so the limit is
 *   checked when it does; an answer later than the limit is the same error, said so. Such work
 *   cannot be interrupted: the resource limits (problem/limits.ts) bound it before it starts.
 * Calls still running when their limit passed are counted ({@link abandonedCalls}), so that the
 * command can end the process instead of waiting for them (bin/convcheck.js).
 */
import { isUnsupportedError, type Backend, type Support } from '../problem/backend.ts';

/** What one backend call gave. */
export type CallOutcome<T> =
  | { readonly kind: 'output'; readonly output: T }
  | { readonly kind: 'unsupported'; readonly reason: string }
  | { readonly kind: 'error'; readonly phase: 'supports' | 'call'; readonly message: string };

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A call past its time limit: its message says who ran out of time. */
export class TimeLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeLimitError';
  }
}

let abandoned = 0;

/**
 * setImmediate turns a limit waits, once its timer fired, for an answer already there (see
 * {@link answeredMeanwhile}): a process backend's reply takes five from the poll phase that reads it
 * (one to be read, two of its own limit's same check, two to make sure no second line follows);
 * 4 were measured too few, 5 enough (adapters/process-backend.test.ts), 8 leave room.
 */
const GRACE_TURNS = 8;

/**
 * Lets the event loop run up to `turns` turns and says whether `done()` became true meanwhile. Each
 * turn has a poll phase, which reads pipe and socket data already waiting. A limit's timer that
 * fires after this thread was busy with other work (the other law in flight) runs before the poll
 * phase that would deliver an answer already sitting in the pipe, so a limit asks this before it
 * blames the backend: convcheck's own delay is not the backend's lateness.
 */
export async function answeredMeanwhile(done: () => boolean, turns = GRACE_TURNS): Promise<boolean> {
  for (let turn = 0; turn < turns && !done(); turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  return done();
}

/** Calls whose time limit passed while their work still runs (it could not be stopped, or ignored the signal). */
export function abandonedCalls(): number {
  return abandoned;
}

/**
 * Runs `start(signal, started)` within `ms` milliseconds. At the limit `signal` is aborted and the
 * result rejects with a TimeLimitError `late(ms)`; a result that arrives after the limit (work that
 * held this thread, so the timer could not fire first) rejects with the same message, plus how long
 * it took. The work is started after the clock, so synchronous work inside `start` counts too.
 * `queued` work (a backend that queues its calls, Backend.queuesCalls) first waits its turn behind
 * other calls: its clock starts when it calls `started()` (a no-op otherwise, and the second time).
 * When the timer fires, an answer already waiting to be read still counts ({@link answeredMeanwhile}).
 */
export async function withinTimeLimit<T>(ms: number, late: (ms: number) => string, start: (signal: AbortSignal, started: () => void) => Promise<T>, queued = false): Promise<T> {
  let began = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let rejectLate: (error: TimeLimitError) => void = () => {};
  const timeout = new Promise<never>((_, reject) => { rejectLate = reject; });
  let clockRunning = false, settled = false, timedOut = false;
  const startClock = (): void => {
    if (clockRunning || settled) return;
    clockRunning = true;
    began = performance.now();
    timer = setTimeout(() => {
      void answeredMeanwhile(() => settled).then((answered) => {
        if (answered) return;
        const error = new TimeLimitError(late(ms));
        controller.abort(error);
        rejectLate(error);
      });
    }, ms);
  };
  if (!queued) startClock();
  const work = (async () => start(controller.signal, startClock))().finally(() => {
    settled = true;
    if (timedOut) abandoned--;
  });
  try {
    const result = await Promise.race([work, timeout]);
    const took = performance.now() - began;
    // queued work runs elsewhere (a process, a page): a late answer there was the timer's to catch
    if (!queued && took > ms) throw new TimeLimitError(`${late(ms)} (it answered after ${Math.round(took)} ms, on this thread, where it could not be stopped)`);
    return result;
  } catch (error) {
    if (error instanceof TimeLimitError && !settled && !timedOut) { timedOut = true; abandoned++; }
    throw error;
  } finally {
    clearTimeout(timer);
    work.catch(() => {}); // a late rejection of abandoned work is not unhandled
  }
}

/** Rejects after `ms` milliseconds unless `promise` settles first: `${what} did not answer within ${ms} ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return withinTimeLimit(ms, (limit) => `${what} did not answer within ${limit} ms`, () => promise);
}

/**
 * Asks `support()`, then runs `call(options)` within `timeoutMs` (the backend's name is in a
 * time-out message: "onnxruntime did not answer within 60000 ms"); `options.signal` aborts at the
 * limit. A backend that queues its calls starts the clock with `options.started` when its turn comes.
 * @example await callBackend(b, () => b.supports(p), (options) => b.run(p, ops, options), 60_000)
 */
export async function callBackend<T>(backend: Pick<Backend, 'name' | 'queuesCalls'>, support: () => Support, call: (options: { signal: AbortSignal; started: () => void }) => Promise<T>, timeoutMs: number): Promise<CallOutcome<T>> {
  let supported: Support;
  try {
    supported = support();
  } catch (error) {
    return { kind: 'error', phase: 'supports', message: errorMessage(error) };
  }
  // a supports() that breaks the contract (undefined, { supported: 'yes' }) is its error, not a crash of the caller
  const s = supported as unknown as { supported?: unknown; reason?: unknown } | null;
  if (typeof s !== 'object' || s === null || (s.supported !== true && !(s.supported === false && typeof s.reason === 'string'))) {
    return { kind: 'error', phase: 'supports', message: `it returned ${s === null || typeof s !== 'object' ? String(s) : `an object with supported=${String(s.supported)}`}, not { supported: true } or { supported: false, reason: string }` };
  }
  if (!supported.supported) return { kind: 'unsupported', reason: supported.reason };
  try {
    return { kind: 'output', output: await withinTimeLimit(timeoutMs, (ms) => `${backend.name} did not answer within ${ms} ms`, (signal, started) => call({ signal, started }), backend.queuesCalls === true) };
  } catch (error) {
    if (isUnsupportedError(error)) return { kind: 'unsupported', reason: error.message };
    return { kind: 'error', phase: 'call', message: errorMessage(error) };
  }
}
