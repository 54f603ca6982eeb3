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

/**
 * A status line as it is rewritten in place: cut to the terminal's width less one column, since
 * `\r` and erase-line reach back over the last row only, so a line that wrapped left a stale row
 * behind at every rewrite (a 30-column terminal kept one per law).
 */
export function statusText(line: string, columns: number | undefined): string {
  return `\r\x1b[2K${columns !== undefined && columns > 1 && line.length > columns - 1 ? line.slice(0, columns - 1) : line}`;
}

/** Whether stdout is a terminal that rewrites lines in place (a TERM=dumb one has no erase-line: it gets plain lines). */
export function rewritesInPlace(isTTY: boolean | undefined, term: string | undefined): boolean {
  return isTTY === true && term !== 'dumb';
}

/** The process's stdout and stderr. */
export const processIo: Io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  isTTY: rewritesInPlace(process.stdout.isTTY, process.env.TERM),
  status: (line) => process.stdout.write(statusText(line, process.stdout.columns)),
};

/** Exit code of convcheck when the reader of its output went away: 128 + SIGPIPE's 13, what a shell reports for a program SIGPIPE ended. */
export const OUTPUT_CLOSED_EXIT_CODE = 141;

let exitingOnClosedOutput = false;

/**
 * Makes a write to a closed stdout or stderr end the process as SIGPIPE ends other programs:
 * `convcheck laws | head` (head exits, the next write fails with EPIPE) exits quietly with code
 * {@link OUTPUT_CLOSED_EXIT_CODE}, where Node threw an unhandled 'error' event with its stack. A
 * gate whose output is closed is not a pass. Any other write error (EIO, ENOSPC) exits with code 1,
 * said on the other stream. The process's 'exit' hooks still end what convcheck started (the
 * implementations' process groups, Chromium). Installed once, by bin/convcheck.js, for the process.
 */
export function exitWhenOutputCloses(): void {
  for (const [stream, name, other] of [[process.stdout, 'stdout', process.stderr], [process.stderr, 'stderr', process.stdout]] as const) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (exitingOnClosedOutput) return;
      exitingOnClosedOutput = true;
      if (error.code === 'EPIPE') process.exit(OUTPUT_CLOSED_EXIT_CODE);
      try {
        other.write(`convcheck: writing to ${name} failed (${error.code ?? error.message}); exiting.\n`);
      } catch {
        // the other stream is gone too
      }
      process.exit(1);
    });
  }
}

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
