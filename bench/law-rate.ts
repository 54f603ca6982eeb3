/**
 * The law suite's cases per second against one backend, with wall and CPU time, optionally A/B
 * against other checkouts of convcheck run interleaved in the same process on the same seeds (so
 * the machine's load hits both alike):
 *
 *   npx tsx bench/law-rate.ts onnxruntime 25 4                 # this checkout, 4 seeds
 *   git archive <commit> | tar -x -C /tmp/base && ln -s $PWD/node_modules /tmp/base/
 *   npx tsx bench/law-rate.ts onnxruntime 25 4 /tmp/base       # before (/tmp/base) and after (.)
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

interface Checkout {
  readonly root: string;
  readonly backend: { readonly name: string; dispose?: () => Promise<void> };
  readonly runLaws: (options: Record<string, unknown>) => Promise<{ cases: unknown[]; failures: unknown[] }>;
}

async function load(root: string, backendName: string): Promise<Checkout> {
  const registry = await import(`${root}/adapters/registry.ts`) as { availableBackends: (names: string[]) => Promise<Array<{ available: boolean; backend?: Checkout['backend']; reason?: string }>> };
  const runner = await import(`${root}/properties/runner.ts`) as { runLaws: Checkout['runLaws'] };
  const [availability] = await registry.availableBackends([backendName]);
  if (availability === undefined || !availability.available || availability.backend === undefined) throw new Error(`${backendName} is not available in ${root}: ${availability?.reason ?? 'unknown backend'}`);
  return { root, backend: availability.backend, runLaws: runner.runLaws };
}

async function main(): Promise<void> {
  const [backendName = 'onnxruntime', runsArg = '25', repsArg = '3', ...others] = process.argv.slice(2);
  const here = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const checkouts = [];
  for (const root of [...others.map((o) => resolve(o)), here]) checkouts.push(await load(root, backendName));
  const totals = checkouts.map(() => ({ cases: 0, wall: 0, cpu: 0 }));
  console.log(`${os.availableParallelism()} cores; law suite on ${backendName}, ${runsArg} cases per law, ${repsArg} seeds`);
  for (let rep = 0; rep < Number(repsArg); rep++) {
    const order = checkouts.map((_, k) => k);
    if (rep % 2 === 1) order.reverse();
    for (const k of order) {
      const c = checkouts[k];
      const start = performance.now(), cpuStart = process.cpuUsage();
      const result = await c.runLaws({ backend: c.backend, numRuns: Number(runsArg), seed: 100 + rep });
      const wall = performance.now() - start, used = process.cpuUsage(cpuStart), cpu = (used.user + used.system) / 1000;
      totals[k].cases += result.cases.length; totals[k].wall += wall; totals[k].cpu += cpu;
      console.log(`${c.root} seed ${100 + rep} (load ${os.loadavg()[0].toFixed(2)}): ${result.cases.length} cases in ${(wall / 1000).toFixed(2)} s = ${(result.cases.length / wall * 1000).toFixed(0)} cases/s; CPU ${(cpu / 1000).toFixed(2)} s = ${(result.cases.length / cpu * 1000).toFixed(0)} cases per CPU s; ${result.failures.length} failures`);
    }
  }
  for (const [k, c] of checkouts.entries()) {
    const t = totals[k];
    console.log(`${c.root}: ${t.cases} cases, ${(t.cases / t.wall * 1000).toFixed(0)} cases/s (wall), ${(t.cases / t.cpu * 1000).toFixed(0)} cases per CPU second`);
    await c.backend.dispose?.();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : String(error));
  process.exitCode = 1;
});
