import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDescriptor } from './descriptor.ts';
import { ConvInputError } from './errors.ts';
import { formatFloat32, formatQuantizedDescriptor, isQuantizedDescriptor, parseAnyDescriptor, parseQuantizedDescriptor } from './quantized-descriptor.ts';
import { makeQuantizedProblem, QUANT_RANGE, type QuantizedConvProblem, type QuantType } from './quantized.ts';

/** Asserts that parsing `text` throws a ConvInputError on `descriptor` whose message matches `message`. */
function expectMalformed(text: string, message: RegExp, field = 'descriptor'): void {
  let error: unknown;
  try { parseQuantizedDescriptor(text); } catch (e) { error = e; }
  expect(error, text).toBeInstanceOf(ConvInputError);
  expect((error as ConvInputError).field, text).toBe(field);
  expect((error as ConvInputError).message, text).toMatch(message);
}

describe('quantized descriptors: canonical strings read back and print the same', () => {
  const canonical = [
    // ONNX's test_basic_convinteger and test_convinteger_with_padding
    'CIu8u8mb1ic1ih3iw3oc1kh2kw2xz1',
    'CIu8u8mb1ic1ih3iw3oc1kh2kw2ph1pw1xz1',
    // every type pair, zero points at the extremes, per channel, 1-D and 3-D, auto_pad, groups
    'CIu8s8mb1ic2iw5oc2kw3xz255wz-128',
    'CIs8s8g2mb2ic4ih4iw4oc4kh3kw3apUxz-128wzc127,-128,0,5',
    'CIs8u8mb1ic1id2ih2iw2oc1kd1kh1kw1wz255',
    // ONNX's test_qlinearconv: 1-D w_scale and w_zero_point of one value (per channel, M = 1)
    'QLu8u8u8mb1ic1ih7iw7oc1kh1kw1xs0.003692047xz132wsc0.0017279458wzc255ys0.0016268126yz123',
    // per tensor, bias, a name
    'QLu8s8u8mb1ic8ih5iw5oc4kh3kw3ph1pw1b1xs0.5xz128ws0.25ys0.75yz3n"mobilenet-v2:conv1"',
    'QLs8s8s8g4mb1ic4iw6oc4kw3sw2dw2xs1ws0.000000059604645wz-3ys3yz-128',
    'QLu8s8u8mb1ic8ih5iw5oc4kh3kw3xs0.5wsc0.25,0.5,0.125,1wzc0,0,0,0ys0.75',
  ];

  it.each(canonical)('%s', (text) => {
    expect(formatQuantizedDescriptor(parseQuantizedDescriptor(text))).toBe(text);
  });

  it('reads every field into the problem', () => {
    const p = parseQuantizedDescriptor('QLu8s8s8mb1ic2ih3iw3oc2kh2kw2b1xs0.5xz3wsc0.25,2wzc-1,4ys0.1yz-7n"q"');
    expect(p).toStrictEqual(makeQuantizedProblem({
      operator: 'QLinearConv', conv: { inChannels: 2, outChannels: 2, inputShape: [3, 3], kernelShape: [2, 2], bias: true, name: 'q' },
      xType: 'u8', wType: 's8', yType: 's8', xScale: 0.5, xZeroPoint: 3, wScale: [0.25, 2], wZeroPoint: [-1, 4], yScale: Math.fround(0.1), yZeroPoint: -7,
    }));
    expect(p.perChannel).toBe(true);
  });

  it('takes fields in any order and writes them in the canonical one', () => {
    expect(formatQuantizedDescriptor(parseQuantizedDescriptor('CIu8u8xz7ic1mb1oc1wz3iw4kw2'))).toBe('CIu8u8mb1ic1iw4oc1kw2xz7wz3');
  });

  it('round-trips random quantized problems (scales are float32, written as their shortest decimal)', () => {
    const type = fc.constantFrom<QuantType>('u8', 's8');
    const zp = (t: QuantType): fc.Arbitrary<number> => fc.integer({ min: QUANT_RANGE[t].min, max: QUANT_RANGE[t].max });
    const scale = fc.float({ min: Math.fround(1e-30), max: Math.fround(1e30), noNaN: true, noDefaultInfinity: true }).filter((v) => v > 0);
    const arb = fc.record({ x: type, w: type, y: type, m: fc.integer({ min: 1, max: 4 }), qlinear: fc.boolean(), perChannel: fc.boolean(), bias: fc.boolean(), seed: fc.nat() })
      .chain((d) => fc.record({
        d: fc.constant(d), xz: zp(d.x), yz: zp(d.y), xs: scale, ys: scale,
        wz: fc.array(zp(d.w), { minLength: d.m, maxLength: d.m }), ws: fc.array(scale, { minLength: d.m, maxLength: d.m }),
      }));
    fc.assert(fc.property(arb, ({ d, xz, yz, xs, ys, wz, ws }) => {
      const p: QuantizedConvProblem = makeQuantizedProblem({
        operator: d.qlinear ? 'QLinearConv' : 'ConvInteger',
        conv: { inChannels: 2, outChannels: d.m, inputShape: [4, 3], kernelShape: [2, 1], bias: d.qlinear && d.bias },
        xType: d.x, wType: d.w, xZeroPoint: xz, wZeroPoint: d.perChannel ? wz : wz[0],
        ...(d.qlinear ? { xScale: xs, yScale: ys, wScale: d.perChannel ? ws : ws[0], yZeroPoint: yz, yType: d.y } : {}),
      });
      const text = formatQuantizedDescriptor(p);
      expect(parseQuantizedDescriptor(text)).toStrictEqual(p);
      expect(text).not.toMatch(/e[-+]/);
    }), { numRuns: 300, seed: 5 });
  });

  it('formats float32 scales as the shortest decimal that reads back', () => {
    expect(formatFloat32(0.5)).toBe('0.5');
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(2 ** -24)).toBe('0.000000059604645');
    expect(formatFloat32(3e20)).toBe('300000000000000000000');
    expect(Math.fround(Number(formatFloat32(Math.fround(0.0036920470)))) ).toBe(Math.fround(0.0036920470));
  });

  it('tells quantized descriptors from float ones', () => {
    expect(isQuantizedDescriptor('CIu8u8mb1ic1iw3oc1kw2')).toBe(true);
    expect(isQuantizedDescriptor('mb1ic1iw3oc1kw2')).toBe(false);
    expect(parseAnyDescriptor('mb1ic1iw3oc1kw2').kind).toBe('conv');
    expect(parseAnyDescriptor('CIu8u8mb1ic1iw3oc1kw2').kind).toBe('quantized');
    expect(() => parseDescriptor('QLu8u8u8mb1ic1iw3oc1kw2xs1ws1ys1')).toThrow(/this is a quantized descriptor .* parseQuantizedDescriptor/);
  });
});

describe('malformed quantized descriptors are errors naming the token and the rule', () => {
  it.each([
    ['XXu8u8mb1ic1iw3oc1kw2', /starts with CI \(ConvInteger\) or QL \(QLinearConv\)/],
    ['CIu7u8mb1ic1iw3oc1kw2', /CI is followed by 2 types \(x, w\), each u8 or s8, but x's is "u7"/],
    ['QLu8u8mb1ic1iw3oc1kw2xs1ws1ys1', /QL is followed by 3 types \(x, w, y\), each u8 or s8, but y's is "mb"/],
    ['CIu8u8Tmb1ic1iw3oc1kw2', /there is no transposed \("T"\) ConvInteger/],
    ['CIu8u8mb1ic1iw3oc1kw2xz', /field "xz" must be followed by an integer, but found ""/],
    ['CIu8u8mb1ic1iw3oc1kw2xz1xz2', /field "xz" is given twice/],
    ['CIu8u8mb1ic1iw3oc1kw2wz1wzc1', /"wz" \(per tensor\) and "wzc" \(per output channel\) both give w's zero point/],
    ['CIu8u8mb1ic1iw3oc1kw2xs0.5', /field "xs" is a QLinearConv input .* ConvInteger has none/],
    ['QLu8u8u8mb1ic1iw3oc1kw2ws1ys1', /field "xs" \(a scale\) is required for QLinearConv/],
    ['QLu8u8u8mb1ic1iw3oc1kw2xs1ys1', /field "ws" or "wsc" .* is required for QLinearConv/],
    ['QLu8u8u8mb1ic1iw3oc1kw2xs-1ws1ys1', /field "xs" must be followed by a decimal number \(e\.g\. 0\.0037\), but found "-1ws1ys1"/],
    ['QLu8s8u8mb1ic1iw3oc2kw2wscx', /field "wsc" must be followed by a comma-separated list of decimal numbers \(e\.g\. 0\.0037,0\.0041\), but found "x"/], // was 'list of decimal number (e.g. 0.0037)s'
    ['QLu8u8u8mb1ic1iw3oc2kw2xs1wsc1,2wz3ys1', /same shape .* "wsc" is per channel and "wz" per tensor/],
    ['CIu8u8mb1ic1iw3oc1kw2kh3', /field "kh" names an axis a 1-D problem does not have .* in "CIu8u8mb1ic1iw3oc1kw2kh3"/],
    ['CIu8u8mb1ic1iw3oc1kw2q5', /unknown field at "q5"/],
  ])('%s', (text, message) => expectMalformed(text, message));

  it.each([
    ['CIu8u8mb1ic1iw3oc1kw2xz256', 'xZeroPoint', /xZeroPoint must be an integer in \[0, 255\] \(its type is u8\), but xZeroPoint=256/],
    ['CIu8s8mb1ic1iw3oc1kw2wz128', 'wZeroPoint', /wZeroPoint must be an integer in \[-128, 127\] \(its type is s8\), but wZeroPoint=128/],
    ['CIu8u8mb1ic1iw3oc2kw2wzc1,2,3', 'wZeroPoint', /per-channel w_zero_point has one value per output channel \(M=2\), but it has 3/],
    ['CIu8u8mb1ic1iw3oc1kw2b1', 'bias', /ConvInteger has no bias input/],
    ['QLu8u8u8mb1ic1iw3oc1kw2xs0ws1ys1', 'xScale', /xScale must be a finite float32 > 0, but xScale=0/],
    [`QLu8s8u8mb1ic1iw3oc1kw2xs1${'0'.repeat(45)}ws1ys1`, 'xScale', /xScale must be a finite float32 > 0, but xScale=Infinity\./], // was xScale=null (JSON)
    ['QLu8u8s8mb1ic1iw3oc1kw2xs1ws1ys1yz200', 'yZeroPoint', /yZeroPoint must be an integer in \[-128, 127\] \(its type is s8\), but yZeroPoint=200/],
  ])('%s: the problem rule names %s', (text, field, message) => expectMalformed(text, message, field));
});
