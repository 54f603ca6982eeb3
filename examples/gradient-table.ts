/**
 * Problems the example implementations' gradients are checked on (examples/*.test.ts): Conv and
 * ConvTranspose, 1-D to 3-D, with groups, strides, dilations, asymmetric pads, SAME, output_padding,
 * output_shape (one past the full output: a negative end pad) and bias. Small, because the oracle
 * (examples/gradient-check.ts) runs one forward pass per element of x and w.
 */
import type { ConvProblem } from '../problem/problem.ts';
import { makeOperands, type DataMode } from '../problem/operand-data.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { outputTensorShape, sizeOf } from '../problem/shape.ts';
import type { Tensor } from '../problem/tensor.ts';
import { Random } from '../problem/random.ts';

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
