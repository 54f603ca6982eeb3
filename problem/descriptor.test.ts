import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDescriptor, parseDescriptor } from './descriptor.ts';
import { ConvInputError, quoted } from './errors.ts';
import { makeProblem, type AutoPad, type ConvProblem } from './problem.ts';
import { effectiveKernelSize } from './shape.ts';
import { validateProblem } from './validate.ts';

// properties/budget.ts's numRuns() once it lands; until then the same variable, default 50
const NUM_RUNS = Number.parseInt(process.env.CONVCHECK_NUM_RUNS ?? '', 10) || 50;

/** Asserts that parsing `text` throws a ConvInputError on `descriptor` whose message matches `message`. */
function expectMalformed(text: string, message: RegExp): void {
  let error: unknown;
  try { parseDescriptor(text); } catch (e) { error = e; }
  expect(error).toBeInstanceOf(ConvInputError);
  expect((error as ConvInputError).field).toBe('descriptor');
  expect((error as ConvInputError).message).toMatch(message);
}

describe('descriptor: canonical strings read back and print the same, field by field', () => {
  const canonical = [
    // 1-D, 2-D, 3-D; minimal fields (mb is always written, g1 s1 d1 p0 never)
    'mb1ic1iw5oc1kw3',
    'mb1ic1ih5iw5oc1kh3kw3',
    'mb1ic1id3ih4iw5oc1kd1kh2kw3',
    // g, mb, strides, dilations, begin pads
    'g2mb4ic4ih7iw6oc6kh3kw2sh2sw1dh1dw2ph1pw0',
    // end pads differing from begin pads, per axis
    'mb1ic1id4ih4iw4oc1kd3kh3kw3pd1ph0pw2ed0eh1ew2',
    'mb1ic1iw5oc1kw3ew2',
    // auto_pad codes
    'mb1ic2ih5iw5oc2kh3kw3sh2sw2apU',
    'mb1ic2ih5iw5oc2kh3kw3apL',
    'mb1ic2ih5iw5oc2kh3kw3apV',
    // bias and a name
    'mb1ic3ih7iw7oc128kh3kw3b1',
    'g32mb1ic32ih112iw112oc32kh3kw3ph1pw1n"mobilenet:conv2_1/dw"',
    'mb1ic1iw5oc1kw3n""',
    // transposed: output_padding (op), output_shape (o), every axis count
    'Tmb1ic2iw3oc1kw3sw2opw1',
    'Tg2mb1ic4ih3iw4oc2kh4kw3sh2sw3ph1pw1oph1opw2',
    'Tmb1ic1id2ih3iw4oc1kd2kh3kw3sd1sh2sw2dd2dh1dw1opd1oph1opw0',
    'Tmb1ic1ih3iw3oc1kh3kw3sh2sw2oh6ow5',
    'Tmb1ic1id2ih2iw2oc1kd3kh3kw3sd2sh2sw2od4oh4ow5apU',
    'Tmb1ic1ih3iw3oc1kh3kw3sh2sw2apLb1n"up"',
    'Tmb2ic1iw3oc1kw2sw2ew1',
  ];

  it.each(canonical)('%s', (text) => {
    expect(formatDescriptor(parseDescriptor(text))).toBe(text);
  });

  it('reads every field into the problem', () => {
    const p = parseDescriptor('Tg2mb3ic4id2ih3iw4oc6kd1kh2kw3sd1sh2sw3dd2dh1dw2pd1ph0pw2ed0eh1ew1opd1oph1opw2b1n"all"');
    expect(p).toStrictEqual<ConvProblem>({
      op: 'convTranspose', batch: 3, inChannels: 4, outChannels: 6, group: 2,
      inputShape: [2, 3, 4], kernelShape: [1, 2, 3], strides: [1, 2, 3], dilations: [2, 1, 2],
      padsBegin: [1, 0, 2], padsEnd: [0, 1, 1], autoPad: 'NOTSET', outputPadding: [1, 1, 2], bias: true, name: 'all',
    });
    expect(parseDescriptor('Tmb1ic1ih3iw3oc1kh3kw3sh2sw2oh6ow5apU').outputShape).toEqual([6, 5]);
    expect(parseDescriptor('mb1ic1iw5oc1kw3apV').autoPad).toBe('VALID');
  });

  it('the article §2.1 problem as benchdnn would name it', () => {
    expect(formatDescriptor(makeProblem({ inChannels: 1, outChannels: 1, inputShape: [5, 5], kernelShape: [3, 3] }))).toBe('mb1ic1ih5iw5oc1kh3kw3');
  });

  it('non-canonical spellings read to the same problem and print canonically', () => {
    const same: Array<[string, string]> = [
      ['ic1oc1kw3iw5', 'mb1ic1iw5oc1kw3'], // any field order; mb defaults to 1
      ['g1mb1ic1iw5oc1kw3sw1dw1pw0b0', 'mb1ic1iw5oc1kw3'], // defaults written out
      ['mb1ic1iw5oc1kw3pw1ew1', 'mb1ic1iw5oc1kw3pw1'], // e equal to p is implied
      ['mb1ic1iw05oc1kw3', 'mb1ic1iw5oc1kw3'], // leading zero
      ['  mb1ic1iw5oc1kw3  ', 'mb1ic1iw5oc1kw3'], // surrounding blanks
      ['mb1ic1ih5iw5oc1kh3kw3oh3ow3', 'mb1ic1ih5iw5oc1kh3kw3'], // conv o is checked, not kept
    ];
    for (const [text, canon] of same) expect(formatDescriptor(parseDescriptor(text))).toBe(canon);
  });
});

/** One axis of a generated problem: sizes small, every attribute free to be non-default. */
const axisArb = fc.record({
  i: fc.integer({ min: 1, max: 20 }), k: fc.integer({ min: 1, max: 5 }), s: fc.integer({ min: 1, max: 4 }),
  d: fc.integer({ min: 1, max: 3 }), pb: fc.nat({ max: 4 }), pe: fc.nat({ max: 4 }), samePads: fc.boolean(),
  op: fc.nat({ max: 3 }), crop: fc.nat({ max: 3 }),
});

/** Valid problems of rank 1-3, conv and transposed, every auto_pad, bias, output_shape and name. */
const problemArb: fc.Arbitrary<ConvProblem> = fc.record({
  transposed: fc.boolean(), batch: fc.integer({ min: 1, max: 8 }), group: fc.integer({ min: 1, max: 4 }),
  cPerGroup: fc.integer({ min: 1, max: 3 }), mPerGroup: fc.integer({ min: 1, max: 3 }),
  axes: fc.integer({ min: 1, max: 3 }).chain((rank) => fc.array(axisArb, { minLength: rank, maxLength: rank })),
  autoPad: fc.constantFrom<AutoPad>('NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'),
  withOutputShape: fc.boolean(), bias: fc.boolean(),
  name: fc.option(fc.string({ maxLength: 12 }).filter((n) => !n.includes('"')), { nil: undefined }),
}).map((r) => {
  const outputPadding = r.axes.map((a) => (r.transposed ? a.op % Math.max(a.s, a.d) : 0));
  return makeProblem({
    op: r.transposed ? 'convTranspose' : 'conv', batch: r.batch, group: r.group,
    inChannels: r.group * r.cPerGroup, outChannels: r.group * r.mPerGroup,
    inputShape: r.axes.map((a) => a.i), kernelShape: r.axes.map((a) => a.k), strides: r.axes.map((a) => a.s),
    dilations: r.axes.map((a) => a.d),
    pads: [...r.axes.map((a) => a.pb), ...r.axes.map((a) => (a.samePads ? a.pb : a.pe))],
    autoPad: r.autoPad, outputPadding, bias: r.bias, name: r.name,
    ...(r.transposed && r.withOutputShape
      ? { outputShape: r.axes.map((a, n) => a.s * (a.i - 1) + outputPadding[n] + effectiveKernelSize(a.k, a.d) - a.crop) }
      : {}),
  });
}).filter((p) => {
  try { validateProblem(p); return true; } catch { return false; }
});

describe('descriptor: round trip over generated problems', () => {
  it('parse(format(p)) equals p', () => {
    fc.assert(fc.property(problemArb, (p) => {
      expect(parseDescriptor(formatDescriptor(p))).toStrictEqual(p);
    }), { numRuns: NUM_RUNS });
  });

  it('format(parse(s)) is s for every formatted s', () => {
    fc.assert(fc.property(problemArb, (p) => {
      const text = formatDescriptor(p);
      expect(formatDescriptor(parseDescriptor(text))).toBe(text);
    }), { numRuns: NUM_RUNS });
  });

  it('different problems get different descriptors', () => {
    fc.assert(fc.property(problemArb, problemArb, (p, q) => {
      fc.pre(JSON.stringify(p) !== JSON.stringify(q));
      expect(formatDescriptor(p)).not.toBe(formatDescriptor(q));
    }), { numRuns: NUM_RUNS });
  });
});

describe('descriptor: malformed text names the token and the rule', () => {
  it('an unknown field', () => {
    expectMalformed('mb1ic1iw5oc1kw3x1', /unknown field at "x1" in "mb1ic1iw5oc1kw3x1"/);
    expectMalformed('mb1ic1iw5 oc1kw3', /unknown field at " oc1kw3"/);
    expectMalformed('mb1ic1iw5oc1kw3n"a"b', /unknown field at "n"/);
  });

  it('a field without its value', () => {
    expectMalformed('mb1ic1iw5oc1kw', /field "kw" must be followed by a non-negative integer/);
    expectMalformed('mb1ic1iw5oc1kw3pw-1', /field "pw" must be followed by a non-negative integer/);
  });

  it('a number beyond 2^53-1 is quoted as written (before: "inputShape[0]=9007199254740992" for ih9007199254740993, and Infinity for 400 digits)', () => {
    expectMalformed('mb1ic1ih9007199254740993iw5oc1kh3kw3', /field "ih" must be an integer of at most 2\^53-1, but it is "9007199254740993"/);
    expectMalformed(`g${'9'.repeat(400)}mb1ic1iw5oc1kw3`, /field "g" must be an integer of at most 2\^53-1, but it is "9{40}"\.\.\. \(360 more characters\)/);
    expect(parseDescriptor('mb1ic1ih005iw5oc1kh3kw3').inputShape).toEqual([5, 5]);
  });

  it('a field given twice, auto_pad included', () => {
    expectMalformed('mb1ic1iw5oc1kw3kw3', /field "kw" is given twice/);
    expectMalformed('mb1ic1iw5oc1kw3apUapL', /field "ap" is given twice/);
  });

  it('an axis the rank does not have', () => {
    expectMalformed('mb1ic1iw5oc1kw3kh3', /field "kh" names an axis a 1-D problem does not have \(axes w\)/);
    expectMalformed('mb1ic1ih5iw5oc1kh3kw3sd2', /field "sd" names an axis a 2-D problem does not have \(axes h, w\)/);
    expectMalformed('mb1ic1id5iw5oc1kw3', /field "id" names an axis a 2-D problem/);
  });

  it('a missing input size, channel count or kernel size', () => {
    expectMalformed('mb1ic1oc1kw3', /an input size \(iw; ih iw; or id ih iw\) is required/);
    expectMalformed('', /an input size/);
    expectMalformed('mb1iw5oc1kw3', /field "ic" is required/);
    expectMalformed('mb1ic1iw5kw3', /field "oc" is required/);
    expectMalformed('mb1ic1ih5iw5oc1kw3', /field "kh" is required/);
  });

  it('a conv output size that does not match the arithmetic', () => {
    expectMalformed('mb1ic1ih5iw5oc1kh3kw3oh4', /oh=4 does not match the computed output size 3/);
    expectMalformed('mb1ic1iw7oc1kw3sw2pw1ow3', /ow=3 does not match the computed output size 4/);
  });

  it('a transposed output_shape given on some axes only', () => {
    expectMalformed('Tmb1ic1ih3iw3oc1kh3kw3oh5', /field "ow" is required/);
  });

  it('a bad auto_pad code or bias value', () => {
    expectMalformed('mb1ic1iw5oc1kw3apX', /auto_pad code after "ap" must be U, L or V, but found "X"/);
    expectMalformed('mb1ic1iw5oc1kw3ap', /but found ""/);
    expectMalformed('mb1ic1iw5oc1kw3b2', /field "b" must be 0 or 1, but b=2/);
  });

  it('a well-formed descriptor of an invalid problem gets the validator\'s error', () => {
    expect(() => parseDescriptor('g3mb1ic4iw5oc6kw3')).toThrow(/group must divide input channels, but group=3 and C=4/);
    expect(() => parseDescriptor('mb1ic1iw5oc1kw3opw1')).toThrow(/output_padding is a ConvTranspose attribute/);
    expect(() => parseDescriptor('Tmb1ic1iw3oc1kw3sw2opw2')).toThrow(/outputPadding\[0\]=2, stride=2/);
    expect(() => parseDescriptor('mb1ic0iw5oc1kw3')).toThrow(/inChannels must be an integer >= 1, but inChannels=0/);
  });
});

describe('descriptor errors quote the input safely (found by a hostile-input audit)', () => {
  it('escapes control characters and cuts a long descriptor, saying how much was cut', () => {
    expect(quoted('ab\u0000c\u001b[2J')).toBe('"ab\\u0000c\\u001b[2J"');
    expect(quoted('name\u202eexe.txt\u2066')).toBe('"name\\u202eexe.txt\\u2066"'); // a right-to-left override would show the rest reversed
    expect(quoted('x'.repeat(130))).toBe(`"${'x'.repeat(120)}"... (10 more characters)`);
    const long = `ic1iw5oc1kw3${'z'.repeat(2_000_000)}`;
    const message = (() => { try { parseDescriptor(long); } catch (e) { return (e as Error).message; } return ''; })();
    expect(message.length).toBeLessThan(400); // the 2 MB token was echoed whole, twice
    expect(message).toMatch(/unknown field at "z{40}"\.\.\. \(1999960 more characters\) in "ic1iw5oc1kw3z+"\.\.\. \(1999892 more characters\)\./);
    expect(() => parseDescriptor('ic1iw5oc1kw3\u0000')).toThrow('descriptor: unknown field at "\\u0000" in "ic1iw5oc1kw3\\u0000".');
  });
});
