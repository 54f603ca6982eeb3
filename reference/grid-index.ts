/**
 * Plain index arithmetic for the composite reference ops (separable, flattened, resize, matrix):
 * multi-indices of a grid, where a window tap lands, and a tensor seen along one axis.
 *
 * Written apart from reference/spatial-index.ts on purpose: these ops are oracles that laws compare
 * against `conv`, so a slip in conv's window map must not be shared by them.
 */

/**
 * The multi-index of every position of `shape`, row-major: `gridPositions([2, 3])[4]` is `[1, 1]`.
 * @example gridPositions([2, 2]) // [[0, 0], [0, 1], [1, 0], [1, 1]]
 */
export function gridPositions(shape: readonly number[]): number[][] {
  let positions: number[][] = [[]];
  for (const size of shape) {
    const next: number[][] = [];
    for (const prefix of positions) for (let i = 0; i < size; i++) next.push([...prefix, i]);
    positions = next;
  }
  return positions;
}

/** Strides, dilations and begin pads of a sliding window, one value per spatial axis. */
export interface WindowGeometry {
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
}

/**
 * Flat row-major offset in `inputShape` of tap `kernelPos` of the window at `outPos`:
 * `inPos[a] = outPos[a]·s[a] - pb[a] + kernelPos[a]·d[a]`; -1 when any axis falls in the padding.
 */
export function windowInputOffset(
  outPos: readonly number[], kernelPos: readonly number[], inputShape: readonly number[], g: WindowGeometry,
): number {
  let offset = 0;
  for (let a = 0; a < inputShape.length; a++) {
    const inPos = outPos[a] * g.strides[a] - g.padsBegin[a] + kernelPos[a] * g.dilations[a];
    if (inPos < 0 || inPos >= inputShape[a]) return -1;
    offset = offset * inputShape[a] + inPos;
  }
  return offset;
}

/**
 * A row-major tensor seen along one axis as `[outer, size, inner]`: element `(o, i, j)` is at
 * `(o·size + i)·inner + j`. `outer` is the product of the axes before, `inner` of those after.
 */
export interface AxisView {
  readonly outer: number;
  readonly size: number;
  readonly inner: number;
}

/** The {@link AxisView} of `shape` along tensor axis `axis`. */
export function axisView(shape: readonly number[], axis: number): AxisView {
  let outer = 1, inner = 1;
  for (let a = 0; a < axis; a++) outer *= shape[a];
  for (let a = axis + 1; a < shape.length; a++) inner *= shape[a];
  return { outer, size: shape[axis], inner };
}
