/**
 * Every law on every browser backend (the GPU kernels of tfjs and ONNX Runtime Web in headless
 * Chromium, adapters/browser/), through the same runner as properties/backends.test.ts, and each
 * backend's declared precision held to data. A new shape compiles shaders in the page (0.1 s to
 * seconds on SwiftShader), so the default budget is small: `CONVCHECK_NUM_RUNS` (default 1 per law
 * here) makes a deep run, e.g. `CONVCHECK_NUM_RUNS=200 npx vitest run properties/browser-backends.test.ts`.
 * Without Chromium the backends are listed unavailable (skipped, with the reason and the install
 * command), never failed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../problem/backend.ts';
import { availableBackends, BROWSER_BACKEND_NAMES } from '../adapters/registry.ts';
import { closeBrowserHost } from '../adapters/browser/host.ts';
import * as fc from 'fast-check';
import { formatDescriptor, parseDescriptor } from '../problem/descriptor.ts';
import { referenceResult } from '../compare/run-case.ts';
import { compareToReference } from '../compare/tolerance.ts';
import { matchKnownDiscrepancy } from '../problem/known-discrepancy.ts';
import type { ConvOperands } from '../problem/operands.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { biasShape, inputTensorShape, sizeOf, weightShape } from '../problem/shape.ts';
import { problemArb } from './arbitraries/problem.ts';
import { bundlePage } from '../adapters/browser/host.ts';
import { ortWebPlan } from '../adapters/ort-web.ts';
import { ORT_WEB_KNOWN_DISCREPANCIES, ORT_WEB_WEBGPU_NATIVE_CONV_TRANSPOSE_GROUPED_ONE_OUTPUT, ortWebRefusalMessage } from '../adapters/ort-web-known.ts';
import { numRuns, seedFromEnv } from './budget.ts';
import { countVerdicts, formatFailure, runLaws } from './runner.ts';

const DEFAULT_SEED = 1729;
const seed = seedFromEnv() ?? DEFAULT_SEED;
const runs = numRuns(1);
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

// The native WebGPU provider's refusals (the other providers' are in adapters/ort-web-known.test.ts): its page is open here anyway.
describe.skipIf(!created.some((b) => b.name === 'ort-web-webgpu-native'))('the native WebGPU provider still refuses what its records say', () => {
  it.each(ORT_WEB_KNOWN_DISCREPANCIES.filter((d) => d.backend === 'ort-web-webgpu-native' && d.id.endsWith('-refused')))('$id: the minimal problem, sent past supports(), is refused', async (record) => {
    const p = parseDescriptor(record.descriptor);
    const plan = ortWebPlan('ort-web-webgpu-native');
    const request = plan.forward(p, smallRamps(p));
    await expect(bundlePage(plan.bundle).call(request.method, request.request, 60_000)).rejects.toThrow(ortWebRefusalMessage(record));
  });
});

describe.skipIf(!created.some((b) => b.name === 'ort-web-webgpu-native'))('the native WebGPU provider still gives its recorded wrong answer', () => {
  it('ort-web-webgpu-native-convtranspose-grouped-1-output-channel: y=[11,0] where ONNX gives [11,39]', async () => {
    const backend = created.find((b) => b.name === 'ort-web-webgpu-native') as Backend;
    const record = ORT_WEB_WEBGPU_NATIVE_CONV_TRANSPOSE_GROUPED_ONE_OUTPUT;
    const p = parseDescriptor(record.descriptor);
    expect(matchKnownDiscrepancy(backend.knownDiscrepancies, p)).toBe(record);
    const operands = { x: { shape: inputTensorShape(p), data: Float32Array.from([1, 2, 3, 4]) }, w: { shape: weightShape(p), data: Float32Array.from([3, 4, 5, 6]) } };
    expect(Array.from((await backend.run(p, operands)).data)).toEqual([11, 0]);
    expect(Array.from(referenceResult(p, operands).y.data)).toEqual([11, 39]);
    for (const [descriptor, wrong] of [['Tg3mb1ic6ih1iw1oc3kh1kw1', true], ['Tg2mb1ic6ih1iw1oc2kh1kw1', false], ['Tg2mb1ic4ih1iw1oc4kh1kw1', false]] as const) {
      const q = parseDescriptor(descriptor);
      expect(record.matches(q), descriptor).toBe(wrong);
      const ops = smallRamps(q);
      expect(compareToReference(referenceResult(q, ops), await backend.run(q, ops), 'fp32', { exact: true }).verdict === 'pass', descriptor).toBe(!wrong);
    }
  });
});

/**
 * Records whose members may come out right by chance (out-of-bounds reads, an epsilon that shows
 * only where a sum cancels to 0, a history-dependent 1-D path): every failure must be a member, not
 * every member fails.
 */
const CHANCE_MEMBERS = new Set(['ort-web-webgpu-conv-matmul-end-pads-ignored', 'tfjs-webgl-depthwise-packed-epsilon']);

function mayAgree(id: string, p: ConvProblem): boolean {
  return CHANCE_MEMBERS.has(id) || (id === 'ort-web-webgpu-convtranspose-asymmetric-pads' && p.inputShape.length === 1 && p.outputShape !== undefined);
}

/** x, w, b in 1..7, 1..5 (never 0, so a shifted or missed tap shows; sums stay exact in float32). */
function smallRamps(p: ConvProblem): ConvOperands {
  const ramp = (shape: number[], period: number): { shape: number[]; data: Float32Array } => ({ shape, data: Float32Array.from({ length: sizeOf(shape) }, (_, i) => (i % period) + 1) });
  return { x: ramp(inputTensorShape(p), 7), w: ramp(weightShape(p), 5), ...(p.bias ? { b: ramp(biasShape(p), 3) } : {}) };
}

const classRuns = numRuns(6);

describe(`the known-discrepancy classes are exact on ${classRuns} random problems per browser backend (seed ${seed})`, () => {
  // without Chromium no backend was created: said, as the unavailable backends above are, not an empty suite (which vitest fails)
  if (created.length === 0) it.skip('no browser backend is available (their reasons are in the skipped tests above)', () => {});
  for (const backend of created) {
    if ((backend.knownDiscrepancies ?? []).length === 0) continue;
    it(`${backend.name}: a problem fails exactly when one of its records matches it`, { timeout: 60_000 + classRuns * 2 * MS_PER_CASE }, async () => {
      const problems = fc.sample(problemArb().filter((p) => backend.supports(p).supported), { numRuns: classRuns, seed });
      const wrong: string[] = [];
      for (const p of problems) {
        const operands = smallRamps(p);
        let agrees: boolean;
        try {
          const got = await backend.run(p, operands);
          agrees = compareToReference(referenceResult(p, operands), got, 'fp32', { exact: true }).verdict === 'pass';
        } catch {
          agrees = false; // a wrong output shape (or an error): not an agreement
        }
        const record = matchKnownDiscrepancy(backend.knownDiscrepancies, p);
        if (!agrees && record === undefined) wrong.push(`${formatDescriptor(p)} fails but no record matches it`);
        if (agrees && record !== undefined && !mayAgree(record.id, p)) wrong.push(`${formatDescriptor(p)} matches ${record.id} but agrees`);
      }
      expect(wrong).toEqual([]);
    });
  }
});

afterAll(async () => {
  for (const backend of created) await backend.dispose?.();
  await closeBrowserHost();
});
