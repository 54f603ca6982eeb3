/**
 * The case budget and seed of the property suite, read from the environment so that a deep run
 * (`CONVCHECK_NUM_RUNS=1000`) or a replay (`CONVCHECK_SEED=123`) is one variable away.
 */
import { ConvInputError } from '../problem/errors.ts';

/** Default number of generated cases per law when `CONVCHECK_NUM_RUNS` is not set. */
export const DEFAULT_NUM_RUNS = 25;

function integerFromEnv(variable: string, min: number, rule: string): number | undefined {
  const raw = process.env[variable];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw.trim());
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new ConvInputError(variable, `budget: ${variable} must be ${rule}, but ${variable}=${JSON.stringify(raw)}.`);
  }
  return value;
}

/**
 * Cases per law: `CONVCHECK_NUM_RUNS` when set (a positive integer, else a ConvInputError naming
 * the variable and its value), otherwise `defaultRuns`.
 * @example numRuns(25) // 25, or 1000 under CONVCHECK_NUM_RUNS=1000
 */
export function numRuns(defaultRuns: number = DEFAULT_NUM_RUNS): number {
  return integerFromEnv('CONVCHECK_NUM_RUNS', 1, 'a positive integer') ?? defaultRuns;
}

/**
 * The fast-check seed from `CONVCHECK_SEED` (any 32-bit signed integer), or undefined when the
 * variable is not set; a malformed value is a ConvInputError naming the variable and its value.
 */
export function seedFromEnv(): number | undefined {
  const seed = integerFromEnv('CONVCHECK_SEED', -(2 ** 31), 'an integer in [-2^31, 2^31)');
  if (seed !== undefined && seed >= 2 ** 31) {
    throw new ConvInputError('CONVCHECK_SEED', `budget: CONVCHECK_SEED must be an integer in [-2^31, 2^31), but CONVCHECK_SEED="${process.env.CONVCHECK_SEED}".`);
  }
  return seed;
}

/** A fresh random 32-bit seed, for runs that were given none (it is printed with every failure). */
export function randomSeed(): number {
  return (Math.random() * 2 ** 32) | 0;
}
