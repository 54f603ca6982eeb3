/**
 * `convcheck gate` against each fault program of adapters/testdata/faults (a correct numpy
 * implementation with one fault each): the gate ends with the verdict that fault deserves, within
 * its time limits, and leaves no process of the implementation behind.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { main } from './main.ts';
import { memoryIo } from './output.ts';
import { eventually, isAlive, pidsIn } from '../adapters/testdata/processes.ts';
import { NUMPY_PYTHON as PYTHON } from '../adapters/testdata/python.ts';

const ROOT = join(import.meta.dirname, '..');
const FAULTS = join(ROOT, 'adapters', 'testdata', 'faults');


interface GateRun { code: number; text: string; ms: number; pids: number[]; alive: number[] }

/** The pids still running up to 2 s after the gate returned (SIGKILL takes effect at once, but a loaded machine may take a moment to tear a process down). */
async function stillAlive(pids: readonly number[]): Promise<number[]> {
  await eventually(() => !pids.some(isAlive));
  return pids.filter(isAlive);
}

/** Runs the gate on a fault program (1 case per law, no golden corpus) and collects what it left. */
async function gate(program: string, timeoutMs: number, extra: string[] = []): Promise<GateRun> {
  const pidFile = join(mkdtempSync(join(tmpdir(), 'convcheck-fault-')), 'pids');
  const io = memoryIo();
  const begin = performance.now();
  const code = await main(['gate', '--backend', `cmd:PIDFILE=${pidFile} ${PYTHON} ${join(FAULTS, program)}`, '--num-runs', '1', '--seed', '3', '--golden', 'none', '--timeout', String(timeoutMs), ...extra], io);
  const ms = performance.now() - begin;
  const pids = pidsIn(pidFile);
  const alive = await stillAlive(pids);
  for (const pid of alive) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  return { code, text: `${io.text()}\n${io.errors()}`, ms, pids, alive };
}

/** The numbers of the gate's last line: `gate: FAILED (P passed, F fail, E error, ...)`. */
function tally(text: string): { passed: number; fail: number; error: number } {
  const m = /gate: (?:passed|FAILED) \((\d+) passed, (\d+) fail, (\d+) error/.exec(text);
  if (m === null) throw new Error(`no tally in:\n${text.slice(-2000)}`);
  return { passed: Number(m[1]), fail: Number(m[2]), error: Number(m[3]) };
}

describe('convcheck gate against each fault program', () => {
  test('crash right after the hello: errors naming the exit, then broken: every other case an error at once', async () => {
    const r = await gate('crash_after_hello.py', 3000);
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/exited with code 1 before replying/);
    expect(r.text).toMatch(/ext:crash-after-hello is broken: 3 requests in a row ended its process/);
    expect(tally(r.text)).toMatchObject({ passed: 0, fail: 0 });
    expect(r.pids).toHaveLength(3); // started 3 times, not once per case
    expect(r.alive).toEqual([]);
    expect(r.ms).toBeLessThan(15_000);
  }, 60_000);

  test('a hang (ignoring stdin and SIGTERM, with a grandchild): time-out errors within the limit, the gate stopped, nothing left', async () => {
    const r = await gate('hang.py', 500);
    expect(r.code).toBe(1);
    // the process backend's own limit or the law's call limit (the same 500 ms), whichever notices first
    expect(r.text).toMatch(/(no reply|did not answer) within 500 ms/);
    expect(tally(r.text)).toMatchObject({ passed: 0, fail: 0 });
    expect(r.alive).toEqual([]);
    expect(r.ms).toBeLessThan(20_000); // three time-outs and restarts, then the rest at once
  }, 60_000);

  test('an implementation that ignores the end of stdin and SIGTERM: the gate passes, and it is killed at the end', async () => {
    const r = await gate('ignore_stdin.py', 1000);
    expect(r.code, r.text).toBe(0);
    expect(r.pids).toHaveLength(1);
    expect(r.alive).toEqual([]);
  }, 60_000);

  test('stdout flooded without a newline: an error (over-long line or no reply), the process killed, the gate stopped', async () => {
    const r = await gate('flood_stdout.py', 500);
    expect(r.code).toBe(1);
    // the process's own limit or the law's call limit (the same 500 ms), whichever notices first
    expect(r.text).toMatch(/a stdout line longer than 179022508 bytes|no reply within 500 ms|did not answer within 500 ms/);
    expect(tally(r.text)).toMatchObject({ passed: 0, fail: 0 });
    expect(r.alive).toEqual([]);
    expect(r.ms).toBeLessThan(20_000);
  }, 60_000);

  test('a grandchild holding stdout after the crash: the exit code is reported, not "did not answer", and the grandchild is gone', async () => {
    const r = await gate('fork_grandchild.py', 5000);
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/the process exited with code 5 before replying \(a process it started still held its stdout open/);
    expect(r.text).not.toMatch(/no reply within/);
    expect(r.pids.length).toBeGreaterThanOrEqual(2);
    expect(r.alive).toEqual([]);
    expect(r.ms).toBeLessThan(15_000);
  }, 60_000);

  test('a reply written twice: a protocol error on the request it answered', async () => {
    const r = await gate('reply_twice.py', 3000);
    expect(r.code).toBe(1);
    // the first three failures break the backend; the shrunk cases name that cause
    expect(r.text).toMatch(/ext:reply-twice is broken: 3 requests in a row ended its process \(the last: request \d+ \([^)]*\): a second stdout line right after its reply, "\{\\"type\\": \\"result\\", \\"id\\": \d+/);
    expect(tally(r.text)).toMatchObject({ passed: 0, fail: 0 });
    expect(r.alive).toEqual([]);
  }, 60_000);

  test('a reply repeated later, while no request is outstanding: `run` (one request) reports it and fails', async () => {
    // before: `run` printed a pass and exited 0; the repeated line went unnoticed
    const io = memoryIo();
    const code = await main(['run', 'mb1ic2ih4iw4oc2kh3kw3', '--backend', `cmd:${PYTHON} ${join(FAULTS, 'reply_twice_late.py')}`], io);
    expect(io.text()).toMatch(/ext:reply-twice-late\s+pass/);
    expect(io.errors()).toMatch(/convcheck run: ext:reply-twice-late is broken: after request 1 \(mb1ic2ih4iw4oc2kh3kw3\) its process wrote another stdout line while no request was outstanding/);
    expect(code).toBe(1);
  }, 60_000);

  test('a wrong output shape: fail with both shapes, shrunk, not error', async () => {
    const r = await gate('wrong_shape.py', 3000);
    expect(r.code).toBe(1);
    const t = tally(r.text);
    expect(t.fail).toBeGreaterThan(0);
    expect(t.error).toBe(0);
    expect(r.text).toMatch(/returned shape \[[\d,]+\] \(\d+ elements\) for .*, but its shape is \[[\d,]+\]|output shape \[[\d,]+\] \(\d+ elements\) differs from the expected/);
    expect(r.alive).toEqual([]);
  }, 60_000);

  test('a NaN output: fail (impossible), not error', async () => {
    const r = await gate('nan_output.py', 3000, ['--law', 'the backend agrees with the reference']);
    expect(r.text).toMatch(/verdict:\s+fail \(impossible\)/);
    expect(r.code).toBe(1);
    const t = tally(r.text);
    expect(t.fail).toBeGreaterThan(0);
    expect(t.error).toBe(0);
    expect(r.alive).toEqual([]);
  }, 60_000);

  test('--error-inputs: an implementation that accepts ill-formed calls fails that section only; the numpy example refuses them all', async () => {
    const r = await gate('accept_ill_formed.py', 3000, ['--error-inputs']);
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/error inputs: 29 ill-formed calls ext:accept-ill-formed must refuse: 0 refused, 29 accepted, 0 error, 0 not sent/);
    expect(r.text).toMatch(/conv-group-not-dividing-input-channels\s+ACCEPTED\s+accepted an ill-formed call \(group must divide the input channels: group=3, C=4\) and returned an output of shape \[1,3,3,3\]/);
    expect(r.text).toMatch(/qlinearconv-y-scale-zero\s+ACCEPTED\s+accepted an ill-formed call \(y_scale must be a positive float32/);
    expect(tally(r.text)).toMatchObject({ fail: 29, error: 0 });
    expect(r.alive).toEqual([]);
    const io = memoryIo();
    expect(await main(['gate', '--backend', `cmd:${PYTHON} ${join(ROOT, 'examples', 'numpy_conv.py')}`, '--num-runs', '1', '--seed', '3', '--golden', 'none', '--error-inputs'], io), io.text()).toBe(0);
    expect(io.text()).toMatch(/error inputs: 29 ill-formed calls ext:numpy-conv must refuse: 29 refused, 0 accepted, 0 error, 0 not sent/);
    expect(io.text()).toMatch(/convinteger-bias\s+refused\s+ValueError: problem\.bias: ConvInteger has no bias input/);
    expect(io.text()).toMatch(/conv-stride-zero\s+refused\s+ValueError: problem\.strides=\[0, 1\]: must be 2 integers >= 1/);
  }, 60_000);
});
