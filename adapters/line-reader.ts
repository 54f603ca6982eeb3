/**
 * Splits a byte stream (a process's stdout) into lines in time linear in its length, with a
 * bound on the length of one line. The bytes of a line are kept as the chunks they arrived in and
 * joined once, at its newline: re-joining and re-splitting the growing rest at every chunk was
 * quadratic (a 32 MB line took 37 s to read). A line longer than the bound is reported once, as an
 * overflow, and its bytes are dropped up to its newline, so no amount of output exhausts memory.
 */

/** What the reader reports: a complete line (without its `\n` or `\r\n`), or a line over the bound. */
export type LineEvent =
  | { readonly kind: 'line'; readonly line: string }
  | { readonly kind: 'overflow'; readonly limitBytes: number };

/** Lines of a byte stream, one callback per line; blank lines are skipped. */
export class LineReader {
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Inside a line already reported as too long: its bytes are dropped up to the next newline. */
  private skipping = false;

  /**
   * @param maxLineBytes the longest line accepted, in bytes (without its newline)
   * @param onEvent called with each line, or once with an overflow for a line over the bound
   */
  constructor(private readonly maxLineBytes: number, private readonly onEvent: (event: LineEvent) => void) {}

  /** Takes the next chunk of the stream. */
  push(chunk: Buffer): void {
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline >= 0; newline = chunk.indexOf(10, start)) {
      this.take(chunk.subarray(start, newline));
      this.endLine();
      start = newline + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start));
  }

  /** The stream ended: a last line without a newline counts as a line. */
  end(): void {
    if (this.partBytes > 0 || this.skipping) this.endLine();
  }

  /** Bytes of the current, unfinished line. */
  get pendingBytes(): number {
    return this.partBytes;
  }

  /** The first `max` bytes of the current, unfinished line, decoded as UTF-8. */
  pendingStart(max: number): string {
    return Buffer.concat(this.parts, Math.min(this.partBytes, max)).toString('utf8');
  }

  private take(piece: Buffer): void {
    if (this.skipping || piece.length === 0) return;
    if (this.partBytes + piece.length > this.maxLineBytes) {
      this.parts = [];
      this.partBytes = 0;
      this.skipping = true;
      this.onEvent({ kind: 'overflow', limitBytes: this.maxLineBytes });
      return;
    }
    this.parts.push(piece);
    this.partBytes += piece.length;
  }

  private endLine(): void {
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.partBytes);
    this.parts = [];
    this.partBytes = 0;
    let line = bytes.toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (!isBlank(line)) this.onEvent({ kind: 'line', line });
  }
}

/** Whether a line holds only white space (looked at up to its first other character). */
function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0b && c !== 0x0c) return false;
  }
  return true;
}
