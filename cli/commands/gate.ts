/**
 * `convcheck gate --backend SPEC`: the CI gate. The property laws and the golden corpus against one
 * implementation; exit 0 only when every supported case passes (and at least one ran), 1 on any
 * fail or error, 2 on a usage mistake. Writes JUnit XML on request; on failure prints the minimal
 * counterexample and the one command that replays it.
 */
import { writeFile } from 'node:fs/promises';
import type { Precision } from '../../problem/precision.ts';
import { CORPUS_NAMES, type CorpusName } from '../../golden/corpus.ts';
import { numRuns as budgetRuns, randomSeed, seedFromEnv } from '../../properties/budget.ts';
import { CONV_TYPES } from '../../properties/conv-types.ts';
import { formatFailure } from '../../properties/runner.ts';
import { renderJUnit } from '../../reports/junit.ts';
import { countVerdicts, unsupportedReasons } from '../../reports/summary.ts';
import { intFlag, parseArgs, UsageError, type ParsedArgs } from '../args.ts';
import { replaySpec, resolveBackend } from '../backend-spec.ts';
import { textTable, type Io } from '../output.ts';
import { Progress } from '../progress.ts';
import { runSuite } from '../suite.ts';
import { BatchFileError, readBatchFile, type BatchFile } from '../../problem/batch-file.ts';

export const GATE_HELP = `Usage: convcheck gate --backend SPEC [options]

Runs every property law and the golden corpus against one convolution implementation and exits
0 only when every supported case passes: 1 on any fail or error (or when no case was supported),
2 on a usage mistake. Unsupported cases are counted and listed, never passed.

SPEC is a built-in backend name (onnxruntime, tfjs-cpu, tfjs-wasm, ...), a path to a JS/TS module
exporting the Backend interface, or cmd:"COMMAND" for a process speaking docs/protocol.md.

Options:
  --num-runs N        cases per law, fewer for costly laws (default: CONVCHECK_NUM_RUNS or 100)
  --seed N            fast-check seed (default: CONVCHECK_SEED or random; printed)
  --conv-types LIST   only these conv types, comma separated (${CONV_TYPES.join(', ')})
  --precision P       judge as fp32, tf32, fp16 or bf16 (default: what the backend declares)
  --shard I/N         run the I-th of N shards (1-based), to split a gate across CI machines
  --golden CORPUS     golden corpus to include: ${CORPUS_NAMES.join(', ')} or none (default small)
  --batch FILE        also the problems of a benchdnn batch file, each against the reference on
                      exact and real data, named by its benchdnn name (docs/descriptor.md)
  --junit FILE        write JUnit XML for CI systems
  --law NAME          only this law (exact sentence); with --path, replays one case
  --path P            fast-check path to replay (from a failure's replay command)
  --timeout MS        per-call time limit (default 60000)
  --help              this text

Example: convcheck gate --backend cmd:"python3 examples/numpy_conv.py" --junit gate.xml`;

const PRECISIONS: readonly Precision[] = ['fp32', 'tf32', 'fp16', 'bf16', 'fp64'];

/** Parses `I/N` (1-based) into a 0-based shard. */
export function parseShard(raw: string | undefined): { index: number; count: number } | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  const i = m ? Number(m[1]) : NaN, n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || i < 1 || i > n) throw new UsageError(`convcheck: --shard must be I/N with 1 <= I <= N, but got "${raw}".`);
  return { index: i - 1, count: n };
}

/** Reads `--batch FILE`: a malformed line is a usage error naming the file and the line. */
export function batchFlag(args: ParsedArgs, command: string): BatchFile | undefined {
  const file = args.values.get('batch');
  if (file === undefined) return undefined;
  try {
    const parsed = readBatchFile(file);
    if (parsed.cases.length === 0) throw new UsageError(`convcheck ${command}: --batch ${file} has no problem descriptors.`);
    return parsed;
  } catch (error) {
    if (error instanceof BatchFileError) throw new UsageError(`convcheck ${command}: ${error.message}`);
    throw error;
  }
}

/** Parses the options shared by gate and report. */
export function suiteFlags(args: ParsedArgs, command: string): { numRuns: number; seed: number; precision?: Precision; convTypes?: string[]; golden: CorpusName | 'none'; timeoutMs: number } {
  const envRuns = (() => { try { return budgetRuns(100); } catch (e) { throw new UsageError(e instanceof Error ? e.message : String(e)); } })();
  const numRuns = intFlag(args, command, 'num-runs', envRuns);
  const envSeed = (() => { try { return seedFromEnv(); } catch (e) { throw new UsageError(e instanceof Error ? e.message : String(e)); } })();
  const rawSeed = args.values.get('seed');
  if (rawSeed !== undefined && !/^-?\d+$/.test(rawSeed)) throw new UsageError(`convcheck ${command}: --seed must be an integer, but got "${rawSeed}".`);
  const seed = rawSeed !== undefined ? Number(rawSeed) | 0 : envSeed ?? randomSeed();
  const rawPrecision = args.values.get('precision');
  if (rawPrecision !== undefined && !PRECISIONS.includes(rawPrecision as Precision)) throw new UsageError(`convcheck ${command}: --precision must be one of ${PRECISIONS.join(', ')}, but got "${rawPrecision}".`);
  const rawTypes = args.values.get('conv-types');
  const convTypes = rawTypes?.split(',').map((t) => t.trim()).filter((t) => t !== '');
  for (const t of convTypes ?? []) if (!(CONV_TYPES as readonly string[]).includes(t)) throw new UsageError(`convcheck ${command}: unknown conv type "${t}" (known: ${CONV_TYPES.join(', ')}).`);
  const golden = args.values.get('golden') ?? 'small';
  if (golden !== 'none' && !(CORPUS_NAMES as readonly string[]).includes(golden)) throw new UsageError(`convcheck ${command}: --golden must be one of ${CORPUS_NAMES.join(', ')} or none, but got "${golden}".`);
  return {
    numRuns, seed, golden: golden as CorpusName | 'none', timeoutMs: intFlag(args, command, 'timeout', 60_000),
    ...(rawPrecision ? { precision: rawPrecision as Precision } : {}), ...(convTypes ? { convTypes } : {}),
  };
}

/** Runs the gate; returns the exit code. */
export async function gateCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs('gate', argv, { values: ['backend', 'num-runs', 'seed', 'conv-types', 'precision', 'shard', 'golden', 'batch', 'junit', 'law', 'path', 'timeout'], booleans: ['help'] });
  if (args.booleans.has('help')) { io.out(GATE_HELP); return 0; }
  if (args.positionals.length > 0) throw new UsageError(`convcheck gate: unexpected argument "${args.positionals[0]}".\n\n${GATE_HELP}`);
  const spec = args.values.get('backend');
  if (spec === undefined) throw new UsageError(`convcheck gate: --backend is required.\n\n${GATE_HELP}`);
  const flags = suiteFlags(args, 'gate');
  const shard = parseShard(args.values.get('shard'));
  const batch = batchFlag(args, 'gate');
  const law = args.values.get('law');
  const path = args.values.get('path');
  if (path !== undefined && law === undefined) throw new UsageError('convcheck gate: --path replays one case of one law: give --law too.');
  const availability = await resolveBackend(spec, { timeoutMs: flags.timeoutMs });
  if (!availability.available) { io.err(`convcheck gate: backend ${availability.name} is unavailable: ${availability.reason}`); return 1; }
  const backend = availability.backend;
  const backendArg = replaySpec(spec);
  io.out(`convcheck gate: ${backend.name} ${backend.version} (${flags.precision ?? backend.precision}), ${flags.numRuns} runs per law, seed ${flags.seed}${shard ? `, shard ${shard.index + 1}/${shard.count}` : ''}${batch ? `, ${batch.cases.length} batch cases from ${args.values.get('batch')}` : ''}`);
  for (const note of batch?.notes ?? []) io.out(`note: ${note}`);
  const progress = new Progress(io, 0, 'gate');
  let lastLaw = '';
  try {
    const result = await runSuite({
      backend, backendArg, ...flags, ...(shard ? { shard } : {}), ...(law ? { lawNames: [law] } : {}), ...(path !== undefined ? { path } : {}), ...(batch ? { batch: batch.cases } : {}),
      // one progress step per law, one for the golden corpus, one per batch case (a large file shows where it is)
      onStep: (label) => { const step = label.startsWith('golden ') ? 'golden corpus' : label; if (step !== lastLaw) { lastLaw = step; progress.tick(step); } },
    });
    progress.finish();
    const counts = countVerdicts(result.cases);
    io.out(textTable(['pass', 'fail', 'known', 'unsupported', 'error'], [[counts.pass, counts.fail, counts.known, counts.unsupported, counts.error].map(String)]));
    const reasons = unsupportedReasons(result.cases);
    if (reasons.length > 0) {
      io.out('unsupported, by reason:');
      for (const [reason, n] of reasons.slice(0, 10)) io.out(`  ${n} × ${reason}`);
    }
    const junit = args.values.get('junit');
    if (junit !== undefined) { await writeFile(junit, renderJUnit(`convcheck gate ${backend.name}`, result.cases)); io.out(`JUnit XML: ${junit}`); }
    for (const f of result.lawFailures) io.out(`\nFAILED\n${formatFailure(f)}`);
    for (const c of result.cases.filter((x) => x.source !== 'law' && (x.verdict === 'fail' || x.verdict === 'error'))) {
      io.out(`\nFAILED ${c.source} case\nname:       ${c.name}\ndescriptor: ${c.descriptor}\nverdict:    ${c.verdict}\nmessage:    ${c.message ?? ''}\nreplay:     ${c.replay ?? ''}`);
    }
    if (counts.fail + counts.error > 0) { io.out(`\ngate: FAILED (${counts.fail} fail, ${counts.error} error)`); return 1; }
    if (counts.pass === 0) { io.out('\ngate: FAILED: no supported case ran, so nothing was checked'); return 1; }
    io.out(`\ngate: passed (${counts.pass} passed, ${counts.unsupported} unsupported, ${counts.known} known discrepancies)`);
    return 0;
  } finally {
    await backend.dispose?.();
  }
}
