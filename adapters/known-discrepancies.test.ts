import { describe, expect, it } from 'vitest';
import { parseDescriptor } from '../problem/descriptor.ts';
import { matchKnownDiscrepancy, matchKnownQuantizedDiscrepancy } from '../problem/known-discrepancy.ts';
import { isQuantizedDescriptor, parseQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import { makeQuantizedOperands } from '../problem/quantized-data.ts';
import { quantizedReferenceResult } from '../compare/quantized-case.ts';
import { KNOWN_DISCREPANCIES } from './known-discrepancies.ts';
import { availableBackends } from './registry.ts';
import type { Backend } from '../problem/backend.ts';
import { ORT_WEB_BACKENDS, ortWebPlan, type OrtWebName } from './ort-web.ts';
import { TFJS_BROWSER_BACKENDS, tfjsBrowserPlan, type TfjsBrowserName } from './tfjs-browser.ts';

const nodeBackends = (await availableBackends(['reference', 'onnxruntime', 'tfjs-cpu', 'tfjs-wasm'])).flatMap((a) => (a.available ? [a.backend] : []));
// the browser backends' plans list their records without starting Chromium
const browserPlans = [...Object.keys(TFJS_BROWSER_BACKENDS).map((n) => tfjsBrowserPlan(n as TfjsBrowserName)), ...Object.keys(ORT_WEB_BACKENDS).map((n) => ortWebPlan(n as OrtWebName))];
const backends: ReadonlyArray<Pick<Backend, 'name' | 'knownDiscrepancies'>> = [...nodeBackends, ...browserPlans];

describe('the known-discrepancy ledger is data each backend carries', () => {
  it('every record is listed by the backend it names, and by no other; ids are unique', () => {
    expect(new Set(KNOWN_DISCREPANCIES.map((d) => d.id)).size).toBe(KNOWN_DISCREPANCIES.length);
    const listed = backends.flatMap((b) => (b.knownDiscrepancies ?? []).map((d) => [b.name, d.id]));
    expect(listed.map(([, id]) => id).sort()).toEqual(KNOWN_DISCREPANCIES.map((d) => d.id).sort());
    for (const [name, id] of listed) expect(KNOWN_DISCREPANCIES.find((d) => d.id === id)?.backend, id).toBe(name);
  });

  it('each record matches its own minimal descriptor (forward run, or the gradient part it is about; with special values if its data needs them), and its backend routes that to it', () => {
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
      // a record about the process (a condition besides the problem) matches only while that holds:
      // not in this test process; its own test makes the condition
      if (d.condition !== undefined) {
        expect(d.matches(parseDescriptor(d.descriptor)), d.id).toBe(false);
        continue;
      }
      const p = parseDescriptor(d.descriptor);
      const traits = [{ nonFinite: false, subnormal: false }, { nonFinite: true, subnormal: false }, { nonFinite: false, subnormal: true }];
      const calls = ([undefined, 'input', 'weight'] as const).flatMap((part) => traits.map((data) => ({ part, data })));
      const matching = calls.filter(({ part, data }) => d.matches(p, part, data));
      expect(matching.length, d.id).toBeGreaterThan(0);
      const records = backends.find((b) => b.name === d.backend)?.knownDiscrepancies;
      expect(matching.some(({ part, data }) => matchKnownDiscrepancy(records, p, part, data)?.id === d.id), d.id).toBe(true);
    }
  });

  it('the reference carries no records: it is the oracle', () => {
    expect(backends.find((b) => b.name === 'reference')?.knownDiscrepancies).toBeUndefined();
  });
});
