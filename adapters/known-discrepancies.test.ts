import { describe, expect, it } from 'vitest';
import { parseDescriptor } from '../problem/descriptor.ts';
import { matchKnownDiscrepancy, matchKnownQuantizedDiscrepancy } from '../problem/known-discrepancy.ts';
import { isQuantizedDescriptor, parseQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import { makeQuantizedOperands } from '../problem/quantized-data.ts';
import { quantizedReferenceResult } from '../compare/quantized-case.ts';
import { KNOWN_DISCREPANCIES } from './known-discrepancies.ts';
import { availableBackends } from './registry.ts';

const backends = (await availableBackends(['reference', 'onnxruntime', 'tfjs-cpu', 'tfjs-wasm'])).flatMap((a) => (a.available ? [a.backend] : []));

describe('the known-discrepancy ledger is data each backend carries', () => {
  it('every record is listed by the backend it names, and by no other; ids are unique', () => {
    expect(new Set(KNOWN_DISCREPANCIES.map((d) => d.id)).size).toBe(KNOWN_DISCREPANCIES.length);
    const listed = backends.flatMap((b) => (b.knownDiscrepancies ?? []).map((d) => [b.name, d.id]));
    expect(listed.map(([, id]) => id).sort()).toEqual(KNOWN_DISCREPANCIES.map((d) => d.id).sort());
    for (const [name, id] of listed) expect(KNOWN_DISCREPANCIES.find((d) => d.id === id)?.backend, id).toBe(name);
  });

  it('each record matches its own minimal descriptor (forward run, or the gradient part it is about), and its backend routes that to it', () => {
    for (const d of KNOWN_DISCREPANCIES) {
      if (isQuantizedDescriptor(d.descriptor)) {
        // a quantized record: its class may depend on the data, so the evidence is the reference's on extreme data (the records' own)
        const q = parseQuantizedDescriptor(d.descriptor);
        const evidence = { int32Overflows: quantizedReferenceResult(q, makeQuantizedOperands(q, 'extreme', 0)).int32Overflows };
        expect(d.matchesQuantized?.(q, evidence), d.id).toBe(true);
        const records = backends.find((b) => b.name === d.backend)?.knownDiscrepancies;
        expect(matchKnownQuantizedDiscrepancy(records, q, evidence)?.id, d.id).toBe(d.id);
        continue;
      }
      const p = parseDescriptor(d.descriptor);
      const parts = ([undefined, 'input', 'weight'] as const).filter((part) => d.matches(p, part));
      expect(parts.length, d.id).toBeGreaterThan(0);
      const records = backends.find((b) => b.name === d.backend)?.knownDiscrepancies;
      expect(parts.some((part) => matchKnownDiscrepancy(records, p, part)?.id === d.id), d.id).toBe(true);
    }
  });

  it('the reference carries no records: it is the oracle', () => {
    expect(backends.find((b) => b.name === 'reference')?.knownDiscrepancies).toBeUndefined();
  });
});
