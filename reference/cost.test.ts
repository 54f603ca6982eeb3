import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDescriptor } from '../problem/descriptor.ts';
import { ConvInputError } from '../problem/errors.ts';
import { makeProblem, withChanges, type AutoPad, type ConvProblem } from '../problem/problem.ts';
import { effectiveKernelSize } from '../problem/shape.ts';
import { validateProblem } from '../problem/validate.ts';
import { makeOperands } from '../problem/operand-data.ts';
import { convDetailed } from './conv.ts';
import { adjointProblem, convTransposeDetailed } from './conv-transpose.ts';
import { denseMultiplications, effectiveMultiplications, outputElements, parameterCount } from './cost.ts';

// properties/budget.ts's numRuns() once it lands; until then the same variable, default 40
const NUM_RUNS = Number.parseInt(process.env.CONVCHECK_NUM_RUNS ?? '', 10) || 40;

/** Multiplications an instrumented reference run performs. */
function counted(p: ConvProblem): number {
  const operands = makeOperands(p, 'exact', 7);
  return (p.op === 'conv' ? convDetailed(p, operands) : convTransposeDetailed(p, operands)).multiplications;
}

// Problems chosen to exercise every way a tap can be skipped: begin/end pads, pads wider than the
// kernel, dilation reaching into the padding, stride skipping the end, SAME_* pads, groups, 1-D and
// 3-D, and, transposed, taps cropped by pads and the output_padding / output_shape extension.
const PROBLEMS = [
  'mb1ic1iw5oc1kw3pw1',
  'mb2ic2iw7oc3kw3sw2dw2pw2ew0',
  'mb1ic1iw4oc1kw2pw3',
  'mb1ic1ih5iw5oc1kh3kw3ph1pw1',
  'g2mb1ic4ih6iw5oc6kh3kw2sh2sw3dh2dw1ph2pw1eh0ew2',
  'mb1ic3ih5iw4oc2kh3kw3sh2sw2apU',
  'mb1ic3ih5iw4oc2kh2kw4sh2sw1dh1dw2apL',
  'g3mb1ic3ih4iw4oc6kh3kw3ph1pw1b1',
  'mb1ic2id3ih4iw3oc2kd2kh3kw2pd1ph1pw0ed0eh2ew1',
  'mb1ic1id4ih3iw5oc1kd3kh2kw3sd2sh1sw2dd1dh2dw1apU',
  'Tmb1ic1iw3oc1kw3sw2pw1',
  'Tmb2ic2iw4oc3kw3sw2dw2pw1ew2opw1',
  'Tg2mb1ic4ih3iw4oc2kh3kw2sh2sw2ph1pw0eh2ew1oph1opw1',
  'Tmb1ic2ih3iw3oc2kh3kw3sh2sw2apU',
  'Tmb1ic2ih3iw3oc2kh4kw3sh2sw3apL',
  'Tmb1ic1ih3iw3oc1kh3kw3sh2sw2oh4ow6',
  'Tmb1ic2id2ih3iw2oc2kd2kh3kw2sd2sh1sw2pd1ph1pw0opd1b1',
];

/** Axis attributes with small sizes, so that every combination is reachable and runs are fast. */
function axisArb() {
  return fc.record({
    i: fc.integer({ min: 1, max: 6 }), k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }),
    d: fc.integer({ min: 1, max: 2 }), pb: fc.integer({ min: 0, max: 3 }), pe: fc.integer({ min: 0, max: 3 }),
    op: fc.nat({ max: 2 }), crop: fc.nat({ max: 2 }),
  });
}

/** Valid Conv / ConvTranspose problems of rank 1-3, every auto_pad, groups, bias, output_shape. */
function problemArb(): fc.Arbitrary<ConvProblem> {
  return fc.record({
    op: fc.constantFrom('conv' as const, 'convTranspose' as const),
    batch: fc.integer({ min: 1, max: 2 }), group: fc.integer({ min: 1, max: 3 }),
    cPerGroup: fc.integer({ min: 1, max: 2 }), mPerGroup: fc.integer({ min: 1, max: 2 }),
    axes: fc.integer({ min: 1, max: 3 }).chain((rank) => fc.array(axisArb(), { minLength: rank, maxLength: rank })),
    autoPad: fc.constantFrom<AutoPad>('NOTSET', 'NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'),
    withOutputShape: fc.boolean(), bias: fc.boolean(),
  }).map((r) => {
    const t = r.op === 'convTranspose';
    const outputPadding = r.axes.map((a) => (t ? a.op % Math.max(a.s, a.d) : 0));
    return makeProblem({
      op: r.op, batch: r.batch, group: r.group, inChannels: r.group * r.cPerGroup, outChannels: r.group * r.mPerGroup,
      inputShape: r.axes.map((a) => a.i), kernelShape: r.axes.map((a) => a.k), strides: r.axes.map((a) => a.s),
      dilations: r.axes.map((a) => a.d), pads: [...r.axes.map((a) => a.pb), ...r.axes.map((a) => a.pe)], autoPad: r.autoPad,
      outputPadding, bias: r.bias,
      ...(t && r.withOutputShape
        ? { outputShape: r.axes.map((a, n) => a.s * (a.i - 1) + outputPadding[n] + effectiveKernelSize(a.k, a.d) - a.crop) }
        : {}),
    });
  }).filter((p) => {
    try { validateProblem(p); return true; } catch { return false; }
  });
}

describe('cost model: the article (§8.2)', () => {
  const p = makeProblem({ inChannels: 3, outChannels: 128, inputShape: [7, 7], kernelShape: [3, 3] });

  it('a 3x3 standard conv from 7x7x3 to 5x5x128 takes 86,400 multiplications (128·5·5 outputs × 3·3·3 taps)', () => {
    expect(denseMultiplications(p)).toBe(86_400);
    expect(effectiveMultiplications(p)).toBe(86_400);
    expect(counted(p)).toBe(86_400);
  });

  it('it has 128·3·3·3 = 3,456 weights, 3,584 parameters with a bias, and 3,200 outputs', () => {
    expect(parameterCount(p)).toBe(3_456);
    expect(parameterCount(withChanges(p, { bias: true }))).toBe(3_584);
    expect(outputElements(p)).toBe(3_200);
  });
});

describe('cost model: hand-counted skipped taps', () => {
  it('1-D i5 k3 pad 1: 5 outputs × 3 taps = 15 dense, 2 taps read padding, so 13', () => {
    const p = parseDescriptor('mb1ic1iw5oc1kw3pw1');
    expect(denseMultiplications(p)).toBe(15);
    expect(effectiveMultiplications(p)).toBe(13);
  });

  it('2-D 5x5 k3x3 pad 1: 225 dense, 13·13 = 169 effective (the count factorizes per axis)', () => {
    const p = parseDescriptor('mb1ic1ih5iw5oc1kh3kw3ph1pw1');
    expect(denseMultiplications(p)).toBe(225);
    expect(effectiveMultiplications(p)).toBe(169);
  });

  it('grouped: g2 C4 M6 halves the taps per output of the dense C4 -> M6 conv', () => {
    const dense = parseDescriptor('mb1ic4ih3iw3oc6kh3kw3');
    const grouped = parseDescriptor('g2mb1ic4ih3iw3oc6kh3kw3');
    expect(denseMultiplications(dense)).toBe(6 * 4 * 9);
    expect(denseMultiplications(grouped)).toBe(6 * 2 * 9);
    expect(parameterCount(grouped)).toBe(6 * 2 * 9);
  });

  it('transposed i3 k3 s2 pad 1 (output 5): input i writes 2i-1+k; 2 + 3 + 2 = 7 of the 9 taps land', () => {
    const p = parseDescriptor('Tmb1ic1iw3oc1kw3sw2pw1');
    expect(outputElements(p)).toBe(5);
    expect(denseMultiplications(p)).toBe(9);
    expect(effectiveMultiplications(p)).toBe(7);
  });

  it('transposed weights [C, M/g, k...] hold as many parameters as conv weights [M, C/g, k...]', () => {
    const p = parseDescriptor('Tg2mb1ic4ih3iw3oc6kh2kw3b1');
    expect(parameterCount(p)).toBe(4 * 3 * 6 + 6);
    expect(denseMultiplications(p)).toBe(4 * 9 * 3 * 6); // C·Πi inputs × M/g·Πk taps
  });
});

describe('cost model: counted multiplications = the cost formula', () => {
  it.each(PROBLEMS)('%s: the reference performs exactly effectiveMultiplications', (text) => {
    const p = parseDescriptor(text);
    expect(counted(p)).toBe(effectiveMultiplications(p));
  });

  it('every listed problem skips some taps, so the list tests the skipping', () => {
    const notSkipping = PROBLEMS.filter((text) => {
      const p = parseDescriptor(text);
      return effectiveMultiplications(p) >= denseMultiplications(p);
    });
    expect(notSkipping).toEqual([]);
  });

  it('holds on generated problems of every kind', () => {
    fc.assert(fc.property(problemArb(), (p) => {
      expect(counted(p)).toBe(effectiveMultiplications(p));
    }), { numRuns: NUM_RUNS });
  });

  it('VALID and unpadded problems skip nothing: effective = dense', () => {
    const unpadded = problemArb().map((p) => withChanges(p, {
      autoPad: p.autoPad === 'NOTSET' ? 'NOTSET' : 'VALID', outputShape: undefined,
      padsBegin: p.padsBegin.map(() => 0), padsEnd: p.padsEnd.map(() => 0),
    })).filter((p) => {
      try { validateProblem(p); return true; } catch { return false; }
    });
    fc.assert(fc.property(unpadded, (p) => {
      expect(effectiveMultiplications(p)).toBe(denseMultiplications(p));
      expect(counted(p)).toBe(denseMultiplications(p));
    }), { numRuns: NUM_RUNS });
  });

  it('a conv and its adjoint transposed conv perform the same multiplications', () => {
    const convs = problemArb().filter((p) => p.op === 'conv');
    fc.assert(fc.property(convs, (p) => {
      const t = adjointProblem(p);
      expect(effectiveMultiplications(t)).toBe(effectiveMultiplications(p));
      expect(counted(t)).toBe(counted(p));
    }), { numRuns: NUM_RUNS });
  });
});

describe('cost model: bad input', () => {
  it('rejects an invalid problem with the validator\'s error', () => {
    const p = makeProblem({ inChannels: 4, outChannels: 6, group: 3, inputShape: [5], kernelShape: [3] });
    for (const f of [denseMultiplications, effectiveMultiplications, parameterCount, outputElements]) {
      expect(() => f(p)).toThrow(ConvInputError);
      expect(() => f(p)).toThrow(/group=3 and C=4/);
    }
  });
});
