import { describe, expect, it } from 'vitest';
import { inputErrorOf } from './errors.ts';
import { DEFAULT_LIMITS, ResourceLimitError, setActiveLimits } from './limits.ts';
import { checkQuantizedOperands, makeQuantizedProblem, outputRange, validateQuantizedProblem, wScaleOf, wZeroPointOf, type QuantizedConvProblem } from './quantized.ts';

const conv = { inChannels: 2, outChannels: 3, inputShape: [4, 4], kernelShape: [3, 3] };
const ints = (shape: number[], v = 0) => ({ shape, data: new Int32Array(shape.reduce((a, b) => a * b, 1)).fill(v) });

describe('makeQuantizedProblem', () => {
  it('fills in ONNX defaults: u8 types, zero points 0 per tensor, y of x\'s type', () => {
    const p = makeQuantizedProblem({ operator: 'QLinearConv', conv, xType: 's8', wType: 's8' });
    expect(p).toMatchObject({ xZeroPoint: 0, wZeroPoint: [0], perChannel: false, requant: { xScale: 1, wScale: [1], yScale: 1, yZeroPoint: 0, yType: 's8' } });
    expect(validateQuantizedProblem(p)).toBe(p);
  });

  it('is per channel when a w zero point or scale is a list, and repeats the other for every channel', () => {
    const p = makeQuantizedProblem({ operator: 'QLinearConv', conv, wScale: [0.5, 0.25, 2], wZeroPoint: 7 });
    expect(p.perChannel).toBe(true);
    expect(p.wZeroPoint).toEqual([7, 7, 7]);
    expect([0, 1, 2].map((m) => wScaleOf(p.requant!, p.perChannel, m))).toEqual([0.5, 0.25, 2]);
    expect(wZeroPointOf(p, 2)).toBe(7);
    expect(outputRange(p)).toEqual({ min: 0, max: 255 });
    expect(outputRange(makeQuantizedProblem({ operator: 'ConvInteger', conv }))).toEqual({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  });
});

describe('validateQuantizedProblem names the field, the value and the rule', () => {
  const base = makeQuantizedProblem({ operator: 'QLinearConv', conv });
  const broken = (changes: Partial<QuantizedConvProblem>): QuantizedConvProblem => ({ ...base, ...changes });
  it.each([
    ['operator', broken({ operator: 'ConvFloat' as never }), /operator must be ConvInteger or QLinearConv/],
    ['conv.op', broken({ conv: { ...base.conv, op: 'convTranspose' } }), /conv.op must be conv, but conv.op=convTranspose/],
    ['group', broken({ conv: { ...base.conv, group: 2 } }), /group must divide output channels/],
    ['xType', broken({ xType: 'u16' as never }), /xType must be u8 or s8, but xType="u16"/],
    ['xZeroPoint', broken({ xZeroPoint: 1.5 }), /xZeroPoint must be an integer in \[0, 255\]/],
    ['wZeroPoint', broken({ wZeroPoint: [1, 2] }), /a per-tensor w_zero_point is one value, but it has 2/],
    ['wScale', broken({ requant: { ...base.requant!, wScale: [1, 2, 3] } }), /w_scale and w_zero_point must have the same shape/],
    ['yScale', broken({ requant: { ...base.requant!, yScale: 0.1 } }), /yScale must be a float32 value \(ONNX scales are float32\), but yScale=0.1 is not one \(nearest: 0.10000000149011612\)/],
    ['requant', broken({ requant: undefined }), /QLinearConv needs x_scale/],
  ])('%s', (field, p, message) => {
    const error = inputErrorOf(() => validateQuantizedProblem(p));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('ConvInteger takes no scales', () => {
    const p = { ...makeQuantizedProblem({ operator: 'ConvInteger', conv }), requant: base.requant };
    expect(inputErrorOf(() => validateQuantizedProblem(p)).message).toMatch(/scales and y_zero_point are QLinearConv inputs/);
  });
});

describe('checkQuantizedOperands', () => {
  const p = makeQuantizedProblem({ operator: 'QLinearConv', conv: { ...conv, bias: true }, wType: 's8' });
  it('accepts operands of the problem\'s shapes and types', () => {
    expect(() => checkQuantizedOperands(p, { x: ints([1, 2, 4, 4], 255), w: ints([3, 2, 3, 3], -128), b: ints([3], -5) })).not.toThrow();
  });
  it.each([
    ['x.shape', { x: ints([1, 2, 4]), w: ints([3, 2, 3, 3]), b: ints([3]) }, /x must have shape \[1,2,4,4\]/],
    ['w.data', { x: ints([1, 2, 4, 4]), w: ints([3, 2, 3, 3], 200), b: ints([3]) }, /w holds s8 values in \[-128, 127\], but w.data\[0\]=200/],
    ['b', { x: ints([1, 2, 4, 4]), w: ints([3, 2, 3, 3]) }, /the problem has a bias, but no b tensor/],
    ['x.data', { x: { shape: [1, 2, 4, 4], data: new Float32Array(32) as never }, w: ints([3, 2, 3, 3]), b: ints([3]) }, /x.data must be an Int32Array/],
  ])('%s', (field, operands, message) => {
    const error = inputErrorOf(() => checkQuantizedOperands(p, operands));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });
  it('refuses a problem over the limits in force, as Conv does, before computing (before: golden import ran 1.3e11 MACs past --max-macs and --timeout)', () => {
    const operands = { x: ints([1, 2, 4, 4], 255), w: ints([3, 2, 3, 3], -128), b: ints([3], -5) };
    setActiveLimits({ ...DEFAULT_LIMITS, maxMacs: 100 });
    try {
      expect(() => checkQuantizedOperands(p, operands)).toThrow(ResourceLimitError);
      expect(() => checkQuantizedOperands(p, operands)).toThrow(/216 multiply-accumulates, more than the limit of 100; --max-macs 216 raises it/);
    } finally {
      setActiveLimits(DEFAULT_LIMITS);
    }
  });
});
