/**
 * Shuffled grouped convolution, the core of a ShuffleNet unit (Zhang et al. 2017,
 * arXiv:1707.01083; the article's §11): a grouped conv GConv1 (group g1), a channel shuffle by g1
 * so that every group of the next conv sees channels from every group of the first, then a grouped
 * conv GConv2 (group g2). Written as those three named steps.
 */
import { ConvInputError } from '../problem/errors.ts';
import { makeProblem, type ConvProblem, type ProblemSpec } from '../problem/problem.ts';
import { biasShape, inputTensorShape, outputSpatialShape, sizeOf, weightShape } from '../problem/shape.ts';
import { checkTensor, type Tensor, type Tensor64 } from '../problem/tensor.ts';
import { validateProblem } from '../problem/validate.ts';
import { channelShuffle, shuffleSourceChannels } from './channel-shuffle.ts';
import { groupedConv, groupedMultiplications, groupedParameters } from './grouped.ts';
import type { OpResult } from './op-result.ts';

/**
 * GConv1 then shuffle then GConv2. The two Conv problems chain: `second.batch = first.batch`,
 * `second.inChannels = first.outChannels` and `second.inputShape` = first's output spatial shape.
 * The shuffle between them is by `first.group`.
 */
export interface ShuffledGroupedProblem {
  /** GConv1: `C -> M1` with group g1 (which also sets the shuffle). */
  readonly first: ConvProblem;
  /** GConv2: `M1 -> M2` with group g2, on the shuffled output of GConv1. */
  readonly second: ConvProblem;
}

/** GConv2's attributes; its batch, input channels and input shape come from GConv1. */
export type SecondStepSpec = Omit<ProblemSpec, 'op' | 'batch' | 'inChannels' | 'inputShape'>;

/**
 * Builds a chained {@link ShuffledGroupedProblem} from GConv1's spec and GConv2's own attributes
 * (not validated: the op validates).
 * @example makeShuffledGrouped({ inChannels: 6, outChannels: 6, group: 3, inputShape: [4, 4], kernelShape: [1, 1] }, { outChannels: 6, group: 3, kernelShape: [1, 1] })
 */
export function makeShuffledGrouped(first: ProblemSpec, second: SecondStepSpec): ShuffledGroupedProblem {
  const gconv1 = makeProblem({ ...first, op: 'conv' });
  const gconv2 = makeProblem({
    ...second, op: 'conv', batch: gconv1.batch, inChannels: gconv1.outChannels, inputShape: outputSpatialShape(gconv1),
  });
  return { first: gconv1, second: gconv2 };
}

/**
 * Reference shuffled grouped conv, float64:
 * `y1 = GConv1(x, w1, b1)`, `s = channelShuffle(y1, g1)`, `y = GConv2(s, w2, b2)`.
 * x `[N, C, ...]`, w1 `[M1, C/g1, ...k1]`, w2 `[M2, M1/g2, ...k2]`, b1 `[M1]`, b2 `[M2]`;
 * y `[N, M2, ...o2]`. Multiplications are those of the two convs (the shuffle only moves data).
 */
export function shuffledGroupedConv(
  spec: ShuffledGroupedProblem, x: Tensor, w1: Tensor, w2: Tensor, b1?: Tensor, b2?: Tensor,
): OpResult {
  checkShuffledGrouped(spec);
  checkStepOperands('first', spec.first, x, w1, b1, 'w1', 'b1');
  checkStepOperands('second', spec.second, undefined, w2, b2, 'w2', 'b2');
  const step1 = groupedConv(spec.first, { x, w: w1, ...(b1 !== undefined ? { b: b1 } : {}) });
  const shuffled = channelShuffle(step1.y, spec.first.group);
  const step2 = groupedConv(spec.second, { x: shuffled, w: w2, ...(b2 !== undefined ? { b: b2 } : {}) });
  return { y: step2.y, multiplications: step1.multiplications + step2.multiplications };
}

/**
 * Throws a ConvInputError unless both steps are valid Conv problems and they chain (batch, channels
 * and spatial shape of GConv1's output are GConv2's input).
 */
export function checkShuffledGrouped(spec: ShuffledGroupedProblem): void {
  const op = 'shuffledGroupedConv';
  for (const step of ['first', 'second'] as const) {
    const p = spec[step];
    if (p.op !== 'conv') throw new ConvInputError(`${step}.op`, `${op}: the ${step} step must be a conv, but ${step}.op=${p.op}.`);
    inStep(step, () => validateProblem(p));
  }
  const { first, second } = spec;
  if (second.batch !== first.batch) {
    throw new ConvInputError('second.batch', `${op}: the steps must chain, but first.batch=${first.batch} and second.batch=${second.batch}.`);
  }
  if (second.inChannels !== first.outChannels) {
    throw new ConvInputError('second.inChannels', `${op}: the steps must chain, second.inChannels must equal first.outChannels, but first.outChannels=${first.outChannels} and second.inChannels=${second.inChannels}.`);
  }
  const firstOut = outputSpatialShape(first);
  if (second.inputShape.length !== firstOut.length || second.inputShape.some((s, a) => s !== firstOut[a])) {
    throw new ConvInputError('second.inputShape', `${op}: the steps must chain, second.inputShape must be first's output [${firstOut}], but second.inputShape=[${second.inputShape}].`);
  }
}

/**
 * GConv2's weight seen from the unshuffled channels: a dense (group 1) `[M2, M1, ...k2]` weight
 * with `dense[m, src(gm·M1/g2 + c)] = w2[m, c]`, src = {@link shuffleSourceChannels}`(M1, g1)`, zero
 * elsewhere. A group-1 conv with it on GConv1's output equals GConv2 on the shuffled output
 * (law: shuffled grouped = grouped with permuted weights).
 */
export function unshuffledSecondWeight(spec: ShuffledGroupedProblem, w2: Tensor): Tensor64 {
  checkShuffledGrouped(spec);
  const second = spec.second;
  checkTensor('w2', w2, weightShape(second));
  const source = shuffleSourceChannels(second.inChannels, spec.first.group);
  const M = second.outChannels, C = second.inChannels, inPerGroup = C / second.group, outPerGroup = M / second.group;
  const kernelSize = sizeOf(second.kernelShape);
  const dense = new Float64Array(M * C * kernelSize);
  for (let m = 0; m < M; m++) {
    const firstChannel = Math.floor(m / outPerGroup) * inPerGroup;
    for (let c = 0; c < inPerGroup; c++) {
      // GConv2's input channel firstChannel + c is GConv1's output channel source[firstChannel + c]
      const unshuffled = source[firstChannel + c];
      for (let k = 0; k < kernelSize; k++) dense[(m * C + unshuffled) * kernelSize + k] = w2.data[(m * inPerGroup + c) * kernelSize + k];
    }
  }
  return { shape: [M, C, ...second.kernelShape], data: dense };
}

/** Multiplications of {@link shuffledGroupedConv}: GConv1's plus GConv2's (the shuffle has none). */
export function shuffledGroupedMultiplications(spec: ShuffledGroupedProblem): number {
  checkShuffledGrouped(spec);
  return groupedMultiplications(spec.first) + groupedMultiplications(spec.second);
}

/** Parameters of {@link shuffledGroupedConv}: GConv1's plus GConv2's, each `M·(C/g)·Πk` (+ bias). */
export function shuffledGroupedParameters(spec: ShuffledGroupedProblem): number {
  checkShuffledGrouped(spec);
  return groupedParameters(spec.first) + groupedParameters(spec.second);
}

/** Runs a step's validation, naming the step in the field and the message of any error. */
function inStep(step: 'first' | 'second', check: () => void): void {
  try {
    check();
  } catch (e) {
    if (e instanceof ConvInputError) throw new ConvInputError(`${step}.${e.field}`, `shuffledGroupedConv: ${step} step: ${e.message}`);
    throw e;
  }
}

/** Checks x (first step only), the step's weight and its bias against the step's problem. */
function checkStepOperands(step: 'first' | 'second', p: ConvProblem, x: Tensor | undefined, w: Tensor, b: Tensor | undefined, wName: string, bName: string): void {
  const op = 'shuffledGroupedConv';
  if (x !== undefined) checkTensor('x', x, inputTensorShape(p));
  checkTensor(wName, w, weightShape(p));
  if (p.bias && b === undefined) throw new ConvInputError(bName, `${op}: the ${step} step has a bias, but no ${bName} tensor was given.`);
  if (!p.bias && b !== undefined) throw new ConvInputError(bName, `${op}: a ${bName} tensor was given, but the ${step} step has bias=false.`);
  if (b !== undefined) checkTensor(bName, b, biasShape(p));
}
