/**
 * One call of a backend, as every part of convcheck makes it (a law's runs and gradients, a
 * golden case, `convcheck run`): support asked first (a `supports` that throws is an error, not a
 * crash), then the call under a time limit; an UnsupportedError is the unsupported verdict, any
 * other throw or a time-out an error carrying its message. Never throws itself.
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

/** Rejects after `ms` milliseconds unless `promise` settles first: `${what} did not answer within ${ms} ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Asks `support()`, then runs `call()` within `timeoutMs` (`backendName` names the backend in a
 * time-out message).
 * @example await callBackend('onnxruntime', () => b.supports(p), () => b.run(p, ops), 60_000)
 */
export async function callBackend<T>(backendName: string, support: () => Support, call: () => Promise<T>, timeoutMs: number): Promise<CallOutcome<T>> {
  let supported: Support;
  try {
    supported = support();
  } catch (error) {
    return { kind: 'error', phase: 'supports', message: errorMessage(error) };
  }
  if (!supported.supported) return { kind: 'unsupported', reason: supported.reason };
  try {
    return { kind: 'output', output: await withTimeout(call(), timeoutMs, backendName) };
  } catch (error) {
    if (isUnsupportedError(error)) return { kind: 'unsupported', reason: error.message };
    return { kind: 'error', phase: 'call', message: errorMessage(error) };
  }
}
