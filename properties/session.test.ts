import { describe, expect, test } from 'vitest';
import { referenceBackend } from '../adapters/reference.ts';
import { parseDescriptor } from '../problem/descriptor.ts';
import { makeOperands } from '../problem/operand-data.ts';
import { compareApprox, referenceSide } from './approx.ts';
import { defaultAuxOps } from './aux-ops.ts';
import { CaseSession } from './session.ts';
import { convDetailed } from '../reference/conv.ts';

describe('a law run whose operands carry error', () => {
  test('its normalized error is measured against u·S plus the carried error, so a correct fp64 run stays near 1, not 2^29', async () => {
    // float64 operands: rounding them to float32 (what every backend is sent) is an error of about 2^-24
    // relative, far above fp64's u = 2^-53, and the bound carries it; the scale of err/(u·S) must too
    const p = parseDescriptor('mb1ic4ih5iw5oc3kh3kw3ph1pw1');
    const f32 = makeOperands(p, 'real', 7);
    const operands = { x: { shape: f32.x.shape, data: Float64Array.from(f32.x.data, (v, i) => v * (1 + 2 ** -30 * ((i % 7) - 3))) }, w: f32.w };
    const session = new CaseSession(referenceBackend, 'fp64', 'real', defaultAuxOps);
    const run = await session.run(p, operands);
    const exact = convDetailed(p, operands);
    const comparison = compareApprox(run, referenceSide(exact.y, { shape: exact.y.shape, data: exact.absSum }), 'fp64');
    expect(comparison.verdict).toBe('pass');
    expect(comparison.maxNormalizedError).toBeGreaterThan(0.01);
    expect(comparison.maxNormalizedError).toBeLessThan(2);
  });
});
