/**
 * One named golden case: a problem, its descriptor, the data mode and seed its operands are drawn
 * from, the conv type it exercises, the edge cases it covers, and where its shape comes from.
 * A composite type (depthwise separable, shuffled grouped, spatially separable, flattened) is a
 * chain of single-node cases, each naming its place in the chain.
 */
import type { DataMode } from '../problem/operand-data.ts';
import { formatDescriptor } from '../problem/descriptor.ts';
import { makeProblem, type ConvProblem, type ProblemSpec } from '../problem/problem.ts';
import { validateProblem } from '../problem/validate.ts';

/**
 * The conv type a case exercises, in the article's terms (the same names as the property suite's
 * conv types); every step of a composite chain carries the composite's type.
 */
export type CaseType =
  | 'conv1d' | 'conv2d' | 'conv3d' | 'pointwise' | 'dilated' | 'transposed' | 'grouped' | 'depthwise' | 'pointwise-grouped'
  | 'depthwise-separable' | 'spatially-separable' | 'flattened' | 'shuffled-grouped';

/** Edge cases a case is meant to cover; each has a predicate in golden/edge-tags.ts. */
export type EdgeTag =
  | 'asymmetric-pads' | 'pads-ge-kernel' | 'stride-gt-kernel' | 'stride-and-dilation' | 'kernel-equals-padded-input'
  | 'size-1-dims' | 'odd-same-upper' | 'odd-same-lower' | 'output-padding' | 'output-shape' | 'channel-multiplier'
  | '1-d' | '3-d' | 'valid' | 'bias' | 'batch';

/** A case's place in a composite (a chain of convs whose outputs feed the next step). */
export interface CaseChain {
  /** The composite's name, shared by its steps, e.g. `mobilenet-v1-block2`. */
  readonly name: string;
  /** 1-based step number. */
  readonly step: number;
  /** Number of steps in the chain. */
  readonly of: number;
}

/** A named golden case. */
export interface GoldenCase {
  /** Unique name, also the case's directory: `[a-z0-9-]+`. */
  readonly name: string;
  /** The validated problem; its `name` is the case name. */
  readonly problem: ConvProblem;
  /** `formatDescriptor(problem)`, e.g. `g2mb1ic4ih5iw5oc6kh3kw3ph1pw1b1n"grouped-g2"`. */
  readonly descriptor: string;
  readonly mode: DataMode;
  /** Seed of `makeOperands(problem, mode, seed)`: FNV-1a of the name, so it never shifts. */
  readonly seed: number;
  readonly type: CaseType;
  readonly tags: readonly EdgeTag[];
  /** Where the shape comes from: the article section, or the paper and table of a network. */
  readonly source: string;
  /** What the case is for; for a chain step, what comes before and after it. */
  readonly note: string;
  readonly chain?: CaseChain;
}

/** What {@link defineCase} needs: a problem spec and the case's metadata. */
export interface CaseDefinition {
  readonly name: string;
  readonly spec: ProblemSpec;
  readonly type: CaseType;
  readonly source: string;
  readonly note: string;
  readonly mode?: DataMode;
  readonly tags?: readonly EdgeTag[];
  readonly chain?: CaseChain;
}

/** 32-bit FNV-1a hash of a string's UTF-16 code units (Fowler, Noll, Vo): a case's stable seed. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

const CASE_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * A validated golden case: the problem is built with ONNX defaults, named after the case and
 * checked; the mode defaults to exact and the seed is `fnv1a32(name)`.
 * @example defineCase({ name: 'grouped-g2', type: 'grouped', source: 'article §10', note: '', spec: { group: 2, inChannels: 4, outChannels: 6, inputShape: [5, 5], kernelShape: [3, 3] } })
 */
export function defineCase(d: CaseDefinition): GoldenCase {
  if (!CASE_NAME.test(d.name)) throw new Error(`golden case name must match ${CASE_NAME}, but name=${JSON.stringify(d.name)}.`);
  const problem = validateProblem(makeProblem({ ...d.spec, name: d.name }));
  return {
    name: d.name,
    problem,
    descriptor: formatDescriptor(problem),
    mode: d.mode ?? 'exact',
    seed: fnv1a32(d.name),
    type: d.type,
    tags: d.tags ?? [],
    source: d.source,
    note: d.note,
    ...(d.chain !== undefined ? { chain: d.chain } : {}),
  };
}
