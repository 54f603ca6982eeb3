import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { shellQuote } from './shell-quote.ts';

describe('shellQuote', () => {
  test('leaves plain words alone and single-quotes the rest, so that sh reads back the same word', () => {
    expect(shellQuote('/usr/bin/python3')).toBe('/usr/bin/python3');
    expect(shellQuote('a law, with spaces')).toBe("'a law, with spaces'");
    expect(shellQuote('/opt/py=3/bin/python')).toBe("'/opt/py=3/bin/python'"); // unquoted, sh would read an assignment
    for (const word of ["it's", 'a b', '$HOME', '`x`', 'semi;colon', "'", '', 'new\nline', 'ü', 'a=b']) {
      const echoed = spawnSync('/bin/sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' });
      expect(echoed.stdout, word).toBe(word);
    }
  });
});
