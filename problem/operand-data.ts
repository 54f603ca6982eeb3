/**
 * Operand data for a problem, drawn from a seed, in data modes that each stress something:
 *
 * | mode | values | exact? |
 * |---|---|---|
 * | exact | small integers with `n·max|x|·max|w| + max|b| ≤ 2^24` (oneDNN benchdnn's scheme; dense below 100 elements, a third zeros above) | yes |
 * | real | uniform in [-1, 1), mixed signs, so cancellation happens | no |
 * | sparse | small integers, half of w and a quarter of x exactly zero: many products exactly zero | yes |
 * | zero-sum | x constant per batch item, every other filter in ± pairs: its sums are exactly zero wherever the window is inside the input | yes |
 * | large-first | real data whose first tap of every filter is ±2^12..2^13: one large term, then small ones | no |
 * | cancellation | x = 1 + tiny noise, filters in ± pairs: results near zero with a large S | no |
 * | positive-large | positive integers times powers of two, sums up to about 2^124, near the top of float32 | yes |
 * | wide-range | ±(1..2)·2^e with e uniform in [-40, 40]: a large dynamic range | no |
 * | special | exact data with a few NaN, ±Inf or -0 placed in x, w or b (the special-values law's only) | - |
 *
 * "Exact" modes keep every partial sum exactly representable in float32, so a correct float32
 * backend matches the reference bit for bit; compare/tolerance.ts checks that from the data itself.
 * Data is float32 (what backends consume); the reference reads the same float32 values.
 */
import type { ConvOperands } from './operands.ts';
import type { ConvProblem } from './problem.ts';
import { Random } from './random.ts';
import { biasShape, inputTensorShape, sizeOf, weightShape } from './shape.ts';
import type { Tensor } from './tensor.ts';

/** Every data mode (see the module's table). */
export const DATA_MODES = ['exact', 'real', 'sparse', 'zero-sum', 'large-first', 'cancellation', 'positive-large', 'wide-range', 'special'] as const;

/** How operand values are drawn. */
export type DataMode = (typeof DATA_MODES)[number];

/** Whether `name` is a data mode. */
export function isDataMode(name: string): name is DataMode {
  return (DATA_MODES as readonly string[]).includes(name);
}

/** Which tensor of the operands a value is for. */
export type OperandRole = 'x' | 'w' | 'b';

/** Upper bound of the accumulation length of any output element: `C/group · Πk` (+1 with bias). */
export function maxAccumulationLength(p: ConvProblem): number {
  return (p.inChannels / p.group) * sizeOf(p.kernelShape) + (p.bias ? 1 : 0);
}

/** Integer ranges `|x| ≤ xMax`, `|w| ≤ wMax` that keep every partial sum within 2^24. */
export function exactRanges(p: ConvProblem): { xMax: number; wMax: number; bMax: number } {
  const n = maxAccumulationLength(p);
  const budget = 2 ** 24 / n;
  const xMax = Math.max(1, Math.min(8, Math.floor(Math.sqrt(budget))));
  const wMax = Math.max(1, Math.min(8, Math.floor(budget / xMax)));
  return { xMax, wMax, bMax: wMax };
}

/** Fewest elements a tensor has before exact mode makes a third of them zero (benchdnn fills small tensors densely). */
const SPARSE_FROM = 100;

/**
 * Powers of two of positive-large data: x·2^qx, w·2^qw, b·2^(qx+qw), so that `S ≤ n·8·8·2^(qx+qw)`
 * stays near 2^124, below the float32 limit 2^128.
 */
function largeExponents(p: ConvProblem): { qx: number; qw: number } {
  const n = maxAccumulationLength(p);
  const total = 124 - Math.ceil(Math.log2(n * 64 + 8));
  const qx = Math.floor(total / 2);
  return { qx, qw: total - qx };
}

/** One value of `role` in `mode` (no structure across elements; makeOperands adds it). */
function drawValue(mode: DataMode, role: OperandRole, rng: Random, max: number, size: number, scale: number): number {
  switch (mode) {
    case 'exact':
    case 'special':
      return size >= SPARSE_FROM && rng.int(0, 2) === 0 ? 0 : rng.int(-max, max);
    case 'sparse':
      // half of w and a quarter of x exactly zero: many products zero, few whole sums
      return rng.int(0, role === 'w' ? 1 : 3) === 0 ? 0 : rng.int(-max, max);
    case 'zero-sum':
      return rng.int(-max, max);
    case 'positive-large':
      return rng.int(1, Math.max(1, max)) * scale;
    case 'wide-range':
      return (rng.int(0, 1) === 0 ? -1 : 1) * (1 + rng.next()) * 2 ** rng.int(-40, 40);
    case 'cancellation':
      return role === 'x' ? 1 + (rng.next() * 2 - 1) * 2 ** -10 : rng.next() * 2 - 1;
    case 'real':
    case 'large-first':
      return rng.next() * 2 - 1;
  }
}

/**
 * A tensor of `shape` for `role` in `mode` from `rng`, values up to `max` in the integer modes
 * (scaled by `scale` in positive-large), without the cross-element structure of makeOperands.
 */
function fill(shape: readonly number[], mode: DataMode, role: OperandRole, rng: Random, max: number, scale = 1): Tensor<Float32Array> {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = drawValue(mode, role, rng, max, data.length, scale);
  return { shape: [...shape], data };
}

/**
 * A tensor of any shape drawn like `role`'s operand in `mode` (no cross-element structure; the
 * positive-large scale is 1): for laws that need more inputs or filters than one problem's.
 */
export function drawTensor(shape: readonly number[], mode: DataMode, seed: number, max: number, role: OperandRole = 'x'): Tensor<Float32Array> {
  return fill(shape, mode, role, new Random(seed), max);
}

/**
 * The filters of `w` as index lists: Conv `w[m, :, ...k]` (all of m's weights), ConvTranspose
 * `w[c, m, ...k]` (one kernel row per input channel and output channel of its group).
 */
function filters(p: ConvProblem): { count: number; length: number; outChannelOf: (f: number) => number } {
  const kernel = sizeOf(p.kernelShape);
  if (p.op === 'conv') return { count: p.outChannels, length: (p.inChannels / p.group) * kernel, outChannelOf: (f) => f };
  const outPerGroup = p.outChannels / p.group, inPerGroup = p.inChannels / p.group;
  return { count: p.inChannels * outPerGroup, length: kernel, outChannelOf: (f) => Math.floor(Math.floor(f / outPerGroup) / inPerGroup) * outPerGroup + (f % outPerGroup) };
}

/** Makes filter `f` of `w` antisymmetric: element j and length-1-j are ±, the middle one (odd length) 0, so the filter sums to exactly 0. */
function pairUp(w: Float32Array, f: number, length: number): void {
  const base = f * length;
  for (let j = 0; j < Math.floor(length / 2); j++) w[base + length - 1 - j] = -w[base + j];
  if (length % 2 === 1) w[base + (length - 1) / 2] = 0;
}

/** Places a NaN or ±Inf in x, w or b, then up to two more NaN, ±Inf or -0. */
function placeSpecials(operands: ConvOperands, rng: Random): void {
  const targets = [operands.x, operands.w, ...(operands.b ? [operands.b] : [])];
  const specials = [NaN, Infinity, -Infinity, -0];
  const count = rng.int(1, 3);
  for (let k = 0; k < count; k++) {
    const t = targets[rng.int(0, targets.length - 1)];
    t.data[rng.int(0, t.data.length - 1)] = specials[rng.int(0, k === 0 ? 2 : 3)];
  }
}

/**
 * Operands for `p` drawn from `seed` in `mode` (see the module's table).
 * @example makeOperands(parseDescriptor('mb1ic2ih5iw5oc3kh3kw3'), 'exact', 7).x.shape // [1, 2, 5, 5]
 */
export function makeOperands(p: ConvProblem, mode: DataMode, seed: number): ConvOperands {
  const rng = new Random(seed);
  const { xMax, wMax, bMax } = exactRanges(p);
  const { qx, qw } = mode === 'positive-large' ? largeExponents(p) : { qx: 0, qw: 0 };
  const x = fill(inputTensorShape(p), mode, 'x', rng, xMax, 2 ** qx);
  const w = fill(weightShape(p), mode, 'w', rng, wMax, 2 ** qw);
  const b = p.bias ? fill(biasShape(p), mode, 'b', rng, bMax, 2 ** (qx + qw)) : undefined;
  const f = filters(p);
  if (mode === 'zero-sum') {
    // x constant per batch item (never 0); every even output channel's filters sum to exactly 0, with no bias
    const perItem = x.data.length / p.batch;
    for (let n = 0; n < p.batch; n++) x.data.fill(rng.int(1, xMax), n * perItem, (n + 1) * perItem);
    for (let k = 0; k < f.count; k++) if (f.outChannelOf(k) % 2 === 0) pairUp(w.data, k, f.length);
    if (b) for (let m = 0; m < p.outChannels; m += 2) b.data[m] = 0;
  }
  if (mode === 'cancellation') for (let k = 0; k < f.count; k++) pairUp(w.data, k, f.length);
  if (mode === 'large-first') for (let k = 0; k < f.count; k++) w.data[k * f.length] = (rng.int(0, 1) === 0 ? -1 : 1) * (1 + rng.next()) * 2 ** 12;
  const operands = b ? { x, w, b } : { x, w };
  if (mode === 'special') placeSpecials(operands, rng);
  return operands;
}
