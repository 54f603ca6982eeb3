import { describe, expect, it } from 'vitest';
import { parseDescriptor } from '../../problem/descriptor.ts';
import { costFigures, type CostFigures } from './cost.ts';
import { main } from '../main.ts';
import { memoryIo } from '../output.ts';

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

describe('cost on attributes near 2^31: closed forms, an answer in milliseconds or a refusal with exit 2', () => {
  it('answers mb1ic1iw2147483647oc1kw2147483647 at once and says run would refuse it (before: past a minute)', async () => {
    const io = memoryIo();
    const start = performance.now();
    expect(await main(['cost', 'mb1ic1iw2147483647oc1kw2147483647'], io)).toBe(0);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(io.text()).toContain('multiplications (effective, padding skipped)  2,147,483,647');
    expect(io.text()).toContain('over the limits: run, gate and golden would refuse it: mb1ic1iw2147483647oc1kw2147483647: x [1,1,2147483647] has 2,147,483,647 elements');
    expect(io.text()).toContain('--max-elements 2147483647 raises it');
  });

  it('answers a grouped layer whose ungrouped twin is no valid problem (before: exit 1, "tensor w ... more than the limit 2^31-1")', async () => {
    const io = memoryIo();
    expect(await main(['cost', 'g2147483647mb1ic2147483647iw1oc2147483647kw1'], io)).toBe(0);
    expect(io.text()).toMatch(/standard \(group 1\)\s+≈4\.61e\+18\s+≈4\.61e\+18\s+the same layer without groups; its weight would have ≈4\.61e\+18 elements, more than a tensor may have \(2\^31-1\)/);
  });

  it('gives the resources and the limits in --json, and takes the limit options', async () => {
    const io = memoryIo();
    expect(await main(['cost', 'mb1ic64ih512iw512oc64kh3kw3ph1pw1', '--json', '--max-macs', '2e9'], io)).toBe(0);
    const f = JSON.parse(io.text()) as CostFigures;
    expect(f.resources.macs).toBe(9_663_676_416);
    expect(f.resources.limits).toEqual({ maxElements: 2 ** 25, maxMacs: 2e9 });
    expect(f.resources.refused).toContain('9,663,676,416 multiply-accumulates, more than the limit of 2,000,000,000; --max-macs 9663676416 raises it');
  });

  it('refuses with exit 2 what it cannot figure: an invalid problem, a bad limit', async () => {
    const io = memoryIo();
    expect(await main(['cost', 'mb1ic1iw2147483648oc1kw1'], io)).toBe(2);
    expect(io.errors()).toContain('inputShape[0] must be at most 2^31-1');
    expect(await main(['cost', 'mb1ic1iw4oc1kw1', '--max-macs', '1.5'], io)).toBe(2);
    expect(io.errors()).toContain('--max-macs must be an integer from 1 to 2^53');
  });
});
