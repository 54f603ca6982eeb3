/**
 * Quantized cases: a ConvInteger or QLinearConv problem with its data pattern and seed, drawn to
 * reach what quantized kernels get wrong, every part shrinking (sizes toward 1, zero points toward
 * their first extreme, exponents toward 0, the int32 offset toward 0).
 *
 *   quantizedCase = operator conv types zero-points [per-channel] data-mode requantization seed
 *                 | int32-limit
 *   requantization = exact-ties | inexact-ties | near-ties | calibrated | saturating   (QLinearConv)
 *
 * - types: every combination; for QLinearConv the three quantized models use (u8 u8 u8, u8 s8 u8,
 *   s8 s8 s8) three times as often as the five others;
 * - zero points: the extremes (0, 255; -128, 127) and 0 half the time, any value otherwise;
 *   int8 weights of -128 come with `extreme` data whenever w_zp > 0 (and from `uniform`);
 * - exact-ties: power-of-two scales with `near` data, so `acc·2^-j` lands on k + 1/2 often and every
 *   evaluation is exact: round half to even is required, no allowance;
 * - inexact-ties: x_scale = 1.5·2^a, y_scale = 3·2^c: the multiplier is still 2^-j exactly, but
 *   w_scale/y_scale is no float32, so an evaluation may round off the tie (the allowance's case);
 * - near-ties: x_scale = (1 ± 2^-k)·2^a: where acc·2^-j is a tie, r lies acc·2^-(j+k) beside it,
 *   so a kernel that drops the multiplier's low bits lands on the tie and rounds it the wrong way;
 * - calibrated: scales as real models have them (log-uniform float32s), y_scale set so that the real
 *   values span the output range; saturating: the same with 4 to 64 times the range;
 * - int32-limit: 1-D pointwise problems with C channels of extreme products, C around
 *   (2^31 - 1)/max|x - x_zp|·max|w - w_zp| (33,025 for u8 with zero points at the ends):
 *   ConvInteger stays within int32 (its output type), QLinearConv straddles it.
 */
import * as fc from 'fast-check';
import { formatQuantizedDescriptor } from '../../problem/quantized-descriptor.ts';
import { makeProblem, withChanges, type ConvProblem } from '../../problem/problem.ts';
import { INT32_RANGE, QUANT_RANGE, validateQuantizedProblem, type QuantizedConvProblem, type QuantizedOperator, type QuantType } from '../../problem/quantized.ts';
import { farthestFrom, type QuantizedDataMode } from '../../problem/quantized-data.ts';
import { sizeOf } from '../../problem/shape.ts';
import type { ConvType, ProblemType, QuantizedConvType } from '../../problem/conv-types.ts';
import type { CaseLabel, LawScope } from '../law.ts';
import { problemArb } from './problem.ts';

/** One quantized problem with its data pattern and seed. */
export interface QuantizedCase {
  readonly problem: QuantizedConvProblem;
  readonly mode: QuantizedDataMode;
  readonly seed: number;
}

/** How a QLinearConv case's scales are drawn (see the module comment). */
export type RequantStrategy = 'exact-ties' | 'inexact-ties' | 'near-ties' | 'calibrated' | 'saturating';

/** Every strategy. */
export const REQUANT_STRATEGIES: readonly RequantStrategy[] = ['exact-ties', 'inexact-ties', 'near-ties', 'calibrated', 'saturating'];

/** What {@link quantizedCaseArb} may generate; every option defaults to the most general. */
export interface QuantizedArbOptions {
  /** Per-channel w zero points (and scales): allowed (default), required (`only`) or never. */
  readonly perChannel?: boolean | 'only';
  /** QLinearConv's bias allowed (default true). */
  readonly bias?: boolean;
  /** Requantization strategies to draw from (default all). */
  readonly strategies?: readonly RequantStrategy[];
  /** Data patterns (default all); exact-ties and inexact-ties always use `near`. */
  readonly modes?: readonly QuantizedDataMode[];
  /** Share of int32-limit cases in 0..1 (default 0). */
  readonly int32Limit?: number;
}

/** The operator of a quantized conv type. */
export function operatorOf(t: QuantizedConvType): QuantizedOperator {
  return t === 'conv-integer' ? 'ConvInteger' : 'QLinearConv';
}

/** The conv type of a quantized problem. */
export function quantizedTypeOf(p: QuantizedConvProblem): QuantizedConvType {
  return p.operator === 'ConvInteger' ? 'conv-integer' : 'qlinear-conv';
}

/** The label of a quantized case: its descriptor, its operator's type, and `exact` (integer data is exact). */
export function quantizedLabel(c: QuantizedCase): CaseLabel {
  return { descriptor: formatQuantizedDescriptor(c.problem), convType: quantizedTypeOf(c.problem), mode: 'exact' };
}

/** The quantized types of a law's scope. */
function scopeOperators(scope: LawScope): QuantizedOperator[] {
  return scope.convTypes.filter((t: ConvType): t is QuantizedConvType => t === 'conv-integer' || t === 'qlinear-conv').map(operatorOf);
}

/** The Conv problem types a quantized problem can have (every single Conv type: no transposed quantized conv exists). */
const CONV_SHAPES: readonly ProblemType[] = ['conv1d', 'conv2d', 'conv3d', 'pointwise', 'dilated', 'grouped', 'depthwise', 'pointwise-grouped'];

const TYPE = fc.constantFrom<QuantType>('u8', 's8');

/**
 * QLinearConv's (x, w, y) types: every combination ONNX allows, the three that quantized models
 * use (uint8 activations with uint8 or int8 weights, int8 throughout) drawn three times as often.
 */
const QLINEAR_TYPES: fc.Arbitrary<readonly [QuantType, QuantType, QuantType]> = fc.oneof(
  { arbitrary: fc.constantFrom(['u8', 's8', 'u8'] as const, ['u8', 'u8', 'u8'] as const, ['s8', 's8', 's8'] as const), weight: 3 },
  { arbitrary: fc.constantFrom(['u8', 'u8', 's8'] as const, ['u8', 's8', 's8'] as const, ['s8', 'u8', 'u8'] as const, ['s8', 'u8', 's8'] as const, ['s8', 's8', 'u8'] as const), weight: 1 },
);

/** A zero point of `type`: an extreme or 0 half the time (shrinking to the type's minimum), any value otherwise. */
export function zeroPointArb(type: QuantType): fc.Arbitrary<number> {
  const { min, max } = QUANT_RANGE[type];
  return fc.oneof(fc.constantFrom(min, max, 0), fc.integer({ min, max }));
}

/** A typical |acc| of a problem for a data pattern (to aim the requantization at the output range). */
function typicalAccumulator(p: QuantizedConvProblem, mode: QuantizedDataMode): number {
  const n = (p.conv.inChannels / p.conv.group) * sizeOf(p.conv.kernelShape);
  const x = QUANT_RANGE[p.xType], w = QUANT_RANGE[p.wType];
  if (mode === 'near') return 2 * Math.sqrt(n) + 1;
  const wz = Math.max(...p.wZeroPoint.map((z) => Math.abs(farthestFrom(z, p.wType) - z)));
  if (mode === 'extreme' || mode === 'alternating') return n * Math.abs(farthestFrom(p.xZeroPoint, p.xType) - p.xZeroPoint) * wz;
  const mean = (r: { min: number; max: number }, z: number): number => Math.abs((r.min + r.max) / 2 - z);
  const wMean = Math.max(...p.wZeroPoint.map((z) => mean(w, z)));
  return n * mean(x, p.xZeroPoint) * wMean + Math.sqrt(n) * 74 * 74 + 1;
}

/** Requantization parameters drawn for a strategy; the data pattern goes with them. */
interface Requant {
  readonly mode: QuantizedDataMode;
  readonly xScale: number;
  readonly wScale: number[];
  readonly yScale: number;
}

/** Scales for a strategy, for `channels` w scales (1 per tensor). */
function requantArb(strategy: RequantStrategy, modes: readonly QuantizedDataMode[], channels: number, base: (mode: QuantizedDataMode) => number): fc.Arbitrary<Requant> {
  if (strategy === 'exact-ties' || strategy === 'inexact-ties') {
    // multiplier 2^-j[m], j = 1..3, from power-of-two scales: x_scale = 2^a, y_scale = 2^c,
    // w_scale[m] = 2^(c - a - j[m]); inexact: x_scale = 1.5·2^a and y_scale = 3·2^c (w_scale/y_scale is then no float32)
    const exponent = fc.integer({ min: -3, max: 3 });
    return fc.record({ a: exponent, c: exponent, j: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: channels, maxLength: channels }) }).map(({ a, c, j }) => {
      const inexact = strategy === 'inexact-ties';
      return { mode: 'near', xScale: (inexact ? 1.5 : 1) * 2 ** a, wScale: j.map((jm) => 2 ** (c - a - jm)), yScale: (inexact ? 3 : 1) * 2 ** c };
    });
  }
  if (strategy === 'near-ties') {
    // multiplier 2^-j·(1 ± 2^-k), k = 8..22: x_scale = 1 ± 2^-k is a float32, so where acc·2^-j is a tie,
    // r sits acc·2^-(j+k) beside it: exact evaluations must round it to the side it is on
    const exponent = fc.integer({ min: -3, max: 3 });
    return fc.record({ a: exponent, c: exponent, k: fc.integer({ min: 8, max: 22 }), down: fc.boolean(), j: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: channels, maxLength: channels }) })
      .map(({ a, c, k, down, j }) => ({ mode: 'near', xScale: (1 + (down ? -1 : 1) * 2 ** -k) * 2 ** a, wScale: j.map((jm) => 2 ** (c - a - jm)), yScale: 2 ** c }));
  }
  const spread = strategy === 'saturating' ? fc.integer({ min: 9, max: 13 }) : fc.integer({ min: 2, max: 7 }); // r spans about 2^t
  const fraction = fc.integer({ min: 0, max: 63 }).map((k) => 1 + k / 64);
  const perChannel = (arb: fc.Arbitrary<number>): fc.Arbitrary<number[]> => fc.array(arb, { minLength: channels, maxLength: channels });
  return fc.record({ mode: fc.constantFrom(...modes), t: spread, xe: fc.integer({ min: -12, max: 0 }), xf: fraction, we: fc.integer({ min: -12, max: 0 }), wd: perChannel(fc.integer({ min: -2, max: 2 })), wf: perChannel(fraction), yf: fraction })
    .map(({ mode, t, xe, xf, we, wd, wf, yf }) => {
      // channel scales within 2^±2 of each other, so one y_scale suits them all
      const xScale = Math.fround(xf * 2 ** xe);
      const wScale = wd.map((d, m) => Math.fround(wf[m] * 2 ** (we + d)));
      // y_scale so that acc·x_scale·w_scale[0]/y_scale ≈ 2^t for a typical acc
      const yScale = Math.fround((yf * base(mode) * xScale * wScale[0]) / 2 ** t);
      return { mode, xScale, wScale, yScale: yScale > 0 ? yScale : Math.fround(2 ** -126) };
    });
}

/** Quantized problems and data as `options` allow, for the operators of `scope`. */
export function quantizedCaseArb(scope: LawScope, options: QuantizedArbOptions = {}): fc.Arbitrary<QuantizedCase> {
  const operators = scopeOperators(scope);
  if (operators.length === 0) throw new Error(`quantizedCaseArb: the scope [${scope.convTypes.join(', ')}] holds no quantized type`);
  const general = fc.constantFrom(...operators).chain((operator) => generalCaseArb(operator, options));
  const share = options.int32Limit ?? 0;
  if (share <= 0) return general;
  const weight = Math.max(1, Math.round(share * 10));
  return fc.oneof({ arbitrary: general, weight: 10 - weight }, { arbitrary: fc.constantFrom(...operators).chain(int32LimitArb), weight });
}

function generalCaseArb(operator: QuantizedOperator, options: QuantizedArbOptions): fc.Arbitrary<QuantizedCase> {
  const bias = operator === 'QLinearConv' && options.bias !== false;
  const perChannel = options.perChannel === 'only' ? fc.constant(true) : options.perChannel === false ? fc.constant(false) : fc.boolean();
  const modes = options.modes ?? ['uniform', 'near', 'extreme', 'alternating'];
  // by default exact ties come a third of the time: they are where round-half-to-even is decided
  const strategy = options.strategies !== undefined
    ? fc.constantFrom(...options.strategies)
    : fc.oneof({ arbitrary: fc.constant<RequantStrategy>('exact-ties'), weight: 2 }, { arbitrary: fc.constantFrom<RequantStrategy>(...REQUANT_STRATEGIES.filter((t) => t !== 'exact-ties')), weight: 4 });
  const types = operator === 'QLinearConv' ? QLINEAR_TYPES : fc.tuple(TYPE, TYPE, TYPE);
  return fc.record({
    conv: problemArb({ types: CONV_SHAPES, bias, maxBatch: 2 }),
    types, perChannel, strategy, seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }).chain(({ conv, types: [x, w, y], perChannel: pc, strategy: drawn, seed }) => {
    const channels = pc ? conv.outChannels : 1;
    return fc.record({
      xz: zeroPointArb(x), wz: fc.array(zeroPointArb(w), { minLength: channels, maxLength: channels }), yz: zeroPointArb(y),
      mode: fc.constantFrom(...modes),
    }).chain(({ xz, wz, yz, mode }) => {
      const problemOf = (requant?: Requant): QuantizedConvProblem => validateQuantizedProblem({
        operator, conv, xType: x, wType: w, xZeroPoint: xz, wZeroPoint: wz, perChannel: pc,
        ...(requant ? { requant: { xScale: requant.xScale, wScale: requant.wScale, yScale: requant.yScale, yZeroPoint: yz, yType: y } } : {}),
      });
      if (operator === 'ConvInteger') return fc.constant({ problem: problemOf(), mode, seed });
      const draft = problemOf({ mode, xScale: 1, wScale: wz.map(() => 1), yScale: 1 });
      return requantArb(drawn, modes, channels, (m) => typicalAccumulator(draft, m))
        .map((requant) => ({ problem: problemOf(requant), mode: requant.mode, seed }));
    });
  });
}

/**
 * A 1-D pointwise problem whose extreme products sum to about the int32 limit: C = C0 - offset
 * (ConvInteger: within int32) or C0 + offset - 1 (QLinearConv: across it), C0 = ⌊(2^31 - 1)/P⌋,
 * P the largest product of the zero points drawn (at the ends of their ranges).
 */
function int32LimitArb(operator: QuantizedOperator): fc.Arbitrary<QuantizedCase> {
  const end = (t: QuantType): fc.Arbitrary<number> => fc.constantFrom(QUANT_RANGE[t].min, QUANT_RANGE[t].max);
  return fc.record({ x: TYPE, w: TYPE, y: TYPE, mode: fc.constantFrom<QuantizedDataMode>('extreme', 'alternating'), offset: fc.integer({ min: 0, max: 3 }), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) })
    .chain((d) => fc.record({ d: fc.constant(d), xz: end(d.x), wz: end(d.w) }))
    .map(({ d, xz, wz }) => {
      const product = Math.abs(farthestFrom(xz, d.x) - xz) * Math.abs(farthestFrom(wz, d.w) - wz);
      const c0 = Math.floor(INT32_RANGE.max / product);
      const channels = operator === 'ConvInteger' ? c0 - d.offset : c0 + d.offset - 1;
      const conv: ConvProblem = makeProblem({ inChannels: channels, outChannels: 1, inputShape: [1], kernelShape: [1] });
      const yz = d.y === 'u8' ? 128 : 0;
      // y_scale = 2^25: r = acc·2^-25 is about ±64 at the limit, inside the output range
      const problem = validateQuantizedProblem({
        operator, conv, xType: d.x, wType: d.w, xZeroPoint: xz, wZeroPoint: [wz], perChannel: false,
        ...(operator === 'QLinearConv' ? { requant: { xScale: 1, wScale: [1], yScale: 2 ** 25, yZeroPoint: yz, yType: d.y } } : {}),
      });
      return { problem, mode: d.mode, seed: d.seed };
    });
}

/** The ConvInteger of a QLinearConv problem: the same Conv, types and zero points, no bias, no requantization. */
export function convIntegerOf(p: QuantizedConvProblem): QuantizedConvProblem {
  const { requant: _requant, ...rest } = p;
  return validateQuantizedProblem({ ...rest, operator: 'ConvInteger', conv: withChanges(p.conv, { bias: false }) });
}
