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
  /** 1..8; rounded to a multiple of the group count. */
  readonly inChannels: number;
  /** 1..8; rounded to a multiple of the group count. */
  readonly outChannels: number;
}

/**
 * Raw channels with batch up to `maxBatch`; C and M stay ≤ 8 after `buildProblem`. 8 and not 6: GPU
 * kernels special-case channel counts that are multiples of 4 (vec4 loads in tfjs-webgpu and ORT's
 * WebGPU kernels) and 4 output channels per group (ORT's vectorised grouped conv), which 6 reaches
 * only as C = M = 4 and never as 4 per group.
 */
export function rawChannelsArb(maxBatch = 2): fc.Arbitrary<RawChannels> {
  return fc.record({
    batch: fc.integer({ min: 1, max: maxBatch }),
    groups: fc.integer({ min: 1, max: 3 }),
    inChannels: fc.integer({ min: 1, max: 8 }),
    outChannels: fc.integer({ min: 1, max: 8 }),
  });
}
