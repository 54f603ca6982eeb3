import { describe, expect, test } from 'vitest';
import { quantizedReferenceResult } from '../compare/quantized-case.ts';
import { parseQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import { makeQuantizedOperands } from '../problem/quantized-data.ts';
import { quantizedOutputShape } from '../problem/quantized.ts';
import { inputTensorShape } from '../problem/shape.ts';
import { fnv1a32 } from './golden-case.ts';
import { QUANTIZED_NETWORKS, QUANTIZED_SMALL, quantizedCorpusCases, type QuantizedGoldenCase, type QuantizedTag } from './quantized-cases.ts';
import { QUANTIZED_TAG_RULES } from './quantized-tags.ts';

const all = quantizedCorpusCases('all');

describe('every quantized golden case is well formed', () => {
  test('names are unique directory names, seeds the FNV-1a of the name, descriptors read back to the problem', () => {
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
    for (const c of all) {
      expect(c.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(c.seed).toBe(fnv1a32(c.name));
      expect(c.problem.conv.name).toBe(c.name);
      expect(parseQuantizedDescriptor(c.descriptor), c.name).toEqual(c.problem);
    }
  });

  test('each tag holds on the case that claims it (on its problem and its exact result), and the small corpus covers every tag', () => {
    for (const c of QUANTIZED_SMALL) {
      const operands = makeQuantizedOperands(c.problem, c.mode, c.seed);
      const reference = quantizedReferenceResult(c.problem, operands);
      for (const tag of c.tags) expect(QUANTIZED_TAG_RULES[tag].holds(c.problem, operands, reference), `${c.name} claims ${tag}: ${QUANTIZED_TAG_RULES[tag].rule}`).toBe(true);
    }
    const tags = new Set(QUANTIZED_SMALL.flatMap((c) => c.tags));
    for (const tag of Object.keys(QUANTIZED_TAG_RULES) as QuantizedTag[]) expect(tags.has(tag), tag).toBe(true);
    expect(new Set(QUANTIZED_SMALL.map((c) => c.type))).toEqual(new Set(['conv-integer', 'qlinear-conv']));
  });

  test('the chain of MobileNet v2\'s int8 bottleneck connects: each step\'s output is the next step\'s input', () => {
    for (const prefix of ['scaled-', '']) {
      const steps = all.filter((c) => c.chain?.name === `${prefix}mobilenet-v2-int8-bottleneck`);
      expect(steps.map((s) => s.chain?.step)).toEqual([1, 2, 3]);
      for (let i = 0; i + 1 < steps.length; i++) expect(inputTensorShape(steps[i + 1].problem.conv)).toEqual(quantizedOutputShape(steps[i].problem));
    }
  });

  test('full-size MobileNet v2 int8 layers have the paper\'s shapes: 112² x 16 -> 96 (t = 6), depthwise stride 2 to 56², 24 out; per-channel int8 weights, uint8 activations', () => {
    const byName = (name: string): QuantizedGoldenCase => QUANTIZED_NETWORKS.find((c) => c.name === name)!;
    expect(quantizedOutputShape(byName('mobilenet-v2-int8-expand').problem)).toEqual([1, 96, 112, 112]);
    expect(byName('mobilenet-v2-int8-dw-s2').problem.conv.group).toBe(96);
    expect(quantizedOutputShape(byName('mobilenet-v2-int8-dw-s2').problem)).toEqual([1, 96, 56, 56]);
    expect(quantizedOutputShape(byName('mobilenet-v2-int8-project').problem)).toEqual([1, 24, 56, 56]);
    for (const c of QUANTIZED_NETWORKS) expect([c.problem.xType, c.problem.wType, c.problem.requant?.yType, c.problem.perChannel]).toEqual(['u8', 's8', 'u8', true]);
  });
});
