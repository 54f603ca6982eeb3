import { defineConfig } from 'vitest/config';

// A deep run (CONVCHECK_NUM_RUNS above the default 25) gets proportionally more time per test.
const runs = Number(process.env.CONVCHECK_NUM_RUNS ?? 25);
const scale = Number.isFinite(runs) && runs > 25 ? runs / 25 : 1;

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    testTimeout: Math.round(120_000 * scale),
    hookTimeout: 120_000,
    // vitest's default is one worker fewer than the cores: one worker on this 2-core machine.
    maxWorkers: 2,
  },
});
