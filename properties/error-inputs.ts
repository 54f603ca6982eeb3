/**
 * Negative conformance, opt-in (`convcheck gate --error-inputs`): every ill-formed call of
 * problem/error-inputs.ts (Conv, ConvTranspose) and problem/quantized-error-inputs.ts
 * (ConvInteger, QLinearConv) goes to the backend, which must refuse it; silently returning
 * numbers is a fail. A process backend is sent the raw request, without convcheck's own checks,
 * and refuses with an `error` reply or an `unsupported` reply with a reason (docs/protocol.md); a
 * module or built-in backend is called with the ill-formed problem and must throw.
 *
 * Verdicts: `pass` refused; `fail` accepted (returned an output); `error` crashed, hung past the
 * time limit or broke the protocol instead of refusing; `unsupported` not sent, because a process
 * backend's hello declares the call outside what it implements (its ops, quantized ops and
 * limits), or a backend has no quantized ops at all.
 */
import { ModuleMisbehaviour } from '../adapters/module-backend.ts';
import { isUnsupportedError, type Backend } from '../problem/backend.ts';
import { ERROR_INPUTS, errorInputOperands, type ErrorInput } from '../problem/error-inputs.ts';
import { QUANTIZED_ERROR_INPUTS, quantizedErrorInputOperands, type QuantizedErrorInput } from '../problem/quantized-error-inputs.ts';
import { errorMessage, TimeLimitError, withinTimeLimit } from '../compare/backend-call.ts';
import { isExternalBackend, type IllFormedOutcome } from '../adapters/process-backend.ts';

/** The verdict of one error input on one backend (see the module comment). */
export type ErrorInputVerdict = 'pass' | 'fail' | 'error' | 'unsupported';

/** A float or a quantized error input. */
export type AnyErrorInput = ErrorInput | QuantizedErrorInput;

/** Whether an error input is a ConvInteger / QLinearConv one. */
export function isQuantizedErrorInput(input: AnyErrorInput): input is QuantizedErrorInput {
  return 'operator' in input.problem;
}

/** The operator an error input calls: conv, convTranspose, ConvInteger or QLinearConv. */
export function errorInputOperator(input: AnyErrorInput): string {
  return isQuantizedErrorInput(input) ? input.problem.operator : input.problem.op;
}

/** Every error input: the float ones, then the quantized ones. */
export const ALL_ERROR_INPUTS: readonly AnyErrorInput[] = [...ERROR_INPUTS, ...QUANTIZED_ERROR_INPUTS];

/** One error input on one backend. */
export interface ErrorInputRecord {
  readonly input: AnyErrorInput;
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
  /** The error inputs to send (default {@link ALL_ERROR_INPUTS}). */
  readonly inputs?: readonly AnyErrorInput[];
}

/** Sends every error input to the backend, one at a time; never throws. */
export async function runErrorInputs(backend: Backend, options: ErrorInputOptions = {}): Promise<ErrorInputRecord[]> {
  const records: ErrorInputRecord[] = [];
  const timeoutMs = options.timeoutMs ?? 60_000;
  for (const input of options.inputs ?? ALL_ERROR_INPUTS) {
    const start = performance.now();
    const { verdict, message } = isQuantizedErrorInput(input) ? await quantizedCall(backend, input, timeoutMs)
      : isExternalBackend(backend) ? await processCall(() => backend.runIllFormed(input.problem, errorInputOperands(input)), input)
      : await moduleCall(backend, input, timeoutMs);
    records.push({ input, backend: backend.name, verdict, message, timeMs: performance.now() - start });
  }
  return records;
}

type Judged = { verdict: ErrorInputVerdict; message: string };

/** The fail message: what came back, and what should have. */
function accepted(input: AnyErrorInput, shape: readonly number[]): Judged {
  return { verdict: 'fail', message: `accepted an ill-formed call (${input.rule}) and returned an output of shape [${shape}]; it must refuse it (an error, or unsupported with a reason)` };
}

/** A process backend: the raw request; an `error` or `unsupported` reply is the refusal. */
async function processCall(call: () => Promise<IllFormedOutcome>, input: AnyErrorInput): Promise<Judged> {
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
  return refusedOrAccepted(input, backend.name, timeoutMs, (signal) => backend.run(input.problem, errorInputOperands(input), { signal }));
}

/**
 * A quantized error input: a process backend is sent the raw run_quantized request (unless its
 * hello lists no such quantized op); a module or built-in backend's `quantized.run()` must throw;
 * a backend without quantized ops is not sent it (unsupported).
 */
async function quantizedCall(backend: Backend, input: QuantizedErrorInput, timeoutMs: number): Promise<Judged> {
  const operands = quantizedErrorInputOperands(input);
  if (isExternalBackend(backend)) return processCall(() => backend.runIllFormedQuantized(input.problem, operands, input.descriptor), input);
  const ops = backend.quantized;
  if (ops === undefined) return { verdict: 'unsupported', message: `not sent: ${backend.name} has no quantized ops (ConvInteger, QLinearConv)` };
  return refusedOrAccepted(input, backend.name, timeoutMs, async () => ops.run(input.problem, operands));
}

/** Runs a call that must throw: an answer is an acceptance, a throw a refusal, a time-out an error. */
async function refusedOrAccepted(
  input: AnyErrorInput, backendName: string, timeoutMs: number, call: (signal: AbortSignal) => Promise<{ readonly shape: readonly number[] }>,
): Promise<Judged> {
  try {
    const result = await withinTimeLimit(timeoutMs, (ms) => `${backendName} did not answer within ${ms} ms`, call);
    return accepted(input, result.shape);
  } catch (error) {
    if (error instanceof TimeLimitError) return { verdict: 'error', message: `did not refuse cleanly: ${error.message}` };
    // a module backend that answered with something malformed (or left a rejection unhandled) did not refuse
    if (error instanceof ModuleMisbehaviour) return { verdict: 'error', message: `did not refuse cleanly: ${error.message}` };
    if (isUnsupportedError(error)) return { verdict: 'pass', message: `refused as unsupported: ${error.reason}` };
    return { verdict: 'pass', message: `refused: ${errorMessage(error)}` };
  }
}
