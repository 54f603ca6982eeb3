/**
 * The named corpora: `small` (the article's types, the attribute edge cases, real-data cases and
 * scaled-down network layers; committed under golden/corpus/), `networks` (full-size published
 * layers, generated on demand) and `all` (both).
 */
import { ConvInputError } from '../problem/errors.ts';
import { ARTICLE_CASES, CONV_EDGE_CASES, CONV_TRANSPOSE_EDGE_CASES, REAL_CASES } from './edge-cases.ts';
import type { GoldenCase } from './golden-case.ts';
import { NETWORK_LAYERS, SCALED_NETWORK_LAYERS } from './networks.ts';

/** A corpus name. */
export type CorpusName = 'small' | 'networks' | 'all';

/** Every corpus name. */
export const CORPUS_NAMES: readonly CorpusName[] = ['small', 'networks', 'all'];

const SMALL: readonly GoldenCase[] = [...ARTICLE_CASES, ...CONV_EDGE_CASES, ...CONV_TRANSPOSE_EDGE_CASES, ...REAL_CASES, ...SCALED_NETWORK_LAYERS];

/**
 * The cases of a corpus, in a fixed order (the manifest's order).
 * @example corpusCases('small').map((c) => c.descriptor)
 */
export function corpusCases(corpus: CorpusName): readonly GoldenCase[] {
  switch (corpus) {
    case 'small': return SMALL;
    case 'networks': return NETWORK_LAYERS;
    case 'all': return [...SMALL, ...NETWORK_LAYERS];
    default: throw new ConvInputError('corpus', `golden: corpus must be one of ${CORPUS_NAMES.join(', ')}, but corpus=${String(corpus)}.`);
  }
}

/** The case of any corpus with this name, or undefined. */
export function findCase(name: string): GoldenCase | undefined {
  return corpusCases('all').find((c) => c.name === name);
}
