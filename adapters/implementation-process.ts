/**
 * One running external implementation: `sh -c COMMAND` in a process group of its own, its stdout
 * as a queue of protocol lines (adapters/line-reader.ts: linear, bounded), the tail of its stderr,
 * and its end. Everything convcheck starts is ended by convcheck: a process group is signalled as a
 * whole (what the command started goes with it), the groups still running are ended when a command
 * finishes, on SIGINT / SIGTERM (cli/interrupt.ts calls {@link endAllProcesses}) and, as a last
 * resort, killed when the Node process exits.
 *
 * Lines are counted against what was asked for: one hello, then one line per request sent. A line
 * that arrives while none is awaited breaks the protocol where it happens: it is kept as a stray,
 * the process group is killed at once (a process flooding stdout cannot fill memory), and
 * `onStray` is told.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { LineReader, type LineEvent } from './line-reader.ts';
import { preview, printable, quote } from './protocol.ts';
import { userEnvironment } from './onnx/ort-telemetry.ts';

/** How the process is started. */
export interface ProcessSpec {
  /** Working directory of the command. Default: convcheck's. */
  readonly cwd?: string;
  /** Variables added to convcheck's environment for the command. */
  readonly env?: Record<string, string>;
  /** Longest stdout line read (bytes); a longer one is one `overflow` event. */
  readonly maxLineBytes: number;
}

/** What waiting on the process can yield. */
export type ProcessEvent =
  | { readonly kind: 'line'; readonly line: string }
  | { readonly kind: 'overflow'; readonly limitBytes: number }
  | { readonly kind: 'closed' }
  | { readonly kind: 'timeout' };

/** Lines of stderr an error message quotes. */
const STDERR_TAIL_LINES = 20;
/** Longest stderr line kept (characters). */
const MAX_STDERR_LINE = 500;
/**
 * After the started process has exited, how long its stdout may stay open before the exit is
 * reported anyway and its process group ended: a child it left behind (a shell wrapper's
 * grandchild) can hold the pipe for ever, which read as "did not answer" instead of the exit.
 */
export const EXIT_DRAIN_MS = 200;

/** Processes not yet ended. */
const live = new Set<ImplementationProcess>();
/** How many processes have been started, for {@link endAllProcesses}' `startedAfter`. */
let startedCount = 0;
/** Set once convcheck is ending (a signal, or the end of a command): no process may start any more. */
let endingReason: string | undefined;
let exitHookInstalled = false;

/** Whether convcheck is ending its implementations, and why (then nothing new is started or sent). */
export function endingBecause(): string | undefined {
  return endingReason;
}

/** One running `sh -c COMMAND`. */
export class ImplementationProcess {
  private readonly child: ChildProcess;
  private readonly events: ProcessEvent[] = [];
  private readonly stderrLines: string[] = [];
  private stderrRest = '';
  private readonly stdout: LineReader;
  /** Its place in the order of starts (1, 2, ...). */
  readonly sequence = ++startedCount;
  private waiter: (() => void) | undefined;
  private status: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private spawnError: Error | undefined;
  /** Whether the process exited while something it started still held stdout open. */
  private heldOpen = false;
  /** Lines awaited: the hello, then one per request sent. */
  private awaited = 1;
  /** Lines written while none was awaited, shortened for messages. */
  readonly strays: string[] = [];
  /** Called once, at the first stray line (the group has been killed by then). */
  onStray: ((line: string) => void) | undefined;

  constructor(command: string, spec: ProcessSpec) {
    // detached: `sh` becomes the leader of a new process group, so a signal to the group reaches what it started too.
    this.child = spawn('sh', ['-c', command], {
      cwd: spec.cwd,
      env: { ...userEnvironment(), ...spec.env }, // ORT's telemetry as the user set it, not as convcheck's own ORT needs it
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.stdout = new LineReader(spec.maxLineBytes, (event) => this.onLine(event));
    // An idle implementation must not keep convcheck alive; a pending request holds a timer that does.
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as Socket | null)?.unref?.();
    this.child.stdin?.on('error', () => { /* EPIPE from a dead process: its exit is reported instead */ });
    this.child.stderr?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: Buffer) => { if (this.status === undefined) this.stdout.push(chunk); });
    this.child.stderr?.on('data', (chunk: string) => this.onStderr(chunk));
    this.child.on('error', (error) => { this.spawnError = error; this.finish(null, null); });
    this.child.on('exit', (code, signal) => this.onExit(code, signal));
    this.child.on('close', (code, signal) => this.finish(code, signal));
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      // the last resort: whatever is still running when Node exits is killed (no time to wait then)
      process.on('exit', () => { for (const p of live) p.kill(); });
    }
  }

  /** Whether the process has ended (exited, and its stdout closed or given up on). */
  get closed(): boolean {
    return this.status !== undefined;
  }

  /** Writes one message as a line on stdin; one more line is awaited in reply. */
  send(message: unknown): void {
    this.awaited++;
    if (!this.closed) this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  /** The next awaited stdout line (or a line over the limit), or the end of the process, or a timeout after `timeoutMs`. */
  async next(timeoutMs: number): Promise<ProcessEvent> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const queued = this.events.shift();
      if (queued !== undefined) return queued;
      if (this.closed) return { kind: 'closed' };
      const left = deadline - performance.now();
      if (left <= 0) {
        // a line already in the pipe when the limit passed (this thread was busy elsewhere) is in time
        await this.readWaiting();
        return this.events.shift() ?? (this.closed ? { kind: 'closed' } : { kind: 'timeout' });
      }
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
        this.waiter = resolve;
      });
      clearTimeout(timer);
      this.waiter = undefined;
    }
  }

  /**
   * Lets the event loop read what is already in the pipe (two turns: one poll phase between them),
   * then says whether a stray line came: a reply written twice, back to back, shows up here.
   */
  async settle(): Promise<boolean> {
    await this.readWaiting();
    return this.strays.length > 0;
  }

  /** Two turns of the event loop: one poll phase between them reads what is already in the pipe. */
  private async readWaiting(): Promise<void> {
    for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /**
   * A note on stdout bytes that no newline has ended yet, for a time-out's message: a reply ended by
   * a lone "\r", or not ended at all, is otherwise only a time-out. Empty when there are none.
   */
  unfinishedLineNote(): string {
    const bytes = this.stdout.pendingBytes;
    if (bytes === 0) return '';
    return ` Its stdout holds ${bytes} bytes of a line no "\\n" has ended (${quote(this.stdout.pendingStart(200), 80)}): each message must end with "\\n" and be flushed.`;
  }

  /** `exited with code 1 <when>.` or `was killed by signal SIGSEGV <when>.`, then (unless `stderr` is false) the stderr tail. */
  describeEnd(when: string, stderr = true): string {
    const how = this.spawnError !== undefined ? `could not be started (${this.spawnError.message})`
      : this.status?.signal ? `was killed by signal ${this.status.signal}`
      : `exited with code ${this.status?.code ?? 'unknown'}`;
    const held = this.heldOpen ? ` (a process it started still held its stdout open ${EXIT_DRAIN_MS} ms later; its process group was killed)` : '';
    return `${how} ${when}${held}.${stderr ? this.stderrTail() : ''}`;
  }

  /** The last {@link STDERR_TAIL_LINES} lines of stderr, indented, or a note that there were none. */
  stderrTail(): string {
    const lines = this.stderrRest === '' ? this.stderrLines : [...this.stderrLines, this.stderrRest].slice(-STDERR_TAIL_LINES);
    // escaped: a colour code or a window-title sequence in its stderr must not reach convcheck's terminal
    return lines.length === 0 ? ' Its stderr was empty.' : ` Last lines of its stderr:\n${lines.map((l) => `  | ${printable(l)}`).join('\n')}`;
  }

  /** Kills the whole process group at once (SIGKILL). */
  kill(): void {
    this.signalGroup('SIGKILL');
  }

  /**
   * Ends the process: closes stdin and waits up to `graceMs` for it to exit, then SIGTERM to its
   * group, then SIGKILL; whatever of its group is left after it exited is killed too.
   */
  async close(graceMs: number): Promise<void> {
    this.child.stdin?.end();
    if (!(await this.waitClosed(graceMs))) {
      this.signalGroup('SIGTERM');
      if (!(await this.waitClosed(500))) this.kill();
      await this.waitClosed(500);
    }
    this.kill();
  }

  /** Waits up to `ms` for the process to end; whether it did. */
  async waitClosed(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }

  /** Sends `signal` to the process group (ignored once it is gone). */
  signalGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // the group is gone (ESRCH): nothing left to end
    }
  }

  private onLine(event: LineEvent): void {
    if (this.awaited > 0) {
      this.awaited--;
      this.events.push(event);
      this.waiter?.();
      return;
    }
    this.strays.push(event.kind === 'line' ? preview(event.line) : `<a line over ${event.limitBytes} bytes>`);
    if (this.strays.length === 1) {
      this.kill();
      this.onStray?.(this.strays[0]);
    }
  }

  private onStderr(chunk: string): void {
    const parts = (this.stderrRest + chunk).split('\n');
    this.stderrRest = (parts.pop() ?? '').slice(-MAX_STDERR_LINE);
    for (const line of parts) this.stderrLines.push(line.replace(/\r$/, '').slice(0, MAX_STDERR_LINE));
    if (this.stderrLines.length > STDERR_TAIL_LINES) this.stderrLines.splice(0, this.stderrLines.length - STDERR_TAIL_LINES);
  }

  /** The started process exited: its stdout should close at once; if something holds it open, give up on it shortly. */
  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const timer = setTimeout(() => {
      if (this.closed) return;
      this.heldOpen = true;
      this.kill();
      this.finish(code, signal);
    }, EXIT_DRAIN_MS);
    timer.unref();
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.status !== undefined) return;
    this.stdout.end();
    this.status = { code, signal };
    live.delete(this);
    this.waiter?.();
  }
}

/** How many implementation processes have been started so far (a mark for {@link endAllProcesses}). */
export function processesStarted(): number {
  return startedCount;
}

/** Options of {@link endAllProcesses}. */
export interface EndOptions {
  /** From now on no process is started and no request sent, for this reason (convcheck is exiting). */
  readonly stopStarting?: string;
  /** Only the processes started after this mark ({@link processesStarted}); default all. */
  readonly startedAfter?: number;
  /** How long SIGTERM has before SIGKILL. Default 1000 ms. */
  readonly graceMs?: number;
}

/**
 * Ends the implementation processes still running: each group gets SIGTERM, then, after up to
 * `graceMs`, SIGKILL; resolves when all have ended, or at most 500 ms after the SIGKILL. Never throws.
 */
export async function endAllProcesses(options: EndOptions = {}): Promise<void> {
  if (options.stopStarting !== undefined) endingReason ??= options.stopStarting;
  const running = [...live].filter((p) => p.sequence > (options.startedAfter ?? 0));
  for (const p of running) p.signalGroup('SIGTERM');
  const deadline = Date.now() + (options.graceMs ?? 1000);
  for (const p of running) await p.waitClosed(Math.max(0, deadline - Date.now()));
  for (const p of running) p.kill();
  for (const p of running) await p.waitClosed(500);
}
