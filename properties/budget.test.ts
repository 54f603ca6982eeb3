import { afterEach, describe, expect, it } from 'vitest';
import { numRuns, seedFromEnv } from './budget.ts';

const saved = { runs: process.env.CONVCHECK_NUM_RUNS, seed: process.env.CONVCHECK_SEED };

afterEach(() => {
  for (const [key, value] of [['CONVCHECK_NUM_RUNS', saved.runs], ['CONVCHECK_SEED', saved.seed]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('budget', () => {
  it('reads the case budget from CONVCHECK_NUM_RUNS, else the default', () => {
    delete process.env.CONVCHECK_NUM_RUNS;
    expect(numRuns(17)).toBe(17);
    process.env.CONVCHECK_NUM_RUNS = '1000';
    expect(numRuns(17)).toBe(1000);
  });

  it('rejects a budget that is not a positive integer, naming the variable and value', () => {
    for (const bad of ['0', '-3', '2.5', 'many', '1e3']) {
      process.env.CONVCHECK_NUM_RUNS = bad;
      expect(() => numRuns()).toThrow(`budget: CONVCHECK_NUM_RUNS must be a positive integer, but CONVCHECK_NUM_RUNS="${bad}".`);
    }
  });

  it('reads a 32-bit seed from CONVCHECK_SEED, undefined when unset', () => {
    delete process.env.CONVCHECK_SEED;
    expect(seedFromEnv()).toBeUndefined();
    process.env.CONVCHECK_SEED = '-42';
    expect(seedFromEnv()).toBe(-42);
    process.env.CONVCHECK_SEED = String(2 ** 31);
    expect(() => seedFromEnv()).toThrow(/CONVCHECK_SEED must be an integer in \[-2\^31, 2\^31\), but CONVCHECK_SEED="2147483648"/);
    process.env.CONVCHECK_SEED = 'abc';
    expect(() => seedFromEnv()).toThrow(/CONVCHECK_SEED="abc"/);
  });
});
