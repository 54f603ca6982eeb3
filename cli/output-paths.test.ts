import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { memoryIo } from './output.ts';
import { checkOutputFile, checkOutputFolder } from './output-paths.ts';

describe('output paths, checked before a command runs (they failed with a raw ENOENT, EISDIR or EEXIST after the whole run)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convcheck-out-'));
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');

  it('a file to write: not empty, not a folder, in a folder that exists', () => {
    expect(() => checkOutputFile('gate', 'junit', '')).toThrow('convcheck gate: --junit "": the file name is empty.');
    expect(() => checkOutputFile('gate', 'junit', dir)).toThrow(`--junit "${dir}": is a folder, not a file.`);
    expect(() => checkOutputFile('gate', 'junit', join(dir, 'no', 'x.xml'))).toThrow(`--junit "${join(dir, 'no', 'x.xml')}": its folder ${join(dir, 'no')} does not exist.`);
    expect(() => checkOutputFile('gate', 'junit', join(file, 'x.xml'))).toThrow(`: ${file} is not a folder.`);
    expect(() => checkOutputFile('gate', 'junit', join(dir, 'gate.xml'))).not.toThrow();
    expect(() => checkOutputFile('gate', 'junit', file)).not.toThrow(); // overwritten, as before
  });

  it('a folder to create: not empty, with no file on its way', () => {
    expect(() => checkOutputFolder('report', 'out', '')).toThrow('convcheck report: --out "": the folder name is empty.');
    expect(() => checkOutputFolder('report', 'out', file)).toThrow(`--out "${file}": ${file} is a file, not a folder.`);
    expect(() => checkOutputFolder('report', 'out', join(file, 'sub', 'deeper'))).toThrow(`${file} is a file, not a folder`);
    expect(() => checkOutputFolder('report', 'out', join(dir, 'new', 'deeper'))).not.toThrow();
    expect(readdirSync(dir)).toEqual(['a-file']); // the probe folder is gone
  });

  it.skipIf(!existsSync('/proc/self'))('a folder that refuses new entries though writable by its mode (/proc) is refused up front (before: golden generate spun for ever in Node\'s recursive mkdir)', async () => {
    // as root /proc is writable by its mode and refuses at mkdir; as another user it is not writable
    expect(() => checkOutputFolder('golden generate', 'out', '/proc/convcheck-out/x')).toThrow(/^convcheck golden generate: --out "\/proc\/convcheck-out\/x": \/proc (does not take new folders \(ENOENT\)|is not writable)\.$/);
    const io = memoryIo();
    expect(await main(['golden', 'generate', '--out', '/proc/convcheck-out', '--case', 'article-1x1'], io)).toBe(2);
  });

  // as root (as CI runs here): another user may not write in /dev, which the check before the run refuses
  it.skipIf(!existsSync('/dev/full') || process.getuid?.() !== 0)('a --junit file that cannot be written after the run (a full disk) is said naming --junit, and the gate exits 1 (before: a bare ENOSPC)', async () => {
    const io = memoryIo();
    expect(await main(['gate', '--backend', 'reference', '--law', 'a 1x1 conv is a per-pixel matmul over channels, and a pointwise grouped conv a block-diagonal one', '--num-runs', '2', '--golden', 'none', '--junit', '/dev/full'], io)).toBe(1);
    expect(io.errors()).toMatch(/convcheck gate: --junit "\/dev\/full": could not be written: ENOSPC/);
    expect(io.text()).toMatch(/gate: passed, but --junit could not be written/);
  });

  it('gate --junit and report --out are refused before anything runs (exit 2)', async () => {
    for (const argv of [['gate', '--backend', 'reference', '--junit', join(dir, 'no', 'x.xml')], ['report', '--backend', 'reference', '--out', join(file, 'sub')], ['golden', 'generate', '--out', file]]) {
      const io = memoryIo();
      const begin = performance.now();
      expect(await main(argv, io), argv.join(' ')).toBe(2);
      expect(io.errors()).toMatch(/--(junit|out) ".*": /);
      expect(performance.now() - begin).toBeLessThan(5000);
    }
  });
});
