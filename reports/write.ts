/**
 * Writes a report to `reports/<timestamp>/`: report.json (every case, machine-readable),
 * report.md (fits a pull-request comment) and index.html (self-contained).
 *
 * The folder appears whole or not at all: the three files are written into a hidden sibling,
 * `.incomplete-<name>-<pid>`, which is renamed into place once they are all on disk (a rename
 * within one directory is atomic). A process killed while writing leaves only that hidden folder,
 * never a report folder with some files missing or cut short; the next report in the same parent
 * removes such leftovers of processes that no longer run. An existing folder is never written
 * into (a new report.json next to an old report.md would mix two runs): `writeReport` refuses it,
 * or with `ifExists: 'sibling'` writes `<name>-2`, `<name>-3`, ... beside it.
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import type { Report } from './report-model.ts';

/** A directory-safe timestamp: `2026-11-29T04-05-06Z`. */
export function timestampDirName(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** JSON with non-finite numbers kept readable (`"Infinity"`, `"NaN"`) instead of JSON's null. */
export function reportJson(report: Report): string {
  return JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), 2) + '\n';
}

/** The report folder asked for exists already: a report is never mixed into it. */
export class ReportExistsError extends Error {
  constructor(readonly dir: string) {
    super(`${dir} exists already: a report is written into a new folder only, never mixed with the files of another (remove it, or choose another --out).`);
    this.name = 'ReportExistsError';
  }
}

/** Options of {@link writeReport}. */
export interface WriteReportOptions {
  /** When the folder exists: `refuse` (a ReportExistsError, the default) or write a fresh `sibling` (`<dir>-2`, ...). */
  readonly ifExists?: 'refuse' | 'sibling';
}

/** The files of a written report and the folder they are in. */
export interface WrittenReport {
  readonly dir: string;
  readonly json: string;
  readonly markdown: string;
  readonly html: string;
}

/** The three files of a report. */
export const REPORT_FILES = { json: 'report.json', markdown: 'report.md', html: 'index.html' } as const;

const INCOMPLETE = '.incomplete-';

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes `.incomplete-<name>-<pid>` folders under `parent` whose process no longer runs: what a
 * report killed while writing left. Returns the paths removed.
 */
export async function removeIncompleteReports(parent: string): Promise<string[]> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const pid = name.startsWith(INCOMPLETE) ? Number(/-(\d+)$/.exec(name)?.[1]) : NaN;
    if (!Number.isSafeInteger(pid) || pid === process.pid || processRuns(pid)) continue;
    await rm(path.join(parent, name), { recursive: true, force: true });
    removed.push(path.join(parent, name));
  }
  return removed;
}

/** `dir`, or its first free sibling `dir-2`, `dir-3`, ... */
async function freeSibling(dir: string): Promise<string> {
  for (let k = 2; ; k++) {
    const candidate = `${dir}-${k}`;
    if (!(await exists(candidate))) return candidate;
  }
}

/**
 * Writes the three files into a new folder `dir` (its parent is created if needed), all at once:
 * see the module header. Returns the folder used and the files' paths.
 */
export async function writeReport(report: Report, dir: string, options: WriteReportOptions = {}): Promise<WrittenReport> {
  const parent = path.dirname(path.resolve(dir));
  await mkdir(parent, { recursive: true });
  await removeIncompleteReports(parent);
  const staging = path.join(parent, `${INCOMPLETE}${path.basename(dir)}-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  try {
    await writeFile(path.join(staging, REPORT_FILES.json), reportJson(report));
    await writeFile(path.join(staging, REPORT_FILES.markdown), renderMarkdown(report));
    await writeFile(path.join(staging, REPORT_FILES.html), renderHtml(report));
    let target = dir;
    if (await exists(target)) {
      if (options.ifExists !== 'sibling') throw new ReportExistsError(dir);
      target = await freeSibling(dir);
    }
    // a rename onto an existing empty folder would replace it; the check just above makes that a
    // race with another writer of the same name within the same instant
    await rename(staging, target);
    return { dir: target, json: path.join(target, REPORT_FILES.json), markdown: path.join(target, REPORT_FILES.markdown), html: path.join(target, REPORT_FILES.html) };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
