/**
 * Raw channel draws: batch, group count and channel counts. `buildProblem` turns them into
 * C, M and group for the problem type (groups always divide both channel counts). Channel counts
 * are drawn directly, so shrinking reaches the fewest channels without a detour through groups.
 *
 *   channels = batch groups inChannels outChannels
 */
import * as fc from 'fast-check';

/** Raw channel draws. */
export interface RawChannels {
  readonly batch: number;
  /** 1..3; types fix or adjust it (group 1 for plain convs, C for depthwise). */
  readonly groups: number;
  /** 1..6; rounded to a multiple of the group count. */
  readonly inChannels: number;
  /** 1..6; rounded to a multiple of the group count. */
  readonly outChannels: number;
}

/** Raw channels with batch up to `maxBatch`; C and M stay ≤ 6 after `buildProblem`. */
export function rawChannelsArb(maxBatch = 2): fc.Arbitrary<RawChannels> {
  return fc.record({
    batch: fc.integer({ min: 1, max: maxBatch }),
    groups: fc.integer({ min: 1, max: 3 }),
    inChannels: fc.integer({ min: 1, max: 6 }),
    outChannels: fc.integer({ min: 1, max: 6 }),
  });
}
