/**
 * Every law proves it can fail: each deliberately broken implementation (properties/mutants.ts)
 * must be caught by at least one law, and by every law it names as its catcher. Fixed seed, no
 * shrinking (the first failing case suffices), so the test is deterministic and quick.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { allLaws } from './laws/index.ts';
import { allMutants } from './mutants.ts';
import { runLaws } from './runner.ts';

/** Fixed seed: the mutant verdicts must not depend on the run. */
const SEED = 20240611;
const RUNS = 30;

const caughtBy = new Map<string, string[]>();

describe('mutants: every broken implementation is caught', () => {
  for (const mutant of allMutants()) {
    it(`${mutant.name} (${mutant.bug}) is caught`, async () => {
      const result = await runLaws({
        backend: mutant.backend, ...(mutant.aux ? { aux: mutant.aux } : {}), ...(mutant.convTypes ? { convTypes: mutant.convTypes } : {}), includeStructural: mutant.aux !== undefined,
        numRuns: RUNS, seed: SEED, shrink: false,
      });
      const catchers = [...new Set(result.failures.map((f) => f.law))];
      caughtBy.set(mutant.name, catchers);
      expect(catchers.length, `${mutant.name} escaped every law`).toBeGreaterThan(0);
      const missed = mutant.expectedCatchers.filter((law) => !catchers.includes(law));
      expect(missed, `${mutant.name} was not caught by ${missed.map((l) => `"${l}"`).join(', ')}; caught by: ${catchers.join(' | ')}`).toEqual([]);
      for (const failure of result.failures) expect(failure.record.verdict === 'fail' || failure.record.verdict === 'error').toBe(true);
      // a wrong answer is a fail, never an error that reads like broken infrastructure
      if (mutant.name === 'wrong-output-shape') for (const failure of result.failures) expect(failure.record.verdict, failure.message).toBe('fail');
    });
  }

  it('every law catches at least one mutant (a law no mutant trips could never fail)', () => {
    expect(caughtBy.size, 'the mutant tests above must run first').toBe(allMutants().length);
    const silent = allLaws().map((l) => l.name).filter((name) => ![...caughtBy.values()].some((laws) => laws.includes(name)));
    expect(silent).toEqual([]);
  });

  afterAll(() => {
    const lines = [...caughtBy].map(([mutant, laws]) => `  ${mutant}:\n${laws.map((l) => `      - ${l}`).join('\n')}`);
    const silent = allLaws().map((l) => l.name).filter((name) => ![...caughtBy.values()].some((laws) => laws.includes(name)));
    console.log(`mutant -> catching laws (seed ${SEED}, ${RUNS} runs per law):\n${lines.join('\n')}\nlaws that caught no mutant: ${silent.length ? silent.join(' | ') : 'none'}`);
  });
});
