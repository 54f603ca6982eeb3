/**
 * The quantized convolutions of ONNX as a problem type of their own: `ConvInteger` (opset 10) and
 * `QLinearConv` (opset 10). A quantized problem wraps the float Conv attributes (a ConvProblem of
 * op `conv`: group, strides, dilations, pads, auto_pad, every rank) and adds what the quantized
 * operators add: the 8-bit element types, the zero points, the per-output-channel marker and, for
 * QLinearConv, the scales, y's zero point and type, and the optional int32 bias.
 *
 * In ONNX the zero points and scales are node inputs; convcheck puts them in the problem (and its
 * descriptor, problem/quantized-descriptor.ts), as benchdnn puts `--attr-scales` and
 * `--attr-zero-points` in its, so that a descriptor names a case down to its requantization and the
 * data seed draws only x, w and B.
 *
 *   ConvInteger:  y[n,m,o] = Σ_c Σ_k (x[n,c,o·s-pb+k·d] - x_zp)·(w[m,c,k] - w_zp[m])       int32
 *                 (a tap in the padding reads x_zp, so it adds nothing)
 *   QLinearConv:  y[n,m,o] = sat_T3(rne(acc[n,m,o]·x_scale·w_scale[m]/y_scale) + y_zp),
 *                 acc = ConvInteger + B[m]
 */
import { ConvInputError } from './errors.ts';
import { makeProblem, type ConvProblem, type ProblemSpec } from './problem.ts';
import { biasShape, inputTensorShape, outputTensorShape, sizeOf, weightShape } from './shape.ts';
import { checkResources } from './limits.ts';
import { checkBiasPresence } from './operands.ts';
import { show, validateProblem } from './validate.ts';

/** ONNX's quantized convolution operators. */
export type QuantizedOperator = 'ConvInteger' | 'QLinearConv';

/** Every quantized operator. */
export const QUANTIZED_OPERATORS: readonly QuantizedOperator[] = ['ConvInteger', 'QLinearConv'];

/** An 8-bit element type, named as benchdnn names them: `u8` (ONNX uint8), `s8` (ONNX int8). */
export type QuantType = 'u8' | 's8';

/** Every 8-bit element type. */
export const QUANT_TYPES: readonly QuantType[] = ['u8', 's8'];

/** The values of an 8-bit type: u8 `[0, 255]`, s8 `[-128, 127]`. */
export const QUANT_RANGE: Readonly<Record<QuantType, { readonly min: number; readonly max: number }>> = {
  u8: { min: 0, max: 255 },
  s8: { min: -128, max: 127 },
};

/** The int32 range: ConvInteger's output and B's element type. */
export const INT32_RANGE = { min: -(2 ** 31), max: 2 ** 31 - 1 } as const;

/** QLinearConv's requantization: scales, y's zero point and type (absent on ConvInteger). */
export interface Requantization {
  /** x_scale: a positive float32. */
  readonly xScale: number;
  /** w_scale: one value per tensor, or one per output channel when the problem is per-channel (positive float32s). */
  readonly wScale: readonly number[];
  /** y_scale: a positive float32. */
  readonly yScale: number;
  /** y_zero_point, in the range of `yType`. */
  readonly yZeroPoint: number;
  /** T3, the type of y and y_zero_point. */
  readonly yType: QuantType;
}

/** A ConvInteger or QLinearConv problem; build one with {@link makeQuantizedProblem}. */
export interface QuantizedConvProblem {
  readonly operator: QuantizedOperator;
  /**
   * The Conv attributes and shapes (op `conv`). `bias` is QLinearConv's optional int32 B `[M]`
   * (ConvInteger has none); `name` is the quantized problem's name.
   */
  readonly conv: ConvProblem;
  /** T1: the type of x and x_zero_point. */
  readonly xType: QuantType;
  /** T2: the type of w and w_zero_point. */
  readonly wType: QuantType;
  /** x_zero_point: a scalar (ONNX: per tensor only). */
  readonly xZeroPoint: number;
  /** w_zero_point: one value (per tensor), or M values (per output channel) when `perChannel`. */
  readonly wZeroPoint: readonly number[];
  /**
   * Whether w_zero_point (and QLinearConv's w_scale) are 1-D tensors `[M]`, one value per output
   * channel, rather than scalars. ONNX's own test data feeds `[1]` for M = 1: per-channel too.
   */
  readonly perChannel: boolean;
  /** QLinearConv's requantization; undefined for ConvInteger. */
  readonly requant?: Requantization;
}

/** What {@link makeQuantizedProblem} needs; everything not given takes its default. */
export interface QuantizedProblemSpec {
  readonly operator: QuantizedOperator;
  /** The Conv attributes (op and bias are taken from here: op must be `conv`). */
  readonly conv: ProblemSpec;
  /** Default u8. */
  readonly xType?: QuantType;
  /** Default u8. */
  readonly wType?: QuantType;
  /** Default 0. */
  readonly xZeroPoint?: number;
  /** A number (per tensor) or a list (per output channel); default 0 per tensor. */
  readonly wZeroPoint?: number | readonly number[];
  /** QLinearConv: scales, a number or (per channel) a list for w; y's zero point (default 0) and type (default xType). */
  readonly xScale?: number;
  readonly wScale?: number | readonly number[];
  readonly yScale?: number;
  readonly yZeroPoint?: number;
  readonly yType?: QuantType;
}

/**
 * Fills in defaults (types u8, zero points 0 per tensor, y of x's type) and rounds the scales to
 * float32 (ONNX's scale tensors are float32); does not validate: call {@link validateQuantizedProblem}. Per-channel when a w zero point or w scale is given as a list.
 * @example makeQuantizedProblem({ operator: 'ConvInteger', conv: { inChannels: 1, outChannels: 1, inputShape: [3, 3], kernelShape: [2, 2] }, xZeroPoint: 1 })
 */
export function makeQuantizedProblem(spec: QuantizedProblemSpec): QuantizedConvProblem {
  const perChannel = Array.isArray(spec.wZeroPoint) || Array.isArray(spec.wScale);
  // a number (or nothing) is repeated for every output channel of a per-channel problem
  const values = (v: number | readonly number[] | undefined, fallback: number): number[] => {
    if (v !== undefined && typeof v !== 'number') return [...v];
    return Array.from({ length: perChannel ? spec.conv.outChannels : 1 }, () => v ?? fallback);
  };
  const xType = spec.xType ?? 'u8';
  return {
    operator: spec.operator,
    conv: makeProblem(spec.conv),
    xType,
    wType: spec.wType ?? 'u8',
    xZeroPoint: spec.xZeroPoint ?? 0,
    wZeroPoint: values(spec.wZeroPoint, 0),
    perChannel,
    // scales become the float32 a float32 tensor holds (a decimal like 0.02 is not one)
    ...(spec.operator === 'QLinearConv' ? {
      requant: { xScale: Math.fround(spec.xScale ?? 1), wScale: values(spec.wScale, 1).map(Math.fround), yScale: Math.fround(spec.yScale ?? 1), yZeroPoint: spec.yZeroPoint ?? 0, yType: spec.yType ?? xType },
    } : {}),
  };
}

/** The problem's name (its Conv's), or undefined. */
export function quantizedName(p: QuantizedConvProblem): string | undefined {
  return p.conv.name;
}

/** w's zero point for output channel m (the scalar for a per-tensor problem). */
export function wZeroPointOf(p: QuantizedConvProblem, m: number): number {
  return p.perChannel ? p.wZeroPoint[m] : p.wZeroPoint[0];
}

/** w's scale for output channel m (QLinearConv; the scalar for a per-tensor problem). */
export function wScaleOf(r: Requantization, perChannel: boolean, m: number): number {
  return perChannel ? r.wScale[m] : r.wScale[0];
}

/** The element types of a problem, as the descriptor's head writes them: `u8s8` (ConvInteger), `u8s8u8` (QLinearConv: x, w, y). */
export function formatTypes(p: QuantizedConvProblem): string {
  return `${p.xType}${p.wType}${p.requant?.yType ?? ''}`;
}

/** The shapes of a quantized problem's zero-point and scale tensors: `[]` (scalar) or `[M]`. */
export function wParameterShape(p: QuantizedConvProblem): number[] {
  return p.perChannel ? [p.conv.outChannels] : [];
}

const validated = new WeakSet<QuantizedConvProblem>();

/**
 * Throws a ConvInputError naming the field, the value and the rule for the first rule `p` breaks
 * (the Conv rules of problem/validate.ts, then ONNX's rules for ConvInteger-10 / QLinearConv-10);
 * returns `p` when it breaks none.
 */
export function validateQuantizedProblem(p: QuantizedConvProblem): QuantizedConvProblem {
  if (validated.has(p)) return p;
  checkQuantizedRules(p);
  validated.add(p);
  return p;
}

function checkQuantizedRules(p: QuantizedConvProblem): void {
  const op = (QUANTIZED_OPERATORS as readonly unknown[]).includes(p.operator) ? p.operator : 'quantized conv';
  const fail = (field: string, rule: string): never => {
    throw new ConvInputError(field, `${op}: ${rule}`);
  };
  if (!(QUANTIZED_OPERATORS as readonly unknown[]).includes(p.operator)) fail('operator', `operator must be ConvInteger or QLinearConv, but operator=${JSON.stringify(p.operator)}.`);
  if (p.conv === null || typeof p.conv !== 'object') fail('conv', `conv must be the Conv attributes (a ConvProblem), but conv=${JSON.stringify(p.conv)}.`);
  if (p.conv.op !== 'conv') fail('conv.op', `the quantized operators are Conv-shaped: conv.op must be conv, but conv.op=${String(p.conv.op)}.`);
  validateProblem(p.conv);
  for (const [field, type] of [['xType', p.xType], ['wType', p.wType]] as const) {
    if (!(QUANT_TYPES as readonly unknown[]).includes(type)) fail(field, `${field} must be u8 or s8, but ${field}=${JSON.stringify(type)}.`);
  }
  inRange('xZeroPoint', p.xZeroPoint, p.xType, fail);
  if (typeof p.perChannel !== 'boolean') fail('perChannel', `perChannel must be true or false, but perChannel=${JSON.stringify(p.perChannel)}.`);
  const M = p.conv.outChannels;
  if (!Array.isArray(p.wZeroPoint)) fail('wZeroPoint', `wZeroPoint must be a list of zero points, but wZeroPoint=${JSON.stringify(p.wZeroPoint)}.`);
  const wantLength = p.perChannel ? M : 1;
  if (p.wZeroPoint.length !== wantLength) {
    fail('wZeroPoint', p.perChannel
      ? `a per-channel w_zero_point has one value per output channel (M=${M}), but it has ${p.wZeroPoint.length}: [${p.wZeroPoint}].`
      : `a per-tensor w_zero_point is one value, but it has ${p.wZeroPoint.length}: [${p.wZeroPoint}].`);
  }
  p.wZeroPoint.forEach((v, m) => inRange(p.perChannel ? `wZeroPoint[${m}]` : 'wZeroPoint', v, p.wType, fail));
  if (p.operator === 'ConvInteger') {
    if (p.conv.bias) fail('bias', 'ConvInteger has no bias input, but the problem has bias=true.');
    if (p.requant !== undefined) fail('requant', 'scales and y_zero_point are QLinearConv inputs, but a ConvInteger problem has them.');
    return;
  }
  const r = p.requant;
  if (r === undefined || r === null || typeof r !== 'object') return fail('requant', 'QLinearConv needs x_scale, w_scale, y_scale, y_zero_point and y\'s type, but the problem has none.');
  positiveFloat32('xScale', r.xScale, fail);
  positiveFloat32('yScale', r.yScale, fail);
  if (!Array.isArray(r.wScale) || r.wScale.length !== wantLength) {
    // ONNX: "Each scale and zero-point pair must have same shape"
    fail('wScale', `w_scale and w_zero_point must have the same shape (ONNX QLinearConv), so w_scale holds ${wantLength} value(s)${p.perChannel ? ` (one per output channel, M=${M})` : ''}, but wScale=${JSON.stringify(r.wScale)}.`);
  }
  r.wScale.forEach((v, m) => positiveFloat32(p.perChannel ? `wScale[${m}]` : 'wScale', v, fail));
  if (!(QUANT_TYPES as readonly unknown[]).includes(r.yType)) fail('yType', `yType must be u8 or s8, but yType=${JSON.stringify(r.yType)}.`);
  inRange('yZeroPoint', r.yZeroPoint, r.yType, fail);
}

type Fail = (field: string, rule: string) => never;

function inRange(field: string, v: number, type: QuantType, fail: Fail): void {
  const { min, max } = QUANT_RANGE[type] ?? QUANT_RANGE.u8;
  if (!Number.isInteger(v) || v < min || v > max) fail(field, `${field} must be an integer in [${min}, ${max}] (its type is ${type}), but ${field}=${show(v)}.`);
}

function positiveFloat32(field: string, v: number, fail: Fail): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(field, `${field} must be a finite float32 > 0, but ${field}=${show(v)}.`);
  if (Math.fround(v) !== v) fail(field, `${field} must be a float32 value (ONNX scales are float32), but ${field}=${v} is not one (nearest: ${Math.fround(v)}).`);
}

/** An integer tensor: x and w (8-bit values), B and ConvInteger's y (int32), QLinearConv's y (8-bit). */
export interface IntTensor {
  readonly shape: readonly number[];
  readonly data: Int32Array;
}

/** The operands of one quantized call: x `[N, C, ...]`, w `[M, C/group, ...k]`, and QLinearConv's B `[M]` when the problem has a bias. */
export interface QuantizedOperands {
  readonly x: IntTensor;
  readonly w: IntTensor;
  readonly b?: IntTensor;
}

/** The shape of y, `[N, M, ...o]` (problem/shape.ts). */
export function quantizedOutputShape(p: QuantizedConvProblem): number[] {
  return outputTensorShape(p.conv);
}

/** y's element range: int32 for ConvInteger, yType's for QLinearConv. */
export function outputRange(p: QuantizedConvProblem): { readonly min: number; readonly max: number } {
  return p.requant === undefined ? INT32_RANGE : QUANT_RANGE[p.requant.yType];
}

function checkIntTensor(op: string, field: string, t: IntTensor | undefined, shape: readonly number[], range: { min: number; max: number }, type: string): void {
  if (t === undefined || t === null || typeof t !== 'object') throw new ConvInputError(field, `${op}: ${field} must be a tensor of shape [${shape}], but it is missing.`);
  if (!Array.isArray(t.shape) || t.shape.length !== shape.length || t.shape.some((s, a) => s !== shape[a])) {
    throw new ConvInputError(`${field}.shape`, `${op}: ${field} must have shape [${shape}], but ${field}.shape=[${t.shape}].`);
  }
  if (!(t.data instanceof Int32Array)) throw new ConvInputError(`${field}.data`, `${op}: ${field}.data must be an Int32Array of ${type} values.`);
  const n = sizeOf(shape);
  if (t.data.length !== n) throw new ConvInputError(`${field}.data.length`, `${op}: ${field} of shape [${shape}] must hold ${n} elements, but ${field}.data.length=${t.data.length}.`);
  for (let i = 0; i < n; i++) {
    const v = t.data[i];
    if (v < range.min || v > range.max) throw new ConvInputError(`${field}.data`, `${op}: ${field} holds ${type} values in [${range.min}, ${range.max}], but ${field}.data[${i}]=${v}.`);
  }
}

/**
 * Validates the problem, its resources against the limits in force (problem/limits.ts: each
 * tensor's elements and the multiply-accumulates, as for Conv) and its operands (shapes, element
 * ranges, B exactly when the problem has a bias); throws a ConvInputError.
 */
export function checkQuantizedOperands(p: QuantizedConvProblem, operands: QuantizedOperands): void {
  validateQuantizedProblem(p);
  checkResources(p.conv);
  const op = p.operator;
  checkIntTensor(op, 'x', operands.x, inputTensorShape(p.conv), QUANT_RANGE[p.xType], p.xType);
  checkIntTensor(op, 'w', operands.w, weightShape(p.conv), QUANT_RANGE[p.wType], p.wType);
  checkBiasPresence(op, p.conv.bias, operands.b);
  if (operands.b !== undefined) checkIntTensor(op, 'b', operands.b, biasShape(p.conv), INT32_RANGE, 'int32');
}
