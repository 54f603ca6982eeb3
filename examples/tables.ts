/**
 * The problems the example implementations are checked on (examples/*.test.ts), shared so that
 * numpy and PyTorch meet the same table: a forward table of Conv and ConvTranspose, 1-D to 3-D,
 * with groups, strides, dilations, pads of every kind and bias; random small problems; and a
 * gradient table with output_padding and output_shape (one past the full output: a negative end
 * pad). The gradient table is small, because its oracle (examples/gradient-check.ts) runs one
 * forward pass per element of x and w.
 */
import { fc } from '@fast-check/vitest';
import { makeOperands, type DataMode } from '../problem/operand-data.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { makeProblem, type AutoPad, type ConvProblem } from '../problem/problem.ts';
import { Random } from '../problem/random.ts';
import { convTransposeOutputSize, outputTensorShape, sizeOf } from '../problem/shape.ts';
import type { Tensor } from '../problem/tensor.ts';
import { validateProblem } from '../problem/validate.ts';

/** Conv and ConvTranspose, 1-D to 3-D, with groups, strides, dilations, pads of every kind and bias. */
export const FORWARD_TABLE: readonly string[] = [
  'mb1ic1iw5oc1kw3', //                                1-D, the plainest conv
  'mb2ic3iw9oc4kw3sw2pw1b1', //                        batch, stride, pads, bias
  'mb1ic2ih5iw5oc3kh3kw3ph1pw1', //                    2-D same-size
  'g2mb1ic4ih9iw9oc6kh3kw3sh2sw2dh2dw2ph2pw2b1', //   groups with stride and dilation both > 1
  'g4mb1ic4ih5iw5oc4kh3kw3ph1pw1', //                  depthwise
  'mb1ic2ih6iw7oc2kh2kw3sh2sw2apU', //                 SAME_UPPER
  'mb1ic2ih6iw7oc2kh2kw3sh2sw2apL', //                 SAME_LOWER
  'mb1ic2ih5iw5oc2kh3kw3ph0pw1eh2ew0', //              asymmetric explicit pads
  'mb1ic1ih5iw5oc1kh3kw3apV', //                       VALID
  'mb1ic2id4ih4iw4oc2kd2kh3kw3pd1ph1pw1b1', //         3-D
  'Tmb1ic1iw4oc1kw3', //                               1-D transposed
  'Tmb1ic2iw5oc3kw3sw2pw1opw1b1', //                   stride, pads, output_padding, bias
  'Tg2mb2ic4ih3iw4oc6kh3kw2sh2sw3dh2dw1ph1pw0', //     groups, dilation, uneven strides
  'Tmb1ic2ih3iw3oc2kh3kw3sh2sw2apU', //                SAME_UPPER: pads 0 before, 1 after
  'Tmb1ic2ih3iw3oc2kh3kw3sh2sw2oh6ow5', //             output_shape: pads 1/0 and 1/1
  'Tmb1ic1ih4iw4oc1kh3kw3ph0pw1eh1ew0', //             asymmetric explicit pads
  'Tmb1ic2id3ih3iw3oc2kd2kh2kw2sd2sh2sw2pd1ph0pw1b1', // 3-D transposed
];

const AUTO_PADS: readonly AutoPad[] = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

/** Small valid problems of every kind (output_shape included): shapes first, then attributes; invalid draws are filtered. */
export const smallProblem: fc.Arbitrary<ConvProblem> = fc.integer({ min: 1, max: 3 }).chain((rank) => {
  const perAxis = (min: number, max: number): fc.Arbitrary<number[]> => fc.array(fc.integer({ min, max }), { minLength: rank, maxLength: rank });
  return fc.record({
    op: fc.constantFrom('conv' as const, 'convTranspose' as const),
    batch: fc.integer({ min: 1, max: 2 }),
    group: fc.integer({ min: 1, max: 2 }),
    inPerGroup: fc.integer({ min: 1, max: 2 }),
    outPerGroup: fc.integer({ min: 1, max: 2 }),
    inputShape: perAxis(1, rank === 3 ? 4 : 6),
    kernelShape: perAxis(1, 3),
    strides: perAxis(1, 3),
    dilations: perAxis(1, 2),
    pads: perAxis(0, 2).chain((begin) => perAxis(0, 2).map((end) => [...begin, ...end])),
    autoPad: fc.constantFrom(...AUTO_PADS),
    outputPadding: perAxis(0, 2),
    /** ConvTranspose only: output_shape as the full size minus this much per axis. */
    outputTrim: fc.option(perAxis(0, 2), { nil: undefined }),
    bias: fc.boolean(),
  });
}).map((d): ConvProblem | undefined => {
  const p = makeProblem({
    op: d.op, batch: d.batch, group: d.group, inChannels: d.group * d.inPerGroup, outChannels: d.group * d.outPerGroup,
    inputShape: d.inputShape, kernelShape: d.kernelShape, strides: d.strides, dilations: d.dilations, pads: d.pads,
    autoPad: d.autoPad, outputPadding: d.op === 'conv' ? d.inputShape.map(() => 0) : d.outputPadding, bias: d.bias,
    ...(d.op === 'convTranspose' && d.outputTrim !== undefined
      ? { outputShape: d.outputTrim.map((trim, a) => convTransposeOutputSize(d.inputShape[a], d.kernelShape[a], d.strides[a], d.dilations[a], 0, 0, d.outputPadding[a]) - trim) }
      : {}),
  });
  try {
    return validateProblem(p);
  } catch {
    return undefined;
  }
}).filter((p): p is ConvProblem => p !== undefined);

export const GRADIENT_TABLE: readonly string[] = [
  'mb2ic3iw7oc4kw3sw2pw1b1', //                                 1-D, stride, pads, bias
  'g2mb1ic4ih6iw5oc6kh3kw2sh2sw1dh1dw2ph1pw0eh0ew1b1', //        groups, dilation, asymmetric pads
  'mb1ic2ih6iw7oc2kh2kw3sh2sw2apU', //                          SAME_UPPER
  'mb1ic1ih7iw8oc2kh2kw2sh3sw3', //                             stride past the kernel: unread inputs
  'mb1ic2id3ih4iw4oc2kd2kh2kw3pd1ph0pw1', //                    3-D
  'Tmb1ic2iw4oc3kw3sw2pw1opw1b1', //                            transposed, output_padding, bias
  'Tg2mb2ic4ih3iw3oc2kh2kw3sh2sw2dh2dw1ph1pw0eh0ew1', //        transposed, groups, dilation, asymmetric pads
  'Tmb1ic2ih3iw3oc2kh3kw3sh2sw2oh6ow5', //                      output_shape (pads 1/0, 1/1)
  'Tmb1ic1iw3oc1kw2sw3ow9', //                                  output_shape one past the full 8: end pad -1
  'Tmb1ic1id2ih2iw2oc2kd2kh2kw2sd2sh1sw2b1', //                 3-D transposed
];

/** Operands and an upstream gradient dy for a problem: small integers on exact data (every sum exact in float32). */
export function gradientCase(p: ConvProblem, mode: DataMode, seed: number): { operands: ConvOperands; dy: Tensor<Float32Array> } {
  const operands = makeOperands(p, mode, seed);
  const rng = new Random(seed + 1);
  const shape = outputTensorShape(p);
  const dy = { shape, data: Float32Array.from({ length: sizeOf(shape) }, () => (mode === 'exact' ? rng.int(-3, 3) : rng.next() * 2 - 1)) };
  return { operands, dy };
}
