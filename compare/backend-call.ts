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
import { isUnsupportedError, type Support } from '../problem/backend.ts';

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

/** Calls whose time limit passed while their work still runs (it could not be stopped, or ignored the signal). */
export function abandonedCalls(): number {
  return abandoned;
}

/**
 * Runs `start(signal)` within `ms` milliseconds. At the limit `signal` is aborted and the result
 * rejects with a TimeLimitError `late(ms)`; a result that arrives after the limit (work that held
 * this thread, so the timer could not fire first) rejects with the same message, plus how long it
 * took. The work is started after the clock, so synchronous work inside `start` counts too.
 */
export async function withinTimeLimit<T>(ms: number, late: (ms: number) => string, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const began = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeLimitError(late(ms));
      controller.abort(error);
      reject(error);
    }, ms);
  });
  let settled = false, timedOut = false;
  const work = (async () => start(controller.signal))().finally(() => {
    settled = true;
    if (timedOut) abandoned--;
  });
  try {
    const result = await Promise.race([work, timeout]);
    const took = performance.now() - began;
    if (took > ms) throw new TimeLimitError(`${late(ms)} (it answered after ${Math.round(took)} ms, on this thread, where it could not be stopped)`);
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
 * Asks `support()`, then runs `call(signal)` within `timeoutMs` (`backendName` names the backend in a
 * time-out message: "onnxruntime did not answer within 60000 ms"); `signal` aborts at the limit.
 * @example await callBackend('onnxruntime', () => b.supports(p), (signal) => b.run(p, ops, { signal }), 60_000)
 */
export async function callBackend<T>(backendName: string, support: () => Support, call: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<CallOutcome<T>> {
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
    return { kind: 'output', output: await withinTimeLimit(timeoutMs, (ms) => `${backendName} did not answer within ${ms} ms`, call) };
  } catch (error) {
    if (isUnsupportedError(error)) return { kind: 'unsupported', reason: error.message };
    return { kind: 'error', phase: 'call', message: errorMessage(error) };
  }
}
