import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.ts';
import { suiteFlags } from './commands/gate.ts';
import { main } from './main.ts';
import { memoryIo } from './output.ts';

const capture = memoryIo;

/** The words of a command line as a POSIX shell splits it (single quotes as shellQuote writes them, `'\\''` inside), without its leading `npx convcheck`. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '', quoted = false, inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) { if (ch === "'") quoted = false; else word += ch; continue; }
    if (ch === "'") { quoted = true; inWord = true; } else if (ch === '\\') { word += line[++i]; inWord = true; } else if (ch === ' ') { if (inWord) words.push(word); word = ''; inWord = false; } else { word += ch; inWord = true; }
  }
  if (inWord) words.push(word);
  return words;
}

describe('convcheck gate', () => {
  it('passes the example numpy implementation (exit 0) and writes JUnit XML', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'convcheck-gate-'));
    const io = capture();
    const junit = path.join(dir, 'gate.xml');
    const code = await main(['gate', '--backend', 'cmd:"python3 examples/numpy_conv.py"', '--num-runs', '3', '--seed', '11', '--junit', junit], io);
    expect(code, io.text()).toBe(0);
    // the example computes gradients over protocol 2 (the gradient laws run on it) and its quantized ops run every quantized law: nothing is unsupported
    expect(io.text()).toMatch(/gate: passed \(\d+ passed, 0 fail, 0 error, 0 known discrepancies, 0 unsupported, \d+ weak\)/);
    expect(io.text()).not.toMatch(/unsupported, by reason/);
    expect(io.text()).toMatch(/^golden quantized corpus +16 +0 +0 +0 +0 +0 *$/m);
    expect(io.text()).toMatch(/^quantized \(ConvInteger, QLinearConv\): \d+ exact, 0 tie-neighbour \(allowed\), 0 fail, 0 known, 0 unsupported, 0 error, \d+ weak$/m);
    // one row per law with its counts and normalized errors, the golden corpus, and the total
    expect(io.text()).toMatch(/^law +pass +fail +known +unsupported +error +weak +median err\/\(u·S\) +max err\/\(u·S\)$/m);
    expect(io.text()).toMatch(/^transposed conv is the adjoint of conv +\d+ +0 +0 +0 +0 +\d+ /m);
    expect(io.text()).toMatch(/^golden corpus +\d+ +0 +0 +0 +0 +\d+/m);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="convcheck gate ext:numpy-conv" tests="\d+" failures="0" errors="0"/);
    expect(xml).toContain('<testsuite name="golden corpus"');
    for (const law of ['the input gradient of conv is the transposed conv of dy', 'the weight gradient of conv is the correlation of x with dy']) {
      expect(xml).toMatch(new RegExp(`<testsuite name="${law}" tests="[1-9]\\d*" failures="0" errors="0" skipped="0"`));
    }
  });

  it('rejects the deliberately broken copy (exit 1) with the shrunk case and a replay command that reproduces it', async () => {
    const io = capture();
    const backend = 'cmd:"python3 examples/numpy_conv_broken.py"';
    const code = await main(['gate', '--backend', backend, '--num-runs', '5', '--seed', '5', '--golden', 'none', '--conv-types', 'transposed'], io);
    expect(code).toBe(1);
    const text = io.text();
    expect(text).toMatch(/gate: FAILED \(\d+ passed, \d+ fail, \d+ error, /);
    // which op is wrong: the broken example's ConvTranspose, named with the first mismatch
    expect(text).toMatch(/diagnosis: +ConvTranspose is wrong on T\S+ \(first mismatch at index \d+: got /);
    const law = /law:\s+(.+)\n/.exec(text)?.[1];
    const replayPath = /path:\s+(\S+)\n/.exec(text)?.[1];
    const descriptor = /descriptor: (\S+)\n/.exec(text)?.[1];
    expect(law && replayPath && descriptor).toBeTruthy();
    expect(text).toMatch(/replay:\s+CONVCHECK_SEED=5 npx convcheck gate --backend 'cmd:"python3 examples\/numpy_conv_broken.py"' --law /);
    const replay = capture();
    expect(await main(['gate', '--backend', backend, '--seed', '5', '--law', law ?? '', '--path', replayPath ?? '', '--conv-types', 'transposed'], replay)).toBe(1);
    expect(replay.text()).toContain(`descriptor: ${descriptor}`);
  });

  it('the replay commands a failing gate prints run as printed: a golden case\'s unsigned seed, a batch case\'s negative one, the gate\'s --timeout and --precision', async () => {
    // before: run --seed took 0 to 2^31-1, so the replays of 33 of the 73 golden cases (FNV-1a seeds) and of a
    // negative gate seed's batch cases exited 2; and a replay dropped --timeout, so a time-out did not reproduce
    const io = capture();
    const backend = 'cmd:"python3 examples/numpy_conv_broken.py"';
    const batch = path.join(await mkdtemp(path.join(os.tmpdir(), 'convcheck-replay-')), 'one.batch');
    await writeFile(batch, '--dir=BWD_D\nmb1ic2ih4oc2oh8kh5sh2ph1n"deconv"\n');
    expect(await main(['gate', '--backend', backend, '--num-runs', '1', '--seed', '-5', '--conv-types', 'transposed', '--timeout', '30000', '--precision', 'fp32', '--batch', batch], io)).toBe(1);
    const replays = [...io.text().matchAll(/replay: +npx convcheck (run .+)$/gm)].map((m) => m[1]);
    const golden = replays.find((r) => /--seed (\d+) /.test(r) && Number(/--seed (\d+) /.exec(r)?.[1]) > 2 ** 31);
    const negative = replays.find((r) => r.includes('--seed -5 '));
    // run judged at the backend's declared precision and had no --precision: a gate's stricter one did not reproduce
    expect(golden, io.text()).toMatch(/ --precision fp32 --timeout 30000$/);
    expect(negative, io.text()).toMatch(/ --precision fp32 --timeout 30000$/);
    for (const replay of [golden, negative]) {
      const again = capture();
      expect(await main(shellWords(replay ?? ''), again), again.text()).toBe(1); // the failure again, not a usage error (2)
    }
  });

  it('--batch adds a benchdnn batch file\'s layers as cases, sharded like the golden corpus, and fails on a wrong one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'convcheck-gate-batch-'));
    const junit = path.join(dir, 'gate.xml');
    const io = capture();
    expect(await main(['gate', '--backend', 'cmd:"python3 examples/numpy_conv.py"', '--num-runs', '1', '--seed', '2', '--golden', 'none', '--batch', 'golden/benchdnn/lenet5.batch', '--junit', junit], io), io.text()).toBe(0);
    expect(io.text()).toContain('5 batch cases from golden/benchdnn/lenet5.batch');
    expect(io.text()).toMatch(/gate \d+: batch lenet5:C3 \(BWD_W\)/);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="benchdnn batch" tests="5" failures="0" errors="0" skipped="0">/);
    expect(xml).toContain('name="lenet5:C3 (BWD_D) Tmb1ic16ih10iw10oc6kh5kw5n&quot;lenet5:C3&quot;"');
    const file = path.join(dir, 'dcgan.batch');
    await writeFile(file, '--deconv --dir=FWD_D\nmb1ic8ih4oc4oh8kh5sh2ph1n"dcgan:scaled"\nmb1ic4ih8oc2oh16kh5sh2ph1n"dcgan:scaled2"\n');
    const broken = capture();
    expect(await main(['gate', '--backend', 'cmd:"python3 examples/numpy_conv_broken.py"', '--num-runs', '1', '--seed', '2', '--golden', 'none', '--conv-types', 'conv1d', '--batch', file, '--shard', '2/2'], broken)).toBe(1);
    expect(broken.text()).toMatch(/FAILED batch case\nname: +dcgan:scaled2\n/);
    expect(broken.text()).not.toMatch(/name: +dcgan:scaled\n/);
    const bad = capture();
    await writeFile(file, '--attr-post-ops=relu\n');
    expect(await main(['gate', '--backend', 'reference', '--batch', file], bad)).toBe(2);
    expect(bad.errors()).toContain(`convcheck gate: ${file}:1: --attr-post-ops=relu is an attribute`);
  });

  it('is a usage error (exit 2) without --backend, with a bad shard, precision, conv type or law name, or --path without --law', async () => {
    for (const [argv, message] of [
      [['gate'], /--backend is required/],
      [['gate', '--backend', 'reference', '--shard', '3/2'], /--shard must be I\/N with 1 <= I <= N, but got "3\/2"/],
      [['gate', '--backend', 'reference', '--precision', 'fp8'], /--precision must be one of fp64, fp32, tf32, fp16, bf16, but got "fp8"/],
      [['gate', '--backend', 'reference', '--path', '1:2'], /--path replays one case of one law: give --law too/],
      // a path of 10^20 spun for good (fast-check generating the cases before it); '', '-1' and '::' were ignored (the whole law ran)
      ...['99999999999999999999', '1000000:0'].map((p) => [['gate', '--backend', 'reference', '--law', 'batch items are computed independently', '--path', p], /--path steps must be at most 999999 \(fast-check generates every case before a step to reach it\), but --path .* has step/] as const),
      ...['', '-1', '::', 'garbage', '1:'].map((p) => [['gate', '--backend', 'reference', '--law', 'batch items are computed independently', `--path=${p}`], new RegExp(`--path must be steps of digits joined by ':' .*, but got "${p}"`)] as const),
      [['gate', '--backend', 'reference', '--seed', '4294967297'], /--seed must be an integer from -2147483648 to 2147483647 \(fast-check's seeds are 32-bit\), but got "4294967297"/],
      [['gate', '--backend', 'reference', '--timeout', '3000000000'], /--timeout must be an integer from 1 to 2147483647, but got "3000000000"/],
      [['gate', '--backend', 'nosuchbackend'], /unknown backend "nosuchbackend"/],
      [['gate', '--backend', 'reference', '--conv-types', 'conv4d'], /unknown conv type "conv4d"/],
      [['gate', '--backend', 'reference', '--conv-types', ','], /--conv-types "," names no conv type \(known: conv1d, /], // it ran nothing and said 'no case passed'
      [['run', 'QLu8s8u8mb1ic1iw3oc2kw2xs1ws1ys1', '--gradient', 'input'], /--gradient takes gradients of a Conv, but QLu8s8u8mb1ic1iw3oc2kw2xs1ws1ys1 is a quantized QLinearConv \(no gradient\)/], // it ran the forward op
      [['run', 'mb1ic1iw5oc1kw3', '--backend', ''], /--backend "" names no backend: give built-in names, module paths or cmd:"..." specs/], // an empty table, exit 0
      [['run', 'mb1ic1iw5oc1kw3', '--backend', 'reference,,onnxruntime'], /--backend "reference,,onnxruntime" names an empty backend/],
      [['gate', '--backend', 'reference', '--law', 'adjoint'], /--law: no law is named "adjoint"; the laws are: "transposed conv is the adjoint of conv", .*\(convcheck laws lists them\)/],
      // --law ran its law alone and exited 0 with the batch file's header printed and none of its cases run
      [['gate', '--backend', 'reference', '--law', 'transposed conv is the adjoint of conv', '--batch', 'golden/benchdnn/lenet5.batch'], /--law runs that one law alone, so --batch "golden\/benchdnn\/lenet5.batch" would not run: give one or the other\./],
      [['gate', '--backend', 'reference', '--law', 'transposed conv is the adjoint of conv', '--golden', 'all'], /--law runs that one law alone, so --golden "all" would not run/],
    ] as const) {
      const io = capture();
      expect(await main([...argv], io), argv.join(' ')).toBe(2);
      expect(io.errors()).toMatch(message);
    }
  });
});

describe('CONVCHECK_NUM_RUNS and CONVCHECK_SEED beside --num-runs and --seed (suiteFlags, gate and report)', () => {
  const flags = (command: 'gate' | 'report', argv: string[], env: Record<string, string>): ReturnType<typeof suiteFlags> => {
    const saved = { runs: process.env.CONVCHECK_NUM_RUNS, seed: process.env.CONVCHECK_SEED };
    Object.assign(process.env, env);
    try {
      return suiteFlags(parseArgs(command, argv, { values: ['num-runs', 'seed'], booleans: [] }), command, command === 'gate' ? 100 : 25);
    } finally {
      for (const [key, value] of [['CONVCHECK_NUM_RUNS', saved.runs], ['CONVCHECK_SEED', saved.seed]] as const) {
        if (value === undefined) delete process.env[key]; else process.env[key] = value;
      }
    }
  };

  it('an empty or blank variable is unset: report keeps its 25 runs per law (before: 100, the gate\'s)', () => {
    expect(flags('report', [], { CONVCHECK_NUM_RUNS: '' }).numRuns).toBe(25);
    expect(flags('report', [], { CONVCHECK_NUM_RUNS: '  ' }).numRuns).toBe(25);
    expect(flags('gate', [], { CONVCHECK_NUM_RUNS: '' }).numRuns).toBe(100);
    expect(flags('report', [], { CONVCHECK_NUM_RUNS: '7' }).numRuns).toBe(7);
  });

  it('a flag given wins and is not refused for a malformed variable; a malformed one alone is a usage error of the command naming it', () => {
    expect(flags('gate', ['--num-runs', '1', '--seed', '3'], { CONVCHECK_NUM_RUNS: 'abc', CONVCHECK_SEED: 'abc' })).toMatchObject({ numRuns: 1, seed: 3 });
    expect(() => flags('gate', [], { CONVCHECK_NUM_RUNS: 'abc' })).toThrow('convcheck gate: CONVCHECK_NUM_RUNS must be a positive integer, but CONVCHECK_NUM_RUNS="abc".');
    expect(() => flags('report', ['--num-runs', '1'], { CONVCHECK_SEED: '1.5' })).toThrow('convcheck report: CONVCHECK_SEED must be an integer in [-2^31, 2^31), but CONVCHECK_SEED="1.5".');
  });
});

describe('convcheck report', () => {
  it('writes report.json, report.md and index.html and prints the summary table', async () => {
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'convcheck-report-')), 'report'); // a new folder: an existing one is refused
    const io = capture();
    expect(await main(['report', '--backend', 'reference,ext:numpy-conv', '--num-runs', '2', '--seed', '3', '--golden', 'none', '--out', dir], io)).toBe(0);
    expect(io.text()).toMatch(/reference\s+\d+\s+0\s+0\s+0\s+0/);
    const json = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as { backends: Array<{ name: string }>; cases: unknown[]; settings: { seed: number } };
    expect(json.backends.map((b) => b.name)).toEqual(['reference', 'ext:numpy-conv']);
    expect(json.settings.seed).toBe(3);
    expect(json.settings).toMatchObject({ numRuns: 2, browserRuns: 2 }); // the browser default (3) never exceeds --num-runs
    expect(json.cases.length).toBeGreaterThan(20);
    expect(await readFile(path.join(dir, 'report.md'), 'utf8')).toMatch(/## Conv types × backends/);
    expect(await readFile(path.join(dir, 'index.html'), 'utf8')).toMatch(/Checkerboard/);
  });

  it('--browser-runs must be a positive integer (exit 2)', async () => {
    const io = capture();
    expect(await main(['report', '--browser-runs', 'few'], io)).toBe(2);
    expect(io.errors()).toMatch(/--browser-runs/);
  });

  it('--batch adds the batch file\'s layers on every backend', async () => {
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'convcheck-report-batch-')), 'report');
    const io = capture();
    expect(await main(['report', '--backend', 'reference,onnxruntime', '--num-runs', '1', '--seed', '3', '--golden', 'none', '--batch', 'golden/benchdnn/lenet5.batch', '--out', dir], io), io.text()).toBe(0);
    const json = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as { cases: Array<{ source: string; name: string; backend: string; verdict: string }> };
    const batch = json.cases.filter((c) => c.source === 'batch');
    expect(batch.map((c) => `${c.backend} ${c.name} ${c.verdict}`)).toEqual([
      ...['lenet5:C1', 'lenet5:C3', 'lenet5:C5', 'lenet5:C3 (BWD_D)'].map((n) => `reference ${n} pass`), 'reference lenet5:C3 (BWD_W) pass',
      ...['lenet5:C1', 'lenet5:C3', 'lenet5:C5', 'lenet5:C3 (BWD_D)'].map((n) => `onnxruntime ${n} pass`), 'onnxruntime lenet5:C3 (BWD_W) unsupported',
    ]);
  });
});

describe('convcheck golden', () => {
  it('verifies the committed corpus and names an unknown subcommand', async () => {
    const io = capture();
    expect(await main(['golden', 'verify'], io)).toBe(0);
    expect(io.text()).toMatch(/verified \d+ cases, \d+ files in golden\/corpus: identical/);
    const bad = capture();
    expect(await main(['golden', 'frobnicate'], bad)).toBe(2);
    expect(bad.errors()).toMatch(/unknown subcommand "frobnicate"/);
  });

  it('verify without a DIR finds the committed corpora from any working directory (before: ENOENT outside the project)', async () => {
    const root = path.resolve(import.meta.dirname, '..');
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'convcheck-cwd-')); // a new folder: never an ancestor of the project
    const child = spawnSync(process.execPath, [path.join(root, 'bin', 'convcheck.js'), 'golden', 'verify'], { cwd: elsewhere, encoding: 'utf8', timeout: 60_000 });
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toContain(`files in ${path.join(root, 'golden', 'corpus')}: identical`);
    expect(child.stdout).toContain(`files in ${path.join(root, 'golden', 'corpus-quantized')}: identical`);
  });
});

describe('convcheck golden import', () => {
  it('a directory whose tests are all skipped checked nothing: exit 1, said so (before: "0 passed ... 1 skipped", exit 0)', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'convcheck-import-skipped-'));
    try {
      await mkdir(path.join(root, 'relu', 'test_data_set_0'), { recursive: true });
      await writeFile(path.join(root, 'relu', 'model.onnx'), onnxProto.onnx.ModelProto.encode({ graph: { node: [{ opType: 'Relu', input: ['X'], output: ['Y'] }] } }).finish());
      const io = capture();
      expect(await main(['golden', 'import', root, '--backend', 'reference'], io)).toBe(1);
      expect(io.text()).toContain('0 passed, 0 failed, 0 errors, 1 skipped');
      expect(io.text()).toContain('golden import: FAILED: no test passed, so nothing was checked');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('a directory that does not exist is a usage error (exit 2) naming it', async () => {
    const io = capture();
    expect(await main(['golden', 'import', '/nonexistent/onnx-tests'], io)).toBe(2);
    expect(io.errors()).toMatch(/no such directory "\/nonexistent\/onnx-tests"/);
  });
});
