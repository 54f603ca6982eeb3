/**
 * The multiplications every reference op counts equal its cost formula, for every type;
 * the dense count and the parameter count are the article's formulas.
 */
import { withChanges, type ConvProblem } from '../../problem/problem.ts';
import { biasShape, sizeOf, weightShape } from '../../problem/shape.ts';
import type { Tensor } from '../../problem/tensor.ts';
import { referenceResult } from '../../compare/run-case.ts';
import { depthwiseConv, depthwiseMultiplications } from '../../reference/depthwise.ts';
import { depthwiseSeparableConv, depthwiseSeparableMultiplications } from '../../reference/depthwise-separable.ts';
import { flattenedConv, flattenedMultiplications } from '../../reference/flattened.ts';
import { groupedConv, groupedMultiplications } from '../../reference/grouped.ts';
import { pointwiseConv, pointwiseMultiplications } from '../../reference/pointwise.ts';
import { pointwiseGroupedConv, pointwiseGroupedMultiplications } from '../../reference/pointwise-grouped.ts';
import { resizeConv, resizeConvMultiplications } from '../../reference/resize-conv.ts';
import { convolveSignal, signalMultiplications } from '../../reference/signal-conv.ts';
import { spatiallySeparableConv, spatiallySeparableMultiplications } from '../../reference/spatially-separable.ts';
import { problemCaseArb } from '../arbitraries/problem-case.ts';
import { CONV_TYPES, isQuantizedConvType, PROBLEM_TYPES, type ConvType, type ProblemType } from '../../problem/conv-types.ts';
import { allOf, defineLaw, expectThat, type Judgement } from '../law.ts';
import { filled, reshape } from '../../reference/tensor-ops.ts';
import { convGeometry } from '../../reference/conv-setup.ts';
import { operandsOf } from './common.ts';

/** The single-problem types whose problems exercise a conv type's cost formula. */
function hostTypes(t: ConvType): ProblemType[] {
  switch (t) {
    case 'depthwise-separable': return ['depthwise'];
    case 'spatially-separable':
    case 'flattened': return ['conv1d', 'conv2d', 'conv3d', 'dilated'];
    case 'signal':
    case 'resize-conv': return ['conv1d', 'conv2d', 'conv3d'];
    default: return (PROBLEM_TYPES as readonly ConvType[]).includes(t) ? [t as ProblemType] : [];
  }
}

function counted(what: string, got: number, want: number): Judgement {
  return expectThat(got === want, `${what}: counted ${got}, formula ${want}`);
}

/**
 * Taps that a reference run skips, counted by walking the window map: every (window position,
 * tap) whose target lands in the zero padding (Conv) or in the cropped border (ConvTranspose),
 * times the channel pairs and batch items that repeat it. With the taps a reference run performs,
 * that is every tap: the dense count.
 */
function skippedTaps(p: ConvProblem): number {
  const { windowTable, kernelTable, window, kernelSize } = convGeometry(p);
  const windows = windowTable.length / Math.max(1, p.inputShape.length);
  let skipped = 0;
  for (let q = 0; q < windows; q++) {
    for (let k = 0; k < kernelSize; k++) if (window.tapOffset(windowTable, q, kernelTable, k) < 0) skipped++;
  }
  const channelPairs = p.op === 'conv' ? p.outChannels * (p.inChannels / p.group) : p.inChannels * (p.outChannels / p.group);
  return p.batch * channelPairs * skipped;
}

/** Parameters as the tensors hold them: the weight tensor's elements, and the bias's. */
function tensorParameters(p: ConvProblem): number {
  return sizeOf(weightShape(p)) + (p.bias ? sizeOf(biasShape(p)) : 0);
}

/** Ones of a shape: the counts do not depend on values. */
function onesOf(shape: readonly number[]): Tensor {
  return filled(shape, 1);
}

/** The variant ops a problem's shape allows, each with its counted and its formula multiplications. */
function variantChecks(p: ConvProblem): Judgement[] {
  const checks: Judgement[] = [];
  if (p.op !== 'conv') {
    if (p.group > 1) checks.push(counted('groupedConv', groupedConv(p, operandsOf(p, 'exact', 1)).multiplications, groupedMultiplications(p)));
    return checks;
  }
  const operands = operandsOf(p, 'exact', 1);
  const pointwise = p.kernelShape.every((k) => k === 1);
  if (p.group > 1) checks.push(counted('groupedConv', groupedConv(p, operands).multiplications, groupedMultiplications(p)));
  if (p.group > 1 && p.group === p.inChannels) {
    checks.push(counted('depthwiseConv', depthwiseConv(p, operands).multiplications, depthwiseMultiplications(p)));
    const dw = withChanges(p, { bias: false });
    const ds = { depthwise: dw, outChannels: p.inChannels + 1, bias: p.bias };
    const pw = onesOf([ds.outChannels, dw.outChannels]);
    checks.push(counted('depthwiseSeparableConv', depthwiseSeparableConv(ds, operands.x, operands.w, pw, p.bias ? onesOf([ds.outChannels]) : undefined).multiplications, depthwiseSeparableMultiplications(ds).total));
  }
  if (pointwise && p.group === 1) checks.push(counted('pointwiseConv', pointwiseConv(p, operands).multiplications, pointwiseMultiplications(p)));
  if (pointwise && p.group > 1) checks.push(counted('pointwiseGroupedConv', pointwiseGroupedConv(p, operands).multiplications, pointwiseGroupedMultiplications(p)));
  if (p.group === 1) {
    const ss = withChanges(p, { group: p.inChannels, outChannels: p.inChannels });
    const axisKernels = p.kernelShape.map((k) => onesOf([p.inChannels, k]));
    checks.push(counted('spatiallySeparableConv', spatiallySeparableConv(ss, operands.x, axisKernels, p.bias ? onesOf([p.inChannels]) : undefined).multiplications, spatiallySeparableMultiplications(ss).total));
    const filters = { channel: onesOf([p.outChannels, p.inChannels]), spatial: p.kernelShape.map((k) => onesOf([p.outChannels, k])) };
    checks.push(counted('flattenedConv', flattenedConv(p, operands.x, filters, operands.b).multiplications, flattenedMultiplications(p).total));
  }
  for (const mode of ['nearest', 'bilinear'] as const) {
    const factors = p.inputShape.map((_, a) => 1 + (a % 2)); // 1, 2, 1: resize some axes only
    const resized = withChanges(p, { inputShape: p.inputShape.map((i, a) => i * factors[a]) });
    const spec = { factors, mode };
    checks.push(counted(`resizeConv ${mode}`, resizeConv(resized, spec, operands).multiplications, resizeConvMultiplications(resized, spec)));
  }
  for (const mode of ['full', 'same', 'valid'] as const) {
    if (mode === 'valid' && p.kernelShape.some((k, a) => k > p.inputShape[a])) continue;
    const x = reshape(onesOf(p.inputShape), p.inputShape);
    checks.push(counted(`convolveSignal ${mode}`, convolveSignal(x, onesOf(p.kernelShape), mode).multiplications, signalMultiplications(p.inputShape, p.kernelShape, mode)));
  }
  return checks;
}

// counted(op) = formula(op); dense formula = taps performed + taps skipped (walked); parameter formula = |w| + |b| (tensor shapes)
export const costLaw = defineLaw('the multiplications each op counts equal its cost formula', {
  math: 'counted(op) = formula(op); N·M·Πo·(C/g)·Πk (convT N·C·Πi·(M/g)·Πk) = performed + skipped taps; M·(C/g)·Πk + M·bias = |w| + |b|',
  convTypes: CONV_TYPES.filter((t) => t !== 'channel-shuffle' && t !== 'shuffled-grouped' && !isQuantizedConvType(t)),
  structural: true,
  cases: (scope) => problemCaseArb({ ...scope, convTypes: scope.convTypes.flatMap(hostTypes) }),
}, async (c, ctx) => {
  const p = c.problem;
  const reference = referenceResult(p, operandsOf(p, c.mode, c.seed));
  return allOf([
    counted(`${p.op} (reference run)`, reference.multiplications, ctx.aux.effectiveMultiplications(p)),
    counted('dense (taps the run performed + taps it skipped)', reference.multiplications + skippedTaps(p), ctx.aux.denseMultiplications(p)),
    counted('parameters (elements of w and b)', tensorParameters(p), ctx.aux.parameterCount(p)),
    ...variantChecks(p),
  ]);
});
