import { describe, expect, test } from 'vitest';
import { referenceGradients } from '../adapters/reference.ts';
import { parseDescriptor } from '../problem/descriptor.ts';
import { makeOperands } from '../problem/operand-data.ts';
import { outputTensorShape, sizeOf } from '../problem/shape.ts';
import type { ExternalBackend } from '../adapters/process-backend.ts';
import { gradientMismatches, gradientsByDefinition } from './gradient-check.ts';

describe('gradients by definition (the examples\' test oracle)', () => {
  test.each([
    'mb2ic3iw7oc4kw3sw2pw1',
    'g2mb1ic4ih6iw5oc6kh3kw2sh2sw1dh1dw2ph1pw0eh0ew1',
    'mb1ic2ih6iw7oc2kh2kw3sh2sw2apU',
    'Tmb2ic3iw4oc2kw3sw2pw1ew0',
    'Tg2mb1ic4ih3iw3oc6kh2kw3sh2sw1dh1dw2ph0pw1eh1ew0oph1',
  ])('agree with the reference\'s own gradients (Conv: its adjoint and weight-gradient loops; ConvTranspose: reference/conv-transpose-grad.ts) on %s', async (descriptor) => {
    const p = parseDescriptor(descriptor);
    const { x, w } = makeOperands(p, 'exact', 5);
    const dy = { shape: outputTensorShape(p), data: Float64Array.from({ length: sizeOf(outputTensorShape(p)) }, (_, i) => ((i * 7) % 5) - 2) };
    const defined = gradientsByDefinition(p, { x, w }, dy);
    expect(Array.from(defined.dx.data)).toEqual(Array.from((await referenceGradients.input(p, { x, w }, dy)).data));
    expect(Array.from(defined.dw.data)).toEqual(Array.from((await referenceGradients.weight(p, { x, w }, dy)).data));
  });

  test('the bias gradient sums dy over batch and space per channel', () => {
    const p = parseDescriptor('Tmb2ic1iw2oc2kw1b1'); // y [2, 2, 2]
    const dy = { shape: [2, 2, 2], data: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]) };
    expect(Array.from(gradientsByDefinition(p, makeOperands(p, 'exact', 1), dy).db?.data ?? [])).toEqual([1 + 2 + 5 + 6, 3 + 4 + 7 + 8]);
  });
});

describe('gradientMismatches', () => {
  test('names a gradient of the wrong shape (an empty dx would otherwise match nothing and pass)', async () => {
    const p = parseDescriptor('mb1ic1iw4oc1kw2');
    const empty = { shape: [0], data: new Float32Array(0) };
    const backend = { gradient: async (q: typeof p, o: { x: { shape: number[] }; w: unknown }, dy: unknown) => ({ dx: empty, dw: await referenceGradients.weight(q, o as never, dy as never) }) } as unknown as ExternalBackend;
    expect(await gradientMismatches(backend, p, 3)).toContain('dx: shape [0], expected [1,1,4]');
  });
});
