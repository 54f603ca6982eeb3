import { describe, expect, it } from 'vitest';
import { parseDescriptor } from '../../problem/descriptor.ts';
import { costFigures } from './cost.ts';

describe('cost alternatives', () => {
  it('count every alternative the same way (taps in the padding skipped), so a padded layer compares like with like', () => {
    // g2, C=4, M=6, 5x5 input, 3x3 kernel, pads 1: 13 in-input taps per axis (2+3+3+3+2), 169 per channel pair.
    // before: standard 5,400 and grouped 2,700 (dense, padding counted) next to depthwise 676 (padding skipped)
    const f = costFigures('g2mb1ic4ih5iw5oc6kh3kw3ph1pw1', parseDescriptor('g2mb1ic4ih5iw5oc6kh3kw3ph1pw1'));
    const row = (name: string): { multiplications: number; note: string } | undefined => f.alternatives.find((a) => a.name.startsWith(name));
    expect(row('standard')?.multiplications).toBe(169 * 6 * 4);
    expect(row('grouped')?.multiplications).toBe(169 * 6 * 2);
    expect(row('depthwise separable')?.multiplications).toBe(169 * 4 + 6 * 4 * 25);
    expect(row('spatially separable')?.note).toBe('steps 65 + 65 vs 169 for the full kernel on one channel');
    expect(f.denseMultiplications).toBe(2700);
    expect(f.effectiveMultiplications).toBe(169 * 6 * 2);
  });
});
