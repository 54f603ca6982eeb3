/**
 * Every law on the reference oracle, with the case budget of `CONVCHECK_NUM_RUNS` and the seed of
 * `CONVCHECK_SEED` (a fixed one by default, so `npm test` is deterministic; set the variable to
 * explore). A failure prints the law, backend, shrunk descriptor, seed, path, first mismatching
 * element and the command that replays it.
 */
import { describe, expect, it } from 'vitest';
import { referenceBackend } from '../adapters/reference.ts';
import { numRuns, seedFromEnv } from './budget.ts';
import { allLaws } from './laws/index.ts';
import { countVerdicts, formatFailure, runLaws } from './runner.ts';

/** Seed when CONVCHECK_SEED is not set. */
const DEFAULT_SEED = 1729;
const seed = seedFromEnv() ?? DEFAULT_SEED;
const runs = numRuns(50);

describe(`every law holds on the reference (seed ${seed}, ${runs} runs per law)`, () => {
  for (const law of allLaws()) {
    it(law.name, async () => {
      const result = await runLaws({ backend: referenceBackend, laws: [law], numRuns: runs, seed });
      expect(result.failures.map(formatFailure).join('\n\n')).toBe('');
      const counts = countVerdicts(result.cases);
      expect(counts.unsupported + counts.error + counts.known, JSON.stringify(result.unsupportedByReason)).toBe(0);
      expect(counts.pass).toBeGreaterThan(0);
    });
  }
});
