import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ort } from './onnx/onnxruntime-node.ts';
import { afterAll, describe, expect, test } from 'vitest';
import { referenceResult } from '../compare/run-case.ts';
import { parseDescriptor } from '../problem/descriptor.ts';
import { matchKnownDiscrepancy } from '../problem/known-discrepancy.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { inputTensorShape, weightShape } from '../problem/shape.ts';
import { buildConvModel } from './onnx/model.ts';
import {
  ONNX_RUNTIME_KNOWN_DISCREPANCIES, ORT_CONV_SAME_DILATION, ORT_CONV_TRANSPOSE_OUTPUT_PADDING, ORT_LONG_COMMAND_LINE,
} from './onnxruntime-known.ts';

/**
 * Runs `p` on ORT directly (no adapter, so no supports() screening) with the given x and w, and
 * returns the output values, or the error message ORT threw.
 */
async function runOnOrt(p: ConvProblem, x: readonly number[], w: readonly number[]): Promise<{ y: number[] } | { error: string }> {
  const session = await ort.InferenceSession.create(buildConvModel(p), { logSeverityLevel: 3 });
  try {
    const results = await session.run({
      X: new ort.Tensor('float32', Float32Array.from(x), inputTensorShape(p)),
      W: new ort.Tensor('float32', Float32Array.from(w), weightShape(p)),
    }, { logSeverityLevel: 4 });
    return { y: Array.from(results.Y.data as Float32Array) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  } finally {
    await session.release();
  }
}

/** A deterministic x and w for any problem: 1, 2, 3, ... and 3, 4, 5, ... */
function ramps(p: ConvProblem): { x: number[]; w: number[] } {
  const count = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
  return {
    x: Array.from({ length: count(inputTensorShape(p)) }, (_, i) => i + 1),
    w: Array.from({ length: count(weightShape(p)) }, (_, i) => i + 3),
  };
}

/** Each record: its minimal problem, the operands its observed/expected strings quote, the error ORT gives, the spec's answer. */
const REPRODUCTIONS = [
  { record: ORT_CONV_SAME_DILATION, x: [1, 2], w: [3, 4], error: /Dilation not supported for AutoPadType::SAME_UPPER or AutoPadType::SAME_LOWER/, expected: [8, 3] },
  { record: ORT_CONV_TRANSPOSE_OUTPUT_PADDING, x: [2], w: [3, 4], error: /output_padding \(1\) may be too large for stride \(1\)/, expected: [6, 0, 8, 0] },
] as const;

describe('known ONNX Runtime discrepancies', () => {
  test('every record is in the list, names the backend and has a parseable descriptor', () => {
    expect(ONNX_RUNTIME_KNOWN_DISCREPANCIES.map((d) => d.id)).toEqual([...REPRODUCTIONS.map((r) => r.record.id), ORT_LONG_COMMAND_LINE.id]);
    for (const d of ONNX_RUNTIME_KNOWN_DISCREPANCIES) {
      expect(d.backend).toBe('onnxruntime');
      expect(() => parseDescriptor(d.descriptor)).not.toThrow();
    }
  });

  test.each(REPRODUCTIONS)('$record.id still reproduces on ORT, and the reference gives the recorded expected values', async ({ record, x, w, error, expected }) => {
    const p = parseDescriptor(record.descriptor);
    expect(matchKnownDiscrepancy(ONNX_RUNTIME_KNOWN_DISCREPANCIES, p)).toBe(record);
    const got = await runOnOrt(p, x, w);
    expect(got).toEqual({ error: expect.stringMatching(error) });
    expect(record.observed).toContain(`x=[${x}], w=[${w}]`);
    const reference = referenceResult(p, { x: { shape: inputTensorShape(p), data: Float32Array.from(x) }, w: { shape: weightShape(p), data: Float32Array.from(w) } });
    expect(Array.from(reference.y.data)).toEqual(expected);
    expect(record.expected).toContain(`y=[${expected}]`);
  });

  test.each([
    ['Conv SAME_LOWER, 2-D, dilation on one axis only', 'mb1ic2ih5iw6oc2kh3kw2dh1dw2apL', ORT_CONV_SAME_DILATION],
    ['Conv SAME_UPPER, 3-D, stride and dilation', 'mb1ic1id4ih4iw4oc1kd2kh2kw2sd2sh1sw1dd2dh1dw1apU', ORT_CONV_SAME_DILATION],
    ['ConvTranspose output_padding > stride', 'Tmb1ic1iw3oc1kw2dw3opw2', ORT_CONV_TRANSPOSE_OUTPUT_PADDING],
    ['ConvTranspose output_padding = stride 2, 2-D', 'Tmb1ic1ih3iw3oc1kh2kw2sh2sw1dh3dw1oph2opw0', ORT_CONV_TRANSPOSE_OUTPUT_PADDING],
    ['ConvTranspose output_padding = stride with output_shape', 'Tmb1ic1iw1oc1kw2dw2opw1ow4', ORT_CONV_TRANSPOSE_OUTPUT_PADDING],
  ])('the class holds: %s is refused by ORT and recognised by the predicate', async (_, descriptor, record) => {
    const p = parseDescriptor(descriptor);
    expect(matchKnownDiscrepancy(ONNX_RUNTIME_KNOWN_DISCREPANCIES, p)).toBe(record);
    const { x, w } = ramps(p);
    expect(await runOnOrt(p, x, w)).toEqual({ error: expect.any(String) });
  });

  test.each([
    ['Conv SAME_UPPER without dilation', 'mb1ic1ih5iw5oc1kh3kw3sh2sw2apU'],
    ['Conv dilated with explicit pads', 'mb1ic1iw6oc1kw2dw2pw1ew2'],
    ['Conv dilated VALID', 'mb1ic1iw6oc1kw2dw2apV'],
    ['ConvTranspose SAME with dilation', 'Tmb1ic1iw3oc1kw3sw2dw2apU'],
    ['ConvTranspose output_padding below stride, dilation above', 'Tmb1ic1iw3oc1kw2sw2dw3opw1'],
  ])('outside the class: %s runs on ORT and agrees with the reference', async (_, descriptor) => {
    const p = parseDescriptor(descriptor);
    expect(matchKnownDiscrepancy(ONNX_RUNTIME_KNOWN_DISCREPANCIES, p)).toBeUndefined();
    const { x, w } = ramps(p);
    const got = await runOnOrt(p, x, w);
    const reference = referenceResult(p, { x: { shape: inputTensorShape(p), data: Float32Array.from(x) }, w: { shape: weightShape(p), data: Float32Array.from(w) } });
    expect(got).toEqual({ y: Array.from(reference.y.data) });
  });
});

/**
 * An environment with ORT's telemetry on, as on a developer's machine, whatever this process has:
 * only PATH and a fresh HOME (where the telemetry writes its device id), plus `extra`. CI runners
 * set CI variables (CI=true, GITHUB_ACTIONS, ...) that turn ORT's telemetry off, so a test that
 * inherited them could not see the crash.
 */
function telemetryOnEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'convcheck-ort-home-'));
  homes.push(home);
  return { PATH: process.env.PATH, HOME: home, ...extra };
}
const homes: string[] = [];
afterAll(() => { for (const home of homes) rmSync(home, { recursive: true, force: true }); });

/**
 * Runs `args` in a child whose soft stack limit is `stackKiB` (`ulimit -S -s`; the crash depends on
 * it, and it differs between machines) and whose environment is `env` (the crash needs ORT's
 * telemetry on, which CI runners turn off through their CI variables).
 */
function withStack(stackKiB: number, args: readonly string[], env = telemetryOnEnvironment()): SpawnSyncReturns<string> {
  return spawnSync('/bin/sh', ['-c', 'ulimit -S -s "$1" && shift && exec "$@"', 'sh', String(stackKiB), ...args], { encoding: 'utf8', timeout: 60_000, env });
}

describe(`${ORT_LONG_COMMAND_LINE.id}: onnxruntime-node's telemetry crashes a process with a long command line`, () => {
  const script = 'adapters/testdata/ort-long-argv.mjs';
  const long = 'a'.repeat(40_000);

  test('still reproduces outside convcheck: a plain node script and an Identity model crash (SIGSEGV) with telemetry on, an 8 MiB stack and a 40,000-character argument, and run with a short one', () => {
    const short = withStack(8192, [process.execPath, script, 'short']);
    expect(short.status, short.stderr).toBe(0);
    expect(short.stdout).toMatch(/Y = 3/);
    const crashed = withStack(8192, [process.execPath, script, long]);
    expect(crashed.signal, `status ${crashed.status}: ${crashed.stdout}${crashed.stderr}`).toBe('SIGSEGV');
  });

  test('the crash scales with the stack limit: 20,000 characters run with 8 MiB and crash with 4 MiB', () => {
    const eight = withStack(8192, [process.execPath, script, 'a'.repeat(20_000)]);
    expect(eight.status, eight.stderr).toBe(0);
    const four = withStack(4096, [process.execPath, script, 'a'.repeat(20_000)]);
    expect(four.signal, `status ${four.status}: ${four.stdout}${four.stderr}`).toBe('SIGSEGV');
  });

  test.each([
    ['ORT_DISABLE_TELEMETRY=1', { ORT_DISABLE_TELEMETRY: '1' }],
    ['CI=true (why CI runners never saw it)', { CI: 'true' }],
    ['GITHUB_ACTIONS=true', { GITHUB_ACTIONS: 'true' }],
  ])('the crash is the telemetry: with %s the same 40,000-character process runs', (_, extra) => {
    const child = withStack(8192, [process.execPath, script, long], telemetryOnEnvironment(extra));
    expect(child.status, `signal ${child.signal}: ${child.stderr}`).toBe(0);
    expect(child.stdout).toMatch(/Y = 3/);
  });

  // a seed of N zeros and a 1 is seed 1: the command line alone is long
  const runWithSeedOfLength = (zeros: number, descriptor: string): SpawnSyncReturns<string> =>
    withStack(8192, [process.execPath, 'bin/convcheck.js', 'run', descriptor, '--backend', 'onnxruntime', '--seed', `${'0'.repeat(zeros)}1`]);

  test.each([
    ['Conv', 'mb1ic1iw4oc1kw2', /onnxruntime +pass/],
    ['ConvInteger', 'CIu8u8mb1ic1iw4oc1kw2', /onnxruntime +exact/],
  ])('convcheck runs onnxruntime (%s) in such a process and it agrees: convcheck turns the telemetry off (before: exit 139)', (_, descriptor, verdict) => {
    const child = runWithSeedOfLength(40_000, descriptor);
    expect(child.signal, child.stderr).toBeNull();
    expect(child.status, child.stdout + child.stderr).toBe(0);
    expect(child.stdout).toMatch(verdict);
  });

  test('convcheck leaves no telemetry behind: after a run on onnxruntime its HOME has no ~/.cache/Microsoft, where a plain session writes a device id', () => {
    const plain = telemetryOnEnvironment();
    expect(withStack(8192, [process.execPath, script, 'short'], plain).status).toBe(0);
    expect(existsSync(join(plain.HOME!, '.cache/Microsoft/DeveloperTools/.onnxruntime/deviceid'))).toBe(true);
    const env = telemetryOnEnvironment();
    const child = withStack(8192, [process.execPath, 'bin/convcheck.js', 'run', 'mb1ic1iw4oc1kw2', '--backend', 'onnxruntime'], env);
    expect(child.stdout, child.stderr).toMatch(/onnxruntime +pass/);
    expect(existsSync(join(env.HOME!, '.cache'))).toBe(false);
  });

  test('loading onnxruntime-node through convcheck turns the telemetry off in this process, and a descriptor cannot make a long command line: names are bounded', () => {
    expect(process.env.ORT_DISABLE_TELEMETRY).toBe('1'); // set by adapters/onnx/onnxruntime-node.ts, imported above
    expect(() => parseDescriptor(`mb1ic1iw4oc1kw2n"${'a'.repeat(40_000)}"`)).toThrow('conv: name must be at most 256 characters, but it has 40000');
  });
});
