/**
 * An external implementation, in any language, as a Backend: convcheck starts a command
 * (`sh -c COMMAND`, in its own process group: adapters/implementation-process.ts) and speaks the
 * JSON-lines protocol of docs/protocol.md over its stdin and stdout. The process is the suspect,
 * never convcheck: a hang is a timeout error, a crash an error carrying the exit code or signal and
 * the last lines of stderr, a malformed line or a second line after a reply an error naming the
 * line; after any of these the process group is killed and started again for the next request,
 * until {@link MAX_CONSECUTIVE_PROCESS_FAILURES} requests in a row have ended it: then the backend
 * is broken, and every later request is an error at once, with the reason. A reply of the wrong
 * shape is returned as it is (a wrong answer, for the judge), as long as its payload matches the
 * shape it declares. An implementation whose hello (protocol 2) declares gradients gets the
 * Backend's `gradients` capability, so the gradient laws run on it, and
 * {@link ExternalBackend.gradient} for all of dx, dw and db of Conv and, if declared, ConvTranspose.
 */
import { withChanges, type ConvProblem } from '../problem/problem.ts';
import { biasShape, inputTensorShape, outputTensorShape, sizeOf, weightShape } from '../problem/shape.ts';
import { formatDescriptor } from '../problem/descriptor.ts';
import { checkTensor, type Tensor } from '../problem/tensor.ts';
import { checkOperands, type ConvOperands } from '../problem/operands.ts';
import { SUPPORTED, unsupported, UnsupportedError, type Backend, type CallOptions, type ConvGradients, type GradientPart, type QuantizedConvOps, type Support } from '../problem/backend.ts';
import type { Precision } from '../problem/precision.ts';
import { ImplementationError, ProtocolError } from './protocol-error.ts';
import { endingBecause, ImplementationProcess } from './implementation-process.ts';
import {
  fromWireTensor, helloSupports, makeGradientRequest, makeIllFormedRequest, makeRunRequest, MAX_REPLY_ELEMENTS, maxReplyLineBytes, parseGradientReply, parseHello, parseReply, quote,
  type GradientRequest, type HelloMessage, type IllFormedRequest, type RunRequest,
} from './protocol.ts';
import { checkQuantizedOperands, quantizedOutputShape, type IntTensor, type QuantizedConvProblem, type QuantizedOperands } from '../problem/quantized.ts';
import { fromWireIntTensor, helloSupportsQuantized, makeIllFormedQuantizedRequest, makeQuantizedRunRequest, outputWireType, type IllFormedQuantizedRequest, type RunQuantizedRequest } from './protocol-quantized.ts';

/** Options of {@link createProcessBackend}. */
export interface ProcessBackendOptions {
  /** Time limit of one request. Default {@link DEFAULT_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /**
   * Time limit of the hello after a (re)start: starting an interpreter and importing a framework
   * (PyTorch takes seconds) is not a request. Default: the larger of `timeoutMs` and {@link DEFAULT_TIMEOUT_MS}.
   */
  readonly helloTimeoutMs?: number;
  /** Working directory of the command. Default: convcheck's. */
  readonly cwd?: string;
  /** Variables added to convcheck's environment for the command. */
  readonly env?: Record<string, string>;
  /**
   * Most float32 elements of one reply (all its tensors together). Default {@link MAX_REPLY_ELEMENTS}
   * (2^25, the reference's own output limit); a longer reply line is a protocol error.
   */
  readonly maxReplyElements?: number;
}

/** Default time limit of one request: 10 s. */
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Requests in a row that ended the process (it crashed, hung past the limit or broke the protocol,
 * or would not start again) after which the backend is broken: no more requests are sent, and
 * every later one is an error at once, with the reason. An implementation that crashes right after
 * its hello was otherwise restarted for every request (92 restarts and 82 s in one trial).
 */
export const MAX_CONSECUTIVE_PROCESS_FAILURES = 3;

/** Starts the command and reads its hello; throws with the exit status and stderr tail if it gives none. */
async function startProcess(command: string, options: ProcessBackendOptions, requestTimeoutMs: number): Promise<{ process: ImplementationProcess; hello: HelloMessage }> {
  const what = `process backend "${command}"`;
  const ending = endingBecause();
  if (ending !== undefined) throw new Error(`${what}: not started: ${ending}.`);
  const timeoutMs = options.helloTimeoutMs ?? Math.max(requestTimeoutMs, DEFAULT_TIMEOUT_MS);
  const child = new ImplementationProcess(command, {
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}), ...(options.env !== undefined ? { env: options.env } : {}),
    maxLineBytes: maxReplyLineBytes(options.maxReplyElements ?? MAX_REPLY_ELEMENTS),
  });
  const event = await child.next(timeoutMs);
  if (event.kind === 'timeout') {
    child.kill();
    throw new Error(`${what}: no hello within ${timeoutMs} ms (does it write the hello line and flush stdout?); it was killed.${child.unfinishedLineNote()}${child.stderrTail()}`);
  }
  if (event.kind === 'closed') {
    child.kill();
    throw new Error(`${what}: the process ${child.describeEnd('before sending its hello')}`);
  }
  if (event.kind === 'overflow') {
    child.kill();
    throw new ProtocolError(`${what}: its first stdout line is longer than ${event.limitBytes} bytes.`);
  }
  let hello: HelloMessage;
  try {
    hello = parseHello(event.line);
  } catch (error) {
    child.kill();
    throw new ProtocolError(`${what}: ${(error as Error).message}`);
  }
  if (await child.settle()) {
    // a second line right behind the hello (a hello written twice, a log line on stdout): the process was killed when it came
    throw new ProtocolError(
      `${what}: the process wrote ${child.strays.length} more stdout line(s) right after its hello, first ${quoteStray(child.strays[0])}; ` +
      'it writes one hello, then exactly one line per request (write logs to stderr). It was killed.',
    );
  }
  return { process: child, hello };
}

/** A stray stdout line as a message quotes it: escaped, and whole (the process keeps at most 200 characters of it, with its length). */
function quoteStray(line: string): string {
  return quote(line, Number.POSITIVE_INFINITY);
}

/** The parts of a hello that must stay the same across restarts. */
function helloIdentity(hello: HelloMessage): string {
  return JSON.stringify([hello.protocol, hello.name, hello.version, hello.precision, hello.ops, hello.limits ?? null, hello.gradients ?? null, hello.quantized_ops ?? null]);
}

/**
 * All gradients of one problem from an external implementation (protocol 2): `db` when the problem
 * has a bias. Each has the shape the implementation sent (its payload matching that shape); a
 * shape other than x's, w's or `[M]` is a wrong answer for the caller to judge.
 */
export interface ExternalGradients {
  /** `∂L/∂x`, of x's shape when right. */
  readonly dx: Tensor<Float32Array>;
  /** `∂L/∂w`, of w's shape when right. */
  readonly dw: Tensor<Float32Array>;
  /** `∂L/∂b` `[M]`, when the problem has a bias. */
  readonly db?: Tensor<Float32Array>;
}

/**
 * What an implementation did with an ill-formed call ({@link ExternalBackend.runIllFormed}):
 * refused it (an `error` reply, or `unsupported` with a reason), accepted it (a result), or was
 * not sent it (its hello's ops or limits exclude the call).
 */
export type IllFormedOutcome =
  | { readonly kind: 'refused'; readonly how: 'error' | 'unsupported'; readonly message: string }
  | { readonly kind: 'accepted'; readonly shape: readonly number[] }
  | { readonly kind: 'not-sent'; readonly reason: string };

/** A process backend: a Backend, its hello, and (protocol 2) every gradient it declares. */
export interface ExternalBackend extends Backend {
  /** The hello it sent (protocol version, ops, limits, gradients). */
  readonly hello: HelloMessage;
  /** Why no more requests are sent to it (it failed {@link MAX_CONSECUTIVE_PROCESS_FAILURES} times in a row, or broke the protocol between requests), or undefined. */
  readonly broken: string | undefined;
  /** Whether it computes gradients of `problem` (its op among `hello.gradients`, within its limits), and if not, why. */
  gradientSupport(problem: ConvProblem): Support;
  /**
   * dx, dw (and db when `problem.bias`) of `problem` for the upstream gradient `dy` (`[N, M, ...o]`),
   * with `L = Σ y·dy`. Throws UnsupportedError when not declared or declined, an Error otherwise.
   */
  gradient(problem: ConvProblem, operands: ConvOperands, dy: Tensor): Promise<ExternalGradients>;
  /**
   * Sends an ill-formed call as it is, without convcheck's checks (`gate --error-inputs`), and says
   * whether the implementation refused it. A crash, time-out or protocol break throws, as for a run.
   */
  runIllFormed(problem: ConvProblem, operands: ConvOperands): Promise<IllFormedOutcome>;
  /** {@link runIllFormed} for an ill-formed ConvInteger or QLinearConv call (a `run_quantized` request); `descriptor` names it. */
  runIllFormedQuantized(problem: QuantizedConvProblem, operands: QuantizedOperands, descriptor: string): Promise<IllFormedOutcome>;
}

/** Whether a Backend is a process backend (it can be sent ill-formed calls as they are). */
export function isExternalBackend(backend: Backend): backend is ExternalBackend {
  return backend instanceof ProcessBackend;
}

/** Backends broken by a line written between requests that no request has reported yet. */
const unreportedBreaks = new Set<ProcessBackend>();

/**
 * The protocol breaks no request has reported (a line written after the last reply, while
 * convcheck was closing, or with no request after it), for backends whose first process started
 * after `startedAfter` (implementation-process.ts's processesStarted()); each is reported once.
 * The command line prints them and fails, so that `run`, one request, does not miss one.
 */
export function takeUnreportedProtocolBreaks(startedAfter = 0): string[] {
  const found = [...unreportedBreaks].filter((b) => b.firstSequence > startedAfter);
  for (const b of found) unreportedBreaks.delete(b);
  return found.map((b) => b.broken ?? '');
}

/** A Backend over one external command; see {@link createProcessBackend}. */
class ProcessBackend implements ExternalBackend {
  readonly name: string;
  readonly version: string;
  readonly precision: Precision;
  /** Conv gradients for the gradient laws; only when the hello declares gradients of conv. */
  readonly gradients?: ConvGradients;
  /** ConvInteger / QLinearConv; only when the hello lists quantized ops (docs/protocol.md, "Quantized ops"). */
  readonly quantized?: QuantizedConvOps;
  private current: ImplementationProcess | undefined;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** The last request answered, as messages name it: `request 3 (mb1...)`. */
  private lastAnswered = '';
  /** The id of {@link lastAnswered}; undefined before the first answer. */
  private lastAnsweredId: number | undefined;
  /** Requests in a row that ended the process; see {@link MAX_CONSECUTIVE_PROCESS_FAILURES}. */
  private consecutiveFailures = 0;
  private brokenBecause: string | undefined;
  /** The process a request is outstanding on, up to the end of its reply's settling. */
  private inFlight: ImplementationProcess | undefined;
  private readonly maxReplyElements: number;
  /** The start order of its first process (for {@link takeUnreportedProtocolBreaks}). */
  readonly firstSequence: number;

  constructor(
    private readonly command: string,
    private readonly options: ProcessBackendOptions,
    private readonly timeoutMs: number,
    readonly hello: HelloMessage,
    first: ImplementationProcess,
  ) {
    this.name = `ext:${hello.name}`;
    this.version = hello.version;
    this.precision = hello.precision;
    this.maxReplyElements = options.maxReplyElements ?? MAX_REPLY_ELEMENTS;
    this.firstSequence = first.sequence;
    this.adopt(first);
    if (hello.gradients?.includes('conv')) this.gradients = this.convGradients();
    if ((hello.quantized_ops ?? []).length > 0) {
      this.quantized = { supports: (p) => helloSupportsQuantized(hello, p), run: (p, o, call) => this.enqueue(() => this.runQuantizedNow(p, o), call) };
    }
  }

  get broken(): string | undefined {
    return this.brokenBecause;
  }

  supports(problem: ConvProblem): Support {
    return helloSupports(this.hello, problem);
  }

  gradientSupport(problem: ConvProblem): Support {
    const declared = this.hello.gradients ?? [];
    if (!declared.includes(problem.op)) {
      return unsupported(declared.length === 0
        ? `${this.hello.name}: its hello declares no gradients${this.hello.protocol < 2 ? ' (protocol 1 has none; protocol 2 adds them)' : ''}`
        : `${this.hello.name}: gradients of ${problem.op} are not among the gradients of its hello [${declared.join(', ')}]`);
    }
    return helloSupports(this.hello, problem);
  }

  /** Requests are sent one at a time, in call order (docs/protocol.md): calls may overlap, they wait in {@link enqueue}. */
  readonly queuesCalls = true;

  /** Runs one problem; requests are sent one at a time, in call order. */
  run(problem: ConvProblem, operands: ConvOperands, call?: CallOptions): Promise<Tensor> {
    return this.enqueue(() => this.runNow(problem, operands), call);
  }

  gradient(problem: ConvProblem, operands: ConvOperands, dy: Tensor, call?: CallOptions): Promise<ExternalGradients> {
    return this.enqueue(() => this.gradientNow(problem, operands, dy), call);
  }

  runIllFormed(problem: ConvProblem, operands: ConvOperands): Promise<IllFormedOutcome> {
    return this.enqueue(() => this.runIllFormedNow(problem, operands));
  }

  runIllFormedQuantized(problem: QuantizedConvProblem, operands: QuantizedOperands, descriptor: string): Promise<IllFormedOutcome> {
    return this.enqueue(() => this.runIllFormedQuantizedNow(problem, operands, descriptor));
  }

  /** The ConvGradients of the gradient laws (Conv's, and ConvTranspose's when declared): one gradient request each, without the bias (it plays no part). */
  private convGradients(): ConvGradients {
    const linear = (p: ConvProblem): ConvProblem => (p.bias ? withChanges(p, { bias: false }) : p);
    return {
      supports: (p: ConvProblem, _part: GradientPart): Support => this.gradientSupport(p),
      input: async (p, { x, w }, dy, call) => (await this.gradient(linear(p), { x, w }, dy, call)).dx,
      weight: async (p, { x, w }, dy, call) => (await this.gradient(linear(p), { x, w }, dy, call)).dw,
    };
  }

  /**
   * Requests go one at a time, in call order; a failed one does not stop the next. The call's
   * `started` is told when its turn comes (its time limit counts from then: compare/backend-call.ts).
   */
  private enqueue<T>(task: () => Promise<T>, call?: CallOptions): Promise<T> {
    const result = this.queue.then(() => {
      call?.started?.();
      return task();
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Closes stdin and waits for the process to end (then SIGTERM, then SIGKILL to its group). */
  async dispose(): Promise<void> {
    this.disposed = true;
    const child = this.current;
    this.current = undefined;
    await child?.close(Math.min(this.timeoutMs, 2000));
  }

  private async runNow(problem: ConvProblem, operands: ConvOperands): Promise<Tensor> {
    if (this.disposed) throw new Error(`${this.name}: the backend was disposed.`);
    const support = this.supports(problem);
    if (!support.supported) throw new UnsupportedError(support.reason);
    checkOperands(problem, operands);
    this.checkReplySize(problem, outputTensorShape(problem));
    const reply = await this.exchange((id) => makeRunRequest(id, problem, operands), (line, id) => parseReply(line, id));
    try {
      // the shape it sent, not the one asked for: a wrong shape is a wrong answer (a fail), judged by the caller
      return fromWireTensor('reply.y', reply.reply.y);
    } catch (error) {
      throw new ProtocolError(`${reply.where}: ${(error as Error).message}`);
    }
  }

  /** Runs one quantized problem (a `run_quantized` request), in the same queue as `run`. */
  private async runQuantizedNow(problem: QuantizedConvProblem, operands: QuantizedOperands): Promise<IntTensor> {
    if (this.disposed) throw new Error(`${this.name}: the backend was disposed.`);
    const support = helloSupportsQuantized(this.hello, problem);
    if (!support.supported) throw new UnsupportedError(support.reason);
    checkQuantizedOperands(problem, operands);
    this.checkReplySize(problem.conv, quantizedOutputShape(problem));
    const { reply, where } = await this.exchange((id) => makeQuantizedRunRequest(id, problem, operands), (line, id) => parseReply(line, id));
    try {
      // the shape it sent, as for run: a wrong shape is a wrong answer, judged by the caller
      return fromWireIntTensor('reply.y', reply.y, undefined, outputWireType(problem));
    } catch (error) {
      throw new ProtocolError(`${where}: ${(error as Error).message}`);
    }
  }

  private async gradientNow(problem: ConvProblem, operands: ConvOperands, dy: Tensor): Promise<ExternalGradients> {
    if (this.disposed) throw new Error(`${this.name}: the backend was disposed.`);
    const support = this.gradientSupport(problem);
    if (!support.supported) throw new UnsupportedError(support.reason);
    checkOperands(problem, operands);
    checkTensor('dy', dy, outputTensorShape(problem));
    const withBias = operands.b !== undefined;
    this.checkReplySize(problem, inputTensorShape(problem), weightShape(problem), ...(withBias ? [biasShape(problem)] : []));
    const { reply, where } = await this.exchange((id) => makeGradientRequest(id, problem, operands, dy), (line, id) => parseGradientReply(line, id, withBias));
    try {
      const dx = fromWireTensor('reply.dx', reply.dx);
      const dw = fromWireTensor('reply.dw', reply.dw);
      return { dx, dw, ...(reply.db !== undefined ? { db: fromWireTensor('reply.db', reply.db) } : {}) };
    } catch (error) {
      throw new ProtocolError(`${where}: ${(error as Error).message}`);
    }
  }

  private async runIllFormedNow(problem: ConvProblem, operands: ConvOperands): Promise<IllFormedOutcome> {
    // the hello's ops and limits still decide what is sent: a call it declared it does not implement is not its to refuse
    return this.sendIllFormed(() => helloSupports(this.hello, problem), (id) => makeIllFormedRequest(id, problem, operands));
  }

  private async runIllFormedQuantizedNow(problem: QuantizedConvProblem, operands: QuantizedOperands, descriptor: string): Promise<IllFormedOutcome> {
    return this.sendIllFormed(() => helloSupportsQuantized(this.hello, problem), (id) => makeIllFormedQuantizedRequest(id, problem, operands, descriptor));
  }

  /**
   * Sends an ill-formed request unless the hello excludes the call (`support`; a check that
   * throws on the ill-formed attributes lets it through): a result is an acceptance, an error or
   * unsupported reply a refusal.
   */
  private async sendIllFormed(support: () => Support, build: (id: number) => IllFormedRequest | IllFormedQuantizedRequest): Promise<IllFormedOutcome> {
    if (this.disposed) throw new Error(`${this.name}: the backend was disposed.`);
    let declared: Support;
    try {
      declared = support();
    } catch {
      declared = SUPPORTED;
    }
    if (!declared.supported) return { kind: 'not-sent', reason: declared.reason };
    try {
      const { reply } = await this.exchange(build, (line, id) => parseReply(line, id));
      return { kind: 'accepted', shape: reply.y.shape };
    } catch (error) {
      if (error instanceof UnsupportedError) return { kind: 'refused', how: 'unsupported', message: error.reason };
      if (error instanceof ImplementationError) return { kind: 'refused', how: 'error', message: error.reported };
      throw error;
    }
  }

  /** Refuses, before sending, a request whose reply would be over the protocol's limit. */
  private checkReplySize(problem: ConvProblem, ...shapes: ReadonlyArray<readonly number[]>): void {
    const elements = shapes.reduce((n, shape) => n + sizeOf(shape), 0);
    if (elements > this.maxReplyElements) {
      throw new Error(`${this.name}: not sent: the reply to ${formatDescriptor(problem)} would hold ${elements} float32, more than the protocol's limit of ${this.maxReplyElements} per reply (docs/protocol.md).`);
    }
  }

  /**
   * Sends one request and reads its reply line: a timeout, an exit or a line that is not a
   * well-formed reply to this request is an error (and the process is killed, to start afresh);
   * so is a second line right behind the reply. An unsupported reply is an UnsupportedError, an
   * error reply an Error with its message. What is returned is a result whose tensors the caller
   * still decodes (a bad payload keeps the process: it is still in step).
   */
  private async exchange<R extends { type: string }>(
    build: (id: number) => RunRequest | GradientRequest | RunQuantizedRequest | IllFormedRequest | IllFormedQuantizedRequest, parse: (line: string, id: number) => R,
  ): Promise<{ reply: Exclude<R, { type: 'unsupported' | 'error' }>; where: string }> {
    const id = this.nextId++;
    const request = build(id);
    const what = request.type === 'run' ? '' : `${request.type} `;
    const name = `${what}request ${id} (${request.descriptor})`;
    const where = `${this.name} ${name}`;
    if (this.brokenBecause !== undefined) {
      unreportedBreaks.delete(this);
      throw new Error(`${where}: not sent: ${this.brokenBecause}`);
    }
    const ending = endingBecause();
    if (ending !== undefined) throw new Error(`${where}: not sent: ${ending}.`);
    const child = await this.ensureProcess(where);
    this.inFlight = child;
    try {
      child.send(request);
      return await this.readReply(child, id, name, where, parse);
    } finally {
      this.inFlight = undefined;
    }
  }

  /** Waits for the reply to request `id`, just sent, and reads it (see {@link exchange}). */
  private async readReply<R extends { type: string }>(
    child: ImplementationProcess, id: number, name: string, where: string, parse: (line: string, id: number) => R,
  ): Promise<{ reply: Exclude<R, { type: 'unsupported' | 'error' }>; where: string }> {
    const event = await child.next(this.timeoutMs);
    if (event.kind === 'timeout') {
      const unfinished = child.unfinishedLineNote();
      this.failed(child, `${name}: no reply within ${this.timeoutMs} ms`);
      throw new Error(`${where}: no reply within ${this.timeoutMs} ms; the process was killed${this.restartNote()}${unfinished}`);
    }
    if (event.kind === 'closed') {
      const end = child.describeEnd('before replying');
      this.failed(child, `${name}: the process ${child.describeEnd('before replying', false)}`);
      throw new Error(`${where}: the process ${end}${this.brokenNote()}`);
    }
    if (event.kind === 'overflow') {
      this.failed(child, `${name}: a stdout line longer than ${event.limitBytes} bytes`);
      throw new ProtocolError(`${where}: a stdout line longer than ${event.limitBytes} bytes, the protocol's limit (a reply of ${this.maxReplyElements} float32); the process was killed${this.restartNote()}`);
    }
    let reply: R;
    try {
      reply = parse(event.line, id);
    } catch (error) {
      // Out of step with the protocol: a later line could be taken for the next reply, so restart.
      this.failed(child, `${name}: ${(error as Error).message}`);
      throw new ProtocolError(`${where}: ${(error as Error).message}${this.answeredAlready(event.line)} The process was killed${this.restartNote()}`);
    }
    if (await child.settle()) {
      // a second line right behind the reply (a reply written twice, or a log line on stdout): this request's fault
      this.failed(child, `${name}: a second stdout line right after its reply, ${quote(child.strays[0], 80)}`);
      throw new ProtocolError(
        `${where}: the process wrote ${child.strays.length} more stdout line(s) right after its reply, first ${quoteStray(child.strays[0])}; ` +
        `exactly one line answers each request (write logs to stderr). The process was killed${this.restartNote()}`,
      );
    }
    this.consecutiveFailures = 0;
    this.lastAnswered = name;
    this.lastAnsweredId = id;
    if (isUnsupportedReply(reply)) throw new UnsupportedError(`${this.hello.name}: ${reply.reason}`);
    if (isErrorReply(reply)) throw new ImplementationError(`${where}: the implementation reported an error: ${reply.message}`, reply.message);
    return { reply: reply as Exclude<R, { type: 'unsupported' | 'error' }>, where };
  }

  /** A note for a reply whose id is that of the request answered last: it answered that one twice. */
  private answeredAlready(line: string): string {
    const id = /"id"\s*:\s*(\d+)/.exec(line.slice(0, 200))?.[1];
    return id !== undefined && this.lastAnsweredId !== undefined && id === String(this.lastAnsweredId) ? ` It is a second reply to ${this.lastAnswered}, which was answered already.` : '';
  }

  /** A request ended the process: kill what is left of it, and count it towards {@link MAX_CONSECUTIVE_PROCESS_FAILURES}. */
  private failed(child: ImplementationProcess, what: string): void {
    child.kill();
    if (this.current === child) this.current = undefined;
    this.countFailure('ended its process', what);
  }

  /**
   * Counts one more request in a row that `how` (ended the process, or could not start it); at
   * {@link MAX_CONSECUTIVE_PROCESS_FAILURES} the backend is broken, the first line of `last` saying why.
   */
  private countFailure(how: string, last: string): void {
    this.consecutiveFailures++;
    if (this.consecutiveFailures >= MAX_CONSECUTIVE_PROCESS_FAILURES) {
      this.brokenBecause ??= `${this.name} is broken: ${this.consecutiveFailures} requests in a row ${how} (the last: ${last.split('\n')[0]}), so no more requests are sent to it.`;
    }
  }

  /** How a failed request's message ends: the process will be restarted, or the backend is broken now. */
  private restartNote(): string {
    return this.brokenBecause !== undefined ? `. ${this.brokenBecause}` : ' and will be restarted for the next request.';
  }

  private brokenNote(): string {
    return this.brokenBecause !== undefined ? `\n${this.brokenBecause}` : '';
  }

  /** Takes `child` as the current process; a line it writes while no request is outstanding breaks the backend. */
  private adopt(child: ImplementationProcess): void {
    this.current = child;
    child.onStray = (line) => {
      if (this.inFlight === child) return; // right behind a reply: that request fails (exchange)
      if (this.current === child) this.current = undefined;
      if (this.brokenBecause === undefined) unreportedBreaks.add(this);
      this.brokenBecause ??= `${this.name} is broken: after ${this.lastAnswered || 'its hello'} its process wrote another stdout line while no request was outstanding, ${quoteStray(line)}; ` +
        'exactly one line answers each request (write logs to stderr). Its process was killed and no more requests are sent to it.';
    };
  }

  /** The running process, starting it again (and checking its hello is the same) if it has ended. */
  private async ensureProcess(where: string): Promise<ImplementationProcess> {
    if (this.current !== undefined && !this.current.closed) return this.current;
    if (this.current !== undefined) this.current.kill(); // what is left of its group
    this.current = undefined;
    let started;
    try {
      started = await startProcess(this.command, this.options, this.timeoutMs);
    } catch (error) {
      const message = (error as Error).message;
      this.countFailure('ended its process or could not start it', message);
      throw new Error(`${where}: restarting the process failed: ${message}${this.brokenNote()}`);
    }
    if (helloIdentity(started.hello) !== helloIdentity(this.hello)) {
      started.process.kill();
      this.brokenBecause ??= `${this.name} is broken: its restarted process sent a different hello (${helloIdentity(started.hello)}, was ${helloIdentity(this.hello)}), so no more requests are sent to it.`;
      throw new ProtocolError(`${where}: ${this.brokenBecause}`);
    }
    this.adopt(started.process);
    return started.process;
  }
}

function isUnsupportedReply(reply: { type: string }): reply is { type: 'unsupported'; reason: string } {
  return reply.type === 'unsupported';
}

function isErrorReply(reply: { type: string }): reply is { type: 'error'; message: string } {
  return reply.type === 'error';
}

/**
 * Starts `command` through `sh -c`, reads its hello and returns it as a Backend named
 * `ext:<hello.name>`. Throws (with the exit status and stderr tail) if the command exits, hangs or
 * writes anything but a valid hello first.
 * @example const backend = await createProcessBackend('python3 examples/numpy_conv.py', { timeoutMs: 5000 });
 */
export async function createProcessBackend(command: string, options: ProcessBackendOptions = {}): Promise<ExternalBackend> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new RangeError(`process backend: timeoutMs must be a number > 0, but timeoutMs=${timeoutMs}.`);
  const { process: first, hello } = await startProcess(command, options, timeoutMs);
  return new ProcessBackend(command, options, timeoutMs, hello, first);
}
