/**
 * An external implementation, in any language, as a Backend: convcheck starts a command
 * (`sh -c COMMAND`) and speaks the JSON-lines protocol of docs/protocol.md over its stdin and
 * stdout. The process is the suspect, never convcheck: a hang is a timeout error, a crash an
 * error carrying the exit code or signal and the last lines of stderr, a malformed line an error
 * naming the line; after any of these the process is killed and started again for the next request.
 * An implementation whose hello (protocol 2) declares gradients gets the Backend's `gradients`
 * capability, so the gradient laws run on it, and {@link ExternalBackend.gradient} for all of
 * dx, dw and db of Conv and, if declared, ConvTranspose.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { withChanges, type ConvProblem } from '../problem/problem.ts';
import { biasShape, inputTensorShape, outputTensorShape, weightShape } from '../problem/shape.ts';
import { checkTensor, type Tensor } from '../problem/tensor.ts';
import { checkOperands, type ConvOperands } from '../problem/operands.ts';
import { unsupported, UnsupportedError, type Backend, type ConvGradients, type GradientPart, type Support } from '../problem/backend.ts';
import type { Precision } from '../problem/precision.ts';
import { ProtocolError } from './protocol-error.ts';
import { LineReader, type LineEvent } from './line-reader.ts';
import {
  fromWireTensor, helloSupports, makeGradientRequest, makeRunRequest, MAX_REPLY_ELEMENTS, maxReplyLineBytes, parseGradientReply, parseHello, parseReply, preview,
  type GradientRequest, type HelloMessage, type RunRequest,
} from './protocol.ts';

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
}

/** Default time limit of one request: 10 s. */
const DEFAULT_TIMEOUT_MS = 10_000;
/** Lines of stderr an error message quotes. */
const STDERR_TAIL_LINES = 20;
/** Longest stdout line accepted (bytes): a reply of MAX_REPLY_ELEMENTS; a longer one is a protocol error, not an out-of-memory. */
const MAX_LINE_BYTES = maxReplyLineBytes(MAX_REPLY_ELEMENTS);
/** Longest stderr line kept (characters). */
const MAX_STDERR_LINE = 500;

/** What waiting on the process can yield. */
type ProcessEvent =
  | { readonly kind: 'line'; readonly line: string }
  | { readonly kind: 'closed' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'overflow'; readonly limitBytes: number };

/** Processes still running, killed when convcheck exits (they run in their own process group). */
const live = new Set<ImplementationProcess>();
let exitHookInstalled = false;

/** One running `sh -c COMMAND`, its stdout as a queue of lines and the tail of its stderr. */
class ImplementationProcess {
  private readonly child: ChildProcess;
  private readonly lines: ProcessEvent[] = [];
  private readonly stderrLines: string[] = [];
  private readonly stdout = new LineReader(MAX_LINE_BYTES, (event) => this.onLine(event));
  private stderrRest = '';
  private waiter: (() => void) | undefined;
  private status: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private spawnError: Error | undefined;

  constructor(command: string, options: ProcessBackendOptions) {
    // detached: the command gets its own process group, so a kill reaches what `sh` started too.
    this.child = spawn('sh', ['-c', command], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    // An idle implementation must not keep convcheck alive; a pending request holds a timer that does.
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as Socket | null)?.unref?.();
    this.child.stdin?.on('error', () => { /* EPIPE from a dead process: its exit is reported instead */ });
    this.child.stderr?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: Buffer) => { this.stdout.push(chunk); this.waiter?.(); });
    this.child.stderr?.on('data', (chunk: string) => this.onStderr(chunk));
    this.child.on('error', (error) => { this.spawnError = error; this.onClose(null, null); });
    this.child.on('close', (code, signal) => this.onClose(code, signal));
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => { for (const p of live) p.kill(); });
    }
  }

  /** Whether the process has ended (its stdio closed). */
  get closed(): boolean {
    return this.status !== undefined;
  }

  /** Writes one message as a line on the process's stdin. */
  send(message: unknown): void {
    if (!this.closed) this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  /** The next stdout line, or the end of the process, or a timeout after `timeoutMs`. */
  async next(timeoutMs: number): Promise<ProcessEvent> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const queued = this.lines.shift();
      if (queued !== undefined) return queued;
      if (this.closed) return { kind: 'closed' };
      const left = deadline - performance.now();
      if (left <= 0) return { kind: 'timeout' };
      // Woken by any stdout chunk or by the end; a chunk may hold only part of a line, so look again.
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
        this.waiter = resolve;
      });
      clearTimeout(timer);
      this.waiter = undefined;
    }
  }

  /** Lines written while no request was waiting for them (a protocol violation), removed from the queue. */
  takeUnsolicited(): string[] {
    const stray = this.lines.flatMap((e) => (e.kind === 'line' ? [e.line] : ['<a line too long to read>']));
    this.lines.length = 0;
    return stray;
  }

  /** `exited with code 1 <when>.` or `was killed by signal SIGSEGV <when>.`, then the stderr tail. */
  describeEnd(when: string): string {
    const how = this.spawnError !== undefined ? `could not be started (${this.spawnError.message})`
      : this.status?.signal ? `was killed by signal ${this.status.signal}`
      : `exited with code ${this.status?.code ?? 'unknown'}`;
    return `${how} ${when}.${this.stderrTail()}`;
  }

  /** The last {@link STDERR_TAIL_LINES} lines of stderr, indented, or a note that there were none. */
  stderrTail(): string {
    const lines = this.stderrRest === '' ? this.stderrLines : [...this.stderrLines, this.stderrRest].slice(-STDERR_TAIL_LINES);
    return lines.length === 0 ? ' Its stderr was empty.' : ` Last lines of its stderr:\n${lines.map((l) => `  | ${l}`).join('\n')}`;
  }

  /** Kills the process group at once (SIGKILL). */
  kill(): void {
    this.signal('SIGKILL');
  }

  /** Closes stdin and waits up to `graceMs` for the process to end; then SIGTERM, then SIGKILL. */
  async close(graceMs: number): Promise<void> {
    this.child.stdin?.end();
    if (await this.waitClosed(graceMs)) return;
    this.signal('SIGTERM');
    if (await this.waitClosed(500)) return;
    this.kill();
    await this.waitClosed(500);
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.closed || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      this.child.kill(signal);
    }
  }

  private async waitClosed(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }

  private onLine(event: LineEvent): void {
    this.lines.push(event);
  }

  private onStderr(chunk: string): void {
    const parts = (this.stderrRest + chunk).split('\n');
    this.stderrRest = (parts.pop() ?? '').slice(-MAX_STDERR_LINE);
    for (const line of parts) this.stderrLines.push(line.replace(/\r$/, '').slice(0, MAX_STDERR_LINE));
    if (this.stderrLines.length > STDERR_TAIL_LINES) this.stderrLines.splice(0, this.stderrLines.length - STDERR_TAIL_LINES);
  }

  private onClose(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.status !== undefined) return;
    this.stdout.end();
    this.status = { code, signal };
    live.delete(this);
    this.waiter?.();
  }
}

/** Starts the command and reads its hello; throws with the exit status and stderr tail if it gives none. */
async function startProcess(command: string, options: ProcessBackendOptions, requestTimeoutMs: number): Promise<{ process: ImplementationProcess; hello: HelloMessage }> {
  const timeoutMs = options.helloTimeoutMs ?? Math.max(requestTimeoutMs, DEFAULT_TIMEOUT_MS);
  const child = new ImplementationProcess(command, options);
  const what = `process backend "${command}"`;
  const event = await child.next(timeoutMs);
  if (event.kind === 'timeout') {
    child.kill();
    throw new Error(`${what}: no hello within ${timeoutMs} ms (does it write the hello line and flush stdout?); it was killed.${child.stderrTail()}`);
  }
  if (event.kind === 'closed') throw new Error(`${what}: the process ${child.describeEnd('before sending its hello')}`);
  if (event.kind === 'overflow') {
    child.kill();
    throw new ProtocolError(`${what}: its first stdout line is longer than ${event.limitBytes} bytes.`);
  }
  try {
    return { process: child, hello: parseHello(event.line) };
  } catch (error) {
    child.kill();
    throw new ProtocolError(`${what}: ${(error as Error).message}`);
  }
}

/** The parts of a hello that must stay the same across restarts. */
function helloIdentity(hello: HelloMessage): string {
  return JSON.stringify([hello.protocol, hello.name, hello.version, hello.precision, hello.ops, hello.limits ?? null, hello.gradients ?? null]);
}

/** All gradients of one problem from an external implementation (protocol 2): `db` when the problem has a bias. */
export interface ExternalGradients {
  /** `∂L/∂x`, shape of x. */
  readonly dx: Tensor<Float32Array>;
  /** `∂L/∂w`, shape of w. */
  readonly dw: Tensor<Float32Array>;
  /** `∂L/∂b` `[M]`, when the problem has a bias. */
  readonly db?: Tensor<Float32Array>;
}

/** A process backend: a Backend, its hello, and (protocol 2) every gradient it declares. */
export interface ExternalBackend extends Backend {
  /** The hello it sent (protocol version, ops, limits, gradients). */
  readonly hello: HelloMessage;
  /** Whether it computes gradients of `problem` (its op among `hello.gradients`, within its limits), and if not, why. */
  gradientSupport(problem: ConvProblem): Support;
  /**
   * dx, dw (and db when `problem.bias`) of `problem` for the upstream gradient `dy` (`[N, M, ...o]`),
   * with `L = Σ y·dy`. Throws UnsupportedError when not declared or declined, an Error otherwise.
   */
  gradient(problem: ConvProblem, operands: ConvOperands, dy: Tensor): Promise<ExternalGradients>;
}

/** A Backend over one external command; see {@link createProcessBackend}. */
class ProcessBackend implements ExternalBackend {
  readonly name: string;
  readonly version: string;
  readonly precision: Precision;
  /** Conv gradients for the gradient laws; only when the hello declares gradients of conv. */
  readonly gradients?: ConvGradients;
  private current: ImplementationProcess | undefined;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private lastRequest = '';

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
    this.current = first;
    if (hello.gradients?.includes('conv')) this.gradients = this.convGradients();
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

  /** Runs one problem; requests are sent one at a time, in call order. */
  run(problem: ConvProblem, operands: ConvOperands): Promise<Tensor> {
    return this.enqueue(() => this.runNow(problem, operands));
  }

  gradient(problem: ConvProblem, operands: ConvOperands, dy: Tensor): Promise<ExternalGradients> {
    return this.enqueue(() => this.gradientNow(problem, operands, dy));
  }

  /** The ConvGradients of the gradient laws: one gradient request each, without the bias (it plays no part). */
  private convGradients(): ConvGradients {
    const linear = (p: ConvProblem): ConvProblem => (p.bias ? withChanges(p, { bias: false }) : p);
    return {
      supports: (p: ConvProblem, _part: GradientPart): Support => (p.op === 'conv' ? this.gradientSupport(p) : unsupported(`${this.hello.name}: the gradient laws take gradients of Conv, but op=${p.op}`)),
      input: async (p, { x, w }, dy) => (await this.gradient(linear(p), { x, w }, dy)).dx,
      weight: async (p, { x, w }, dy) => (await this.gradient(linear(p), { x, w }, dy)).dw,
    };
  }

  /** Requests go one at a time, in call order; a failed one does not stop the next. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

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
    const reply = await this.exchange((id) => makeRunRequest(id, problem, operands), (line, id) => parseReply(line, id));
    try {
      return fromWireTensor('reply.y', reply.reply.y, outputTensorShape(problem));
    } catch (error) {
      throw new ProtocolError(`${reply.where}: ${(error as Error).message}`);
    }
  }

  private async gradientNow(problem: ConvProblem, operands: ConvOperands, dy: Tensor): Promise<ExternalGradients> {
    if (this.disposed) throw new Error(`${this.name}: the backend was disposed.`);
    const support = this.gradientSupport(problem);
    if (!support.supported) throw new UnsupportedError(support.reason);
    checkOperands(problem, operands);
    checkTensor('dy', dy, outputTensorShape(problem));
    const withBias = operands.b !== undefined;
    const { reply, where } = await this.exchange((id) => makeGradientRequest(id, problem, operands, dy), (line, id) => parseGradientReply(line, id, withBias));
    try {
      const dx = fromWireTensor('reply.dx', reply.dx, inputTensorShape(problem));
      const dw = fromWireTensor('reply.dw', reply.dw, weightShape(problem));
      return { dx, dw, ...(reply.db !== undefined ? { db: fromWireTensor('reply.db', reply.db, biasShape(problem)) } : {}) };
    } catch (error) {
      throw new ProtocolError(`${where}: ${(error as Error).message}`);
    }
  }

  /**
   * Sends one request and reads its reply line: a timeout, an exit or a line that is not a
   * well-formed reply to this request is an error (and the process is killed, to start afresh);
   * an unsupported reply is an UnsupportedError, an error reply an Error with its message. What
   * is returned is a result whose tensors the caller still checks (a bad tensor keeps the process).
   */
  private async exchange<R extends { type: string }>(
    build: (id: number) => RunRequest | GradientRequest, parse: (line: string, id: number) => R,
  ): Promise<{ reply: Exclude<R, { type: 'unsupported' | 'error' }>; where: string }> {
    const id = this.nextId++;
    const request = build(id);
    const what = request.type === 'run' ? '' : `${request.type} `;
    const where = `${this.name} ${what}request ${id} (${request.descriptor})`;
    this.checkNoStrayOutput(where);
    const child = await this.ensureProcess(where);
    this.lastRequest = `${what}request ${id} (${request.descriptor})`;
    child.send(request);
    const event = await child.next(this.timeoutMs);
    if (event.kind === 'timeout') {
      this.abandon(child);
      throw new Error(`${where}: no reply within ${this.timeoutMs} ms; the process was killed and will be restarted for the next request.`);
    }
    if (event.kind === 'closed') {
      this.abandon(child);
      throw new Error(`${where}: the process ${child.describeEnd('before replying')}`);
    }
    if (event.kind === 'overflow') {
      this.abandon(child);
      throw new ProtocolError(`${where}: a stdout line longer than ${event.limitBytes} bytes, the protocol's limit (a reply of ${MAX_REPLY_ELEMENTS} float32); the process was killed.`);
    }
    let reply: R;
    try {
      reply = parse(event.line, id);
    } catch (error) {
      // Out of step with the protocol: a later line could be taken for the next reply, so restart.
      this.abandon(child);
      throw new ProtocolError(`${where}: ${(error as Error).message} The process was killed and will be restarted.`);
    }
    if (isUnsupportedReply(reply)) throw new UnsupportedError(`${this.hello.name}: ${reply.reason}`);
    if (isErrorReply(reply)) throw new Error(`${where}: the implementation reported an error: ${reply.message}`);
    return { reply: reply as Exclude<R, { type: 'unsupported' | 'error' }>, where };
  }

  /** Fails this request if the process wrote lines after its last reply (it answered twice, or printed logs). */
  private checkNoStrayOutput(where: string): void {
    const stray = this.current?.takeUnsolicited() ?? [];
    if (stray.length === 0) return;
    if (this.current !== undefined) this.abandon(this.current);
    throw new ProtocolError(
      `${where}: after ${this.lastRequest} was answered the process wrote ${stray.length} more stdout line(s), first ${JSON.stringify(preview(stray[0]))}; ` +
      'exactly one line answers each request (write logs to stderr). The process was killed and will be restarted.',
    );
  }

  /** The running process, starting it again (and checking its hello is the same) if it has ended. */
  private async ensureProcess(where: string): Promise<ImplementationProcess> {
    if (this.current !== undefined && !this.current.closed) return this.current;
    this.current = undefined;
    let started;
    try {
      started = await startProcess(this.command, this.options, this.timeoutMs);
    } catch (error) {
      throw new Error(`${where}: restarting the process failed: ${(error as Error).message}`);
    }
    if (helloIdentity(started.hello) !== helloIdentity(this.hello)) {
      started.process.kill();
      throw new ProtocolError(`${where}: the restarted process sent a different hello (${helloIdentity(started.hello)}, was ${helloIdentity(this.hello)}).`);
    }
    this.current = started.process;
    return started.process;
  }

  private abandon(child: ImplementationProcess): void {
    child.kill();
    if (this.current === child) this.current = undefined;
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
