/**
 * Where CLI commands write: injectable so tests capture output instead of printing.
 */
import { escapeControlCharacters } from '../problem/errors.ts';

/** Output streams of a command. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Whether stdout is a terminal (progress bar) or not (plain lines). */
  readonly isTTY: boolean;
  /** Rewrites the current terminal line (progress); only called when isTTY. */
  status?(line: string): void;
}

/** The process's stdout and stderr. */
export const processIo: Io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  isTTY: process.stdout.isTTY === true,
  status: (line) => process.stdout.write(`\r\x1b[2K${line}`),
};

/** An Io that keeps what a command writes (for tests, or a program embedding the CLI): `text()` is stdout, `errors()` stderr. */
export function memoryIo(): Io & { readonly lines: string[]; text(): string; errors(): string } {
  const lines: string[] = [], err: string[] = [];
  return { lines, out: (l) => lines.push(l), err: (l) => err.push(l), isTTY: false, text: () => lines.join('\n'), errors: () => err.join('\n') };
}

/**
 * Formats rows as a left-aligned text table. Control characters in a cell (a test directory's name,
 * a tensor name from a file) are written as escapes: they could otherwise clear the screen or
 * forge a row.
 */
export function textTable(header: readonly string[], rawRows: readonly (readonly string[])[]): string {
  const rows = rawRows.map((r) => r.map((cell) => escapeControlCharacters(cell)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
