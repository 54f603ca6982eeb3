/**
 * oneDNN benchdnn's convolution and deconvolution problem descriptors (tests/benchdnn/doc/knobs_desc.md,
 * driver_conv.md), read as benchdnn reads them and turned into convcheck problems:
 *
 *   descriptor = entry* [ "n" name ]          entry = key uint [ "_" ]
 *   key        = "g" | "mb" | "ic" | "oc" | ( "i" | "o" | "k" | "s" | "p" | "d" ) axis      axis = "d" | "h" | "w"
 *
 * Differences from convcheck's own descriptor (problem/descriptor.ts), each applied here:
 * - `d` is the dilation minus one (benchdnn's 0 is dense); convcheck's, like ONNX's, is the dilation.
 * - Defaults are benchdnn's: g1, mb2, s1, d0; p0 when the output size is not given.
 * - Missing spatial sizes: an axis is present when any of its i, k, o, d is given (or s ≠ 1, p ≥ 1);
 *   a 3-D problem with neither h nor w takes depth's values for both, a 2-D one without w takes h's
 *   ("square, then cubic"); 3-D with only one of h and w is an error.
 * - benchdnn pads the beginning by p and the end by whatever makes the output o:
 *   conv `pe = (o-1)·s - i + (k-1)·(d+1) + 1 - p`, deconv `pe = (i-1)·s - o + (k-1)·(d+1) + 1 - p`.
 *   Without o, `o = (i - ((k-1)·(d+1)+1) + 2p)/s + 1` (conv) or `(i-1)·s + (k-1)·(d+1) + 1 - 2p`
 *   (deconv); with o but without p, `p = ((o-1)·s - i + (k-1)·(d+1) + 1)/2` (C integer division).
 *   convcheck keeps that end pad, except that a conv whose symmetric pads p, p give the same o
 *   keeps p, p (only padding no window reads differs: the same output, element for element), and a
 *   negative end pad is allowed only where ONNX has a meaning for it: a conv's last inputs unread
 *   (end pad 0 must still give o), a deconv's output extended (output_padding = -pe). Otherwise the
 *   given o does not match the arithmetic (problem/shape.ts), and the descriptor is an error naming it.
 */
import { ConvInputError, quoted } from './errors.ts';
import { makeProblem, type ConvProblem } from './problem.ts';
import { convOutputSize, convTransposeOutputSize, effectiveKernelSize } from './shape.ts';
import { validateProblem } from './validate.ts';

/** Which benchdnn driver a descriptor belongs to: `--conv` (Conv) or `--deconv` (ConvTranspose). */
export type BenchdnnDriver = 'conv' | 'deconv';

const AXES = ['d', 'h', 'w'] as const;
type Axis = (typeof AXES)[number];
const PER_AXIS = ['i', 'o', 'k', 's', 'p', 'd'] as const;
type PerAxisKey = (typeof PER_AXIS)[number];
const SCALARS = ['g', 'mb', 'ic', 'oc'] as const;

/** Keys benchdnn knows, longest first so that `id` (input depth) is not read as `i` + `d`. */
const KEYS: readonly string[] = [...SCALARS, ...PER_AXIS.flatMap((k) => AXES.map((a) => k + a))].sort((a, b) => b.length - a.length);

/** One spatial axis in benchdnn's numbers, after its rules (o and p deduced, d as benchdnn counts it). */
export interface BenchdnnAxis {
  readonly i: number;
  readonly o: number;
  readonly k: number;
  readonly s: number;
  /** Begin pad. */
  readonly p: number;
  /** Dilation minus one (benchdnn's `d`). */
  readonly d: number;
}

/** A benchdnn descriptor in benchdnn's terms, every rule applied: what benchdnn itself would run. */
export interface BenchdnnDescriptor {
  readonly g: number;
  readonly mb: number;
  readonly ic: number;
  readonly oc: number;
  /** Spatial axes, `[w]`, `[h, w]` or `[d, h, w]`. */
  readonly axes: readonly BenchdnnAxis[];
  /** The name after `n`, quotes removed, or undefined. */
  readonly name?: string;
}

function benchdnnError(text: string, rule: string): ConvInputError {
  return new ConvInputError('benchdnn descriptor', `benchdnn descriptor ${quoted(text)}: ${rule}.`);
}

/** C's integer division (truncation toward zero), as benchdnn's arithmetic does it; 0, never -0. */
function cdiv(a: number, b: number): number {
  return Math.trunc(a / b) + 0;
}

/** The entries of a descriptor as written (`ic3ih224...n"name"`); errors name the unknown text or a repeated key. */
function readEntries(text: string): { values: Map<string, number>; name?: string } {
  const values = new Map<string, number>();
  let rest = text;
  while (rest.length > 0) {
    if (rest.startsWith('_')) { rest = rest.slice(1); continue; }
    const key = KEYS.find((k) => rest.startsWith(k) && /^\d/.test(rest.slice(k.length)));
    if (key === undefined) {
      if (rest.startsWith('n')) {
        const name = rest.slice(1).replace(/^"(.*)"$/s, '$1');
        if (name === '' || name.includes('"')) throw benchdnnError(text, `the name after "n" must be non-empty, without '"' inside, but it is ${JSON.stringify(rest.slice(1))}`);
        return { values, name };
      }
      const known = KEYS.find((k) => rest.startsWith(k));
      throw benchdnnError(text, known !== undefined ? `"${known}" must be followed by a non-negative integer, at ${quoted(rest, 40)}` : `unknown entry at ${quoted(rest, 40)} (entries: ${[...SCALARS].join(', ')}, i/o/k/s/p/d + d/h/w, n"name")`);
    }
    const digits = /^\d+/.exec(rest.slice(key.length))?.[0] ?? '';
    if (values.has(key)) throw benchdnnError(text, `"${key}" is given twice`);
    values.set(key, Number(digits));
    rest = rest.slice(key.length + digits.length);
  }
  return { values };
}

/** Whether any entry of `axis` makes it present, as benchdnn decides (`no_d = (id|kd|od|dd) == 0 && sd == 1 && pd < 1`). */
function axisGiven(values: Map<string, number>, axis: Axis): boolean {
  return (['i', 'k', 'o', 'd'] as const).some((k) => values.has(k + axis)) || (values.get(`s${axis}`) ?? 1) !== 1 || (values.get(`p${axis}`) ?? 0) >= 1;
}

/**
 * Reads a benchdnn descriptor with benchdnn's defaults and rules (module comment): spatial sizes
 * promoted from higher axes, o or p deduced. Throws a ConvInputError naming the entry and the rule.
 */
export function readBenchdnnDescriptor(text: string, driver: BenchdnnDriver): BenchdnnDescriptor {
  const { values, name } = readEntries(text);
  const given = Object.fromEntries(AXES.map((a) => [a, axisGiven(values, a)])) as Record<Axis, boolean>;
  // "square, then cubic": a missing lower axis takes the values of the axis above it
  let source: Record<Axis, Axis>;
  if (given.d) {
    if (given.h !== given.w) throw benchdnnError(text, `a 3-D problem needs both its h and w entries or neither (then they are taken from d), but only ${given.h ? 'h' : 'w'} is given`);
    source = given.h ? { d: 'd', h: 'h', w: 'w' } : { d: 'd', h: 'd', w: 'd' };
  } else if (given.h) {
    source = { d: 'd', h: 'h', w: given.w ? 'w' : 'h' };
  } else if (given.w) {
    source = { d: 'd', h: 'h', w: 'w' };
  } else {
    throw benchdnnError(text, 'no spatial entry: give at least iw and kw (or ih kh, or id kd)');
  }
  const rank = given.d ? 3 : given.h ? 2 : 1;
  const axes = AXES.slice(3 - rank).map((axis) => readAxis(text, values, source[axis], driver));
  const positive = (key: string, fallback?: number): number => {
    const v = values.get(key) ?? fallback;
    if (v === undefined) throw benchdnnError(text, `"${key}" is required`);
    if (v < 1) throw benchdnnError(text, `"${key}" must be >= 1, but ${key}=${v}`);
    return v;
  };
  return { g: positive('g', 1), mb: positive('mb', 2), ic: positive('ic'), oc: positive('oc'), axes, ...(name !== undefined ? { name } : {}) };
}

/** One axis with benchdnn's deductions, read from the entries of axis `axis` (the promoted one). */
function readAxis(text: string, values: Map<string, number>, axis: Axis, driver: BenchdnnDriver): BenchdnnAxis {
  const get = (key: PerAxisKey): number | undefined => values.get(key + axis);
  const required = (key: PerAxisKey): number => {
    const v = get(key);
    if (v === undefined || v < 1) throw benchdnnError(text, `"${key}${axis}" ${v === undefined ? 'is required for' : 'must be >= 1 on'} the ${axis} axis${v === undefined ? '' : `, but ${key}${axis}=${v}`}`);
    return v;
  };
  const i = required('i'), k = required('k');
  const s = get('s') ?? 1;
  if (s < 1) throw benchdnnError(text, `"s${axis}" must be >= 1, but s${axis}=${s}`);
  const d = get('d') ?? 0;
  const o = get('o');
  if (o !== undefined && o < 1) throw benchdnnError(text, `"o${axis}" must be >= 1, but o${axis}=${o}`);
  const span = effectiveKernelSize(k, d + 1);
  let p = get('p');
  let out = o;
  if (out === undefined) {
    p ??= 0;
    out = driver === 'conv' ? cdiv(i - span + 2 * p, s) + 1 : (i - 1) * s + span - 2 * p;
    if (out < 1) throw benchdnnError(text, `the deduced output size o${axis}=${out} is not >= 1 (i${axis}=${i}, k${axis}=${k}, s${axis}=${s}, p${axis}=${p}, d${axis}=${d})`);
  } else if (p === undefined) {
    p = driver === 'conv' ? cdiv((out - 1) * s - i + span, 2) : cdiv((i - 1) * s - out + span, 2);
    if (p < 0) {
      const rule = driver === 'conv' ? `((o${axis}-1)·s${axis} - i${axis} + (k${axis}-1)·(d${axis}+1) + 1)/2` : `((i${axis}-1)·s${axis} - o${axis} + (k${axis}-1)·(d${axis}+1) + 1)/2`;
      throw benchdnnError(text, `o${axis}=${out} does not match the arithmetic: it needs a pad p${axis}=${p} (benchdnn's ${rule}), but pads are >= 0`);
    }
  }
  return { i, o: out, k, s, p, d };
}

/**
 * The convcheck problem of a benchdnn descriptor: Conv for `--conv`, ConvTranspose for `--deconv`,
 * dilation as ONNX counts it, pads as the module comment says; `bias` as the direction decides.
 * Throws a ConvInputError when the output size benchdnn was given does not match the arithmetic.
 */
export function benchdnnProblem(desc: BenchdnnDescriptor, driver: BenchdnnDriver, bias: boolean, text: string): ConvProblem {
  const names = AXES.slice(3 - desc.axes.length);
  const padsBegin: number[] = [], padsEnd: number[] = [], outputPadding: number[] = [];
  desc.axes.forEach((a, n) => {
    const dilation = a.d + 1, span = effectiveKernelSize(a.k, dilation);
    if (driver === 'conv') {
      // benchdnn's end pad: (o-1)·s - i + span - p
      const end = (a.o - 1) * a.s - a.i + span - a.p;
      const symmetric = a.p >= 0 && a.i + 2 * a.p >= span && convOutputSize(a.i, a.k, a.s, dilation, a.p, a.p) === a.o;
      const chosen = symmetric ? a.p : Math.max(0, end);
      const computed = a.i + a.p + chosen >= span ? convOutputSize(a.i, a.k, a.s, dilation, a.p, chosen) : 0;
      if (computed !== a.o) {
        throw benchdnnError(text, `o${names[n]}=${a.o} does not match the arithmetic: i${names[n]}=${a.i}, k${names[n]}=${a.k}, s${names[n]}=${a.s}, d${names[n]}=${a.d} (dilation ${dilation}), p${names[n]}=${a.p} and end pad 0 give ${computed} outputs (benchdnn's end pad would be ${end}: at least a stride of inputs left unread, which pads >= 0 cannot express)`);
      }
      padsBegin.push(a.p); padsEnd.push(chosen); outputPadding.push(0);
    } else {
      // benchdnn's end pad: (i-1)·s - o + span - p; below zero it is ONNX's output_padding
      const end = (a.i - 1) * a.s - a.o + span - a.p;
      padsBegin.push(a.p); padsEnd.push(Math.max(0, end)); outputPadding.push(Math.max(0, -end));
      if (end < 0 && -end >= Math.max(a.s, dilation)) {
        throw benchdnnError(text, `o${names[n]}=${a.o} does not match the arithmetic: i${names[n]}=${a.i}, k${names[n]}=${a.k}, s${names[n]}=${a.s}, d${names[n]}=${a.d}, p${names[n]}=${a.p} give at most ${convTransposeOutputSize(a.i, a.k, a.s, dilation, a.p, 0, Math.max(a.s, dilation) - 1)} outputs (an output_padding of ${-end}, but it must be smaller than the stride or the dilation)`);
      }
    }
  });
  const problem = makeProblem({
    op: driver === 'conv' ? 'conv' : 'convTranspose', batch: desc.mb, group: desc.g, inChannels: desc.ic, outChannels: desc.oc,
    inputShape: desc.axes.map((a) => a.i), kernelShape: desc.axes.map((a) => a.k), strides: desc.axes.map((a) => a.s),
    dilations: desc.axes.map((a) => a.d + 1), pads: [...padsBegin, ...padsEnd], outputPadding, bias,
    ...(desc.name !== undefined ? { name: desc.name } : {}),
  });
  try {
    return validateProblem(problem);
  } catch (error) {
    throw benchdnnError(text, error instanceof Error ? error.message.replace(/\.$/, '') : String(error));
  }
}

/**
 * The descriptor of the problem that runs a direction's data the other way: benchdnn's backward
 * data of a conv is a deconv with input and output swapped (`ic`↔`oc`, `i`↔`o`, the same k, s, p,
 * d), and of a deconv the conv likewise; so is the weight gradient of a deconv the conv's.
 */
export function swapped(desc: BenchdnnDescriptor): BenchdnnDescriptor {
  return { ...desc, ic: desc.oc, oc: desc.ic, axes: desc.axes.map((a) => ({ ...a, i: a.o, o: a.i })) };
}
