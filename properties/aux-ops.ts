/** The auxiliary ops laws use by default: the reference's. Mutant tests replace them through runLaws' `aux`. */
import { channelShuffle } from '../reference/channel-shuffle.ts';
import type { AuxOps } from './law.ts';

/** The reference's auxiliary ops. */
export const defaultAuxOps: AuxOps = { channelShuffle };
