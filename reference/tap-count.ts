/**
 * How many window taps land inside the input (not in the zero padding): the exact multiplication
 * count of a sliding window, which the reference ops skip padding for. Closed-form per axis, with
 * no loop over the kernel or the output (attributes near 2^31 answer at once); the count of a
 * multi-axis window is the product over axes, because a tap is inside iff it is inside on every axis.
 */
import type { ConvProblem } from '../problem/problem.ts';
import { outputSpatialShape, resolvePads } from '../problem/shape.ts';

/**
 * `Σ_{j=0}^{n-1} floor((a·j + b) / m)` for integers n, a, b ≥ 0 and m ≥ 1, in O(log m) steps: the
 * parts `floor(a/m)·j` and `floor(b/m)` sum in closed form; what remains (a, b < m) counts the
 * lattice points under the line `y = (a·j + b)/m`, which, read along the other axis, is the same
 * sum with the roles of a and m exchanged (the Euclidean reduction of floor sums). BigInt: the
 * intermediate products of attributes near 2^31 pass 2^53.
 */
function floorSum(n: bigint, m: bigint, a: bigint, b: bigint): bigint {
  let total = 0n;
  for (;;) {
    if (a >= m) { total += ((n * (n - 1n)) / 2n) * (a / m); a %= m; }
    if (b >= m) { total += n * (b / m); b %= m; }
    const top = a * n + b; // the line's height at j = n
    if (top < m) return total;
    // the points under the line, counted by rows: n' = floor(top/m) rows, the line read as j(y)
    n = top / m;
    b = top % m;
    [m, a] = [a, m];
  }
}

/** `floor(a / b)` for BigInts, b > 0 (BigInt division truncates toward zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/**
 * `Σ_{k=0}^{K-1} clamp(floor((c - k·d)/s) + 1, 0, O)`: over the kernel's taps, the window positions
 * `0 ≤ o < O` with `o·s ≤ c - k·d`. The summand falls with k: it is O while `c - k·d ≥ (O-1)·s`,
 * 0 once `c - k·d < 0`, and in between a floor sum.
 */
function positionsAtOrBelow(c: bigint, kernel: bigint, stride: bigint, dilation: bigint, output: bigint): bigint {
  const full = clampBig(floorDiv(c - (output - 1n) * stride, dilation) + 1n, 0n, kernel); // taps k < full see all O positions
  const last = minBig(kernel - 1n, floorDiv(c, dilation)); // the last tap that sees any position
  let total = full * output;
  if (last >= full) {
    // Σ_{k=full}^{last} (floor((c - k·d)/s) + 1), with j = last - k: floor((c - last·d + j·d)/s), c - last·d ≥ 0
    const n = last - full + 1n;
    total += floorSum(n, stride, dilation, c - last * dilation) + n;
  }
  return total;
}

function clampBig(v: bigint, lo: bigint, hi: bigint): bigint {
  return v < lo ? lo : v > hi ? hi : v;
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/**
 * Taps inside the input along one axis, over all output positions:
 * `#{(o, k) : 0 ≤ o < output, 0 ≤ k < kernel, 0 ≤ o·s - pb + k·d < input}`.
 * Without padding that is `output · kernel`. Per tap k, the positions with `o·s ≤ input - 1 + pb - k·d`
 * minus those with `o·s ≤ pb - 1 - k·d` (the second set lies inside the first), each summed over k
 * in closed form. A count past 2^53 is rounded to the nearest double.
 * @example axisTapCount(5, 3, 1, 1, 0, 3) // 9
 */
export function axisTapCount(input: number, kernel: number, stride: number, dilation: number, padBegin: number, output: number): number {
  const [i, k, s, d, pb, o] = [input, kernel, stride, dilation, padBegin, output].map(BigInt);
  if (k <= 0n || o <= 0n) return 0;
  return Number(positionsAtOrBelow(i - 1n + pb, k, s, d, o) - positionsAtOrBelow(pb - 1n, k, s, d, o));
}

/** Taps inside the input of one channel pair of a Conv problem: `Π_axis axisTapCount(axis)`. */
export function spatialTapCount(p: ConvProblem): number {
  const pads = resolvePads(p);
  const out = outputSpatialShape(p);
  let taps = 1;
  for (let a = 0; a < p.inputShape.length; a++) {
    taps *= axisTapCount(p.inputShape[a], p.kernelShape[a], p.strides[a], p.dilations[a], pads.begin[a], out[a]);
  }
  return taps;
}
