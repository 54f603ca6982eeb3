import { describe, expect, test } from 'vitest';
import { makeOperands } from '../problem/operand-data.ts';
import { parseDescriptor } from '../problem/descriptor.ts';
import { inputTensorShape, outputTensorShape, sizeOf, weightShape } from '../problem/shape.ts';
import { convDetailed } from '../reference/conv.ts';
import { corpusCases, findCase, type CorpusName } from './corpus.ts';
import { EDGE_TAG_RULES } from './edge-tags.ts';
import { fnv1a32, type CaseType, type EdgeTag, type GoldenCase } from './golden-case.ts';

const small = corpusCases('small');
const networks = corpusCases('networks');
const all = corpusCases('all');

const byName = (name: string): GoldenCase => {
  const c = findCase(name);
  if (c === undefined) throw new Error(`no case ${name}`);
  return c;
};

describe('every golden case is well formed', () => {
  test('names are unique directory names and seeds are the FNV-1a of the name', () => {
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
    for (const c of all) {
      expect(c.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(c.seed).toBe(fnv1a32(c.name));
      expect(c.problem.name).toBe(c.name);
    }
    expect(fnv1a32('a')).toBe(0xe40c292c); // the published FNV-1a 32-bit test vector
  });

  test('each descriptor parses back to the case\'s problem', () => {
    for (const c of all) expect(parseDescriptor(c.descriptor), c.name).toEqual(c.problem);
  });

  test('each edge tag holds on the problem that claims it', () => {
    for (const c of all) {
      for (const tag of c.tags) expect(EDGE_TAG_RULES[tag].holds(c.problem), `${c.name} claims ${tag}: ${EDGE_TAG_RULES[tag].rule}`).toBe(true);
    }
  });

  test('the small corpus covers every edge tag and every conv type, in exact and real mode', () => {
    const tags = new Set(small.flatMap((c) => c.tags));
    for (const tag of Object.keys(EDGE_TAG_RULES) as EdgeTag[]) expect(tags.has(tag), tag).toBe(true);
    const types: CaseType[] = ['conv1d', 'conv2d', 'conv3d', 'pointwise', 'dilated', 'transposed', 'grouped', 'depthwise', 'pointwise-grouped',
      'depthwise-separable', 'spatially-separable', 'flattened', 'shuffled-grouped'];
    for (const type of types) expect(small.some((c) => c.type === type), type).toBe(true);
    expect(small.some((c) => c.mode === 'exact') && small.some((c) => c.mode === 'real')).toBe(true);
    expect(small.some((c) => c.problem.op === 'convTranspose' && c.tags.includes('odd-same-upper'))).toBe(true);
    expect(small.some((c) => c.problem.op === 'convTranspose' && c.tags.includes('odd-same-lower'))).toBe(true);
  });

  test('the chain steps of a composite connect: each step\'s output is the next step\'s input', () => {
    const chains = new Map<string, GoldenCase[]>();
    for (const c of all) if (c.chain) chains.set(c.chain.name, [...(chains.get(c.chain.name) ?? []), c]);
    expect(chains.size).toBeGreaterThanOrEqual(10);
    for (const [name, steps] of chains) {
      expect(steps.map((s) => s.chain?.step), name).toEqual(steps.map((_, i) => i + 1));
      for (const s of steps) expect(s.chain?.of, name).toBe(steps.length);
      expect(new Set(steps.map((s) => s.type)).size, name).toBe(1);
      for (let i = 0; i + 1 < steps.length; i++) {
        expect(inputTensorShape(steps[i + 1].problem), `${name}: step ${i + 1} -> ${i + 2}`).toEqual(outputTensorShape(steps[i].problem));
      }
    }
  });

  test('the small corpus is small: under a million elements in all its tensors', () => {
    const elements = small.reduce((n, c) => n + sizeOf(inputTensorShape(c.problem)) + sizeOf(weightShape(c.problem)) + 3 * sizeOf(outputTensorShape(c.problem)), 0);
    expect(elements).toBeLessThan(1_000_000);
  });

  test('corpus names select their cases, and an unknown one is a named error', () => {
    expect(all.length).toBe(small.length + networks.length);
    expect(() => corpusCases('big' as CorpusName)).toThrow(/corpus must be one of small, networks, all, but corpus=big/);
  });
});

describe('the article\'s worked numbers hold on its cases', () => {
  const multiplications = (name: string): number => {
    const c = byName(name);
    return convDetailed(c.problem, makeOperands(c.problem, 'exact', c.seed)).multiplications;
  };

  test('depthwise separable 7x7x3 -> 5x5x128: 675 + 9,600 multiplications', () => {
    expect(multiplications('article-depthwise-separable-dw')).toBe(675);
    expect(multiplications('article-depthwise-separable-pw')).toBe(9600);
    expect(outputTensorShape(byName('article-depthwise-separable-pw').problem)).toEqual([1, 128, 5, 5]);
  });

  test('spatially separable 3x3 on 5x5: 45 + 27 = 72 multiplications', () => {
    expect(multiplications('article-spatially-separable-kx1') + multiplications('article-spatially-separable-1xk')).toBe(72);
  });

  test('the rates 1, 2, 4 stack reduces 15x15 to one output: receptive field 15', () => {
    expect(outputTensorShape(byName('article-dilated-stack-rate4').problem)).toEqual([1, 1, 1, 1]);
  });

  test('transposed conv up-samples 2x2 to 4x4, and with stride 2 to 5x5', () => {
    expect(outputTensorShape(byName('article-transposed-2x2-to-4x4').problem)).toEqual([1, 1, 4, 4]);
    expect(outputTensorShape(byName('article-transposed-stride2-to-5x5').problem)).toEqual([1, 1, 5, 5]);
  });
});

describe('network layers have the shapes their papers give', () => {
  const expectations: Array<[string, Partial<{ group: number; dilations: number[]; output: number[] }>]> = [
    ['alexnet-conv2', { group: 2, output: [1, 256, 27, 27] }],
    ['resnet50-conv1', { output: [1, 64, 112, 112] }],
    ['resnet50-conv2-3x3', { output: [1, 64, 56, 56] }],
    ['resnet50-conv3-1-downsample', { output: [1, 128, 28, 28] }],
    ['resnet50-conv5-3x3', { output: [1, 512, 7, 7] }],
    ['mobilenet-v1-dw1', { group: 32, output: [1, 32, 112, 112] }],
    ['mobilenet-v1-dw2-s2', { group: 64, output: [1, 64, 56, 56] }],
    ['mobilenet-v2-dw-s2', { group: 96, output: [1, 96, 56, 56] }],
    ['mobilenet-v2-project', { output: [1, 24, 56, 56] }],
    ['shufflenet-v1-gconv1', { group: 3, output: [1, 60, 28, 28] }],
    ['shufflenet-v1-gconv2', { group: 3, output: [1, 240, 28, 28] }],
    ['xception-middle-dw', { group: 728, output: [1, 728, 19, 19] }],
    ['resnext50-conv2-grouped', { group: 32, output: [1, 128, 56, 56] }],
    ['deeplabv3-aspp-rate6', { dilations: [6, 6], output: [1, 256, 33, 33] }],
    ['deeplabv3-aspp-rate12', { dilations: [12, 12], output: [1, 256, 33, 33] }],
    ['deeplabv3-aspp-rate18', { dilations: [18, 18], output: [1, 256, 33, 33] }],
    ['wavenet-dilation1', { dilations: [1], output: [1, 32, 16000] }],
    ['wavenet-dilation512', { dilations: [512], output: [1, 32, 16000] }],
    ['dcgan-generator-conv1', { output: [1, 512, 8, 8] }],
    ['c3d-conv5a', { output: [1, 512, 2, 7, 7] }],
  ];

  test.each(expectations)('%s', (name, want) => {
    const p = byName(name).problem;
    if (want.group !== undefined) expect(p.group).toBe(want.group);
    if (want.dilations !== undefined) expect(p.dilations).toEqual(want.dilations);
    if (want.output !== undefined) expect(outputTensorShape(p)).toEqual(want.output);
  });

  test('ResNeXt-50 32x4d groups are 4 channels wide, and the scaled copy keeps that width', () => {
    for (const name of ['resnext50-conv2-grouped', 'scaled-resnext50-grouped']) {
      const p = byName(name).problem;
      expect(p.inChannels / p.group).toBe(4);
    }
  });

  test('every network case cites a paper with its year and the table, figure or section', () => {
    for (const c of [...networks, ...small.filter((s) => s.name.startsWith('scaled-'))]) {
      expect(c.source, c.name).toMatch(/(19|20)\d\d/);
      expect(c.source, c.name).toMatch(/Table|Fig\.|§/);
    }
  });

  test('the networks corpus has a 1-D stack, a transposed layer and a 3-D layer, all in real mode', () => {
    expect(networks.filter((c) => c.chain?.name === 'wavenet-stack').map((c) => c.problem.dilations[0])).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
    expect(networks.some((c) => c.problem.op === 'convTranspose')).toBe(true);
    expect(networks.some((c) => c.problem.inputShape.length === 3)).toBe(true);
    expect(networks.every((c) => c.mode === 'real')).toBe(true);
  });
});
