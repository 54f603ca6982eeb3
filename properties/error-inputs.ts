/**
 * Negative conformance, opt-in (`convcheck gate --error-inputs`): every ill-formed call of
 * problem/error-inputs.ts goes to the backend, which must refuse it; silently returning numbers
 * is a fail. A process backend is sent the raw request, without convcheck's own checks, and
 * refuses with an `error` reply or an `unsupported` reply with a reason (docs/protocol.md); a
 * module or built-in backend is called with the ill-formed problem and must throw.
 *
 * Verdicts: `pass` refused; `fail` accepted (returned an output); `error` crashed, hung past the
 * time limit or broke the protocol instead of refusing; `unsupported` not sent, because a process
 * backend's hello declares the call outside what it implements (its ops and limits).
 */
import { isUnsupportedError, type Backend } from '../problem/backend.ts';
import { ERROR_INPUTS, errorInputOperands, type ErrorInput } from '../problem/error-inputs.ts';
import { errorMessage, TimeLimitError, withinTimeLimit } from '../compare/backend-call.ts';
import { isExternalBackend, type IllFormedOutcome } from '../adapters/process-backend.ts';

/** The verdict of one error input on one backend (see the module comment). */
export type ErrorInputVerdict = 'pass' | 'fail' | 'error' | 'unsupported';

/** One error input on one backend. */
export interface ErrorInputRecord {
  readonly input: ErrorInput;
  readonly backend: string;
  readonly verdict: ErrorInputVerdict;
  /** How it refused (its message), what it returned, why it was not tried, or what went wrong. */
  readonly message: string;
  readonly timeMs: number;
}

/** Options of {@link runErrorInputs}. */
export interface ErrorInputOptions {
  /** Time limit of one call of a module backend (a process backend has its own). Default 60 s. */
  readonly timeoutMs?: number;
  /** The error inputs to send (default all). */
  readonly inputs?: readonly ErrorInput[];
}

/** Sends every error input to the backend, one at a time; never throws. */
export async function runErrorInputs(backend: Backend, options: ErrorInputOptions = {}): Promise<ErrorInputRecord[]> {
  const records: ErrorInputRecord[] = [];
  for (const input of options.inputs ?? ERROR_INPUTS) {
    const start = performance.now();
    const { verdict, message } = isExternalBackend(backend)
      ? await processCall(() => backend.runIllFormed(input.problem, errorInputOperands(input)), input)
      : await moduleCall(backend, input, options.timeoutMs ?? 60_000);
    records.push({ input, backend: backend.name, verdict, message, timeMs: performance.now() - start });
  }
  return records;
}

type Judged = { verdict: ErrorInputVerdict; message: string };

/** The fail message: what came back, and what should have. */
function accepted(input: ErrorInput, shape: readonly number[]): Judged {
  return { verdict: 'fail', message: `accepted an ill-formed call (${input.rule}) and returned an output of shape [${shape}]; it must refuse it (an error, or unsupported with a reason)` };
}

/** A process backend: the raw request; an `error` or `unsupported` reply is the refusal. */
async function processCall(call: () => Promise<IllFormedOutcome>, input: ErrorInput): Promise<Judged> {
  let outcome: IllFormedOutcome;
  try {
    outcome = await call();
  } catch (error) {
    return { verdict: 'error', message: `did not refuse cleanly: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (outcome.kind === 'accepted') return accepted(input, outcome.shape);
  if (outcome.kind === 'not-sent') return { verdict: 'unsupported', message: `not sent: ${outcome.reason}` };
  return { verdict: 'pass', message: `refused${outcome.how === 'unsupported' ? ' as unsupported' : ''}: ${outcome.message}` };
}

/**
 * A module or built-in backend: `run()` with the ill-formed problem must throw; it is called
 * whatever `supports()` says (a run that trusts its caller to have asked is what is tested).
 */
async function moduleCall(backend: Backend, input: ErrorInput, timeoutMs: number): Promise<Judged> {
  try {
    const result = await withinTimeLimit(timeoutMs, (ms) => `${backend.name} did not answer within ${ms} ms`,
      (signal) => backend.run(input.problem, errorInputOperands(input), { signal }));
    return accepted(input, result.shape);
  } catch (error) {
    if (error instanceof TimeLimitError) return { verdict: 'error', message: `did not refuse cleanly: ${error.message}` };
    if (isUnsupportedError(error)) return { verdict: 'pass', message: `refused as unsupported: ${error.reason}` };
    return { verdict: 'pass', message: `refused: ${errorMessage(error)}` };
  }
}
