import { describe, expect, it } from 'vitest';
import { allLaws } from '../../properties/laws/index.ts';
import { main } from '../main.ts';
import { memoryIo } from '../output.ts';

const capture = memoryIo;

describe('convcheck laws', () => {
  it('lists every law with its math and types, numbered, structural ones marked', async () => {
    const io = capture();
    expect(await main(['laws'], io)).toBe(0);
    const text = io.lines.join('\n');
    for (const l of allLaws()) {
      expect(text).toContain(`. ${l.name}`);
      expect(text).toContain(`    ${l.math}`);
    }
    expect(text).toMatch(/^ 1\. transposed conv is the adjoint of conv$/m);
    expect(text).toMatch(/the multiplications each op counts equal its cost formula {3}\(structural: reference only\)/);
  });

  it('--json gives the same laws as data', async () => {
    const io = capture();
    expect(await main(['laws', '--json'], io)).toBe(0);
    const laws = JSON.parse(io.lines.join('\n')) as Array<{ name: string; math: string; structural: boolean }>;
    expect(laws.map((l) => l.name)).toEqual(allLaws().map((l) => l.name));
    expect(laws.filter((l) => l.structural)).toHaveLength(4);
  });

  it('a stray argument is a usage error (exit 2)', async () => {
    const io = capture();
    expect(await main(['laws', 'adjoint'], io)).toBe(2);
    expect(io.errors()).toMatch(/^convcheck laws: unexpected argument "adjoint"/);
  });
});
