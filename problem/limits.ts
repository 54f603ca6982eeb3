/**
 * Resource limits: how much work convcheck agrees to do for one problem, checked before anything is
 * allocated or computed. A problem can be valid (every tensor below 2^31-1 elements, as
 * problem/validate.ts requires) and still far too large for the machine: `mb1ic1iw1000000000oc1kw1000000000`
 * asks for 8 GB of x and w as float64, `mb1ic64ih512iw512oc64kh3kw3ph1pw1` for 9.7 G multiply-accumulates.
 *
 * Two limits, each raised by its command-line option:
 * - elements: every operand (x, w, b) and the output y, each at most `maxElements` (default 2^25,
 *   `--max-elements`). The reference holds each as float64 and, per output element, S (float64)
 *   and n (int32), and the comparison its bounds: about 60 bytes an output element in all, so
 *   2^25 is about 2 GB, a safe share of this 24 GB machine with other work on it.
 * - multiply-accumulates: the dense count `N·M·Πo·(C/g)·Πk` (ConvTranspose `N·C·Πi·(M/g)·Πk`,
 *   problem/shape.ts) at most `maxMacs` (default 2^34, about 17 G, `--max-macs`). The reference's
 *   fast path runs 0.4-0.8 G MAC/s on this 2-core machine under load (measured with
 *   `convFastParallel` on mb1ic64ih256iw256oc64kh3kw3ph1pw1), so 2^34 is 20-40 s, within the default
 *   60 s time limit; every layer of the committed corpora and batch files is below it (the largest,
 *   C3D's conv2a, is 11.1 G).
 *
 * The estimate is arithmetic on the attributes in closed form (no loop over a size, nothing
 * allocated), so a problem with attributes near 2^31 is refused in microseconds.
 *
 * The limits in force are process-wide ({@link activeLimits}): a command sets them from its options
 * once ({@link setActiveLimits}) and every check, the reference's own included, reads them.
 */
import { formatDescriptor } from './descriptor.ts';
import { ConvInputError } from './errors.ts';
import type { ConvProblem } from './problem.ts';
import { biasShape, denseMultiplyAccumulates, inputTensorShape, outputTensorShape, sizeOf, weightShape } from './shape.ts';

/** The limits one problem is held to. */
export interface ResourceLimits {
  /** Most elements of each of x, w, b and y. */
  readonly maxElements: number;
  /** Most multiply-accumulates (dense count, padding included). */
  readonly maxMacs: number;
}

/** Defaults for a 2-core, 24 GB machine shared with other work (module header). */
export const DEFAULT_LIMITS: ResourceLimits = { maxElements: 2 ** 25, maxMacs: 2 ** 34 };

/** The command-line option that raises each limit. */
export const LIMIT_OPTIONS: Readonly<Record<keyof ResourceLimits, string>> = { maxElements: '--max-elements', maxMacs: '--max-macs' };

/** Every command's per-call time limit in milliseconds unless `--timeout` says otherwise. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The flags a replay command needs to run under the same limits as the run that printed it: its
 * `--timeout` and the active resource limits, each only where it is not the default (a case that
 * timed out under `--timeout 300` passed when replayed under the default 60 s).
 */
export function limitFlags(timeoutMs: number | undefined): string[] {
  const flags: string[] = [];
  if (timeoutMs !== undefined && timeoutMs !== DEFAULT_TIMEOUT_MS) flags.push('--timeout', String(timeoutMs));
  const active = activeLimits();
  for (const key of Object.keys(LIMIT_OPTIONS) as Array<keyof ResourceLimits>) {
    if (active[key] !== DEFAULT_LIMITS[key]) flags.push(LIMIT_OPTIONS[key], String(active[key]));
  }
  return flags;
}

/** What a problem would cost: each tensor's shape and elements, and the multiply-accumulates. */
export interface ResourceEstimate {
  readonly tensors: ReadonlyArray<{ readonly name: 'x' | 'w' | 'b' | 'y'; readonly shape: readonly number[]; readonly elements: number }>;
  readonly macs: number;
}

/**
 * The estimate of a problem whose attributes are integers (it need not be validated: the
 * arithmetic is closed-form products, so any size gives a number at once; past 2^53 it is the
 * nearest double, still far past every limit).
 */
export function resourceEstimate(p: ConvProblem): ResourceEstimate {
  const shapes: Array<['x' | 'w' | 'b' | 'y', number[]]> = [
    ['x', inputTensorShape(p)], ['w', weightShape(p)], ...(p.bias ? [['b', biasShape(p)] as ['b', number[]]] : []), ['y', outputTensorShape(p)],
  ];
  const tensors = shapes.map(([name, shape]) => ({ name, shape, elements: sizeOf(shape) }));
  return { tensors, macs: denseMultiplyAccumulates(p) };
}

/** A problem over a resource limit: names the problem, the estimate, the limit and the option that raises it. */
export class ResourceLimitError extends ConvInputError {
  constructor(
    field: string,
    message: string,
    /** The estimate that is over. */
    readonly estimate: number,
    readonly limit: number,
    /** The option that raises the limit, e.g. `--max-macs`. */
    readonly option: string,
  ) {
    super(field, message);
    this.name = 'ResourceLimitError';
  }
}

let active: ResourceLimits = DEFAULT_LIMITS;

/** The limits in force in this process (the defaults unless a command set others). */
export function activeLimits(): ResourceLimits {
  return active;
}

/** Sets the limits in force in this process (a command does, once, from its options). */
export function setActiveLimits(limits: ResourceLimits): void {
  active = limits;
}

/** A count as the messages show it: `33,554,432 (2^25)` for a power of two, `1,000,000,000` otherwise; `≈4.61e+18` past 2^53. */
export function formatCount(n: number): string {
  if (n > Number.MAX_SAFE_INTEGER) return `≈${n.toPrecision(3)}`;
  const exponent = Math.log2(n);
  return Number.isInteger(exponent) && exponent >= 10 && 2 ** exponent === n ? `${groupThousands(n)} (2^${exponent})` : groupThousands(n);
}

/** `1234567.5` as `1,234,567.5` (toLocaleString would load ICU's locale data: about 20 ms at the first call, at every start). */
function groupThousands(n: number): string {
  const [whole, fraction] = String(n).split('.');
  return whole.replace(/\B(?=(\d{3})+$)/g, ',') + (fraction !== undefined ? `.${fraction}` : '');
}

/** Bytes as the messages show them: `8.0 GB`. */
function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return bytes >= 1e3 ? `${(bytes / 1e3).toFixed(1)} kB` : `${bytes} bytes`;
}

/**
 * Problems found within limits, with the limits they were checked against: every layer a case
 * passes through (the session, the reference, an adapter) checks the same problem object, and
 * each check built four shapes and counted the MACs again. Problems are immutable by type.
 */
const withinLimits = new WeakMap<ConvProblem, ResourceLimits>();

/**
 * The first limit the problem is over, as an error, or undefined when it is within every limit.
 * `what` names the problem in the message (default its descriptor, formatted only for an error).
 */
export function resourceLimitError(p: ConvProblem, limits: ResourceLimits = activeLimits(), what?: string): ResourceLimitError | undefined {
  if (withinLimits.get(p) === limits) return undefined;
  const error = overLimitError(p, limits, what);
  if (error === undefined) withinLimits.set(p, limits);
  return error;
}

/** {@link resourceLimitError} without the cache. */
function overLimitError(p: ConvProblem, limits: ResourceLimits, what: string | undefined): ResourceLimitError | undefined {
  const estimate = resourceEstimate(p);
  const name = (): string => what ?? formatDescriptor(p);
  for (const t of estimate.tensors) {
    if (t.elements > limits.maxElements) {
      const option = LIMIT_OPTIONS.maxElements;
      return new ResourceLimitError(t.name,
        `${name()}: ${t.name} [${t.shape}] has ${formatCount(t.elements)} elements (${formatBytes(t.elements * 8)} as float64), more than the limit of ${formatCount(limits.maxElements)} elements per tensor; `
        + `${option} ${t.elements <= Number.MAX_SAFE_INTEGER ? t.elements : 'N'} raises it, if the machine has the memory.`,
        t.elements, limits.maxElements, option);
    }
  }
  if (estimate.macs > limits.maxMacs) {
    const option = LIMIT_OPTIONS.maxMacs;
    return new ResourceLimitError('macs',
      `${name()}: ${formatCount(estimate.macs)} multiply-accumulates, more than the limit of ${formatCount(limits.maxMacs)}; `
      + `${option} ${estimate.macs <= Number.MAX_SAFE_INTEGER ? estimate.macs : 'N'} raises it (the reference's fast path runs about 0.5 G a second on 2 cores).`,
      estimate.macs, limits.maxMacs, option);
  }
  return undefined;
}

/** Throws the {@link ResourceLimitError} of the first limit `p` is over; returns `p` when it is within them all. */
export function checkResources(p: ConvProblem, limits: ResourceLimits = activeLimits(), what?: string): ConvProblem {
  const error = resourceLimitError(p, limits, what);
  if (error !== undefined) throw error;
  return p;
}
