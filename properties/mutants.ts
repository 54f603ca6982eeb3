/**
 * Deliberately broken implementations, each one a classic convolution bug, wrapped around the
 * reference. The mutant tests run every law against each and require it to be caught: a law that
 * no mutant trips could never fail.
 */
import { SUPPORTED, type Backend, type ConvGradients } from '../problem/backend.ts';
import { withChanges, type ConvProblem } from '../problem/problem.ts';
import { outputSpatialShape, outputTensorShape, resolvePads, sizeOf } from '../problem/shape.ts';
import type { Tensor, Tensor64 } from '../problem/tensor.ts';
import { validateProblem } from '../problem/validate.ts';
import { channelShuffle } from '../reference/channel-shuffle.ts';
import { conv } from '../reference/conv.ts';
import { denseMultiplications, effectiveMultiplications, parameterCount } from '../reference/cost.ts';
import { referenceBackend, referenceGradients } from '../adapters/reference.ts';
import { adjointProblem, convTranspose } from '../reference/conv-transpose.ts';
import { convWeightGrad } from '../reference/conv-weight-grad.ts';
import type { ConvOperands } from '../problem/operands.ts';
import { multiIndexTable, WindowMap } from '../reference/spatial-index.ts';
import { roundToBits, roundToFloat16 } from './float16.ts';
import type { AuxOps } from './law.ts';
import type { ConvType } from '../problem/conv-types.ts';
import { quantizedMutants } from './quantized-mutants.ts';
import { flipSpatial, mapTensor, permuteAxis, remapSpatial } from '../reference/tensor-ops.ts';
import { convTransposeInputGradDetailed, convTransposeWeightGradDetailed } from '../reference/conv-transpose-grad.ts';

/** A broken implementation and the laws that must catch it. */
export interface Mutant {
  /** Short id, e.g. `flipped-kernel`. */
  readonly name: string;
  /** The bug, in one line. */
  readonly bug: string;
  /** The broken backend (the reference itself when only an auxiliary op or formula is broken). */
  readonly backend: Backend;
  /** Broken auxiliary ops, if any. */
  readonly aux?: Partial<AuxOps>;
  /** Names of laws that must catch it (at least one; more may). */
  readonly expectedCatchers: readonly string[];
  /** Run only the laws of these conv types (the quantized mutants: the quantized laws); default every law. */
  readonly convTypes?: readonly ConvType[];
}

/** The reference's answer for a problem. */
function reference(p: ConvProblem, operands: ConvOperands): Tensor64 {
  return p.op === 'conv' ? conv(p, operands) : convTranspose(p, operands);
}

/** A backend named `mutant:<name>` that claims fp32 and computes `run`. */
function mutantBackend(name: string, run: (p: ConvProblem, operands: ConvOperands) => Tensor): Backend {
  return { name: `mutant:${name}`, version: '0', precision: 'fp32', supports: () => SUPPORTED, run: async (p, operands) => run(p, operands) };
}

/** `p` with auto_pad and output_shape resolved to explicit pads. */
function explicit(p: ConvProblem): ConvProblem {
  const pads = resolvePads(p);
  return withChanges(p, { autoPad: 'NOTSET', padsBegin: pads.begin, padsEnd: pads.end, outputShape: undefined });
}

/** `y[n, m, ...] += b[m]`. */
function plusBias(y: Tensor, b: Tensor | undefined): Tensor64 {
  if (b === undefined) return { shape: [...y.shape], data: Float64Array.from(y.data) };
  const size = sizeOf(y.shape.slice(2)), channels = y.shape[1];
  return mapTensor(y, (v, i) => v + b.data[Math.floor(i / size) % channels]);
}

/** Cross-correlation done as true convolution: the kernel is flipped on every spatial axis. */
const flippedKernel = mutantBackend('flipped-kernel', (p, o) => reference(p, { ...o, w: flipSpatial(o.w) }));

/** SAME_UPPER read as SAME_LOWER and back: the odd pad lands on the wrong side. */
const sameSwapped = mutantBackend('same-swapped', (p, o) => {
  const swap = { SAME_UPPER: 'SAME_LOWER', SAME_LOWER: 'SAME_UPPER' } as const;
  return reference(p.autoPad === 'SAME_UPPER' || p.autoPad === 'SAME_LOWER' ? withChanges(p, { autoPad: swap[p.autoPad] }) : p, o);
});

/** ConvTranspose output_padding added at the beginning of each axis instead of the end. */
const outputPaddingWrongSide = mutantBackend('output-padding-wrong-side', (p, o) => {
  if (p.op !== 'convTranspose' || p.outputPadding.every((v) => v === 0)) return reference(p, o);
  const e = explicit(p);
  const zeros = p.inputShape.map(() => 0);
  const full = convTranspose(withChanges(e, { padsBegin: zeros, padsEnd: zeros, outputPadding: zeros, bias: false }), { x: o.x, w: o.w });
  // correct: out[o] = full[o + pb]; the bug shifts the content by output_padding
  const shifted = remapSpatial(full, outputSpatialShape(p), e.padsBegin.map((pb, a) => (out: number) => out + pb - p.outputPadding[a]));
  return plusBias(shifted, o.b);
});

/**
 * A bug in the index arithmetic but not in the shape arithmetic: computes the wrong problem `q`,
 * then crops or zero-extends to `p`'s output shape (all bias when `q` is not even valid).
 */
function wrongIndexing(p: ConvProblem, q: ConvProblem, o: ConvOperands): Tensor64 {
  let y: Tensor64;
  try {
    validateProblem(q);
    y = reference(q, o);
  } catch {
    return plusBias({ shape: outputTensorShape(p), data: new Float64Array(sizeOf(outputTensorShape(p))) }, o.b);
  }
  return remapSpatial(y, outputSpatialShape(p), p.inputShape.map(() => (out: number) => out));
}

/** Dilation dropped from the index arithmetic on every axis whose stride is > 1 (shapes still right). */
const dilationIgnoredWhenStrided = mutantBackend('dilation-ignored-when-strided', (p, o) => {
  const dilations = p.dilations.map((d, a) => (p.strides[a] > 1 ? 1 : d));
  const outputPadding = p.outputPadding.map((v, a) => (v < Math.max(p.strides[a], dilations[a]) ? v : 0));
  return wrongIndexing(p, withChanges(explicit(p), { dilations, outputPadding }), o);
});

/** ONNX pads `[x1_begin, x2_begin, ..., x1_end, x2_end, ...]` misread as pairs `[x1_begin, x1_end, x2_begin, ...]`. */
const padsInterleaved = mutantBackend('pads-interleaved', (p, o) => {
  if (p.autoPad !== 'NOTSET' || p.outputShape !== undefined) return reference(p, o);
  const pads = [...p.padsBegin, ...p.padsEnd];
  return wrongIndexing(p, withChanges(p, { padsBegin: p.inputShape.map((_, a) => pads[2 * a]), padsEnd: p.inputShape.map((_, a) => pads[2 * a + 1]) }), o);
});

/** A wrong batch stride: every batch item reads item 0's input. */
const batchCrosstalk = mutantBackend('batch-crosstalk', (p, o) => {
  const itemSize = o.x.data.length / p.batch;
  return reference(p, { ...o, x: mapTensor(o.x, (_v, i) => o.x.data[i % itemSize]) });
});

/** Group of output channel m taken as `m mod G` instead of `floor(m / (M/G))` (input channel c likewise for ConvTranspose). */
const groupsMisindexed = mutantBackend('groups-misindexed', (p, o) => {
  if (p.group === 1) return reference(p, o);
  const G = p.group;
  const mixed = (count: number): number[] => Array.from({ length: count }, (_, j) => (j % G) * (count / G) + Math.floor(j / G));
  const inverse = (perm: number[]): number[] => { const inv = new Array<number>(perm.length); perm.forEach((to, from) => { inv[to] = from; }); return inv; };
  if (p.op === 'conv') {
    // filter m is stored where group (m mod G) sits: w'[pi(m)] = w[m], then y[m] = y'[pi(m)]
    const pi = mixed(p.outChannels), from = inverse(pi);
    const b = o.b;
    const y = reference(p, { x: o.x, w: permuteAxis(o.w, 0, from), ...(b ? { b: { shape: [p.outChannels], data: Float64Array.from(from, (f) => b.data[f]) } } : {}) });
    return permuteAxis(y, 1, pi);
  }
  const pi = mixed(p.inChannels), from = inverse(pi);
  return reference(p, { x: permuteAxis(o.x, 1, from), w: permuteAxis(o.w, 0, from), ...(o.b ? { b: o.b } : {}) });
});

/** The last element of the last spatial axis treated as padding: Conv skips taps reading it, ConvTranspose taps writing it. */
const offByOneAtBorder = mutantBackend('off-by-one-at-border', (p, o) => {
  const isLast = (t: Tensor): ((v: number, i: number) => boolean) => {
    const last = t.shape[t.shape.length - 1];
    return (_v, i) => i % last === last - 1;
  };
  if (p.op === 'conv') {
    const lastOfX = isLast(o.x);
    return reference(p, { ...o, x: mapTensor(o.x, (v, i) => (lastOfX(v, i) ? 0 : v)) });
  }
  const y = reference(withChanges(p, { bias: false }), { x: o.x, w: o.w });
  const lastOfY = isLast(y);
  return plusBias(mapTensor(y, (v, i) => (lastOfY(v, i) ? 0 : v)), o.b);
});

/** Conv and ConvTranspose with every partial sum rounded by `round` (a narrower or mis-rounding accumulator). */
function accumulateRounded(p: ConvProblem, operands: ConvOperands, round: (v: number) => number): Tensor64 {
  const { x, w, b } = operands;
  const outShape = outputSpatialShape(p);
  const y = new Float64Array(sizeOf(outputTensorShape(p)));
  const inSize = sizeOf(p.inputShape), outSize = sizeOf(outShape), kernelSize = sizeOf(p.kernelShape);
  const inPerGroup = p.inChannels / p.group, outPerGroup = p.outChannels / p.group;
  const kernelTable = multiIndexTable(p.kernelShape);
  const pads = resolvePads(p).begin;
  if (p.op === 'conv') {
    const outTable = multiIndexTable(outShape), window = new WindowMap(p.inputShape, p.strides, p.dilations, pads);
    for (let n = 0; n < p.batch; n++) for (let m = 0; m < p.outChannels; m++) {
      const g = Math.floor(m / outPerGroup);
      for (let q = 0; q < outSize; q++) {
        let acc = b ? round(b.data[m]) : 0;
        for (let c = 0; c < inPerGroup; c++) for (let k = 0; k < kernelSize; k++) {
          const at = window.tapOffset(outTable, q, kernelTable, k);
          if (at >= 0) acc = round(acc + x.data[(n * p.inChannels + g * inPerGroup + c) * inSize + at] * w.data[(m * inPerGroup + c) * kernelSize + k]);
        }
        y[(n * p.outChannels + m) * outSize + q] = acc;
      }
    }
  } else {
    const inTable = multiIndexTable(p.inputShape), window = new WindowMap(outShape, p.strides, p.dilations, pads);
    for (let n = 0; n < p.batch; n++) for (let c = 0; c < p.inChannels; c++) {
      const g = Math.floor(c / inPerGroup);
      for (let i = 0; i < inSize; i++) for (let m = 0; m < outPerGroup; m++) for (let k = 0; k < kernelSize; k++) {
        const at = window.tapOffset(inTable, i, kernelTable, k);
        const yIdx = (n * p.outChannels + g * outPerGroup + m) * outSize + at;
        if (at >= 0) y[yIdx] = round(y[yIdx] + x.data[(n * p.inChannels + c) * inSize + i] * w.data[(c * outPerGroup + m) * kernelSize + k]);
      }
    }
    if (b) for (let i = 0; i < y.length; i++) y[i] = round(y[i] + b.data[Math.floor(i / outSize) % p.outChannels]);
  }
  return { shape: outputTensorShape(p), data: y };
}

/** Round toward zero to float32 (truncation): the nearest float32 no larger in magnitude. */
export function truncateToFloat32(v: number): number {
  const r = Math.fround(v);
  if (!Number.isFinite(r) || Math.abs(r) <= Math.abs(v)) return r;
  const bits = new Float32Array([r]);
  new Int32Array(bits.buffer)[0] -= 1; // one step toward zero (sign-magnitude)
  return bits[0];
}

/** Round to bfloat16 (8 significant bits, float32's exponent range), ties to even. */
function roundToBfloat16(v: number): number {
  return roundToBits(v, 8, -126);
}

/** The reference's output with `spoil` applied to every element (claiming fp32). */
function spoiledOutput(name: string, spoil: (v: number) => number): Backend {
  return mutantBackend(name, (p, o) => mapTensor(reference(p, o), spoil));
}

/** A flush-to-zero kernel: subnormal inputs (below 2^-126) read as zero. */
const subnormalFlush = mutantBackend('subnormal-flush', (p, o) => {
  const flush = (t: Tensor): Tensor64 => mapTensor(t, (v) => (Math.abs(v) < 2 ** -126 ? 0 : v));
  return reference(p, { x: flush(o.x), w: flush(o.w), ...(o.b ? { b: flush(o.b) } : {}) });
});

/** An output one element too long on the last axis (a shape arithmetic off by one): a wrong answer, not an error. */
const wrongOutputShape = mutantBackend('wrong-output-shape', (p, o) => {
  const y = reference(p, o);
  const shape = [...y.shape.slice(0, -1), y.shape[y.shape.length - 1] + 1];
  return remapSpatial(y, shape.slice(2), y.shape.slice(2).map(() => (out: number) => out));
});

/** The reference (forward and gradients, claiming fp32) with one gradient replaced by a broken one. */
function gradientMutant(name: string, broken: Partial<Pick<ConvGradients, 'input' | 'weight'>>): Backend {
  // without the reference's quantized ops: the quantized laws have nothing to find here
  const { quantized: _quantized, ...floatOps } = referenceBackend;
  return { ...floatOps, name: `mutant:${name}`, precision: 'fp32', gradients: { ...referenceGradients, ...broken } };
}

/** The input gradient crops the full transposed conv from the wrong side: its begin and end pads swapped. */
const inputGradientPadsSwapped = gradientMutant('input-grad-pads-swapped', {
  input: async (p, { w }, dy) => {
    const t = adjointProblem(p);
    return convTranspose(withChanges(t, { padsBegin: t.padsEnd, padsEnd: t.padsBegin }), { x: dy, w });
  },
});

/** The weight gradient steps through x by 1 per tap instead of by the dilation (over the conv's own output positions). */
const weightGradientIgnoresDilation = gradientMutant('weight-grad-ignores-dilation', {
  weight: async (p, { x }, dy) => {
    if (p.dilations.every((d) => d === 1)) return convWeightGrad(p, x, dy).y;
    // the same pads with dilation 1 give at least as many outputs; those past dy's read zeros
    const undilated = withChanges(explicit(p), { dilations: p.dilations.map(() => 1) });
    const dyExtended = remapSpatial(dy, outputSpatialShape(undilated), p.inputShape.map(() => (out: number) => out));
    return convWeightGrad(undilated, x, dyExtended).y;
  },
});

/** ConvTranspose's input gradient reads the kernel flipped on every spatial axis (convolution where correlation is meant); Conv's is right. */
const transposeInputGradientFlipped = gradientMutant('transpose-input-grad-kernel-flipped', {
  input: async (p, o, dy, options) => (p.op === 'convTranspose' ? convTransposeInputGradDetailed(p, flipSpatial(o.w), dy).y : referenceGradients.input(p, o, dy, options)),
});

/** ConvTranspose's weight gradient with its begin and end pads swapped (dy read shifted by pe - pb); Conv's is right. */
const transposeWeightGradientPadsSwapped = gradientMutant('transpose-weight-grad-pads-swapped', {
  weight: async (p, o, dy, options) => {
    if (p.op !== 'convTranspose') return referenceGradients.weight(p, o, dy, options);
    const e = explicit(p);
    // the output length depends on pb + pe only, so dy fits the swapped problem too
    return convTransposeWeightGradDetailed(withChanges(e, { padsBegin: e.padsEnd, padsEnd: e.padsBegin }), o.x, dy).y;
  },
});

/** Every mutant, with the laws expected to catch it. */
export function allMutants(): Mutant[] {
  return [
    { name: 'flipped-kernel', bug: 'the kernel is flipped (true convolution instead of cross-correlation)', backend: flippedKernel,
      expectedCatchers: ['deep-learning conv is cross-correlation, convolution is it with the flipped kernel, and full convolution commutes', 'conv is the product with its matrix C and the transposed conv the product with Cᵀ', 'the backend agrees with the reference'] },
    { name: 'same-swapped', bug: 'SAME_UPPER and SAME_LOWER swapped', backend: sameSwapped,
      expectedCatchers: ['SAME_UPPER, SAME_LOWER and output_shape equal the explicit pads they stand for', 'the backend agrees with the reference'] },
    { name: 'output-padding-wrong-side', bug: 'ConvTranspose output_padding added at the beginning instead of the end', backend: outputPaddingWrongSide,
      expectedCatchers: ['a padded conv equals the VALID conv of the zero-padded input, and a padded transposed conv the cropped full output', 'transposed conv is the adjoint of conv', 'the backend agrees with the reference'] },
    { name: 'dilation-ignored-when-strided', bug: 'dilation ignored on axes whose stride is > 1', backend: dilationIgnoredWhenStrided,
      expectedCatchers: ['a dilated conv equals the dense conv with the zero-inserted kernel', 'the backend agrees with the reference'] },
    { name: 'groups-misindexed', bug: 'the group of a channel computed as channel mod G instead of channel / (channels per group)', backend: groupsMisindexed,
      expectedCatchers: ['a grouped conv is the concatenation of independent convs on channel slices', 'a 1x1 conv is a per-pixel matmul over channels, and a pointwise grouped conv a block-diagonal one', 'the backend agrees with the reference'] },
    { name: 'off-by-one-at-border', bug: 'the last element of the last axis treated as padding', backend: offByOneAtBorder,
      expectedCatchers: ['conv is the product with its matrix C and the transposed conv the product with Cᵀ', 'the backend agrees with the reference'] },
    { name: 'fp16-accumulation', bug: 'accumulation in float16 while claiming fp32', backend: mutantBackend('fp16-accumulation', (p, o) => accumulateRounded(p, o, roundToFloat16)),
      expectedCatchers: ['the backend agrees with the reference'] },
    { name: 'nan-to-zero', bug: 'NaN outputs replaced by 0 (a max(0, ...) or a NaN-unaware clamp)', backend: spoiledOutput('nan-to-zero', (v) => (Number.isNaN(v) ? 0 : v)),
      expectedCatchers: ['special values reach exactly the outputs whose sums read them'] },
    { name: 'large-values-zeroed', bug: 'outputs above 2^64 in magnitude come back as 0 (an overflow check gone wrong)', backend: spoiledOutput('large-values-zeroed', (v) => (Math.abs(v) > 2 ** 64 ? 0 : v)),
      expectedCatchers: ['scaling x by 2^a and w by 2^b scales the output by 2^(a+b), up to the largest values and down to subnormals'] },
    { name: 'subnormal-flush', bug: 'subnormal inputs flushed to zero (denormals-are-zero) while claiming fp32', backend: subnormalFlush,
      expectedCatchers: ['scaling x by 2^a and w by 2^b scales the output by 2^(a+b), up to the largest values and down to subnormals'] },
    { name: 'truncating-accumulation', bug: 'every partial sum truncated toward zero instead of rounded to nearest, in float32', backend: mutantBackend('truncating-accumulation', (p, o) => accumulateRounded(p, o, truncateToFloat32)),
      expectedCatchers: ['over a large output the rounding errors are unbiased and of the declared precision\'s size'] },
    { name: 'bf16-accumulation', bug: 'accumulation in bfloat16 (every partial sum rounded to 8 bits) while claiming fp32', backend: mutantBackend('bf16-accumulation', (p, o) => accumulateRounded(p, o, roundToBfloat16)),
      expectedCatchers: ['the backend agrees with the reference', 'over a large output the rounding errors are unbiased and of the declared precision\'s size'] },
    { name: 'wrong-output-shape', bug: 'the output is one element too long on the last axis', backend: wrongOutputShape,
      expectedCatchers: ['the backend agrees with the reference'] },
    { name: 'pads-interleaved', bug: 'ONNX pads read as (begin, end) pairs per axis instead of all begins then all ends', backend: padsInterleaved,
      expectedCatchers: ['a conv with a size-1 leading spatial axis equals the conv of one rank lower', 'a padded conv equals the VALID conv of the zero-padded input, and a padded transposed conv the cropped full output', 'the backend agrees with the reference'] },
    { name: 'batch-crosstalk', bug: 'every batch item reads the first item\'s input', backend: batchCrosstalk,
      expectedCatchers: ['batch items are computed independently', 'the backend agrees with the reference'] },
    { name: 'same-output-floor', bug: 'SAME conv output size floor(i/s) instead of ceil(i/s) in the shape arithmetic', backend: referenceBackend,
      aux: { outputSpatialShape: (p) => outputSpatialShape(p).map((o, a) => (p.op === 'conv' && p.autoPad.startsWith('SAME') ? Math.floor(p.inputShape[a] / p.strides[a]) : o)) },
      expectedCatchers: ['the output shape is the shape arithmetic'] },
    { name: 'cost-counts-padding', bug: 'the effective multiplication count includes taps in the padding', backend: referenceBackend,
      aux: { effectiveMultiplications: denseMultiplications },
      expectedCatchers: ['the multiplications each op counts equal its cost formula'] },
    { name: 'dense-cost-skips-padding', bug: 'the dense (article) multiplication count leaves out the taps in the padding', backend: referenceBackend,
      aux: { denseMultiplications: effectiveMultiplications },
      expectedCatchers: ['the multiplications each op counts equal its cost formula'] },
    { name: 'parameters-without-bias', bug: 'the parameter count forgets the bias', backend: referenceBackend,
      aux: { parameterCount: (p) => parameterCount(p) - (p.bias ? p.outChannels : 0) },
      expectedCatchers: ['the multiplications each op counts equal its cost formula'] },
    { name: 'receptive-field-ignores-stride', bug: 'receptive field summed without the jump Π s of the layers below', backend: referenceBackend,
      aux: { receptiveField: (layers, rank) => Array.from({ length: rank }, (_, a) => 1 + layers.reduce((r, l) => r + (l.kernel[a] - 1) * l.dilation[a], 0)) },
      expectedCatchers: ['the receptive field of a dilated stack is its formula and the span of the inputs one output reads'] },
    { name: 'shuffle-transposed', bug: 'channel shuffle by C/g instead of g (the transposed permutation)', backend: referenceBackend,
      aux: { channelShuffle: (x, groups) => channelShuffle(x, x.shape[1] / groups) },
      expectedCatchers: ['channel shuffle is the transpose permutation, and shuffling by g then by C/g is the identity', 'a grouped conv after a channel shuffle equals a dense conv with permuted block-diagonal weights'] },
    { name: 'input-grad-pads-swapped', bug: 'the input gradient crops the full transposed conv from the wrong side (begin and end pads swapped)', backend: inputGradientPadsSwapped,
      expectedCatchers: ['the input gradient of conv is the transposed conv of dy'] },
    { name: 'weight-grad-ignores-dilation', bug: 'the weight gradient forgets the dilation (taps one element apart)', backend: weightGradientIgnoresDilation,
      expectedCatchers: ['the weight gradient of conv is the correlation of x with dy'] },
    { name: 'transpose-input-grad-kernel-flipped', bug: 'ConvTranspose\'s input gradient reads the kernel flipped', backend: transposeInputGradientFlipped,
      expectedCatchers: ['the input gradient of convTranspose is the conv of dy'] },
    { name: 'transpose-weight-grad-pads-swapped', bug: 'ConvTranspose\'s weight gradient swaps the begin and end pads', backend: transposeWeightGradientPadsSwapped,
      expectedCatchers: ['the weight gradient of convTranspose is the correlation of dy with x'] },
    ...quantizedMutants(),
  ];
}
