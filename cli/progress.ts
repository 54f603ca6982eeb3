/**
 * Progress of a long run: a bar rewritten in place on a terminal, plain lines (one per law or
 * backend, never per case) when output is not a TTY, so CI logs stay readable.
 */
import type { Io } from './output.ts';

/** A progress reporter for `total` steps. */
export class Progress {
  private done = 0;
  private lastLine = '';

  constructor(private readonly io: Io, private readonly total: number, private readonly label: string) {}

  /**
   * One more step done; `what` names it (a law, a backend, a golden case). With an unknown total
   * (0) it shows a step count without a bar; past the total the bar stays full (never throws: it
   * runs inside the law runner's per-case callback, where an exception would be taken for a failure).
   */
  tick(what: string): void {
    this.done++;
    if (this.io.isTTY && this.io.status) this.io.status(this.statusLine(what));
    else this.io.out(`${this.label} ${this.done}${this.total > 0 ? `/${this.total}` : ''}: ${what}`);
  }

  /** The terminal line after the latest tick. */
  statusLine(what: string): string {
    if (this.total <= 0) return `${this.label} ${this.done} ${what.slice(0, 60)}`;
    const width = 24;
    const filled = Math.min(width, Math.round((this.done / this.total) * width));
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} ${what.slice(0, 60)}`;
  }

  /** A line worth keeping in a log (a law finished, a backend finished). */
  line(text: string): void {
    if (text === this.lastLine) return;
    this.lastLine = text;
    if (this.io.isTTY && this.io.status) this.io.status('');
    this.io.out(text);
  }

  /** Clears the bar. */
  finish(): void {
    if (this.io.isTTY && this.io.status) this.io.status('');
  }
}
