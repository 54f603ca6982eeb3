/**
 * A user's JS/TS module as a Backend: the module's default export is a Backend, or a factory
 * `() => Backend | Promise<Backend>`. What it exports is checked member by member, so a typo in a
 * user's adapter is an error naming the file and the member, not a crash in the middle of a run.
 * (TypeScript modules load where a TS loader is registered: the `convcheck` CLI, tsx, vitest.)
 *
 * The loaded Backend is then guarded ({@link guardModuleBackend}), since its code runs inside
 * convcheck's process: it is given copies of the problem and operands, what it returns is checked,
 * and what it leaves unhandled while it runs is its call's error, not the end of convcheck.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPrecision, PRECISIONS } from '../problem/precision.ts';
import type { Backend, CallOptions, ConvGradients, GradientPart, QuantizedConvOps, Support } from '../problem/backend.ts';
import type { ConvOperands } from '../problem/operands.ts';
import type { ConvProblem } from '../problem/problem.ts';
import type { IntTensor, QuantizedOperands } from '../problem/quantized.ts';
import type { Tensor } from '../problem/tensor.ts';
import { MAX_HELLO_LABEL, printable, quote } from './protocol.ts';
import { hasControlCharacters } from '../problem/errors.ts';

/**
 * A name or version as a process's hello must give it (docs/protocol.md): they head every verdict
 * line and table (a 10 MB name made a 60 MB gate output; a version of ESC[2J cleared the terminal).
 */
function plainText(v: string): boolean {
  return v.length <= MAX_HELLO_LABEL && !hasControlCharacters(v);
}

/** The members of Backend with the rule each must meet; `dispose` and `quantized` are optional. */
const MEMBERS: ReadonlyArray<readonly [string, string, (v: unknown) => boolean, boolean]> = [
  ['name', `a non-empty string of at most ${MAX_HELLO_LABEL} characters without control characters`, (v) => typeof v === 'string' && v.trim() !== '' && plainText(v), true],
  ['version', `a string of at most ${MAX_HELLO_LABEL} characters without control characters`, (v) => typeof v === 'string' && plainText(v), true],
  ['precision', `one of ${PRECISIONS.join(', ')}`, (v) => typeof v === 'string' && isPrecision(v), true],
  ['supports', 'a function (problem) => Support', (v) => typeof v === 'function', true],
  ['run', 'a function (problem, operands) => Promise<Tensor>', (v) => typeof v === 'function', true],
  ['dispose', 'a function () => Promise<void>', (v) => typeof v === 'function', false],
  ['quantized', 'an object with functions supports(problem) and run(problem, operands) (QuantizedConvOps: ConvInteger, QLinearConv)',
    (v) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).supports === 'function' && typeof (v as Record<string, unknown>).run === 'function', false],
];

/**
 * Throws unless `value` has every Backend member; the message names `source` and each missing or
 * malformed member with the rule it breaks.
 */
export function checkBackendShape(source: string, value: unknown): Backend {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${source}: must be a Backend object, but it is ${value === null ? 'null' : typeof value}.`);
  }
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const [member, rule, ok, required] of MEMBERS) {
    let v: unknown;
    try {
      v = record[member];
    } catch (error) {
      problems.push(`member "${member}" could not be read: its getter threw ${quote(error instanceof Error ? error.message : String(error), 200)}`);
      continue;
    }
    if (v === undefined) {
      if (required) problems.push(`missing member "${member}" (${rule})`);
    } else if (!ok(v)) {
      problems.push(`member "${member}" must be ${rule}, but it is ${typeof v === 'string' ? quote(v, 80) : typeof v}`);
    }
  }
  if (problems.length > 0) throw new TypeError(`${source}: not a Backend: ${problems.join('; ')}.`);
  return value as Backend;
}

/**
 * Imports the module at `path` (relative to the working directory, or absolute) and returns its
 * default export as a Backend, calling it first if it is a factory function.
 * @example const backend = await loadModuleBackend('./my-conv-backend.ts');
 */
export async function loadModuleBackend(path: string): Promise<Backend> {
  modulesLoaded++;
  listen(); // held from here on when the CLI asked for it: the module's own top-level timers too
  const absolute = resolve(path);
  const source = `module backend ${absolute}`;
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${source}: cannot import it: ${error instanceof Error ? error.message : String(error)}`);
  }
  const exported = module.default;
  if (exported === undefined) {
    const names = Object.keys(module);
    throw new TypeError(`${source}: has no default export (export default a Backend, or a function returning one)${names.length > 0 ? `; it exports ${names.join(', ')}` : ''}.`);
  }
  if (typeof exported !== 'function') return guardModuleBackend(checkBackendShape(`${source} (default export)`, exported));
  let made: unknown;
  try {
    made = await (exported as () => unknown)();
  } catch (error) {
    throw new Error(`${source}: its default export factory threw: ${error instanceof Error ? error.message : String(error)}`);
  }
  return guardModuleBackend(checkBackendShape(`${source} (what the default export factory returned)`, made));
}

/**
 * What a module backend did wrong beyond throwing: a malformed result or Support, or an unhandled
 * rejection or uncaught exception while its call ran. Recognised by `name === 'ModuleMisbehaviour'`.
 */
export class ModuleMisbehaviour extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'ModuleMisbehaviour';
  }
}

/** A short description of any value a module returned or threw: `null`, `"hello"`, `an Int32Array`. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  try {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    if (typeof name === 'string' && name !== '' && name !== 'Object') return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
  } catch {
    // a Proxy may throw even here
  }
  return 'an object';
}

/** The message of anything thrown, without trusting it (a `message` getter may throw too). */
function thrownText(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : describeValue(error);
  } catch {
    return describeValue(error);
  }
}

/** A result's shape for a message: `[1,1,3]`, or its length when it is long. */
function shapeText(shape: readonly unknown[]): string {
  return shape.length <= 8 ? `[${shape.map((s) => describeValue(s)).join(',')}]` : `of ${shape.length} axes`;
}

/** Throws unless `shape` is an array of non-negative integers; returns its element count. */
function checkShape(what: string, shape: unknown): number {
  if (!Array.isArray(shape)) throw new ModuleMisbehaviour(`${what}: the result's shape must be an array of non-negative integers, but it is ${describeValue(shape)}.`);
  let size = 1;
  for (const [axis, s] of shape.entries()) {
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0) throw new ModuleMisbehaviour(`${what}: the result's shape must hold non-negative integers, but shape[${axis}] is ${describeValue(s)}.`);
    size *= s;
  }
  return size;
}

/** %TypedArray%.prototype.length's getter: a typed array's own element count, whatever a subclass or a Proxy puts in front. */
const TYPED_ARRAY_LENGTH = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype) as object, 'length')?.get;

/**
 * A copy of a typed array result made from its own elements, or a misbehaviour: a subclass's
 * `length` getter claimed 9 elements of a 1-element array and the judge read past its end (found
 * by probing); a Proxy in front of one is not a typed array at all.
 */
function ownElements<A extends Float32Array | Float64Array | Int32Array>(what: string, data: A, size: number, shape: readonly number[], make: (n: number) => A, type: string): A {
  let length: number;
  try {
    length = TYPED_ARRAY_LENGTH?.call(data) as number;
  } catch {
    throw new ModuleMisbehaviour(`${what}: the result's data claims to be a ${type} but is not one (a Proxy?).`);
  }
  if (length !== size) throw new ModuleMisbehaviour(`${what}: the result's shape ${shapeText(shape)} holds ${size} elements, but its data has ${length}.`);
  const copy = make(length);
  copy.set(data); // from the array's own buffer, not through its getters
  return copy;
}

/** A result's `shape` and `data`, read once; a getter or Proxy trap that throws is a misbehaviour saying so. */
function readResult(what: string, value: object): { shape?: unknown; data?: unknown } {
  try {
    const { shape, data } = value as { shape?: unknown; data?: unknown };
    return { shape, data };
  } catch (error) {
    throw new ModuleMisbehaviour(`${what}: reading the result's shape and data threw: ${printable(error instanceof Error ? error.message : String(error), 200)}.`);
  }
}

/**
 * What a module's `run` (or gradient) resolved to, checked as a Tensor: an object with a shape of
 * non-negative integers and data of exactly that many numbers, a Float32Array, Float64Array or
 * number[] (copied: a typed array as it is, a number[] to a Float64Array). Throws a {@link ModuleMisbehaviour} naming what is wrong;
 * `what` names the call.
 */
export function checkResultTensor(what: string, value: unknown): Tensor {
  if (typeof value !== 'object' || value === null) throw new ModuleMisbehaviour(`${what} must resolve to a Tensor { shape, data }, but it resolved to ${describeValue(value)}.`);
  const { shape, data } = readResult(what, value);
  const size = checkShape(what, shape);
  if (!(data instanceof Float32Array || data instanceof Float64Array || Array.isArray(data))) {
    throw new ModuleMisbehaviour(`${what}: the result's data must be a Float32Array, Float64Array or number[], but it is ${describeValue(data)}.`);
  }
  if (data instanceof Float32Array) return { shape: [...(shape as number[])], data: ownElements(what, data, size, shape as number[], (n) => new Float32Array(n), 'Float32Array') };
  if (data instanceof Float64Array) return { shape: [...(shape as number[])], data: ownElements(what, data, size, shape as number[], (n) => new Float64Array(n), 'Float64Array') };
  if (data.length !== size) throw new ModuleMisbehaviour(`${what}: the result's shape ${shapeText(shape as number[])} holds ${size} elements, but its data has ${data.length}.`);
  const bad = data.findIndex((v) => typeof v !== 'number');
  if (bad >= 0) throw new ModuleMisbehaviour(`${what}: the result's data must hold numbers, but data[${bad}] is ${describeValue(data[bad])}.`);
  return { shape: [...(shape as number[])], data: Float64Array.from(data as number[]) };
}

/** {@link checkResultTensor} for a quantized op's output: data an Int32Array of exactly the shape's size. */
function checkResultIntTensor(what: string, value: unknown): IntTensor {
  if (typeof value !== 'object' || value === null) throw new ModuleMisbehaviour(`${what} must resolve to an IntTensor { shape, data }, but it resolved to ${describeValue(value)}.`);
  const { shape, data } = readResult(what, value);
  const size = checkShape(what, shape);
  if (!(data instanceof Int32Array)) throw new ModuleMisbehaviour(`${what}: the result's data must be an Int32Array, but it is ${describeValue(data)}.`);
  return { shape: [...(shape as number[])], data: ownElements(what, data, size, shape as number[], (n) => new Int32Array(n), 'Int32Array') };
}

/** Throws unless a module's `supports` returned a Support. */
function checkSupport(what: string, value: unknown): Support {
  const v = value as { supported?: unknown; reason?: unknown } | null;
  if (typeof v === 'object' && v !== null && v.supported === true) return v as Support;
  // a reason is shown with every unsupported case: cut and escaped as a process's is
  if (typeof v === 'object' && v !== null && v.supported === false && typeof v.reason === 'string') return { supported: false, reason: printable(v.reason) };
  throw new ModuleMisbehaviour(`${what} must return { supported: true } or { supported: false, reason: string }, but it returned ${describeValue(value)}${typeof v === 'object' && v !== null ? ` with supported=${describeValue(v.supported)}` : ''}.`);
}

/** A copy of a call's tensor, so that a module writing into it changes nothing of convcheck's. */
function copyTensor<T extends Tensor | IntTensor>(t: T): T {
  return { ...t, shape: [...t.shape], data: t.data.slice() };
}

/** Copies of a call's operands (see {@link copyTensor}). */
function copyOperands<T extends ConvOperands | QuantizedOperands>(o: T): T {
  return { ...o, x: copyTensor(o.x), w: copyTensor(o.w), ...(o.b === undefined ? {} : { b: copyTensor(o.b) }) };
}

/** A module call now running: what went unhandled while it ran, and whether its time limit passed (no one waits for it). */
interface RunningCall {
  readonly strays: string[];
  late: boolean;
}

const running = new Set<RunningCall>();

/** Whether the listeners stay from the first module loaded to the end of the process ({@link holdModuleStraysUntilExit}). */
let holdUntilExit = false;
/** Stray errors no module call was waiting for, while {@link holdUntilExit}. */
let outsideCalls = 0;
/** Stray errors outside calls said on stderr in full; later ones are counted (an interval that throws would fill stderr). */
const SHOWN_OUTSIDE_CALLS = 3;
let listening = false;
/** Modules {@link loadModuleBackend} began to load in this process. */
let modulesLoaded = 0;

/** Whether a module backend was loaded into this process: its timers or sockets may hold the process after the command. */
export function moduleBackendsLoaded(): boolean {
  return modulesLoaded > 0;
}

/** Installs the process-level listeners while a module call runs (or for good, once held), removes them otherwise. */
function listen(): void {
  const wanted = running.size > 0 || holdUntilExit;
  if (wanted === listening) return;
  listening = wanted;
  if (wanted) {
    process.on('unhandledRejection', onUnhandledRejection);
    process.on('uncaughtException', onUncaughtException);
  } else {
    process.off('unhandledRejection', onUnhandledRejection);
    process.off('uncaughtException', onUncaughtException);
  }
}

/**
 * For the rest of this process, from the first module backend loaded on: an error that code loaded
 * into it leaves unhandled while no module call is waited for (a timer a module's run() set, firing
 * after run() returned) does not end the process: it is said on stderr, with its stack, and makes
 * the exit code 1 ({@link strayErrorsOutsideCalls}). The CLI holds them; a library user's own
 * process keeps Node's default (it ends with the error) outside module calls.
 */
export function holdModuleStraysUntilExit(): void {
  holdUntilExit = true;
}

/** Errors left unhandled outside every module call while held ({@link holdModuleStraysUntilExit}): each makes the exit code 1. */
export function strayErrorsOutsideCalls(): number {
  return outsideCalls;
}

/** Gives a stray error to every module call still waited for; with none, says so on stderr (it is nobody's verdict). */
function stray(kind: string, error: unknown): void {
  const text = `${kind} (${thrownText(error)})`;
  const waited = [...running].filter((c) => !c.late);
  for (const call of waited) call.strays.push(text);
  if (waited.length > 0) return;
  if (!holdUntilExit) {
    process.stderr.write(`convcheck: while a module backend's call past its time limit still ran, this process had ${text}; ignored.\n`);
    return;
  }
  outsideCalls++;
  process.exitCode = 1;
  if (isBrokenPipe(error)) {
    // the reader of stdout or stderr is gone (`convcheck ... | head`): nothing more can be said
    process.exit(1);
  }
  if (outsideCalls > SHOWN_OUTSIDE_CALLS) return;
  // its stack's first lines, each escaped (a module's message may hold control characters)
  const stack = error instanceof Error && typeof error.stack === 'string' ? `\n${error.stack.split('\n').slice(0, 12).map((line) => printable(line, 500)).join('\n')}` : '';
  process.stderr.write(
    `convcheck: outside every call of a module backend (after its call had returned, or past its time limit), this process had ${text}, `
    + `from code loaded into it (a module backend) or from convcheck itself (its stack says which); no verdict can carry it, so the exit code is 1`
    + `${outsideCalls === SHOWN_OUTSIDE_CALLS ? '; any more such errors are counted, not shown' : ''}.${stack}\n`,
  );
}

/** Whether `error` is a write to a pipe whose reader has gone (EPIPE). */
function isBrokenPipe(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EPIPE';
}
const onUnhandledRejection = (error: unknown): void => stray('an unhandled promise rejection', error);
const onUncaughtException = (error: unknown): void => stray('an uncaught exception', error);

/**
 * Runs `call` (a module's code) so that a promise it leaves rejected unhandled, or an exception
 * thrown from a timer it set, while it runs makes `what` throw instead of ending convcheck: the
 * process-level listeners are held while any module call runs, and for one turn of the event loop
 * after it settles (when Node reports a rejection left at its end). Outside module calls, Node's
 * default (the process ends with the error) stands, unless the CLI holds the listeners for good
 * ({@link holdModuleStraysUntilExit}). A throw that is not an Error is made one.
 */
async function guardedCall<T>(what: string, signal: AbortSignal | undefined, call: () => Promise<unknown>, check: (value: unknown) => T): Promise<T> {
  const entry: RunningCall = { strays: [], late: false };
  running.add(entry);
  listen();
  const onAbort = (): void => { entry.late = true; };
  signal?.addEventListener('abort', onAbort);
  try {
    const settled = await (async () => call())().then((value) => ({ value }), (error: unknown) => ({ error }));
    await new Promise((resolve) => setImmediate(resolve));
    if (entry.strays.length > 0) throw new ModuleMisbehaviour(`${what}: while it ran, this process had ${entry.strays.join(' and ')}`);
    if ('error' in settled) throw settled.error instanceof Error ? settled.error : new Error(`${what} threw ${describeValue(settled.error)}, not an Error`);
    return check(settled.value);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    running.delete(entry);
    listen();
  }
}

/**
 * A module's Backend as convcheck calls it: each `supports` must return a Support; `run`, the
 * quantized ops and the gradients get copies of the problem and operands (a module writing into
 * them cannot change the reference's or another backend's inputs; copying costs less than the
 * conv), their results are checked ({@link checkResultTensor}), and what they leave unhandled
 * while they run is their error. Optional members stay absent when the module has none.
 */
export function guardModuleBackend(backend: Backend): Backend {
  const name = backend.name;
  const guarded: { -readonly [K in keyof Backend]: Backend[K] } = {
    name,
    version: backend.version,
    precision: backend.precision,
    supports: (p) => checkSupport('supports(problem)', backend.supports(structuredClone(p))),
    run: (p: ConvProblem, operands: ConvOperands, options?: CallOptions) =>
      guardedCall(`${name}: run()`, options?.signal, () => backend.run(structuredClone(p), copyOperands(operands), options), (v) => checkResultTensor(`${name}: run()`, v)),
  };
  if (backend.dispose !== undefined) guarded.dispose = () => guardedCall(`${name}: dispose()`, undefined, async () => backend.dispose?.(), () => undefined);
  if (backend.knownDiscrepancies !== undefined) guarded.knownDiscrepancies = backend.knownDiscrepancies;
  const quantized = backend.quantized;
  if (quantized !== undefined) {
    guarded.quantized = {
      supports: (p) => checkSupport('quantized.supports(problem)', quantized.supports(structuredClone(p))),
      run: (p, operands) => guardedCall(`${name}: quantized.run()`, undefined, () => quantized.run(structuredClone(p), copyOperands(operands)), (v) => checkResultIntTensor(`${name}: quantized.run()`, v)),
    } satisfies QuantizedConvOps;
  }
  const gradients = backend.gradients;
  if (gradients !== undefined) {
    const gradient = (part: GradientPart, p: ConvProblem, o: { readonly x: Tensor; readonly w: Tensor }, dy: Tensor, options?: CallOptions): Promise<Tensor> => {
      const what = `${name}: gradients.${part}()`;
      const x = copyTensor(o.x), w = copyTensor(o.w);
      return guardedCall(what, options?.signal, () => (part === 'input' ? gradients.input(structuredClone(p), { x, w }, copyTensor(dy), options) : gradients.weight(structuredClone(p), { x, w }, copyTensor(dy), options)), (v) => checkResultTensor(what, v));
    };
    guarded.gradients = {
      supports: (p, part) => checkSupport(`gradients.supports(problem, "${part}")`, gradients.supports(structuredClone(p), part)),
      input: (p, o, dy, options) => gradient('input', p, o, dy, options),
      weight: (p, o, dy, options) => gradient('weight', p, o, dy, options),
    } satisfies ConvGradients;
  }
  return guarded;
}
