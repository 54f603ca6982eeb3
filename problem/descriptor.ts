/**
 * The one-line problem descriptor that names a case everywhere (failures, fixtures, reports, CLI).
 * Modelled on oneDNN benchdnn's conv descriptor (`g2mb1ic4ih5iw5oc6kh3kw3ph1pw1`), extended:
 *
 *   descriptor = [ "T" ] field* [ "n" '"' name '"' ]
 *   field      = key uint | "ap" ( "U" | "L" | "V" )
 *   key        = "g" | "mb" | "ic" | "oc" | "b"
 *              | ( "i" | "k" | "s" | "d" | "p" | "e" | "op" | "o" ) axis      axis = "d" | "h" | "w"
 *
 * `T` marks ConvTranspose. Axes: 1-D uses w; 2-D h, w; 3-D d, h, w. i* input size, k* kernel,
 * s* stride, d* dilation as ONNX counts it (1 = dense; benchdnn counts d-1), p* begin pad,
 * e* end pad (default: equal to the begin pad), op* output_padding, o* output size (the
 * ConvTranspose output_shape; on conv it is checked against the arithmetic), ap auto_pad
 * (U SAME_UPPER, L SAME_LOWER, V VALID; absent NOTSET), b1 bias. Defaults: g1 mb1 s1 d1 p0.
 * `format` writes the canonical form, which `parse` reads back to an equal problem.
 * The quantized operators (ConvInteger, QLinearConv) have a descriptor of their own that starts
 * with `CI` or `QL` and embeds this one: problem/quantized-descriptor.ts.
 */
import { ConvInputError, quoted } from './errors.ts';
import { problemObject, type AutoPad, type ConvProblem } from './problem.ts';
import { outputSpatialShape } from './shape.ts';
import { validateProblem } from './validate.ts';

const AXES_BY_RANK: Record<number, readonly string[]> = { 1: ['w'], 2: ['h', 'w'], 3: ['d', 'h', 'w'] };
const ALL_AXES = ['d', 'h', 'w'] as const;
const PER_AXIS = ['op', 'i', 'k', 's', 'd', 'p', 'e', 'o'] as const;
const SCALAR = ['mb', 'ic', 'oc', 'g', 'b'] as const;
const AUTO_PAD_CODES: Record<string, AutoPad> = { U: 'SAME_UPPER', L: 'SAME_LOWER', V: 'VALID' };

/** Longest keys first so that `oph` is read as output_padding h and not as `o` then `ph`. */
const KEYS: readonly string[] = [
  ...PER_AXIS.flatMap((prefix) => ALL_AXES.map((axis) => prefix + axis)),
  ...SCALAR,
].sort((a, b) => b.length - a.length);

function descriptorError(text: string, rule: string): ConvInputError {
  return new ConvInputError('descriptor', `descriptor: ${rule} in ${quoted(text)}.`);
}

/** Parses a descriptor into a validated problem; a malformed one throws naming the token and rule. */
export function parseDescriptor(text: string): ConvProblem {
  let rest = text.trim();
  const source = rest;
  if (/^(CI|QL)/.test(source)) {
    throw descriptorError(source, 'this is a quantized descriptor (CI: ConvInteger, QL: QLinearConv), which names a QuantizedConvProblem: read it with parseQuantizedDescriptor (problem/quantized-descriptor.ts)');
  }
  let op: ConvProblem['op'] = 'conv';
  if (rest.startsWith('T')) { op = 'convTranspose'; rest = rest.slice(1); }
  let name: string | undefined;
  const nameMatch = /n"([^"]*)"$/.exec(rest);
  if (nameMatch) { name = nameMatch[1]; rest = rest.slice(0, nameMatch.index); }
  const values = new Map<string, number>();
  let autoPad: AutoPad = 'NOTSET';
  let autoPadGiven = false;
  while (rest.length > 0) {
    if (rest.startsWith('ap')) {
      const code = rest[2];
      const mode = code === undefined ? undefined : AUTO_PAD_CODES[code];
      if (mode === undefined) throw descriptorError(source, `auto_pad code after "ap" must be U, L or V, but found "${rest.slice(2, 3)}"`);
      if (autoPadGiven) throw descriptorError(source, 'field "ap" is given twice');
      autoPad = mode;
      autoPadGiven = true;
      rest = rest.slice(3);
      continue;
    }
    const key = KEYS.find((k) => rest.startsWith(k));
    if (key === undefined) throw descriptorError(source, `unknown field at ${quoted(rest, 40)}`);
    const digits = /^\d+/.exec(rest.slice(key.length));
    if (digits === null) throw descriptorError(source, `field "${key}" must be followed by a non-negative integer`);
    if (values.has(key)) throw descriptorError(source, `field "${key}" is given twice`);
    const value = Number(digits[0]);
    // beyond 2^53 a number no longer says which integer it is: quote the digits as written
    if (!Number.isSafeInteger(value)) throw descriptorError(source, `field "${key}" must be an integer of at most 2^53-1, but it is ${quoted(digits[0], 40)}`);
    values.set(key, value);
    rest = rest.slice(key.length + digits[0].length);
  }
  const rank = (['d', 'h', 'w'] as const).filter((a) => values.has('i' + a)).length;
  const axes = AXES_BY_RANK[rank];
  if (axes === undefined) throw descriptorError(source, 'an input size (iw; ih iw; or id ih iw) is required');
  for (const key of values.keys()) {
    const isScalar = (SCALAR as readonly string[]).includes(key);
    if (!isScalar && !axes.includes(key.slice(-1))) {
      throw descriptorError(source, `field "${key}" names an axis a ${rank}-D problem does not have (axes ${axes.join(', ')})`);
    }
  }
  const required = (key: string): number => {
    const v = values.get(key);
    if (v === undefined) throw descriptorError(source, `field "${key}" is required`);
    return v;
  };
  const perAxis = (prefix: string, fallback: (axis: string) => number): number[] => axes.map((a) => values.get(prefix + a) ?? fallback(a));
  const padsBegin = perAxis('p', () => 0);
  const outputGiven = axes.some((a) => values.has('o' + a));
  const problem = problemObject({
    op,
    batch: values.get('mb') ?? 1,
    inChannels: required('ic'),
    outChannels: required('oc'),
    group: values.get('g') ?? 1,
    inputShape: axes.map((a) => required('i' + a)),
    kernelShape: axes.map((a) => required('k' + a)),
    strides: perAxis('s', () => 1),
    dilations: perAxis('d', () => 1),
    padsBegin,
    padsEnd: perAxis('e', (a) => padsBegin[axes.indexOf(a)]),
    autoPad,
    outputPadding: perAxis('op', () => 0),
    bias: (values.get('b') ?? 0) === 1,
    ...(op === 'convTranspose' && outputGiven ? { outputShape: axes.map((a) => required('o' + a)) } : {}),
    ...(name !== undefined ? { name } : {}),
  });
  if ((values.get('b') ?? 0) > 1) throw descriptorError(source, `field "b" must be 0 or 1, but b=${values.get('b')}`);
  validateProblem(problem);
  if (op === 'conv' && outputGiven) {
    const computed = outputSpatialShape(problem);
    axes.forEach((a, i) => {
      const given = values.get('o' + a);
      if (given !== undefined && given !== computed[i]) {
        throw descriptorError(source, `o${a}=${given} does not match the computed output size ${computed[i]}`);
      }
    });
  }
  return problem;
}

/** Formats a problem as its canonical descriptor, e.g. `g2mb1ic4ih5iw5oc6kh3kw3ph1pw1`. */
export function formatDescriptor(p: ConvProblem): string {
  const axes = AXES_BY_RANK[p.inputShape.length] ?? [];
  const perAxis = (prefix: string, values: readonly number[]): string => axes.map((a, i) => `${prefix}${a}${values[i]}`).join('');
  const allEqual = (values: readonly number[], v: number): boolean => values.every((x) => x === v);
  let s = p.op === 'convTranspose' ? 'T' : '';
  if (p.group !== 1) s += `g${p.group}`;
  s += `mb${p.batch}ic${p.inChannels}` + perAxis('i', p.inputShape) + `oc${p.outChannels}` + perAxis('k', p.kernelShape);
  if (!allEqual(p.strides, 1)) s += perAxis('s', p.strides);
  if (!allEqual(p.dilations, 1)) s += perAxis('d', p.dilations);
  if (!allEqual(p.padsBegin, 0)) s += perAxis('p', p.padsBegin);
  if (p.padsEnd.some((e, i) => e !== p.padsBegin[i])) s += perAxis('e', p.padsEnd);
  if (!allEqual(p.outputPadding, 0)) s += perAxis('op', p.outputPadding);
  if (p.outputShape !== undefined) s += perAxis('o', p.outputShape);
  const code = Object.entries(AUTO_PAD_CODES).find(([, mode]) => mode === p.autoPad)?.[0];
  if (code !== undefined) s += `ap${code}`;
  if (p.bias) s += 'b1';
  if (p.name !== undefined) s += `n"${p.name}"`;
  return s;
}
