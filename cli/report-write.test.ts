import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../reports/report-model.ts';
import { REPORT_FILES, writeReport } from '../reports/write.ts';
import { main } from './main.ts';
import { memoryIo } from './output.ts';

const scratch = (): Promise<string> => mkdtemp(path.join(os.tmpdir(), 'convcheck-report-write-'));

const report: Report = {
  title: 'convcheck report', createdAt: '2026-11-30T00:00:00Z', convcheckVersion: '0.1.0',
  machine: { cpus: 2, node: 'v20', platform: 'linux' }, settings: { numRuns: 1, seed: 1, precision: 'fp32' },
  backends: [], cases: [], laws: [], knownDiscrepancies: [], worstCases: [], checkerboard: [], durationMs: 1,
};

/** Whether `dir` holds the three report files, each whole (the JSON parses, the HTML ends). */
function complete(dir: string): boolean {
  const names = readdirSync(dir).sort();
  if (names.join(',') !== Object.values(REPORT_FILES).sort().join(',')) return false;
  try {
    JSON.parse(readFileSync(path.join(dir, REPORT_FILES.json), 'utf8'));
  } catch {
    return false;
  }
  return readFileSync(path.join(dir, REPORT_FILES.html), 'utf8').trimEnd().endsWith('</html>') && readFileSync(path.join(dir, REPORT_FILES.markdown), 'utf8').length > 0;
}

describe('convcheck report writes its folder whole or not at all, never into an existing one', () => {
  it('report refuses an --out that exists with a usage error naming it, before running anything', async () => {
    const dir = await scratch();
    const io = memoryIo();
    const start = performance.now();
    expect(await main(['report', '--backend', 'reference', '--out', dir], io)).toBe(2);
    expect(io.errors()).toContain(`convcheck report: --out ${dir} exists already`);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('an --out made by another command while the report ran is an error (exit 1), not a report written elsewhere (before: <out>-2, exit 0)', async () => {
    const out = path.join(await scratch(), 'same');
    const io = memoryIo();
    process.env.CONVCHECK_TEST_MAKE_DIR = out; // the module backend makes it when it loads, after the up-front check
    try {
      expect(await main(['report', '--backend', './cli/testdata/makes-folder.mjs', '--out', out, '--num-runs', '1', '--golden', 'none'], io)).toBe(1);
    } finally {
      delete process.env.CONVCHECK_TEST_MAKE_DIR;
    }
    expect(io.errors()).toContain(`convcheck report: --out ${out} appeared while the report ran (another command made it), so this report was not written`);
    expect(readdirSync(out)).toEqual([]);
    expect(existsSync(`${out}-2`)).toBe(false);
  });

  it('a real convcheck report killed at random moments of its write window leaves every report folder complete or absent (before: partial folders)', async () => {
    const parent = await scratch();
    const trials = 4;
    const outcomes: string[] = [];
    // two at a time (the machine has two cores); the kills land 0-40 ms after the last backend's
    // summary line, which is printed just before the report is assembled and written (with the
    // writer before this change, 6 such kills left a partial folder)
    for (let t = 0; t < trials; t += 2) {
      await Promise.all([t, t + 1].map((k) => new Promise<void>((resolve, reject) => {
        const out = path.join(parent, `r${k}`);
        const child = spawn(process.execPath, ['bin/convcheck.js', 'report', '--backend', 'reference', '--num-runs', '1', '--golden', 'none', '--seed', '1', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
        let seen = '';
        const delay = (k * 30) / (trials - 1) + Math.random() * 10;
        child.stdout.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (/\n {2}reference: \d+ pass/.test(seen) && child.exitCode === null && !child.killed) {
            setTimeout(() => child.kill(k % 2 === 0 ? 'SIGKILL' : 'SIGTERM'), delay);
          }
        });
        child.on('error', reject);
        child.on('close', (code, signal) => { outcomes.push(`${k}: ${signal ?? code}`); resolve(); });
      })));
    }
    const visible = readdirSync(parent).filter((n) => !n.startsWith('.'));
    for (const name of visible) expect(complete(path.join(parent, name)), `${name} (${outcomes.join(', ')})`).toBe(true);
    // what a killed writer left is hidden and named incomplete, and the next report removes it
    const hidden = readdirSync(parent).filter((n) => n.startsWith('.'));
    for (const name of hidden) expect(name).toMatch(/^\.incomplete-r\d-\d+$/);
    await writeReport(report, path.join(parent, 'next'));
    expect(readdirSync(parent).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(existsSync(path.join(parent, 'next', REPORT_FILES.html))).toBe(true);
  });
});
