/**
 * Every law on every browser backend (the GPU kernels of tfjs and ONNX Runtime Web in headless
 * Chromium, adapters/browser/), through the same runner as properties/backends.test.ts, and each
 * backend's declared precision held to data. A new shape compiles shaders in the page (0.1 s to
 * seconds on SwiftShader), so the default budget is small: `CONVCHECK_NUM_RUNS` (default 2 per law
 * here) makes a deep run, e.g. `CONVCHECK_NUM_RUNS=200 npx vitest run properties/browser-backends.test.ts`.
 * Without Chromium the backends are listed unavailable (skipped, with the reason and the install
 * command), never failed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../problem/backend.ts';
import { availableBackends, BROWSER_BACKEND_NAMES } from '../adapters/registry.ts';
import { closeBrowserHost } from '../adapters/browser/host.ts';
import { parseDescriptor } from '../problem/descriptor.ts';
import { numRuns, seedFromEnv } from './budget.ts';
import { countVerdicts, formatFailure, runLaws } from './runner.ts';

const DEFAULT_SEED = 1729;
const seed = seedFromEnv() ?? DEFAULT_SEED;
const runs = numRuns(2);
/** A law run per backend may take about this long per case (shader compiles dominate). */
const MS_PER_CASE = 1_500;
const backends = await availableBackends(BROWSER_BACKEND_NAMES);
const created: Backend[] = backends.flatMap((a) => (a.available ? [a.backend] : []));

/**
 * fp32 storage and accumulation, bit for bit: integers up to 2^24 - 1 survive only in fp32 (fp16
 * and tf32 keep 11 bits, bf16 8), and 2^23 + 1 + 1 must not round at any partial sum.
 */
const PRECISION_PROBES = [
  { descriptor: 'mb1ic1ih1iw1oc1kh1kw1', x: [2 ** 24 - 1], w: [1], y: [2 ** 24 - 1] },
  { descriptor: 'mb1ic3ih1iw1oc1kh1kw1', x: [2 ** 23, 1, 1], w: [1, 1, 1], y: [2 ** 23 + 2] },
  { descriptor: 'mb1ic1ih1iw3oc1kh1kw3', x: [2049, 3, 4097], w: [1, 2047, 1], y: [2049 + 3 * 2047 + 4097] },
];

describe(`every law on every browser backend (seed ${seed}, ${runs} runs per law)`, () => {
  for (const availability of backends) {
    if (!availability.available) {
      it.skip(`${availability.name}: unavailable (${availability.reason})`, () => {});
      continue;
    }
    const backend = availability.backend;
    it(`${backend.name} ${backend.version} (${backend.precision}) satisfies every law it supports`, { timeout: 60_000 + runs * 26 * 3 * MS_PER_CASE }, async () => {
      const result = await runLaws({ backend, numRuns: runs, seed });
      const counts = countVerdicts(result.cases);
      const reasons = Object.entries(result.unsupportedByReason).sort((a, b) => b[1] - a[1]);
      console.log([
        `${backend.name}: ${Object.entries(counts).map(([v, n]) => `${v} ${n}`).join(', ')} over ${result.lawsRun.length} laws`,
        ...reasons.slice(0, 10).map(([reason, n]) => `  unsupported x${n}: ${reason}`),
      ].join('\n'));
      expect(result.failures.map(formatFailure).join('\n\n')).toBe('');
      expect(counts.pass, 'a backend that passes nothing supports nothing').toBeGreaterThan(0);
    });

    it(`${backend.name} computes in the ${backend.precision} it declares: integer sums up to 2^24 come back exact`, async () => {
      expect(backend.precision).toBe('fp32');
      for (const probe of PRECISION_PROBES) {
        const p = parseDescriptor(probe.descriptor);
        const y = await backend.run(p, { x: { shape: [1, p.inChannels, ...p.inputShape], data: Float32Array.from(probe.x) }, w: { shape: [1, p.inChannels, ...p.kernelShape], data: Float32Array.from(probe.w) } });
        expect(Array.from(y.data), `${backend.name} on ${probe.descriptor}`).toEqual(probe.y);
      }
    });
  }
});

afterAll(async () => {
  for (const backend of created) await backend.dispose?.();
  await closeBrowserHost();
});
