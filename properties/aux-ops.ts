/** The auxiliary ops laws use by default: the reference's. Mutant tests replace them through runLaws' `aux`. */
import { outputSpatialShape } from '../problem/shape.ts';
import { channelShuffle } from '../reference/channel-shuffle.ts';
import { denseMultiplications, effectiveMultiplications, parameterCount } from '../reference/cost.ts';
import { receptiveField } from '../reference/receptive-field.ts';
import type { AuxOps } from './law.ts';

/** The reference's auxiliary ops. */
export const defaultAuxOps: AuxOps = {
  channelShuffle,
  outputSpatialShape,
  effectiveMultiplications,
  denseMultiplications,
  parameterCount,
  receptiveField: (layers, rank) => receptiveField(layers, rank),
};
