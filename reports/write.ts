/**
 * Writes a report to `reports/<timestamp>/`: report.json (every case, machine-readable),
 * report.md (fits a pull-request comment) and index.html (self-contained).
 */
import { mkdir, writeFile } from 'node:fs/promises';
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

/** Writes the three files into `dir` (created if needed); returns their paths. */
export async function writeReport(report: Report, dir: string): Promise<{ json: string; markdown: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const files = { json: path.join(dir, 'report.json'), markdown: path.join(dir, 'report.md'), html: path.join(dir, 'index.html') };
  await writeFile(files.json, reportJson(report));
  await writeFile(files.markdown, renderMarkdown(report));
  await writeFile(files.html, renderHtml(report));
  return files;
}
