import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
    expect(readdirSync(written.dir).sort()).toEqual(Object.values(REPORT_FILES).sort());
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
});
