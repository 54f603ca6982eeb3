import { describe, expect, it } from 'vitest';
import { textTable } from './output.ts';

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
