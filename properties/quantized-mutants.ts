/**
 * Deliberately broken ConvInteger / QLinearConv implementations, each with one classic bug of
 * quantized kernels, and the quantized laws that must catch them (properties/mutants.test.ts runs
 * every mutant against the laws). One readable loop with a switch per bug; the float ops are the
 * reference's, so only the quantized laws can tell.
 */
import { SUPPORTED, type Backend } from '../problem/backend.ts';
import { QUANT_RANGE, quantizedOutputShape, wScaleOf, wZeroPointOf, type IntTensor, type QuantizedConvProblem, type QuantizedOperands } from '../problem/quantized.ts';
import { sizeOf } from '../problem/shape.ts';
import { referenceBackend } from '../adapters/reference.ts';
import { convGeometry } from '../reference/conv-setup.ts';
import { exactRational, roundHalfEven } from '../reference/requantize.ts';
import type { Mutant } from './mutants.ts';

/** The bugs a broken quantized implementation can have. */
interface QuantizedBugs {
  /** Requantization rounds half away from zero (C's round(), TFLite's RoundingDivideByPOT) instead of to even. */
  readonly roundHalfAway?: boolean;
  /** The padding reads 0 instead of x_zp, so a padded tap adds -x_zp·(w - w_zp). */
  readonly zeroPadding?: boolean;
  /** Per-channel w_zero_point and w_scale indexed along w's input-channel axis (axis 1) instead of its output axis. */
  readonly channelAxisWrong?: boolean;
  /** The accumulator's type: an int16 that wraps, or a float32 that rounds each partial sum. */
  readonly accumulator?: 'int16' | 'fp32';
  /** QLinearConv's output is not saturated to y's type. */
  readonly noSaturation?: boolean;
}

/** Round to nearest, ties away from zero. */
function roundHalfAway(v: number): number {
  return Math.sign(v) * Math.round(Math.abs(v));
}

/** ConvInteger / QLinearConv with the given bugs (requantization in float64: within the tolerance rule when no bug touches it). */
function brokenQuantized(p: QuantizedConvProblem, o: QuantizedOperands, bugs: QuantizedBugs): IntTensor {
  const q = p.conv;
  const shape = quantizedOutputShape(p);
  const { outSize, inSize, kernelSize, inPerGroup, outPerGroup, windowTable, kernelTable, window } = convGeometry(q);
  const r = p.requant;
  const M = q.outChannels;
  const channelOf = (m: number, c: number): number => (bugs.channelAxisWrong && p.perChannel ? c % M : m);
  const add = (acc: number, term: number): number => {
    if (bugs.accumulator === 'int16') return ((acc + term) << 16) >> 16;
    if (bugs.accumulator === 'fp32') return Math.fround(acc + term);
    return acc + term;
  };
  const y = new Int32Array(sizeOf(shape));
  for (let n = 0; n < q.batch; n++) {
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / outPerGroup);
      for (let out = 0; out < outSize; out++) {
        let acc = 0, scaled = 0; // scaled: Σ acc_c·w_scale[channel of c], for QLinearConv
        for (let c = 0; c < inPerGroup; c++) {
          const wz = wZeroPointOf(p, channelOf(m, c));
          let accC = 0;
          for (let k = 0; k < kernelSize; k++) {
            const inOffset = window.tapOffset(windowTable, out, kernelTable, k);
            const xValue = inOffset >= 0 ? o.x.data[(n * q.inChannels + g * inPerGroup + c) * inSize + inOffset] : bugs.zeroPadding ? 0 : p.xZeroPoint;
            const term = (xValue - p.xZeroPoint) * (o.w.data[(m * inPerGroup + c) * kernelSize + k] - wz);
            acc = add(acc, term);
            accC += term;
          }
          if (r !== undefined) scaled += accC * wScaleOf(r, p.perChannel, channelOf(m, c));
        }
        const i = (n * M + m) * outSize + out;
        if (r === undefined) { y[i] = acc; continue; }
        const b = o.b?.data[m] ?? 0;
        // the channel-axis bug scales each input channel's partial sum; otherwise the accumulator (with its own bugs) is scaled whole
        const real = bugs.channelAxisWrong && p.perChannel
          ? ((scaled + b * wScaleOf(r, p.perChannel, m)) * r.xScale) / r.yScale
          : ((acc + b) * r.xScale * wScaleOf(r, p.perChannel, m)) / r.yScale;
        const v = (bugs.roundHalfAway ? roundHalfAway(real) : Number(roundHalfEven(exactRational(real)))) + r.yZeroPoint;
        const { min, max } = QUANT_RANGE[r.yType];
        y[i] = bugs.noSaturation ? v : Math.min(max, Math.max(min, v));
      }
    }
  }
  return { shape, data: y };
}

/** A backend named `mutant:<name>`: the reference's float ops (claiming fp32), a broken ConvInteger / QLinearConv. */
function quantizedMutant(name: string, bugs: QuantizedBugs): Backend {
  const { gradients: _gradients, ...floatOps } = referenceBackend;
  return { ...floatOps, name: `mutant:${name}`, precision: 'fp32', quantized: { supports: () => SUPPORTED, run: async (p, o) => brokenQuantized(p, o, bugs) } };
}

const CONV_INTEGER_FLOAT = 'ConvInteger equals float Conv of the zero-point-shifted operands';
const ZERO_POINT_SHIFT = 'shifting x\'s zero point by δ shifts ConvInteger by δ times the weight sum of the window inside the input';
const REQUANTIZE = 'QLinearConv equals the requantized ConvInteger plus bias';
const PER_CHANNEL = 'a per-channel quantized conv is the concatenation of per-tensor convs of its output channels';
const SATURATION = 'QLinearConv saturates exactly where the real value passes the limits of y\'s type';
const AGREEMENT = 'the backend\'s ConvInteger and QLinearConv agree with the exact reference';

/** The quantized mutants, each run against the quantized laws only. */
export function quantizedMutants(): Mutant[] {
  const only = ['conv-integer', 'qlinear-conv'] as const;
  return [
    // the agreement law meets exact ties too, but in fewer of its cases (a third of them are int32-limit ones): the requantize law is the one to count on
    { name: 'q-round-half-away', bug: 'QLinearConv rounds ties away from zero instead of to even', backend: quantizedMutant('q-round-half-away', { roundHalfAway: true }), convTypes: only,
      expectedCatchers: [REQUANTIZE] },
    { name: 'q-zero-padding', bug: 'the padding reads 0 instead of the zero point x_zp', backend: quantizedMutant('q-zero-padding', { zeroPadding: true }), convTypes: only,
      expectedCatchers: [CONV_INTEGER_FLOAT, ZERO_POINT_SHIFT, AGREEMENT] },
    { name: 'q-per-channel-wrong-axis', bug: 'per-channel w zero points and scales indexed along w\'s input-channel axis instead of its output axis', backend: quantizedMutant('q-per-channel-wrong-axis', { channelAxisWrong: true }), convTypes: only,
      expectedCatchers: [PER_CHANNEL, AGREEMENT] },
    { name: 'q-int16-accumulator', bug: 'the accumulator is an int16 that wraps', backend: quantizedMutant('q-int16-accumulator', { accumulator: 'int16' }), convTypes: only,
      expectedCatchers: [CONV_INTEGER_FLOAT, AGREEMENT] },
    { name: 'q-fp32-accumulator', bug: 'the accumulator is a float32 (partial sums past 2^24 lose their last bits)', backend: quantizedMutant('q-fp32-accumulator', { accumulator: 'fp32' }), convTypes: only,
      expectedCatchers: [AGREEMENT] },
    { name: 'q-no-saturation', bug: 'QLinearConv\'s output is not saturated to y\'s type', backend: quantizedMutant('q-no-saturation', { noSaturation: true }), convTypes: only,
      expectedCatchers: [SATURATION, REQUANTIZE, AGREEMENT] },
  ];
}
