import { describe, expect, test } from 'vitest';
import { LineReader, type LineEvent } from './line-reader.ts';

function reader(maxLineBytes = 1000): { r: LineReader; events: LineEvent[] } {
  const events: LineEvent[] = [];
  return { r: new LineReader(maxLineBytes, (e) => events.push(e)), events };
}

const lines = (events: readonly LineEvent[]): string[] => events.map((e) => (e.kind === 'line' ? e.line : `<overflow ${e.limitBytes}>`));

describe('LineReader', () => {
  test('lines split across chunks, several lines in one chunk, \\r\\n endings and blank lines', () => {
    const { r, events } = reader();
    for (const chunk of ['{"a"', ':1}\n{"b":2}\r\n\n   \n{"c"', ':3}\n']) r.push(Buffer.from(chunk));
    expect(lines(events)).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  test('a multi-byte character split between chunks is decoded whole', () => {
    const { r, events } = reader();
    const bytes = Buffer.from('{"reason":"∂L/∂w"}\n');
    const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of ∂
    r.push(bytes.subarray(0, cut));
    r.push(bytes.subarray(cut));
    expect(lines(events)).toEqual(['{"reason":"∂L/∂w"}']);
  });

  test('the last line without a newline counts when the stream ends', () => {
    const { r, events } = reader();
    r.push(Buffer.from('one\ntwo'));
    expect(lines(events)).toEqual(['one']);
    r.end();
    expect(lines(events)).toEqual(['one', 'two']);
  });

  test('a line over the bound is one overflow, its bytes are dropped up to its newline, and the next line is read', () => {
    const { r, events } = reader(10);
    r.push(Buffer.from('0123456789')); // exactly the bound: fine so far
    r.push(Buffer.from('A'));
    r.push(Buffer.from('x'.repeat(100)));
    expect(lines(events)).toEqual(['<overflow 10>']);
    expect(r.pendingBytes).toBe(0);
    r.push(Buffer.from('yyy\nshort\n'));
    expect(lines(events)).toEqual(['<overflow 10>', 'short']);
  });

  test('a line of exactly the bound is read', () => {
    const { r, events } = reader(10);
    r.push(Buffer.from('0123456789\n'));
    expect(lines(events)).toEqual(['0123456789']);
  });

  test('one 64 MiB line in 64 KiB chunks is read in linear time', () => {
    // Joining the rest with each chunk and splitting it again was quadratic: 37 s for 32 MB.
    const { r, events } = reader(2 ** 27);
    const chunk = Buffer.alloc(2 ** 16, 0x41);
    const begin = performance.now();
    for (let k = 0; k < 2 ** 10; k++) r.push(chunk);
    r.push(Buffer.from('\n'));
    const elapsed = performance.now() - begin;
    expect(events).toHaveLength(1);
    expect(events[0].kind === 'line' && events[0].line.length).toBe(2 ** 26);
    expect(elapsed).toBeLessThan(3000);
  });
});
