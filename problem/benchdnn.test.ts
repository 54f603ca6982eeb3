import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { benchdnnProblem, readBenchdnnDescriptor, swapped, type BenchdnnDriver } from './benchdnn.ts';
import { formatDescriptor } from './descriptor.ts';
import { outputSpatialShape, resolvePads } from './shape.ts';

/** The convcheck descriptor of a benchdnn descriptor (forward, bias as given). */
function converted(text: string, driver: BenchdnnDriver = 'conv', bias = false): string {
  return formatDescriptor(benchdnnProblem(readBenchdnnDescriptor(text, driver), driver, bias, text));
}

describe('benchdnn descriptors: benchdnn\'s defaults and rules', () => {
  test('the issue\'s example: ResNet-50 conv1, 224 -> 112 with a 7x7 stride 2 pad 3', () => {
    expect(converted('g1mb50ic3ih224oc64oh112kh7sh2ph3n"resnet_50:conv1"', 'conv', true)).toBe('mb50ic3ih224iw224oc64kh7kw7sh2sw2ph3pw3b1n"resnet_50:conv1"');
  });

  test('defaults: g1, mb2 (benchdnn\'s minibatch), stride 1, dilation 0 (dense), pad 0', () => {
    expect(readBenchdnnDescriptor('ic3iw10oc4kw3', 'conv')).toEqual({ g: 1, mb: 2, ic: 3, oc: 4, axes: [{ i: 10, o: 8, k: 3, s: 1, p: 0, d: 0 }] });
  });

  test('d is the dilation minus one: dw1 is ONNX dilation 2', () => {
    expect(converted('mb1ic1iw9oc1kw3dw1')).toBe('mb1ic1iw9oc1kw3dw2');
    expect(converted('mb1ic1iw9oc1kw3dw0')).toBe('mb1ic1iw9oc1kw3');
    // span (k-1)(d+1)+1 = 5: o = 9 - 5 + 1
    expect(readBenchdnnDescriptor('mb1ic1iw9oc1kw3dw1', 'conv').axes[0].o).toBe(5);
  });

  test('missing spatial sizes: a 2-D problem without w is square, a 3-D one without h and w is cubic', () => {
    expect(converted('mb1ic2ih7oc2kh3ph1sh2')).toBe('mb1ic2ih7iw7oc2kh3kw3sh2sw2ph1pw1');
    expect(converted('mb1ic2id5oc2kd3pd1')).toBe('mb1ic2id5ih5iw5oc2kd3kh3kw3pd1ph1pw1');
    expect(converted('mb1ic2id4ih6iw5oc2kd1kh3kw2')).toBe('mb1ic2id4ih6iw5oc2kd1kh3kw2');
    expect(converted('mb1ic1iw5oc1kw2')).toBe('mb1ic1iw5oc1kw2');
  });

  test('underscores separate entries; the name may be quoted or not', () => {
    expect(converted('mb1_ic3ih5_oc2kh3_nplain')).toBe('mb1ic3ih5iw5oc2kh3kw3n"plain"');
  });

  test('an output size with a pad: the end pad is what makes it (TensorFlow SAME 0/1 from ph0, oh given)', () => {
    const p = benchdnnProblem(readBenchdnnDescriptor('mb1ic3ih224oc32oh112kh3sh2ph0', 'conv'), 'conv', false, '');
    expect(resolvePads(p)).toEqual({ begin: [0, 0], end: [1, 1] });
    expect(outputSpatialShape(p)).toEqual([112, 112]);
  });

  test('an output size with a pad that needs a larger end pad: the end pad is benchdnn\'s (as benchdnn runs it)', () => {
    // pe = 3·1 - 5 + 3 - 0 = 1
    expect(converted('mb1ic3ih5oc2oh4kh3ph0')).toBe('mb1ic3ih5iw5oc2kh3kw3eh1ew1');
  });

  test('symmetric pads are kept where they give the same output (benchdnn\'s end pad would differ only in unread padding)', () => {
    // benchdnn: pe = 111·2 - 224 + 7 - 3 = 2; pads 3, 3 give 112 too
    expect(converted('mb1ic3ih224oc64oh112kh7sh2ph3')).toBe('mb1ic3ih224iw224oc64kh7kw7sh2sw2ph3pw3');
  });

  test('an output size without a pad: the pad is deduced as benchdnn does (C division: 0, never -0)', () => {
    expect(readBenchdnnDescriptor('mb1ic1ih56oc1oh56kh3', 'conv').axes[0].p).toBe(1);
    expect(Object.is(readBenchdnnDescriptor('mb1ic1ih56oc1oh28kh1sh2', 'conv').axes[0].p, 0)).toBe(true); // trunc(-1/2)
    expect(converted('mb1ic1ih56oc1oh56kh3')).toBe('mb1ic1ih56iw56oc1kh3kw3ph1pw1');
  });

  test('a conv whose last inputs no window reads (benchdnn\'s end pad -1) is the same conv with end pad 0', () => {
    // i=6, k=3, s=2, o=2: pe = 2 - 6 + 3 = -1; ONNX floor((6 - 3)/2) + 1 = 2
    expect(converted('mb1ic1iw6oc1ow2kw3sw2')).toBe('mb1ic1iw6oc1kw3sw2');
  });

  test('deconv: the output and its end pad; a negative end pad is output_padding', () => {
    // DCGAN: i=4, k=5, s=2, p=1, o=8: pe = 3·2 - 8 + 5 - 1 = 2
    expect(converted('mb1ic1024ih4oc512oh8kh5sh2ph1', 'deconv')).toBe('Tmb1ic1024ih4iw4oc512kh5kw5sh2sw2ph1pw1eh2ew2');
    // without o: o = (i-1)·s + span - 2p = 3·2 + 3 - 2 = 7
    expect(converted('mb1ic1iw4oc1kw3sw2pw1', 'deconv')).toBe('Tmb1ic1iw4oc1kw3sw2pw1');
    // o = 8: pe = 6 - 8 + 3 - 1 = 0
    expect(converted('mb1ic1iw4oc1ow8kw3sw2pw1', 'deconv')).toBe('Tmb1ic1iw4oc1kw3sw2pw1ew0');
    // o = 9, one past the full output: pe = -1, which is output_padding 1
    expect(converted('mb1ic1iw4oc1ow9kw3sw2pw1', 'deconv')).toBe('Tmb1ic1iw4oc1kw3sw2pw1ew0opw1');
  });

  test('swapped: the data runs the other way (input and output, ic and oc)', () => {
    const d = readBenchdnnDescriptor('mb1ic6ih14oc16kh5', 'conv');
    expect(formatDescriptor(benchdnnProblem(swapped(d), 'deconv', false, ''))).toBe('Tmb1ic16ih10iw10oc6kh5kw5');
  });
});

describe('benchdnn descriptors: errors name the entry and the rule', () => {
  test.each([
    ['ic3ih5oc2kh3oh2ph0', 'conv', /benchdnn descriptor "ic3ih5oc2kh3oh2ph0": oh=2 does not match the arithmetic: ih=5, kh=3, sh=1, dh=0 \(dilation 1\), ph=0 and end pad 0 give 3 outputs \(benchdnn's end pad would be -1/],
    ['ic1iw9oc1ow2kw3sw2pw0', 'conv', /ow=2 does not match the arithmetic: iw=9, kw=3, sw=2, dw=0 \(dilation 1\), pw=0 and end pad 0 give 4 outputs \(benchdnn's end pad would be -4/],
    ['ic1iw4oc1ow10kw3sw2pw1', 'deconv', /ow=10 does not match the arithmetic: iw=4, kw=3, sw=2, dw=0, pw=1 give at most 9 outputs \(an output_padding of 2, but it must be smaller than the stride or the dilation\)/],
    ['ic1iw9oc1ow2kw3', 'conv', /ow=2 does not match the arithmetic: it needs a pad pw=-2 \(benchdnn's \(\(ow-1\)·sw - iw \+ \(kw-1\)·\(dw\+1\) \+ 1\)\/2\), but pads are >= 0/],
    ['ic1iw4oc1ow12kw3', 'deconv', /ow=12 does not match the arithmetic: it needs a pad pw=-3 \(benchdnn's \(\(iw-1\)·sw - ow \+ \(kw-1\)·\(dw\+1\) \+ 1\)\/2\), but pads are >= 0/],
    ['ic3ih5oc2kh3xh2', 'conv', /unknown entry at "xh2"/],
    ['ic3ih5oc2kh3ih6', 'conv', /"ih" is given twice/],
    ['ic3ihoc2kh3', 'conv', /"ih" must be followed by a non-negative integer, at "ihoc2kh3"/],
    ['ic3oc2', 'conv', /no spatial entry/],
    ['ic3ih5oc2', 'conv', /"kh" is required for the h axis/],
    ['ic3id4ih5oc2kd1kh3', 'conv', /a 3-D problem needs both its h and w entries or neither \(then they are taken from d\), but only h is given/],
    ['ic3ih5oc2kh3sh0', 'conv', /"sh" must be >= 1, but sh=0/],
    ['mb0ic3ih5oc2kh3', 'conv', /"mb" must be >= 1, but mb=0/],
    ['ic3ih2oc2kh3', 'conv', /the deduced output size oh=0 is not >= 1/],
    ['g2ic3ih5oc2kh3', 'conv', /group must divide input channels, but group=2 and C=3/],
    ['ic3ih5oc2kh3n""', 'conv', /the name after "n" must be non-empty/],
  ] as const)('%s (%s)', (text, driver, message) => {
    expect(() => converted(text, driver)).toThrow(message);
  });
});

describe('docs/descriptor.md on benchdnn descriptors', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'descriptor.md'), 'utf8');

  test('its error example is the message convcheck gives', () => {
    let message = '';
    try { converted('ic3ih5oc2kh3oh2ph0'); } catch (error) { message = (error as Error).message; }
    expect(message).not.toBe('');
    expect(doc).toContain(`\n${message}\n`);
  });

  test('its examples convert as it says', () => {
    expect(doc).toContain(`\`g1mb50ic3ih224oc64oh112kh7sh2ph3n"resnet_50:conv1"\` is\n\`${converted('g1mb50ic3ih224oc64oh112kh7sh2ph3n"resnet_50:conv1"', 'conv', true)}\``);
    expect(converted('g64ic64ih112oc64oh56kh3sh2ph0')).toBe('g64mb2ic64ih112iw112oc64kh3kw3sh2sw2eh1ew1');
    expect(converted('ic32iw16000oc32ow16000kw2pw512dw511')).toBe('mb2ic32iw16000oc32kw2dw512pw512ew0');
    expect(converted('mb1ic1024ih4oc512oh8kh5sh2ph1', 'deconv')).toBe('Tmb1ic1024ih4iw4oc512kh5kw5sh2sw2ph1pw1eh2ew2');
  });
});
