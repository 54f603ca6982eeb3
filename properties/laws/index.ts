/**
 * Every law of the suite: adjoint first, the equivalences of the article's types, the algebra
 * (linearity, translation, strides, pads, batch, rank), the structural laws (shapes, costs,
 * receptive fields; they run on the reference only), the matrix form, Conv's and ConvTranspose's gradients, the
 * numerics (special values, scaling to the precision's edges, error statistics over large
 * outputs), the quantized operators' laws (ConvInteger, QLinearConv), and agreement with the
 * reference last (float, then quantized).
 */
import { quoted } from '../../problem/errors.ts';
import type { Law } from '../law.ts';
import { adjointLaw } from './adjoint.ts';
import { agreementLaw } from './agreement.ts';
import { batchLaw } from './batch.ts';
import { shufflePermutationLaw, shuffledGroupedLaw } from './channel-shuffle.ts';
import { checkerboardLaw } from './checkerboard.ts';
import { convCorrelationLaw } from './conv-correlation.ts';
import { convIntegerFloatLaw } from './conv-integer-float.ts';
import { costLaw } from './cost.ts';
import { depthwiseLaw } from './depthwise.ts';
import { depthwiseSeparableLaw } from './depthwise-separable.ts';
import { dilationLaw } from './dilation.ts';
import { flattenedLaw } from './flattened.ts';
import { inputGradientLaw, transposeInputGradientLaw, transposeWeightGradientLaw, weightGradientLaw } from './gradients.ts';
import { groupedLaw } from './grouped.ts';
import { linearityLaw } from './linearity.ts';
import { matrixFormLaw } from './matrix-form.ts';
import { outputShapeLaw } from './output-shape.ts';
import { paddedLaw } from './padded.ts';
import { perChannelLaw } from './per-channel.ts';
import { pointwiseLaw } from './pointwise.ts';
import { quantizedAgreementLaw } from './quantized-agreement.ts';
import { rankLaw } from './rank.ts';
import { receptiveFieldLaw } from './receptive-field.ts';
import { requantizeLaw } from './requantize.ts';
import { samePadsLaw } from './same-pads.ts';
import { scalingLaw } from './scaling.ts';
import { specialValuesLaw } from './special-values.ts';
import { errorStatisticsLaw } from './error-statistics.ts';
import { saturationLaw } from './saturation.ts';
import { spatiallySeparableLaw } from './spatially-separable.ts';
import { stridedLaw } from './strided.ts';
import { translationLaw } from './translation.ts';
import { zeroPointShiftLaw } from './zero-point-shift.ts';

const LAWS: readonly Law[] = [
  adjointLaw, depthwiseLaw, dilationLaw, pointwiseLaw, depthwiseSeparableLaw, spatiallySeparableLaw, flattenedLaw,
  groupedLaw, shufflePermutationLaw, shuffledGroupedLaw, convCorrelationLaw, linearityLaw, translationLaw,
  stridedLaw, paddedLaw, samePadsLaw, batchLaw, rankLaw, outputShapeLaw, costLaw, receptiveFieldLaw,
  checkerboardLaw, matrixFormLaw, inputGradientLaw, weightGradientLaw, transposeInputGradientLaw, transposeWeightGradientLaw, specialValuesLaw, scalingLaw, errorStatisticsLaw,
  convIntegerFloatLaw, zeroPointShiftLaw, requantizeLaw, perChannelLaw, saturationLaw,
  agreementLaw, quantizedAgreementLaw,
];

/** Every law, in the suite's order. */
export function allLaws(): Law[] {
  return [...LAWS];
}

/** The law with this exact name (its sentence); throws naming the known laws if there is none. */
export function lawByName(name: string): Law {
  const law = LAWS.find((l) => l.name === name);
  if (law === undefined) throw new Error(`no law is named ${quoted(name, 200)}; the laws are: ${LAWS.map((l) => `"${l.name}"`).join(', ')}`);
  return law;
}
