/**
 * The loops of the Conv / ConvTranspose fast path (reference/conv-fast.ts), alone in a module
 * without imports so that a worker thread (reference/conv-fast-worker.ts) loads nothing else.
 *
 * For each output plane (n, m), each input channel c of its group (four at a time where the group
 * has them) and each tap k, the weights are held and swept along a row of the window axis: Conv
 * gathers `y[q] += w·x[q·s - pb + k·d]`, ConvTranspose scatters `y[q·s - pb + k·d] += w·x[q]`
 * (the adjoint, along the same map). The window map is tabulated once per problem (the plan's
 * tapLo / tapHi), so no loop tests for padding, and nothing allocates inside the loops.
 */

/**
 * What the fast kernel needs of a problem, as plain numbers and typed arrays (so it can be posted
 * to a worker thread). Spatial arrays have 3 entries (leading axes of size 1 for rank 1 and 2).
 */
export interface FastConvPlan {
  readonly transposed: boolean;
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  /** C/G and M/G. */
  readonly inPerGroup: number;
  readonly outPerGroup: number;
  readonly bias: boolean;
  /** Output tensor shape `[N, M, ...o]` in the problem's own rank. */
  readonly yShape: readonly number[];
  /** The side that strides (Conv: its output; ConvTranspose: its input), 3-D. */
  readonly windowShape: readonly number[];
  /** The side the taps land on (Conv: its input; ConvTranspose: its output), 3-D. */
  readonly targetShape: readonly number[];
  readonly kernelShape: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  /** `Πi`, `Πo`, `Πk`. */
  readonly inSize: number;
  readonly outSize: number;
  readonly kernelSize: number;
  /**
   * Per axis a and tap k (index `a·kMax + k`): the window positions `q` in `[tapLo, tapHi)` are
   * those whose tap k lands inside the target, `0 <= q·s - pb + k·d < T`.
   */
  readonly tapLo: Int32Array;
  readonly tapHi: Int32Array;
  readonly kMax: number;
  /**
   * Per tap kw of the W axis (Conv): the window positions `[threesLo, threesHi)` where all three
   * taps of its group (kw - kw mod 3 and the two after it) land inside the input; empty ([0, 0))
   * where there are none, or kw is in the last, incomplete group.
   */
  readonly threesLo: Int32Array;
  readonly threesHi: Int32Array;
}

/** Output planes (n, m) of a plan: `N·M`. */
export function planeCount(plan: FastConvPlan): number {
  return plan.batch * plan.outChannels;
}

/** Input channels summed together in one sweep of a row (fewer loads and stores of y and S per product). */
const CHANNEL_BLOCK = 4;

/**
 * Accumulates output planes `[planeStart, planeEnd)` (plane = n·M + m) into `y` and `absSum`
 * (flat over the output tensor; the planes' ranges are overwritten): `y = b + Σ x·w`,
 * `absSum = |b| + Σ|x·w|`. `x`, `w` and `b` are flat float64 in ONNX layout.
 */
export function accumulatePlanes(
  plan: FastConvPlan, x: Float64Array, w: Float64Array, b: Float64Array | undefined,
  y: Float64Array, absSum: Float64Array, planeStart: number, planeEnd: number,
): void {
  const { outChannels, inChannels, inPerGroup, outPerGroup, outSize, inSize, kernelSize } = plan;
  // Consecutive input channels: x planes inSize apart; weights kernelSize apart (Conv [M, C/G, ...k])
  // or (M/G)·kernelSize apart (ConvTranspose [C, M/G, ...k]).
  const wStride = plan.transposed ? outPerGroup * kernelSize : kernelSize;
  for (let plane = planeStart; plane < planeEnd; plane++) {
    const n = Math.floor(plane / outChannels), m = plane % outChannels;
    const g = Math.floor(m / outPerGroup), mLocal = m % outPerGroup;
    const yBase = plane * outSize;
    const bias = b === undefined ? 0 : b[m];
    const absBias = Math.abs(bias);
    for (let o = yBase; o < yBase + outSize; o++) { y[o] = bias; absSum[o] = absBias; }
    for (let cLocal = 0; cLocal < inPerGroup;) {
      const block = inPerGroup - cLocal >= CHANNEL_BLOCK ? CHANNEL_BLOCK : 1;
      const c = g * inPerGroup + cLocal;
      const xBase = (n * inChannels + c) * inSize;
      const wBase = (plan.transposed ? c * outPerGroup + mLocal : m * inPerGroup + cLocal) * kernelSize;
      sweepChannels(plan, block, x, xBase, w, wBase, wStride, y, absSum, yBase);
      cLocal += block;
    }
  }
}

/**
 * `block` (1 or 4) consecutive input channels into one output plane, tap by tap: Conv gathers
 * `y[q] += Σ_c w[c, k]·x[c, q·s - pb + k·d]`, ConvTranspose scatters `y[q·s - pb + k·d] += Σ_c w[c, k]·x[c, q]`.
 */
function sweepChannels(
  plan: FastConvPlan, block: number, x: Float64Array, xBase: number, w: Float64Array, wBase: number, wStride: number,
  y: Float64Array, absSum: Float64Array, yBase: number,
): void {
  const { windowShape: q3, targetShape: t3, kernelShape: k3, strides: s3, dilations: d3, padsBegin: p3, tapLo, tapHi, kMax, inSize, transposed } = plan;
  const qH = q3[1], qW = q3[2], tH = t3[1], tW = t3[2];
  const sD = s3[0], sH = s3[1], sW = s3[2];
  const kW = k3[2], dW = d3[2];
  // Conv with one channel at a time: the taps of a kernel row are summed three at a time where all
  // three land inside the input (one load and store of y and S per window position and three taps,
  // not per tap); per tap, [coveredLo, coveredHi) are the positions its three already did.
  const threes = !transposed && block === 1 ? Math.floor(kW / 3) : 0;
  const { threesLo: coveredLo, threesHi: coveredHi } = plan;
  for (let kd = 0; kd < k3[0]; kd++) {
    const dLo = tapLo[kd], dHi = tapHi[kd], dOff = kd * d3[0] - p3[0];
    for (let kh = 0; kh < k3[1]; kh++) {
      const hLo = tapLo[kMax + kh], hHi = tapHi[kMax + kh], hOff = kh * d3[1] - p3[1];
      const kRow = wBase + (kd * k3[1] + kh) * kW;
      for (let kw = 0; kw < 3 * threes; kw += 3) {
        if (coveredLo[kw] === coveredHi[kw]) continue;
        const w0 = w[kRow + kw], w1 = w[kRow + kw + 1], w2 = w[kRow + kw + 2];
        for (let qd = dLo; qd < dHi; qd++) {
          const td = qd * sD + dOff;
          for (let qh = hLo; qh < hHi; qh++) {
            const th = qh * sH + hOff;
            gatherRow3(w0, w1, w2, dW, x, xBase + (td * tH + th) * tW + kw * dW - p3[2], sW, y, absSum, yBase + (qd * qH + qh) * qW, coveredLo[kw], coveredHi[kw]);
          }
        }
      }
      for (let kw = 0; kw < kW; kw++) {
        const wLo = tapLo[2 * kMax + kw], wHi = tapHi[2 * kMax + kw], wOff = kw * dW - p3[2];
        const k = kRow + kw;
        for (let qd = dLo; qd < dHi; qd++) {
          const td = qd * sD + dOff;
          for (let qh = hLo; qh < hHi; qh++) {
            const th = qh * sH + hOff;
            const windowRow = (qd * qH + qh) * qW, targetRow = (td * tH + th) * tW + wOff;
            if (transposed) {
              if (block === 1) scatterRow(w[k], x, xBase + windowRow, y, absSum, yBase + targetRow, sW, wLo, wHi);
              else scatterRow4(w[k], w[k + wStride], w[k + 2 * wStride], w[k + 3 * wStride], x, xBase + windowRow, inSize, y, absSum, yBase + targetRow, sW, wLo, wHi);
            } else if (block === 1) {
              // only the positions this tap reaches that its three did not
              gatherRow(w[k], x, xBase + targetRow, sW, y, absSum, yBase + windowRow, wLo, Math.min(wHi, coveredLo[kw]));
              gatherRow(w[k], x, xBase + targetRow, sW, y, absSum, yBase + windowRow, Math.max(wLo, coveredHi[kw]), wHi);
            } else {
              gatherRow4(w[k], w[k + wStride], w[k + 2 * wStride], w[k + 3 * wStride], x, xBase + targetRow, inSize, sW, y, absSum, yBase + windowRow, wLo, wHi);
            }
          }
        }
      }
    }
  }
}

/**
 * Three consecutive taps of a kernel row at once, where all three land inside the input:
 * `y[yRow + q] += Σ_t w_t·x[xRow + q·sW + t·dW]` (and S), t = 0, 1, 2, for q in `[lo, hi)`.
 */
function gatherRow3(
  w0: number, w1: number, w2: number, dW: number, x: Float64Array, xRow: number, sW: number,
  y: Float64Array, absSum: Float64Array, yRow: number, lo: number, hi: number,
): void {
  for (let q = lo; q < hi; q++) {
    const i = xRow + q * sW;
    const p0 = w0 * x[i], p1 = w1 * x[i + dW], p2 = w2 * x[i + 2 * dW];
    y[yRow + q] += (p0 + p1) + p2;
    absSum[yRow + q] += (Math.abs(p0) + Math.abs(p1)) + Math.abs(p2);
  }
}

/** One row of a gather: `y[yRow + q] += weight·x[xRow + q·sW]` (and S) for q in `[lo, hi)`. */
function gatherRow(
  weight: number, x: Float64Array, xRow: number, sW: number, y: Float64Array, absSum: Float64Array, yRow: number, lo: number, hi: number,
): void {
  for (let q = lo; q < hi; q++) {
    const product = weight * x[xRow + q * sW];
    y[yRow + q] += product;
    absSum[yRow + q] += Math.abs(product);
  }
}

/** {@link gatherRow} for four input channels `cs` apart in x, with their four weights. */
function gatherRow4(
  w0: number, w1: number, w2: number, w3: number, x: Float64Array, xRow: number, cs: number, sW: number,
  y: Float64Array, absSum: Float64Array, yRow: number, lo: number, hi: number,
): void {
  for (let q = lo; q < hi; q++) {
    const i = xRow + q * sW;
    const p0 = w0 * x[i], p1 = w1 * x[i + cs], p2 = w2 * x[i + 2 * cs], p3 = w3 * x[i + 3 * cs];
    y[yRow + q] += ((p0 + p1) + p2) + p3;
    absSum[yRow + q] += ((Math.abs(p0) + Math.abs(p1)) + Math.abs(p2)) + Math.abs(p3);
  }
}

/** One row of a scatter: `y[yRow + q·sW] += weight·x[xRow + q]` (and S) for q in `[lo, hi)`. */
function scatterRow(
  weight: number, x: Float64Array, xRow: number, y: Float64Array, absSum: Float64Array, yRow: number, sW: number, lo: number, hi: number,
): void {
  for (let q = lo; q < hi; q++) {
    const product = weight * x[xRow + q];
    y[yRow + q * sW] += product;
    absSum[yRow + q * sW] += Math.abs(product);
  }
}

/** {@link scatterRow} for four input channels `cs` apart in x, with their four weights. */
function scatterRow4(
  w0: number, w1: number, w2: number, w3: number, x: Float64Array, xRow: number, cs: number,
  y: Float64Array, absSum: Float64Array, yRow: number, sW: number, lo: number, hi: number,
): void {
  for (let q = lo; q < hi; q++) {
    const i = xRow + q;
    const p0 = w0 * x[i], p1 = w1 * x[i + cs], p2 = w2 * x[i + 2 * cs], p3 = w3 * x[i + 3 * cs];
    y[yRow + q * sW] += ((p0 + p1) + p2) + p3;
    absSum[yRow + q * sW] += ((Math.abs(p0) + Math.abs(p1)) + Math.abs(p2)) + Math.abs(p3);
  }
}

/**
 * n of every element of one output plane (all planes have the same): `C/G · Π_a taps_a(o_a)`
 * (+1 with a bias), where `taps_a(o)` counts the taps of axis a that reach output position o
 * (Conv: the taps of window o inside the input; ConvTranspose: the pairs (i, k) with
 * `i·s - pb + k·d = o`); and the multiplications of one plane, `Σ (n - bias)`.
 */
export function termsPattern(plan: FastConvPlan): { readonly pattern: Int32Array; readonly perPlane: number } {
  const outShape = plan.transposed ? plan.targetShape : plan.windowShape;
  const [cD, cH, cW] = axisTapCounts(plan);
  const extra = plan.bias ? 1 : 0;
  const pattern = new Int32Array(plan.outSize);
  let perPlane = 0;
  for (let od = 0; od < outShape[0]; od++) {
    for (let oh = 0; oh < outShape[1]; oh++) {
      const row = (od * outShape[1] + oh) * outShape[2];
      const dh = cD[od] * cH[oh] * plan.inPerGroup;
      for (let ow = 0; ow < outShape[2]; ow++) {
        pattern[row + ow] = dh * cW[ow] + extra;
        perPlane += dh * cW[ow];
      }
    }
  }
  return { pattern, perPlane };
}

/**
 * Per axis (3, leading ones of size 1), for each output position, how many of that axis's taps
 * reach it (Conv: inside the input; ConvTranspose: pairs (i, k) with `i·s - pb + k·d = o`).
 */
export function axisTapCounts(plan: FastConvPlan): Int32Array[] {
  const outShape = plan.transposed ? plan.targetShape : plan.windowShape;
  const counts: Int32Array[] = [];
  for (let a = 0; a < 3; a++) {
    const perPosition = new Int32Array(outShape[a]);
    for (let k = 0; k < plan.kernelShape[a]; k++) {
      const lo = plan.tapLo[a * plan.kMax + k], hi = plan.tapHi[a * plan.kMax + k];
      const offset = k * plan.dilations[a] - plan.padsBegin[a];
      for (let q = lo; q < hi; q++) perPosition[plan.transposed ? q * plan.strides[a] + offset : q]++;
    }
    counts.push(perPosition);
  }
  return counts;
}

/** Copies the plane pattern of n into output planes `[planeStart, planeEnd)` of `terms`. */
export function fillTermsPlanes(pattern: Int32Array, terms: Int32Array, planeStart: number, planeEnd: number): void {
  for (let plane = planeStart; plane < planeEnd; plane++) terms.set(pattern, plane * pattern.length);
}

/**
 * One share of a parallel run: output planes `[planeStart, planeEnd)` of a plan, read from and
 * written to shared memory. `input` holds x, then w, then b (float64); `y`, `absSum` and `terms`
 * are the whole output tensors; `pattern` is {@link termsPattern}'s n of one plane.
 */
export interface FastJob {
  readonly plan: FastConvPlan;
  readonly input: SharedArrayBuffer;
  readonly xLength: number;
  readonly wLength: number;
  readonly bLength: number;
  readonly y: SharedArrayBuffer;
  readonly absSum: SharedArrayBuffer;
  readonly terms: SharedArrayBuffer;
  readonly pattern: Int32Array;
  readonly planeStart: number;
  readonly planeEnd: number;
}

/** Runs one share (on whichever thread calls it). */
export function runFastJob(job: FastJob): void {
  const { xLength, wLength, bLength } = job;
  const x = new Float64Array(job.input, 0, xLength);
  const w = new Float64Array(job.input, xLength * 8, wLength);
  const b = bLength > 0 ? new Float64Array(job.input, (xLength + wLength) * 8, bLength) : undefined;
  accumulatePlanes(job.plan, x, w, b, new Float64Array(job.y), new Float64Array(job.absSum), job.planeStart, job.planeEnd);
  fillTermsPlanes(job.pattern, new Int32Array(job.terms), job.planeStart, job.planeEnd);
}
