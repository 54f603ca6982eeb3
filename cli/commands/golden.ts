/**
 * `convcheck golden generate | verify | import DIR`: the golden fixtures for other implementations
 * (golden/README.md): write a corpus, check one against a fresh generation, or run ONNX backend-test
 * directories (ONNX's official data included) against the reference and the backends.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkOutputFolder } from '../output-paths.ts';
import type { Backend } from '../../problem/backend.ts';
import { CORPUS_NAMES, type CorpusName } from '../../golden/corpus.ts';
import { ALL_FORMATS, type FixtureFormat } from '../../golden/case-files.ts';
import { generateCorpus } from '../../golden/generate.ts';
import { generateQuantizedCorpus } from '../../golden/quantized-generate.ts';
import { importOnnxTestDir } from '../../golden/import-onnx.ts';
import { verifyCorpus } from '../../golden/verify.ts';
import { COMMITTED_CORPUS_DIR, COMMITTED_QUANTIZED_CORPUS_DIR } from '../../golden/write-committed-corpus.ts';
import { intFlag, parseArgs, UsageError } from '../args.ts';
import { resolveBackends } from '../backend-spec.ts';
import { textTable, type Io } from '../output.ts';
import { Progress } from '../progress.ts';
import { applyLimitFlags, LIMIT_FLAGS, LIMITS_HELP } from '../limits.ts';
import { ConvInputError } from '../../problem/errors.ts';
import { DEFAULT_TIMEOUT_MS } from '../../problem/limits.ts';

export const GOLDEN_HELP = `Usage: convcheck golden generate [--corpus small|networks|all] [--quantized] [--out DIR] [--formats onnx,npy,json] [--case NAME,...]
       convcheck golden verify [DIR]
       convcheck golden import DIR [--backend LIST] [--timeout MS]
       (each also takes --max-elements N and --max-macs N, below)

generate  writes a corpus (default: small into golden/generated/small; the committed copy is
          golden/corpus). Each case: model.onnx + test_data_set_0/*.pb (ONNX backend-test layout),
          .npy of x, w, b, y and of the bound inputs S (absSum) and n (terms), case.json for small
          cases, and manifest.json with every file's sha256. Deterministic: same seed, same bytes.
          --quantized writes the ConvInteger / QLinearConv corpus instead (default out
          golden/generated/quantized-<corpus>; the committed small one is golden/corpus-quantized):
          8-bit and int32 tensors, the exact output y, the allowed outputs yLo/yHi and the exact
          accumulators acc.
verify    regenerates the corpus in DIR and compares checksums, naming every file that differs,
          is missing, or is on disk but not in the manifest (import would read it) (default:
          both committed corpora, golden/corpus and golden/corpus-quantized; the manifest says
          which kind a DIR is). A manifest with no cases, or a case that cannot be checked, is a
          difference too; verify goes on with the next case. Exit 1 on any difference.
import    runs every ONNX backend-test directory under DIR whose model is a single Conv,
          ConvTranspose, ConvInteger or QLinearConv node against the reference and the backends
          (default: every built-in one; quantized nodes on their quantized ops, judged exactly or
          with the tie-neighbour allowance),
          e.g. ONNX's official data: /usr/share/libonnx-testdata/data/node from Debian's libonnx-testdata. Exit 1 on
          any fail or error; a backend failure that a recorded known discrepancy explains is shown as
          known (with its id) and does not fail; other operators are counted as skipped.
          --timeout: per-run limit (default 60000), for every backend and for the reference.

Resource limits (a case over them is refused before any work, naming the option):
${LIMITS_HELP}`;

/** Runs the command; returns the exit code. */
export async function goldenCommand(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  // asked for: stdout, exit 0; a subcommand missing: a usage error, on stderr like every other (exit 2)
  if (sub === '--help') { io.out(GOLDEN_HELP); return 0; }
  if (sub === undefined) { io.err(`convcheck golden: a subcommand is needed (generate, verify or import).\n\n${GOLDEN_HELP}`); return 2; }
  if (sub === 'generate') return generate(rest, io);
  if (sub === 'verify') return verify(rest, io);
  if (sub === 'import') return importDir(rest, io);
  throw new UsageError(`convcheck golden: unknown subcommand "${sub}" (generate, verify or import).\n\n${GOLDEN_HELP}`);
}

async function generate(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs('golden generate', argv, { values: ['corpus', 'out', 'formats', 'case', ...LIMIT_FLAGS], booleans: ['help', 'quantized'] });
  if (args.booleans.has('help')) { io.out(GOLDEN_HELP); return 0; }
  applyLimitFlags(args, 'golden generate');
  if (args.positionals.length > 0) throw new UsageError(`convcheck golden generate: unexpected argument "${args.positionals[0]}".`);
  const corpus = args.values.get('corpus') ?? 'small';
  if (!(CORPUS_NAMES as readonly string[]).includes(corpus)) throw new UsageError(`convcheck golden generate: --corpus must be one of ${CORPUS_NAMES.join(', ')}, but got "${corpus}".`);
  const formats = args.values.get('formats')?.split(',').map((f) => f.trim());
  for (const f of formats ?? []) if (!(ALL_FORMATS as readonly string[]).includes(f)) throw new UsageError(`convcheck golden generate: unknown format "${f}" (known: ${ALL_FORMATS.join(', ')}).`);
  const quantized = args.booleans.has('quantized');
  const outDir = args.values.get('out') ?? `golden/generated/${quantized ? 'quantized-' : ''}${corpus}`;
  checkOutputFolder('golden generate', 'out', outDir);
  const names = args.values.get('case')?.split(',').map((n) => n.trim());
  const progress = new Progress(io, 0, 'golden');
  let bytes = 0;
  const start = performance.now();
  const options = {
    outDir, corpus: corpus as CorpusName, ...(formats ? { formats: formats as FixtureFormat[] } : {}), ...(names ? { names } : {}),
    onCase: (c: { case: { name: string }; index: number; total: number; files: number; bytes: number }): void => { bytes += c.bytes; progress.tick(`${c.index + 1}/${c.total} ${c.case.name}`); if (!io.isTTY) io.out(`  ${c.index + 1}/${c.total} ${c.case.name} (${c.files} files)`); },
  };
  let manifest;
  try {
    manifest = quantized ? await generateQuantizedCorpus(options) : await generateCorpus(options);
  } catch (error) {
    // a case over the resource limits (or not in the corpus) is refused before anything is written
    if (error instanceof ConvInputError) throw new UsageError(error.message);
    throw error;
  }
  progress.finish();
  io.out(`wrote ${manifest.cases.length} cases (${(bytes / 2 ** 20).toFixed(1)} MiB) to ${outDir} in ${((performance.now() - start) / 1000).toFixed(1)} s; manifest: ${outDir}/manifest.json`);
  return 0;
}

/** `dir` relative to the working directory when it lies inside it (`golden/corpus`), else absolute. */
function shownPath(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : dir.replace(/\/$/, '');
}

async function verify(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs('golden verify', argv, { values: [...LIMIT_FLAGS], booleans: ['help'] });
  if (args.booleans.has('help')) { io.out(GOLDEN_HELP); return 0; }
  applyLimitFlags(args, 'golden verify');
  if (args.positionals.length > 1) throw new UsageError('convcheck golden verify: expected at most one DIR.');
  // without a DIR: both committed corpora, the float one and the quantized one, wherever convcheck is run from
  // (they were looked up relative to the working directory: ENOENT outside the project folder)
  const dirs = args.positionals.length === 1 ? [args.positionals[0]] : [COMMITTED_CORPUS_DIR, COMMITTED_QUANTIZED_CORPUS_DIR].map(shownPath);
  let ok = true;
  for (const dir of dirs) {
    const result = await verifyCorpus(dir);
    for (const issue of result.issues) io.out(`${issue.kind}: ${issue.message}`);
    const took = `${(result.timeMs / 1000).toFixed(1)} s`;
    io.out(result.ok ? `verified ${result.cases} cases, ${result.files} files in ${dir}: identical (${took})` : `${result.issues.length} differences in ${dir} (${took})`);
    ok &&= result.ok;
  }
  return ok ? 0 : 1;
}

async function importDir(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs('golden import', argv, { values: ['backend', 'timeout', ...LIMIT_FLAGS], booleans: ['help'] });
  if (args.booleans.has('help')) { io.out(GOLDEN_HELP); return 0; }
  applyLimitFlags(args, 'golden import');
  if (args.positionals.length !== 1) throw new UsageError('convcheck golden import: expected one DIR.');
  if (!existsSync(args.positionals[0])) throw new UsageError(`convcheck golden import: no such directory "${args.positionals[0]}".`);
  const timeoutMs = intFlag(args, 'golden import', 'timeout', DEFAULT_TIMEOUT_MS);
  const availability = await resolveBackends(args.values.get('backend'), { timeoutMs });
  const backends: Backend[] = availability.flatMap((a) => (a.available ? [a.backend] : []));
  for (const a of availability) if (!a.available) io.out(`${a.name}: unavailable (${a.reason})`);
  try {
    const result = await importOnnxTestDir(args.positionals[0], backends, { timeoutMs });
    const rows = result.cases.filter((c) => c.verdict !== 'skipped').map((c) => [c.name, c.verdict, c.descriptor ?? '', c.message]);
    if (rows.length > 0) io.out(textTable(['test', 'verdict', 'descriptor', 'message'], rows));
    const n = result.counts;
    const known = result.cases.flatMap((c) => c.dataSets.flatMap((s) => s.backends.flatMap((b) => (b.known ? [`${b.backend} ${b.known.id}`] : []))));
    const knownNote = known.length > 0 ? `; ${known.length} backend run(s) explained by a known discrepancy, not failed: ${[...new Set(known)].join(', ')}` : '';
    io.out(`${n.pass} passed, ${n.fail} failed, ${n.error} errors, ${n.skipped} skipped (not a single Conv, ConvTranspose, ConvInteger or QLinearConv node)${knownNote}`);
    if (n.fail + n.error > 0) return 1;
    if (n.pass === 0) {
      // as the gate: a run that checked nothing is not a pass
      io.out('golden import: FAILED: no test passed, so nothing was checked (no test of the directory is a single Conv, ConvTranspose, ConvInteger or QLinearConv node).');
      return 1;
    }
    return 0;
  } finally {
    for (const b of backends) await b.dispose?.();
  }
}
