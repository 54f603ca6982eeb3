/**
 * ONNX ConvInteger (opset 10), and the exact integer accumulation QLinearConv shares with it:
 * `acc[n, m, o] = Σ_c Σ_k (x[n, g·C/G + c, o·s - pb + k·d] - x_zp)·(w[m, c, k] - w_zp[m])`.
 * The padded input holds x_zp (ONNX's reference subtracts the zero point, then zero-pads), so a
 * tap in the padding adds (x_zp - x_zp)·(w - w_zp) = 0; padding with 0 instead would add
 * -x_zp·(w - w_zp).
 *
 * The sum is exact: every product is at most 255·255 = 65025 < 2^16 in magnitude and an output
 * sums at most C/G·Πk < 2^31 of them (validateProblem's element limit), so every partial sum is an
 * integer below 2^47, exact in a float64 (2^53). int32 is what ConvInteger's output (and an int32
 * accumulator) holds: an output over 2^31 - 1 or under -2^31 needs at least 33,026 extreme
 * products (33,026·65,025 > 2^31), e.g. `CIu8u8mb1ic33026iw1oc1kw1wz255` with x = 255, w = 0.
 * Partial sums may pass int32 in some order while the total fits; two's-complement wrapping then
 * still gives the right total, a saturating or float32 accumulator does not.
 */
import { ConvInputError } from '../problem/errors.ts';
import { checkQuantizedOperands, INT32_RANGE, quantizedOutputShape, wZeroPointOf, type IntTensor, type QuantizedConvProblem, type QuantizedOperands } from '../problem/quantized.ts';
import { sizeOf } from '../problem/shape.ts';
import { convGeometry } from './conv-setup.ts';
import { checkReferenceOutputSize } from './inputs.ts';

/** The exact accumulation of a quantized problem (bias not included). */
export interface QuantizedAccumulation {
  /** `[N, M, ...o]`. */
  readonly shape: number[];
  /** Σ (x - x_zp)·(w - w_zp) per output element: exact integers. */
  readonly acc: Float64Array;
  /** Products summed per output element, padding taps included (they add 0): C/G·Πk. */
  readonly terms: number;
}

/**
 * The exact accumulator of every output, padding read as x_zp (see the module comment). Validates
 * the problem and operands first.
 */
export function quantizedAccumulate(p: QuantizedConvProblem, operands: QuantizedOperands): QuantizedAccumulation {
  checkQuantizedOperands(p, operands);
  const shape = quantizedOutputShape(p);
  checkReferenceOutputSize(p.operator, shape);
  const q = p.conv;
  const { outSize, inSize, kernelSize, inPerGroup, outPerGroup, windowTable, kernelTable, window } = convGeometry(q);
  const { x, w } = operands;
  const xz = p.xZeroPoint;
  const acc = new Float64Array(sizeOf(shape));
  for (let n = 0; n < q.batch; n++) {
    for (let m = 0; m < q.outChannels; m++) {
      const g = Math.floor(m / outPerGroup);
      const wz = wZeroPointOf(p, m);
      for (let o = 0; o < outSize; o++) {
        let sum = 0;
        for (let c = 0; c < inPerGroup; c++) {
          const xBase = (n * q.inChannels + g * inPerGroup + c) * inSize;
          const wBase = (m * inPerGroup + c) * kernelSize;
          for (let k = 0; k < kernelSize; k++) {
            const inOffset = window.tapOffset(windowTable, o, kernelTable, k);
            const xValue = inOffset < 0 ? xz : x.data[xBase + inOffset]; // the padding holds x_zp
            sum += (xValue - xz) * (w.data[wBase + k] - wz);
          }
        }
        acc[(n * q.outChannels + m) * outSize + o] = sum;
      }
    }
  }
  return { shape, acc, terms: inPerGroup * kernelSize };
}

/** The two's-complement int32 an int32 accumulator would hold for the exact value `v`. */
export function wrapInt32(v: number): number {
  return Number(BigInt.asIntN(32, BigInt(v)));
}

/**
 * Reference ConvInteger: `y = Σ (x - x_zp)·(w - w_zp)` `[N, M, ...o]`, int32. ConvInteger's output
 * is int32, so an exact value outside int32 has no correct answer: the oracle rejects the problem
 * (a ConvInputError naming the element and what an int32 accumulator would wrap it to) rather than
 * guess.
 * @example convInteger(parseQuantizedDescriptor('CIu8u8mb1ic1ih3iw3oc1kh2kw2xz1'), { x, w }).data // ONNX's [12, 16, 24, 28] for x = 2..10, w = 1
 */
export function convInteger(p: QuantizedConvProblem, operands: QuantizedOperands): IntTensor {
  if (p.operator !== 'ConvInteger') throw new ConvInputError('operator', `convInteger: the problem is ${p.operator}, not ConvInteger.`);
  const { shape, acc } = quantizedAccumulate(p, operands);
  const y = new Int32Array(acc.length);
  for (let i = 0; i < acc.length; i++) {
    if (acc[i] < INT32_RANGE.min || acc[i] > INT32_RANGE.max) {
      throw new ConvInputError('y', `ConvInteger: the exact output y[${i}] = ${acc[i]} does not fit ConvInteger's int32 output (an int32 accumulator would wrap it to ${wrapInt32(acc[i])}); the operator defines no answer, so the reference computes none.`);
    }
    y[i] = acc[i];
  }
  return { shape, data: y };
}
