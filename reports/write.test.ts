import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { memoryIo } from '../cli/output.ts';
import type { Report } from './report-model.ts';
import { removeIncompleteReports, REPORT_FILES, ReportExistsError, writeReport } from './write.ts';

const report: Report = {
  title: 'convcheck report', createdAt: '2026-11-30T00:00:00Z', convcheckVersion: '0.1.0',
  machine: { cpus: 2, node: 'v20', platform: 'linux' }, settings: { numRuns: 1, seed: 1, precision: 'fp32' },
  backends: [{ name: 'reference', version: '0.1.0', precision: 'fp64', available: true }],
  cases: [{ source: 'law', name: 'agreement', backend: 'reference', convType: 'conv2d', descriptor: 'mb1ic1ih3iw3oc1kh3kw3', verdict: 'pass', timeMs: 1 }],
  laws: [{ name: 'agreement', math: 'y = y_ref', convTypes: ['conv2d'], structural: false }],
  knownDiscrepancies: [], worstCases: [], checkerboard: [], durationMs: 1,
};

const scratch = (): Promise<string> => mkdtemp(path.join(os.tmpdir(), 'convcheck-write-'));

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

describe('reports are written whole or not at all, and never into an existing folder', () => {
  it('refuses a folder that exists and leaves it as it was (before: a new report.json beside the old report.md and index.html)', async () => {
    const dir = path.join(await scratch(), 'out');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'report.md'), 'an older report\n');
    await expect(writeReport(report, dir)).rejects.toThrow(ReportExistsError);
    expect(readdirSync(dir)).toEqual(['report.md']);
    expect(readdirSync(path.dirname(dir))).toEqual(['out']); // no staging folder left either
  });

  it('with ifExists sibling, writes <name>-2 beside it', async () => {
    const dir = path.join(await scratch(), '2026-11-30T00-00-00Z');
    mkdirSync(dir);
    const written = await writeReport(report, dir, { ifExists: 'sibling' });
    expect(written.dir).toBe(`${dir}-2`);
    expect(complete(written.dir)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes the staging folders of reports whose process is gone, and keeps those of running ones', async () => {
    const parent = await scratch();
    const gone = spawnSync('true').pid; // a process that has exited
    mkdirSync(path.join(parent, `.incomplete-old-${gone}`));
    mkdirSync(path.join(parent, `.incomplete-running-${process.ppid}`));
    expect(await removeIncompleteReports(parent)).toEqual([path.join(parent, `.incomplete-old-${gone}`)]);
    expect(readdirSync(parent)).toEqual([`.incomplete-running-${process.ppid}`]);
  });

  it('report refuses an --out that exists with a usage error naming it, before running anything', async () => {
    const dir = await scratch();
    const io = memoryIo();
    const start = performance.now();
    expect(await main(['report', '--backend', 'reference', '--out', dir], io)).toBe(2);
    expect(io.errors()).toContain(`convcheck report: --out ${dir} exists already`);
    expect(performance.now() - start).toBeLessThan(2000);
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
