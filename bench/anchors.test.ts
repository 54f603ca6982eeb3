/**
 * The bench's outside anchors (bench/numpy_anchor.py, bench/torch_anchor.py) compute the same
 * convolutions as the reference: their Σy and Σ|y| agree with it on problems of every shape the
 * bench layers have and more (ranks 1-3, groups, strides, dilations, pads, ConvTranspose with
 * output_padding), so that the bench never times a different computation. sumsAgree is shown to
 * catch an answer that is off.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { torchImportProblem, torchPython } from '../adapters/torch.ts';
import { parseDescriptor } from '../problem/descriptor.ts';
import { makeOperands } from '../problem/operand-data.ts';
import { referenceResult } from '../compare/reference-result.ts';
import { numpyAnchor, sumsAgree, torchAnchor } from './anchors.ts';

const PROBLEMS = [
  'mb1ic3ih9iw9oc4kh3kw3ph1pw1', // a dense 3x3, padded
  'g4mb1ic4ih8iw8oc4kh3kw3sh2sw2ph1pw1', // depthwise, strided
  'g2mb2ic4ih7iw6oc6kh2kw3dh2dw1ph1pw0eh0ew2', // grouped, dilated, uneven pads, batch 2
  'mb1ic5iw11oc3kw4sw3dw2', // 1-D
  'mb1ic2id4ih5iw3oc3kd2kh2kw2pd1ph0pw1', // 3-D
  'mb1ic4ih1iw1oc8kh1kw1', // 1x1
  'Tmb1ic8ih4iw4oc3kh4kw4sh2sw2ph1pw1', // DCGAN-like transposed
  'Tg2mb1ic4ih3iw5oc6kh3kw2sh2sw3dh2dw1ph1pw0eh0ew1oph1opw2', // grouped transposed with output_padding
];

const numpy = numpyAnchor(1);
const hasTorch = torchImportProblem(torchPython()) === undefined;
const torch = hasTorch ? torchAnchor(1) : undefined;
afterAll(() => { numpy.close(); torch?.close(); });

describe('the bench anchors compute what the reference computes', () => {
  test.each(PROBLEMS)('numpy: %s', async (descriptor) => {
    const p = parseDescriptor(descriptor);
    const operands = makeOperands(p, 'real', 3);
    const timing = await numpy.time(p, operands, referenceResult(p, operands));
    expect(timing.note).toBe('Σy, Σ|y| agree');
    expect(timing.ms).toBeGreaterThanOrEqual(0);
  });

  test.skipIf(!hasTorch).each(PROBLEMS)('torch: %s', async (descriptor) => {
    const p = parseDescriptor(descriptor);
    const operands = makeOperands(p, 'real', 4);
    const timing = await torch!.time(p, operands, referenceResult(p, operands));
    expect(timing.note).toBe('Σy, Σ|y| agree');
    expect(timing.ms1).toBeGreaterThanOrEqual(0);
  });

  test('an answer whose sums are off by more than float64 rounding is caught', () => {
    const p = parseDescriptor(PROBLEMS[0]);
    const reference = referenceResult(p, makeOperands(p, 'real', 3));
    let sum = 0, absSum = 0, scale = 0;
    reference.y.data.forEach((v, i) => { sum += v; absSum += Math.abs(v); scale += reference.absSum[i]; });
    expect(sumsAgree('numpy', { sum, absSum }, reference)).toBe('Σy, Σ|y| agree');
    expect(sumsAgree('numpy', { sum: sum + 1e-6 * scale, absSum }, reference)).toMatch(/^numpy's Σy .* and Σ\|y\| .* differ from the reference's /);
    expect(sumsAgree('numpy', { sum, absSum: absSum - 1e-6 * scale }, reference)).toMatch(/differ from the reference's/);
    expect(sumsAgree('numpy', { ms: 1 }, reference)).toBe('numpy answered without its sums');
  });
});
