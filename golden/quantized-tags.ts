/**
 * What each tag of a quantized golden case means, as a predicate on the problem and on its exact
 * reference result (ties, saturation and int32 limits are facts of the data), so that a tag cannot
 * claim an edge the case does not reach (quantized-cases.test.ts checks every tag).
 */
import type { QuantizedReference } from '../compare/quantized-case.ts';
import { INT32_RANGE, outputRange, QUANT_RANGE, type QuantizedConvProblem, type QuantizedOperands } from '../problem/quantized.ts';
import { resolvePads } from '../problem/shape.ts';
import type { QuantizedTag } from './quantized-cases.ts';

/** The rule of one tag, in words and as a predicate on a case's problem, operands and exact result. */
export interface QuantizedTagRule {
  readonly rule: string;
  readonly holds: (p: QuantizedConvProblem, operands: QuantizedOperands, reference: QuantizedReference) => boolean;
}

const some = (n: number, f: (i: number) => boolean): boolean => {
  for (let i = 0; i < n; i++) if (f(i)) return true;
  return false;
};

/** Every quantized tag's rule. */
export const QUANTIZED_TAG_RULES: Record<QuantizedTag, QuantizedTagRule> = {
  'exact-ties': {
    rule: 'some output\'s real value is exactly k + 1/2 where every evaluation is exact (it must round to even)',
    holds: (_p, _o, r) => r.real !== undefined && some(r.real.length, (i) => Math.abs(r.real![i] % 1) === 0.5 && r.expectation.lo[i] === r.expectation.hi[i]),
  },
  'tie-neighbour': {
    rule: 'some output admits the tie-neighbour allowance (its real value lies within γ4·|r| of a tie, the evaluation inexact)',
    holds: (_p, _o, r) => some(r.y.data.length, (i) => r.expectation.lo[i] !== r.expectation.hi[i]),
  },
  saturation: {
    rule: 'at least a quarter of the outputs sit at a limit of y\'s type',
    holds: (p, _o, r) => { const { min, max } = outputRange(p); return r.y.data.filter((v) => v === min || v === max).length * 4 >= r.y.data.length; },
  },
  'extreme-zero-points': {
    rule: 'x_zero_point or a w_zero_point is at an end of its type\'s range',
    holds: (p) => [p.xZeroPoint].some((z) => z === QUANT_RANGE[p.xType].min || z === QUANT_RANGE[p.xType].max) || p.wZeroPoint.some((z) => z === QUANT_RANGE[p.wType].min || z === QUANT_RANGE[p.wType].max),
  },
  'weight-minus-128': {
    rule: 'w is int8 and holds -128',
    holds: (p, o) => p.wType === 's8' && o.w.data.includes(-128),
  },
  'padding-zero-point': {
    rule: 'the input is padded and x_zero_point is not 0 (a kernel padding with 0 gives another answer)',
    holds: (p) => { const r = resolvePads(p.conv); return p.xZeroPoint !== 0 && [...r.begin, ...r.end].some((v) => v > 0); },
  },
  'int32-limit': {
    rule: 'ConvInteger with an output beyond ±2^30 (within a factor 2 of the int32 limit)',
    holds: (p, _o, r) => p.operator === 'ConvInteger' && some(r.acc.length, (i) => Math.abs(r.acc[i]) > 2 ** 30 && r.acc[i] >= INT32_RANGE.min && r.acc[i] <= INT32_RANGE.max),
  },
  'int32-overflow': {
    rule: 'QLinearConv with an exact accumulator (acc + B) outside int32',
    holds: (p, _o, r) => p.operator === 'QLinearConv' && r.int32Overflows > 0,
  },
  'per-channel': { rule: 'w_zero_point (and w_scale) are 1-D, one value per output channel', holds: (p) => p.perChannel },
  bias: { rule: 'QLinearConv with its int32 B', holds: (p) => p.conv.bias },
  '1-d': { rule: 'one spatial axis', holds: (p) => p.conv.inputShape.length === 1 },
  '3-d': { rule: 'three spatial axes', holds: (p) => p.conv.inputShape.length === 3 },
  grouped: { rule: '1 < group < C', holds: (p) => p.conv.group > 1 && p.conv.group < p.conv.inChannels },
  depthwise: { rule: 'group = C > 1', holds: (p) => p.conv.group > 1 && p.conv.group === p.conv.inChannels },
};
