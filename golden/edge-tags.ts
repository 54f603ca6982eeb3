/**
 * What each edge-case tag of a golden case means, as a predicate on the problem, so that a tag
 * cannot claim an edge case the problem does not have (corpus.test.ts checks every tag).
 */
import type { ConvProblem } from '../problem/problem.ts';
import { effectiveKernelSize, resolvePads } from '../problem/shape.ts';
import type { EdgeTag } from './golden-case.ts';

/** The rule of one tag, in words and as a predicate. */
export interface EdgeTagRule {
  readonly rule: string;
  readonly holds: (p: ConvProblem) => boolean;
}

const axes = (p: ConvProblem): number[] => p.inputShape.map((_, a) => a);

function oddSame(p: ConvProblem, mode: 'SAME_UPPER' | 'SAME_LOWER'): boolean {
  if (p.autoPad !== mode) return false;
  const pads = resolvePads(p);
  return axes(p).some((a) => (pads.begin[a] + pads.end[a]) % 2 === 1);
}

/** Every edge tag's rule. */
export const EDGE_TAG_RULES: Record<EdgeTag, EdgeTagRule> = {
  'asymmetric-pads': {
    rule: 'explicit pads differ between the beginning and the end of an axis',
    holds: (p) => p.autoPad === 'NOTSET' && p.outputShape === undefined && axes(p).some((a) => p.padsBegin[a] !== p.padsEnd[a]),
  },
  'pads-ge-kernel': {
    rule: 'a pad is at least the kernel size on its axis',
    holds: (p) => { const r = resolvePads(p); return axes(p).some((a) => Math.max(r.begin[a], r.end[a]) >= p.kernelShape[a]); },
  },
  'stride-gt-kernel': {
    rule: 'a stride is larger than the kernel size on its axis',
    holds: (p) => axes(p).some((a) => p.strides[a] > p.kernelShape[a]),
  },
  'stride-and-dilation': {
    rule: 'an axis has both stride > 1 and dilation > 1',
    holds: (p) => axes(p).some((a) => p.strides[a] > 1 && p.dilations[a] > 1),
  },
  'kernel-equals-padded-input': {
    rule: 'conv whose dilated kernel spans the whole padded input on an axis (output size 1 there)',
    holds: (p) => {
      if (p.op !== 'conv') return false;
      const r = resolvePads(p);
      return axes(p).some((a) => effectiveKernelSize(p.kernelShape[a], p.dilations[a]) === p.inputShape[a] + r.begin[a] + r.end[a]);
    },
  },
  'size-1-dims': {
    rule: 'a spatial input size is 1',
    holds: (p) => p.inputShape.some((i) => i === 1),
  },
  'odd-same-upper': {
    rule: 'auto_pad SAME_UPPER with an odd total padding on an axis (the extra pad goes at the end)',
    holds: (p) => oddSame(p, 'SAME_UPPER'),
  },
  'odd-same-lower': {
    rule: 'auto_pad SAME_LOWER with an odd total padding on an axis (the extra pad goes at the beginning)',
    holds: (p) => oddSame(p, 'SAME_LOWER'),
  },
  'output-padding': {
    rule: 'ConvTranspose with output_padding > 0 on an axis',
    holds: (p) => p.op === 'convTranspose' && p.outputPadding.some((v) => v > 0),
  },
  'output-shape': {
    rule: 'ConvTranspose with an explicit output_shape',
    holds: (p) => p.op === 'convTranspose' && p.outputShape !== undefined,
  },
  'channel-multiplier': {
    rule: 'one group per input channel, each with more than one output channel (depthwise with multiplier)',
    holds: (p) => p.group > 1 && p.group === p.inChannels && p.outChannels > p.group,
  },
  '1-d': { rule: 'one spatial axis', holds: (p) => p.inputShape.length === 1 },
  '3-d': { rule: 'three spatial axes', holds: (p) => p.inputShape.length === 3 },
  valid: { rule: 'auto_pad VALID', holds: (p) => p.autoPad === 'VALID' },
  bias: { rule: 'has a bias input', holds: (p) => p.bias },
  batch: { rule: 'batch larger than 1', holds: (p) => p.batch > 1 },
};
