/**
 * Rank-generic spatial indexing for the reference: one loop over a flat spatial index serves 1-D,
 * 2-D and 3-D alike. Tables are built once per call, so inner loops allocate nothing.
 */
import { sizeOf, stridesOf } from '../problem/shape.ts';

/**
 * The multi-indices of every position of `shape`, row-major: position `q` has coordinates
 * `table[q·rank + axis]`.
 */
export function multiIndexTable(shape: readonly number[]): Int32Array {
  const rank = shape.length;
  const count = sizeOf(shape);
  const table = new Int32Array(count * rank);
  const strides = stridesOf(shape);
  for (let q = 0; q < count; q++) {
    for (let axis = 0; axis < rank; axis++) table[q * rank + axis] = Math.floor(q / strides[axis]) % shape[axis];
  }
  return table;
}

/**
 * Where tap `kernelPos` of the window at `windowPos` lands in the target tensor:
 * `targetPos = windowPos·stride - padBegin + kernelPos·dilation` on every axis. Returns the flat
 * spatial offset of `targetPos`, or -1 when it falls in the padding (padding is zero: skip it).
 * Conv gathers from its input (window = output position, target = input); transposed conv, the
 * adjoint, scatters along the very same map (window = input position, target = output).
 */
export class WindowMap {
  private readonly rank: number;
  private readonly targetStrides: number[];

  constructor(
    private readonly targetShape: readonly number[],
    private readonly strides: readonly number[],
    private readonly dilations: readonly number[],
    private readonly padsBegin: readonly number[],
  ) {
    this.rank = targetShape.length;
    this.targetStrides = stridesOf(targetShape);
  }

  /** Flat target offset of tap `k` of window position `q` (tables from multiIndexTable), or -1. */
  tapOffset(windowTable: Int32Array, q: number, kernelTable: Int32Array, k: number): number {
    let offset = 0;
    for (let axis = 0; axis < this.rank; axis++) {
      const windowPos = windowTable[q * this.rank + axis];
      const kernelPos = kernelTable[k * this.rank + axis];
      const targetPos = windowPos * this.strides[axis] - this.padsBegin[axis] + kernelPos * this.dilations[axis];
      if (targetPos < 0 || targetPos >= this.targetShape[axis]) return -1;
      offset += targetPos * this.targetStrides[axis];
    }
    return offset;
  }
}
