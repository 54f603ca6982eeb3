import { describe, expect, test } from 'vitest';
import { parseDescriptor } from '../../problem/descriptor.ts';
import { makeProblem } from '../../problem/problem.ts';
import { planTfjs, type TfjsPlan } from './plan.ts';

function planOf(descriptor: string): TfjsPlan {
  const result = planTfjs(parseDescriptor(descriptor));
  if (!result.ok) throw new Error(`expected a plan for ${descriptor}, got: ${result.reason}`);
  return result.plan;
}

/** Problem -> the op call it maps to. Explicit pads are written as begin/end per axis of the call. */
const MAPPINGS: ReadonlyArray<readonly [string, string, Partial<TfjsPlan>]> = [
  ['1-D conv, explicit asymmetric pads', 'mb1ic2iw7oc3kw3pw2ew0', { op: 'conv1d', callRank: 1, lifted: false, padding: { begin: [2], end: [0] } }],
  ['2-D conv NOTSET keeps explicit pads', 'mb1ic1ih5iw5oc1kh3kw3ph1pw1', { op: 'conv2d', padding: { begin: [1, 1], end: [1, 1] } }],
  ['2-D SAME_UPPER -> tfjs same', 'mb1ic1ih6iw6oc1kh2kw2apU', { op: 'conv2d', padding: 'same' }],
  ['2-D SAME_LOWER -> explicit pads, larger half first', 'mb1ic1ih6iw6oc1kh2kw2apL', { op: 'conv2d', padding: { begin: [1, 1], end: [0, 0] } }],
  ['VALID -> tfjs valid', 'mb1ic2ih6iw6oc2kh3kw3sh2sw2apV', { op: 'conv2d', padding: 'valid' }],
  ['dilation without stride', 'mb1ic1ih7iw7oc1kh3kw3dh2dw3', { op: 'conv2d', dilations: [2, 3], strides: [1, 1] }],
  ['depthwise multiplier 2 -> depthwiseConv2d', 'g4mb1ic4ih6iw6oc8kh3kw3ph1pw1b1', { op: 'depthwiseConv2d', multiplier: 2 }],
  ['1-D depthwise lifted to 2-D with height 1', 'g3mb1ic3iw10oc3kw3dw2pw2', { op: 'depthwiseConv2d', callRank: 2, lifted: true, dilations: [1, 2], padding: { begin: [0, 2], end: [0, 2] } }],
  ['3-D with zero pads -> valid', 'mb1ic2id4ih5iw3oc2kd2kh3kw2b1', { op: 'conv3d', padding: 'valid' }],
  ['3-D SAME_UPPER -> same', 'mb1ic1id4ih4iw4oc1kd3kh3kw3apU', { op: 'conv3d', padding: 'same' }],
  ['3-D SAME_LOWER with even totals -> same (the split is symmetric)', 'mb1ic1id4ih4iw4oc1kd3kh3kw3apL', { op: 'conv3d', padding: 'same' }],
  ['3-D NOTSET pads equal to SAME_UPPER -> same', 'mb1ic1id4ih4iw4oc1kd3kh3kw3pd1ph1pw1', { op: 'conv3d', padding: 'same' }],
  ['transposed 2-D with output_padding -> conv2dTranspose with the ONNX output shape', 'Tmb1ic2ih3iw4oc3kh3kw3sh2sw2ph1pw1oph1opw0', { op: 'conv2dTranspose', outputShape: [6, 7], padding: { begin: [1, 1], end: [1, 1] } }],
  ['transposed 1-D lifted', 'Tmb1ic2iw5oc2kw3sw2opw1', { op: 'conv2dTranspose', lifted: true, outputShape: [1, 12], strides: [1, 2] }],
  ['transposed SAME_UPPER -> same', 'Tmb1ic1ih3iw3oc1kh3kw3sh2sw2apU', { op: 'conv2dTranspose', padding: 'same', outputShape: [6, 6] }],
  ['transposed 3-D VALID with output_padding -> valid', 'Tmb1ic2id2ih3iw2oc2kd2kh3kw2sd2sh1sw2opd1opw1', { op: 'conv3dTranspose', padding: 'valid', outputShape: [5, 5, 5] }],
  ['transposed 3-D output_shape past the full output (end pad -1) -> valid: tfjs reads the begin pads only', 'Tmb1ic1id2ih2iw2oc1kd2kh2kw2sd2sh2sw2od5oh4ow4', { op: 'conv3dTranspose', padding: 'valid', outputShape: [5, 4, 4] }],
  ['transposed 2-D output_shape past the full output -> explicit pads with a negative end', 'Tmb1ic2ih3iw3oc2kh3kw3sh2sw3oh8ow9', { op: 'conv2dTranspose', padding: { begin: [0, 0], end: [-1, 0] }, outputShape: [8, 9] }],
];

/** Problems tfjs cannot express, each with what the reason must say. */
const REFUSALS: ReadonlyArray<readonly [string, string, RegExp]> = [
  ['grouped (not depthwise)', 'g2mb1ic4ih5iw5oc6kh3kw3ph1pw1', /grouped conv other than depthwise \(group=2, C=4\)/],
  ['3-D depthwise', 'g2mb1ic2id3ih3iw3oc2kd2kh2kw2', /3-D depthwise conv \(group=C=2\)/],
  ['strides and dilations both > 1', 'mb1ic2ih9iw9oc2kh3kw3sh2sw3dh2dw2ph1pw2', /strides and dilations both > 1 \(strides=\[2,3\], dilations=\[2,2\]\)/],
  ['stride on one axis, dilation on the other', 'mb1ic1ih7iw7oc1kh2kw2sh2sw1dh1dw2', /strides and dilations both > 1/],
  ['3-D asymmetric pads', 'mb1ic1id3ih4iw5oc1kd2kh2kw3pd1ph0pw2ed0eh1ew0', /3-D pads begin \[1,0,2\], end \[0,1,0\] are neither zero nor SAME_UPPER's .*conv3d takes only 'valid' or 'same'/],
  ['3-D SAME_LOWER with an odd total', 'mb1ic1id4ih4iw4oc1kd2kh2kw2apL', /3-D pads begin \[1,1,1\], end \[0,0,0\]/],
  ['grouped transposed', 'Tg2mb1ic4ih3iw3oc6kh3kw3sh2sw2ph1pw1', /grouped transposed conv \(group=2, C=4, M=6\)/],
  ['depthwise transposed', 'Tg3mb2ic3ih4iw4oc6kh3kw3sh2sw2', /grouped transposed conv \(group=3/],
  ['dilated transposed', 'Tmb1ic1iw4oc1kw2dw2', /dilated transposed conv \(dilations=\[2\]\)/],
  ['3-D transposed with explicit pads', 'Tmb1ic1id3ih3iw3oc1kd3kh3kw3pd1ph0pw0ed0eh0ew0', /3-D transposed pads begin \[1,0,0\], end \[0,0,0\] are neither zero nor the SAME_UPPER pads/],
];

describe('tfjs plan: which op and arguments a problem maps onto', () => {
  test.each(MAPPINGS)('%s: %s', (_, descriptor, expected) => {
    expect(planOf(descriptor)).toMatchObject(expected);
  });

  test.each(REFUSALS)('refuses %s (%s) with the reason', (_, descriptor, reason) => {
    const result = planTfjs(parseDescriptor(descriptor));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  test('depthwise with strides and dilations both > 1 is refused for cpu (its kernel asserts) and node (unverified), planned for wasm', () => {
    const p = parseDescriptor('g2mb1ic2ih7iw9oc4kh2kw3sh2sw1dh1dw2ph1pw2');
    expect(planTfjs(p, 'tfjs-cpu')).toEqual({ ok: false, reason: expect.stringMatching(/the tfjs-cpu depthwiseConv2d kernel requires all strides or all dilations to be 1/) });
    expect(planTfjs(p, 'tfjs-node')).toEqual({ ok: false, reason: expect.stringMatching(/not verified on tfjs-node/) });
    expect(planTfjs(p, 'tfjs-wasm')).toMatchObject({ ok: true, plan: { op: 'depthwiseConv2d', strides: [2, 1], dilations: [1, 2], multiplier: 2 } });
    expect(planTfjs(parseDescriptor('mb1ic2ih9iw9oc2kh3kw3sh2sw3dh2dw2'), 'tfjs-wasm').ok).toBe(false); // conv2d checks in the op itself
  });

  test('an invalid problem is refused with its validation message, never thrown', () => {
    const p = makeProblem({ inChannels: 3, outChannels: 4, group: 2, inputShape: [5], kernelShape: [3] });
    expect(planTfjs(p)).toEqual({ ok: false, reason: expect.stringMatching(/^tfjs: invalid problem: conv: group must divide input channels, but group=2 and C=3/) });
  });

  test('explicit pads only where the op takes them: 3-D NOTSET pads that are neither zero nor SAME are refused, 2-D ones mapped', () => {
    expect(planTfjs(parseDescriptor('mb1ic1ih4iw4oc1kh2kw2ph1pw0eh0ew1')).ok).toBe(true);
    expect(planTfjs(parseDescriptor('mb1ic1id2ih4iw4oc1kd1kh2kw2pd0ph1pw0ed0eh0ew1')).ok).toBe(false);
  });
});
