/**
 * What Conv and ConvTranspose set up before their loops, built in one place: the output and the
 * tolerance model's per-element accumulators, the sizes of a channel plane and of a group, and the
 * tables of the window map `targetPos = windowPos·s - pb + kernelPos·d` (reference/spatial-index.ts).
 * The window side is the one that strides: Conv's output (it gathers from its input), ConvTranspose's
 * input (it scatters into its output, along the very same map). The loops stay in each op's file.
 */
import type { ConvProblem } from '../problem/problem.ts';
import { outputSpatialShape, outputTensorShape, resolvePads, sizeOf } from '../problem/shape.ts';
import { multiIndexTable, WindowMap } from './spatial-index.ts';

/** Sizes and index tables of a Conv or ConvTranspose problem: what every loop over its window map needs. */
export interface ConvGeometry {
  /** Shape of y, `[N, M, ...o]`. */
  readonly yShape: number[];
  /** Spatial sizes: `Πi` (one input channel plane), `Πo` (one output plane), `Πk` (one kernel). */
  readonly inSize: number;
  readonly outSize: number;
  readonly kernelSize: number;
  /** Channels per group: `C/G` inputs and `M/G` outputs. */
  readonly inPerGroup: number;
  readonly outPerGroup: number;
  /** Multi-indices of the window positions: Conv's output `o`, ConvTranspose's input `i`. */
  readonly windowTable: Int32Array;
  /** Multi-indices of the kernel taps `k`. */
  readonly kernelTable: Int32Array;
  /** Window position and tap to the flat target offset (Conv's input, ConvTranspose's output), or -1 in the padding. */
  readonly window: WindowMap;
}

/** Buffers, sizes and index tables of one Conv or ConvTranspose reference run, all zeroed. */
export interface ConvSetup extends ConvGeometry {
  /** The output, `Σ x·w (+ b)` per element, flat over `yShape`. */
  readonly y: Float64Array;
  /** Per output element, `S = Σ|x·w| (+ |b|)`. */
  readonly absSum: Float64Array;
  /** Per output element, the number of terms summed, n. */
  readonly terms: Int32Array;
}

/**
 * The setup of a Conv or ConvTranspose run of a validated problem (call checkReferenceOperands first).
 * @example convSetup(makeProblem({ inChannels: 2, outChannels: 4, group: 2, inputShape: [5], kernelShape: [3] })).outPerGroup // 2
 */
export function convSetup(p: ConvProblem): ConvSetup {
  const geometry = convGeometry(p);
  const length = sizeOf(geometry.yShape);
  return { ...geometry, y: new Float64Array(length), absSum: new Float64Array(length), terms: new Int32Array(length) };
}

/** The sizes and window-map tables of a validated problem (no buffers). */
export function convGeometry(p: ConvProblem): ConvGeometry {
  const outShape = outputSpatialShape(p);
  const [windowShape, targetShape] = p.op === 'conv' ? [outShape, p.inputShape] : [p.inputShape, outShape];
  return {
    yShape: outputTensorShape(p),
    inSize: sizeOf(p.inputShape), outSize: sizeOf(outShape), kernelSize: sizeOf(p.kernelShape),
    inPerGroup: p.inChannels / p.group, outPerGroup: p.outChannels / p.group,
    windowTable: multiIndexTable(windowShape), kernelTable: multiIndexTable(p.kernelShape),
    window: new WindowMap(targetShape, p.strides, p.dilations, resolvePads(p).begin),
  };
}
