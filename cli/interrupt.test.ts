/**
 * Ctrl-C or SIGTERM to the real command line in the middle of a gate: the external
 * implementation's processes (a hung one ignoring SIGTERM, with a grandchild; one that ignores the
 * end of stdin) and the headless browser are all ended before convcheck exits, with exit code
 * 128 + the signal's number.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { findChromium } from '../adapters/browser/chromium.ts';
import { eventually, isAlive, pidsIn } from '../adapters/testdata/processes.ts';
import { NUMPY_PYTHON as PYTHON } from '../adapters/testdata/python.ts';

const ROOT = join(import.meta.dirname, '..');
const FAULTS = join(ROOT, 'adapters', 'testdata', 'faults');


/**
 * Starts `convcheck gate` against a fault program, waits until `ready(pids)`, sends `signal`, and
 * returns the exit code, the time from the signal to the exit, the pids and the output.
 */
async function interruptGate(program: string, signal: NodeJS.Signals, ready: (p: number[]) => boolean, extra: string[] = []): Promise<{ code: number | null; exitMs: number; pids: number[]; stdout: string; stderr: string }> {
  const pidFile = join(mkdtempSync(join(tmpdir(), 'convcheck-interrupt-')), 'pids');
  const cli = spawn(process.execPath, [join(ROOT, 'bin', 'convcheck'), 'gate', '--backend', `cmd:PIDFILE=${pidFile} ${PYTHON} ${join(FAULTS, program)}`, '--golden', 'none', '--seed', '1', ...extra], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '', stdout = '';
  cli.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  cli.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
  try {
    expect(await eventually(() => ready(pidsIn(pidFile)), 30_000)).toBe(true);
    const begin = Date.now();
    cli.kill(signal);
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
    expect(code).not.toBe('hung');
    return { code: code as number | null, exitMs: Date.now() - begin, pids: pidsIn(pidFile), stdout, stderr };
  } finally {
    cli.kill('SIGKILL');
    for (const pid of pidsIn(pidFile)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  }
}

test('SIGTERM while a hung implementation (ignoring SIGTERM, with a grandchild) has a request: both are ended, exit 143', async () => {
  // before: convcheck died at once and left both running, in their own process group
  const r = await interruptGate('hang.py', 'SIGTERM', (p) => p.length >= 2, ['--timeout', '60000']);
  expect(r.code).toBe(143);
  expect(r.stderr).toMatch(/convcheck: SIGTERM: ending the implementations it started and the browser, then exiting\./);
  expect(r.pids).toHaveLength(2);
  for (const pid of r.pids) expect(isAlive(pid)).toBe(false); // ended before convcheck exited, not after
  expect(r.exitMs).toBeLessThan(8000);
}, 60_000);

test('Ctrl-C (SIGINT) in the middle of a gate on an implementation that ignores the end of stdin and SIGTERM: it is ended, exit 130', async () => {
  const junit = join(mkdtempSync(join(tmpdir(), 'convcheck-interrupt-junit-')), 'gate.xml');
  const r = await interruptGate('ignore_stdin.py', 'SIGINT', (p) => p.length >= 1, ['--num-runs', '1000', '--junit', junit]);
  expect(r.code).toBe(130);
  // no verdict and no JUnit file from a gate cut short (before: "gate: FAILED" with the cut cases as the implementation's errors, in the JUnit file too)
  expect(r.stdout).not.toMatch(/gate: (FAILED|passed)/);
  expect(existsSync(junit)).toBe(false);
  expect(r.pids.length).toBeGreaterThanOrEqual(1);
  for (const pid of r.pids) expect(isAlive(pid)).toBe(false);
  expect(r.exitMs).toBeLessThan(8000);
}, 60_000);

/** The pids of every descendant of `root` now (from /proc). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone meanwhile */ }
  }
  const out: number[] = [];
  const walk = (pid: number): void => { for (const [child, p] of parent) if (p === pid) { out.push(child); walk(child); } };
  walk(root);
  return out;
}

const commandLine = (pid: number): string => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; } };

test.skipIf(findChromium().found === false)('SIGTERM while a browser backend runs: Chromium is closed, exit 143', async () => {
  // before: puppeteer's own SIGTERM handler closed the browser and the gate ran on without it
  const cli = spawn(process.execPath, [join(ROOT, 'bin', 'convcheck'), 'gate', '--backend', 'tfjs-webgl', '--golden', 'none', '--num-runs', '1000', '--seed', '1'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
  let browser: number[] = [];
  try {
    expect(await eventually(() => { browser = descendants(cli.pid ?? 0).filter((p) => /chrom/i.test(commandLine(p))); return browser.length > 0; }, 40_000)).toBe(true);
    const all = descendants(cli.pid ?? 0);
    cli.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
    expect(code).toBe(143);
    expect(await eventually(() => all.every((pid) => !isAlive(pid)), 2000)).toBe(true);
  } finally {
    cli.kill('SIGKILL');
    for (const pid of browser) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  }
}, 90_000);
