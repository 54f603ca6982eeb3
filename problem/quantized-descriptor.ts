/**
 * The descriptor of a quantized problem (problem/quantized.ts): the operator and its 8-bit types as
 * a head, the Conv fields of problem/descriptor.ts, and the zero points and scales, the way
 * benchdnn writes `--dt=u8:s8:u8 --attr-zero-points=... --attr-scales=...` on one line:
 *
 *   quantized = head conv-field* qfield* [ "n" '"' name '"' ]        (fields in any order)
 *   head      = "CI" type type            ConvInteger: x, w
 *             | "QL" type type type       QLinearConv: x, w, y
 *   type      = "u8" | "s8"
 *   qfield    = "xz" int | "yz" int                   x_zero_point, y_zero_point (default 0)
 *             | "wz" int | "wzc" int ("," int)*       w_zero_point per tensor, or per output channel
 *             | "xs" dec | "ys" dec                   x_scale, y_scale (QLinearConv, required)
 *             | "ws" dec | "wsc" dec ("," dec)*       w_scale per tensor, or per output channel
 *   int = [ "-" ] digit+        dec = digit+ [ "." digit+ ]    (a scale is the float32 nearest to dec)
 *
 * The `c` of `wzc` / `wsc` is the per-channel marker: `wzc3` is a 1-D w_zero_point of one value
 * (M = 1, as ONNX's own test_qlinearconv has it), `wz3` a scalar. `b1` is QLinearConv's int32 B.
 * `formatQuantizedDescriptor` writes the canonical form (head, the Conv fields in their canonical
 * order, then xs xz ws|wsc wz|wzc ys yz, zero points left out when 0 unless per channel, the name
 * last, scales as the shortest decimal that reads back to the same float32), which
 * `parseQuantizedDescriptor` reads back to an equal problem.
 *
 * Examples: `CIu8u8mb1ic1ih3iw3oc1kh2kw2xz1` (ONNX's test_basic_convinteger),
 * `QLu8s8u8mb1ic8ih5iw5oc4kh3kw3ph1pw1b1xs0.5xz128wsc0.25,0.5,0.125,1ys0.75yz3`.
 */
import { formatDescriptor, parseDescriptor } from './descriptor.ts';
import { ConvInputError } from './errors.ts';
import { withChanges, type ConvProblem } from './problem.ts';
import { formatTypes, QUANT_TYPES, validateQuantizedProblem, type QuantizedConvProblem, type QuantizedOperator, type QuantType } from './quantized.ts';

/** Heads of the quantized operators. */
const HEADS: Readonly<Record<string, QuantizedOperator>> = { CI: 'ConvInteger', QL: 'QLinearConv' };

/** Quantized keys, longest first (so `wzc` is not read as `wz` then `c`). */
const KEYS = ['wzc', 'wsc', 'xz', 'wz', 'yz', 'xs', 'ws', 'ys'] as const;
type Key = (typeof KEYS)[number];
const LIST_KEYS: readonly Key[] = ['wzc', 'wsc'];
const SCALE_KEYS: readonly Key[] = ['xs', 'ws', 'wsc', 'ys'];

function descriptorError(text: string, rule: string): ConvInputError {
  return new ConvInputError('descriptor', `descriptor: ${rule} in "${text}".`);
}

/** Whether `text` is a quantized descriptor (starts with `CI` or `QL`). */
export function isQuantizedDescriptor(text: string): boolean {
  return /^(CI|QL)/.test(text.trim());
}

/**
 * Parses a quantized descriptor into a validated problem; a malformed one throws a ConvInputError
 * on `descriptor` naming the token and the rule (the Conv fields' errors as problem/descriptor.ts
 * gives them, the problem's own rules as problem/quantized.ts gives them).
 * @example parseQuantizedDescriptor('CIu8u8mb1ic1ih3iw3oc1kh2kw2xz1').xZeroPoint // 1
 */
export function parseQuantizedDescriptor(text: string): QuantizedConvProblem {
  const source = text.trim();
  const operator = HEADS[source.slice(0, 2)];
  if (operator === undefined) throw descriptorError(source, 'a quantized descriptor starts with CI (ConvInteger) or QL (QLinearConv)');
  let rest = source.slice(2);
  const typeCount = operator === 'ConvInteger' ? 2 : 3;
  const types: QuantType[] = [];
  for (let k = 0; k < typeCount; k++) {
    const type = rest.slice(0, 2);
    if (!(QUANT_TYPES as readonly string[]).includes(type)) {
      const which = ['x', 'w', 'y'][k];
      throw descriptorError(source, `${source.slice(0, 2)} is followed by ${typeCount} types (${operator === 'ConvInteger' ? 'x, w' : 'x, w, y'}), each u8 or s8, but ${which}'s is "${rest.slice(0, 2)}"`);
    }
    types.push(type as QuantType);
    rest = rest.slice(2);
  }
  if (rest.startsWith('T')) throw descriptorError(source, `${operator} is Conv-shaped: there is no transposed ("T") ${operator}`);
  let name = '';
  const nameMatch = /n"[^"]*"$/.exec(rest);
  if (nameMatch) { name = nameMatch[0]; rest = rest.slice(0, nameMatch.index); }
  const values = new Map<Key, string>();
  let convText = '';
  while (rest.length > 0) {
    const key = KEYS.find((k) => rest.startsWith(k));
    if (key === undefined) {
      // a Conv field (key and digits, or ap and its code): passed on to the Conv descriptor's parser
      const token = /^(ap.?|[a-z]+\d*|.)/.exec(rest)?.[0] ?? rest;
      convText += token;
      rest = rest.slice(token.length);
      continue;
    }
    const pattern = SCALE_KEYS.includes(key)
      ? (LIST_KEYS.includes(key) ? /^\d+(\.\d+)?(,\d+(\.\d+)?)*/ : /^\d+(\.\d+)?/)
      : (LIST_KEYS.includes(key) ? /^-?\d+(,-?\d+)*/ : /^-?\d+/);
    const value = pattern.exec(rest.slice(key.length));
    if (value === null) {
      const scale = SCALE_KEYS.includes(key);
      const what = LIST_KEYS.includes(key)
        ? `a comma-separated list of ${scale ? 'decimal numbers (e.g. 0.0037,0.0041)' : 'integers'}`
        : scale ? 'a decimal number (e.g. 0.0037)' : 'an integer';
      throw descriptorError(source, `field "${key}" must be followed by ${what}, but found "${rest.slice(key.length, key.length + 8)}"`);
    }
    if (values.has(key)) throw descriptorError(source, `field "${key}" is given twice`);
    values.set(key, value[0]);
    rest = rest.slice(key.length + value[0].length);
  }
  for (const [a, b] of [['wz', 'wzc'], ['ws', 'wsc']] as const) {
    if (values.has(a) && values.has(b)) throw descriptorError(source, `"${a}" (per tensor) and "${b}" (per output channel) both give w's ${a === 'wz' ? 'zero point' : 'scale'}`);
  }
  let conv: ConvProblem;
  try {
    conv = parseDescriptor(convText + name);
  } catch (error) {
    if (error instanceof ConvInputError && error.field === 'descriptor') {
      throw new ConvInputError('descriptor', error.message.replace(`in "${convText + name}"`, `in "${source}"`));
    }
    throw error;
  }
  const integers = (key: Key): number[] => (values.get(key) ?? '').split(',').map(Number);
  const scales = (key: Key): number[] => (values.get(key) ?? '').split(',').map((s) => Math.fround(Number(s)));
  const perChannel = values.has('wzc') || values.has('wsc');
  if (operator === 'ConvInteger') {
    for (const key of ['xs', 'ws', 'wsc', 'ys', 'yz'] as const) {
      if (values.has(key)) throw descriptorError(source, `field "${key}" is a QLinearConv input (scales, y's zero point); ConvInteger has none`);
    }
  } else {
    for (const key of ['xs', 'ys'] as const) if (!values.has(key)) throw descriptorError(source, `field "${key}" (a scale) is required for QLinearConv`);
    if (!values.has('ws') && !values.has('wsc')) throw descriptorError(source, 'field "ws" or "wsc" (w\'s scale) is required for QLinearConv');
    if (values.has('wz') && values.has('wsc')) throw descriptorError(source, 'w_scale and w_zero_point must have the same shape (ONNX QLinearConv), but "wsc" is per channel and "wz" per tensor');
    if (values.has('wzc') && values.has('ws')) throw descriptorError(source, 'w_scale and w_zero_point must have the same shape (ONNX QLinearConv), but "wzc" is per channel and "ws" per tensor');
  }
  const M = conv.outChannels;
  const wZeroPoint = values.has('wzc') ? integers('wzc') : values.has('wz') ? integers('wz') : Array.from({ length: perChannel ? M : 1 }, () => 0);
  const problem: QuantizedConvProblem = {
    operator,
    conv,
    xType: types[0],
    wType: types[1],
    xZeroPoint: values.has('xz') ? integers('xz')[0] : 0,
    wZeroPoint,
    perChannel,
    ...(operator === 'QLinearConv' ? {
      requant: {
        xScale: scales('xs')[0],
        wScale: values.has('wsc') ? scales('wsc') : scales('ws'),
        yScale: scales('ys')[0],
        yZeroPoint: values.has('yz') ? integers('yz')[0] : 0,
        yType: types[2],
      },
    } : {}),
  };
  return validateQuantizedProblem(problem);
}

/**
 * The shortest decimal that reads back (through Math.fround) to the float32 `v`, in plain notation
 * (no exponent: `0.000000059604645`, not `5.9604645e-8`).
 * @example formatFloat32(Math.fround(0.1)) // '0.1'
 */
export function formatFloat32(v: number): string {
  for (let digits = 1; digits <= 9; digits++) {
    const s = v.toPrecision(digits);
    if (Math.fround(Number(s)) === v) return plainDecimal(s);
  }
  return plainDecimal(v.toPrecision(17));
}

/** A number's decimal text without an exponent: `1.5e-7` → `0.00000015`, `2e+2` → `200`. */
function plainDecimal(s: string): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (m === null) return s;
  const [, sign, lead, fraction = '', exponent] = m;
  const digits = lead + fraction;
  const point = 1 + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Formats a quantized problem as its canonical descriptor (see the module comment). */
export function formatQuantizedDescriptor(p: QuantizedConvProblem): string {
  const r = p.requant;
  let s = `${p.operator === 'ConvInteger' ? 'CI' : 'QL'}${formatTypes(p)}`;
  s += formatDescriptor(withChanges(p.conv, { name: undefined }));
  if (r !== undefined) s += `xs${formatFloat32(r.xScale)}`;
  if (p.xZeroPoint !== 0) s += `xz${p.xZeroPoint}`;
  if (r !== undefined) s += p.perChannel ? `wsc${r.wScale.map(formatFloat32).join(',')}` : `ws${formatFloat32(r.wScale[0])}`;
  if (p.perChannel) s += `wzc${p.wZeroPoint.join(',')}`;
  else if (p.wZeroPoint[0] !== 0) s += `wz${p.wZeroPoint[0]}`;
  if (r !== undefined) {
    s += `ys${formatFloat32(r.yScale)}`;
    if (r.yZeroPoint !== 0) s += `yz${r.yZeroPoint}`;
  }
  if (p.conv.name !== undefined) s += `n"${p.conv.name}"`;
  return s;
}

/** A parsed descriptor of either kind. */
export type AnyProblem =
  | { readonly kind: 'conv'; readonly problem: ConvProblem }
  | { readonly kind: 'quantized'; readonly problem: QuantizedConvProblem };

/** Parses a float (Conv / ConvTranspose) or quantized (ConvInteger / QLinearConv) descriptor. */
export function parseAnyDescriptor(text: string): AnyProblem {
  return isQuantizedDescriptor(text)
    ? { kind: 'quantized', problem: parseQuantizedDescriptor(text) }
    : { kind: 'conv', problem: parseDescriptor(text) };
}
