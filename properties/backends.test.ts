/**
 * Every law against every available backend other than the reference (adapters register in
 * adapters/registry.ts). Per backend it prints the verdict counts and the unsupported reasons, and
 * fails on any fail or error that no known discrepancy explains. The budget per law is
 * `CONVCHECK_NUM_RUNS` (default 20: real backends cost a session or a process round trip per problem).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../problem/backend.ts';
import { availableBackends, BACKEND_FACTORIES, BROWSER_BACKEND_NAMES } from '../adapters/registry.ts';
import { numRuns, seedFromEnv } from './budget.ts';
import { countVerdicts, formatFailure, runLaws } from './runner.ts';

const DEFAULT_SEED = 1729;
const seed = seedFromEnv() ?? DEFAULT_SEED;
const runs = numRuns(20);
// the browser backends have their own suite with its own budget (properties/browser-backends.test.ts)
const backends = await availableBackends(BACKEND_FACTORIES.map((f) => f.name).filter((n) => n !== 'reference' && !BROWSER_BACKEND_NAMES.includes(n)));
const created: Backend[] = [];

describe(`every law on every backend (seed ${seed}, ${runs} runs per law)`, () => {
  for (const availability of backends) {
    if (!availability.available) {
      it.skip(`${availability.name}: unavailable (${availability.reason})`, () => {});
      continue;
    }
    const backend = availability.backend;
    created.push(backend);
    it(`${backend.name} ${backend.version} (${backend.precision}) satisfies every law it supports`, async () => {
      const result = await runLaws({ backend, numRuns: runs, seed });
      const counts = countVerdicts(result.cases);
      const reasons = Object.entries(result.unsupportedByReason).sort((a, b) => b[1] - a[1]);
      console.log([
        `${backend.name}: ${Object.entries(counts).map(([v, n]) => `${v} ${n}`).join(', ')} over ${result.lawsRun.length} laws`,
        ...reasons.slice(0, 15).map(([reason, n]) => `  unsupported x${n}: ${reason}`),
        ...(reasons.length > 15 ? [`  ... and ${reasons.length - 15} more unsupported reasons`] : []),
      ].join('\n'));
      expect(result.failures.map(formatFailure).join('\n\n')).toBe('');
      expect(counts.pass, 'a backend that passes nothing supports nothing').toBeGreaterThan(0);
    });
  }
});

afterAll(async () => {
  for (const backend of created) await backend.dispose?.();
});
