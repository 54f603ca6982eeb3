/**
 * Every law against correct backends at a deep budget, to show the verdicts raise no false alarm:
 * prints each backend's verdict counts and every failure, and exits 1 if any case fails or errs.
 *
 *   npx tsx bench/false-alarms.ts 1300 4242 onnxruntime tfjs-cpu tfjs-wasm   # runs per law, seed, backends
 */
import { availableBackends } from '../adapters/registry.ts';
import { countVerdicts, formatFailure, runLaws } from '../properties/runner.ts';

const [runsArg = '500', seedArg = '4242', ...names] = process.argv.slice(2);
const runs = Number(runsArg), seed = Number(seedArg);
let failed = false;
for (const availability of await availableBackends(names.length > 0 ? names : ['onnxruntime', 'tfjs-cpu', 'tfjs-wasm'])) {
  if (!availability.available) { console.log(`${availability.name}: unavailable (${availability.reason})`); continue; }
  const backend = availability.backend;
  const start = performance.now();
  const result = await runLaws({ backend, numRuns: runs, seed });
  const c = countVerdicts(result.cases);
  const judged = c.pass + c.fail + c.known + c.weak;
  console.log(`${backend.name}: ${result.cases.length} cases (${judged} judged: ${c.pass} pass, ${c.fail} fail, ${c.known} known, ${c.weak} weak; ${c.unsupported} unsupported, ${c.error} error) over ${result.lawsRun.length} laws, ${runs} runs per law, seed ${seed}, ${((performance.now() - start) / 1000).toFixed(0)} s`);
  for (const f of result.failures) console.log(formatFailure(f));
  failed ||= c.fail + c.error > 0;
  await backend.dispose?.();
}
process.exit(failed ? 1 : 0);
