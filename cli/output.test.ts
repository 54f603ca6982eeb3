import { describe, expect, it } from 'vitest';
import { rewritesInPlace, statusText, textTable } from './output.ts';

describe('textTable', () => {
  it('aligns columns and trims each line', () => {
    expect(textTable(['a', 'bb'], [['xyz', '1'], ['', '22']])).toBe('a    bb\n---  --\nxyz  1\n     22');
  });

  it('writes control characters in cells as escapes (before: a test directory named "esc\\u001b[31mRED\\nfake 99 passed" coloured the terminal and forged a line)', () => {
    const table = textTable(['test', 'verdict'], [['esc\u001b[31mRED\nfake 99 passed', 'error'], ['X\u001b[2J\r', 'pass']]);
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toContain('esc\\u001b[31mRED\\nfake 99 passed  error');
    expect(table).toContain('X\\u001b[2J\\r');
    expect(table).not.toMatch(/[\u001b\r]/);
  });
});

describe('the progress line on a terminal', () => {
  it('is cut to the width less one column, so it never wraps (a wrapped one left a stale row at every rewrite)', () => {
    expect(statusText('gate 2 a depthwise conv is a grouped conv', 30)).toBe('\r\x1b[2Kgate 2 a depthwise conv is a ');
    expect(statusText('short', 30)).toBe('\r\x1b[2Kshort');
    expect(statusText('no width known', undefined)).toBe('\r\x1b[2Kno width known');
  });

  it('is rewritten in place only on a terminal that is not TERM=dumb (which gets plain lines)', () => {
    expect(rewritesInPlace(true, 'xterm-256color')).toBe(true);
    expect(rewritesInPlace(true, 'dumb')).toBe(false);
    expect(rewritesInPlace(false, 'xterm')).toBe(false);
    expect(rewritesInPlace(undefined, undefined)).toBe(false);
  });
});
