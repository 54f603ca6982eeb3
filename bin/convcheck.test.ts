import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, isAlive, pidsIn } from '../adapters/testdata/processes.ts';
import { NUMPY_PYTHON } from '../adapters/testdata/python.ts';

/**
 * Runs the CLI with `args` and closes the read end of its stdout: at once (`convcheck laws | true`)
 * or after the first chunk (`| head -1`); returns its exit code and stderr.
 */
async function closeOutputEarly(args: string[], when: 'at once' | 'after the first chunk'): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, ['bin/convcheck.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  if (when === 'at once') child.stdout.destroy();
  else child.stdout.once('data', () => child.stdout.destroy());
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  return { code, signal, stderr };
}

describe('bin/convcheck.js', () => {
  it('a module backend that calls process.exit(0) mid-gate does not make the gate pass: exit code 1, said so', () => {
    const child = spawnSync(process.execPath, ['bin/convcheck.js', 'gate', '--backend', './cli/testdata/exits-zero.mjs', '--num-runs', '1', '--golden', 'none'], { encoding: 'utf8', timeout: 60_000 });
    expect(child.signal, child.stderr).toBeNull();
    expect(child.status).toBe(1);
    expect(child.stderr).toMatch(/told to exit with code 0 \(process\.exit\) before the command finished.*the exit code is 1/);
  });

  it('a command that ends by itself keeps its own exit code and says nothing more', () => {
    const child = spawnSync(process.execPath, ['bin/convcheck.js', 'run', 'mb1ic1iw4oc1kw1', '--backend', 'reference'], { encoding: 'utf8', timeout: 60_000 });
    expect(child.status).toBe(0);
    expect(child.stderr).toBe('');
  });

  it('a reader that has closed its output (`convcheck laws | true`) ends it quietly with code 141, as SIGPIPE would; before, an EPIPE stack dump', async () => {
    const r = await closeOutputEarly(['laws'], 'at once');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(141);
    expect(r.stderr).toBe('');
  }, 60_000);

  it('a gate whose output is closed is not a pass: code 141, and the implementation it started (ignoring SIGTERM) is ended', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'convcheck-closed-')), 'pids');
    const program = join('adapters', 'testdata', 'faults', 'ignore_stdin.py');
    const r = await closeOutputEarly(['gate', '--backend', `cmd:PIDFILE=${pidFile} ${NUMPY_PYTHON} ${program}`, '--golden', 'none', '--seed', '1'], 'after the first chunk');
    expect(r.code).toBe(141);
    expect(r.stderr).toBe('');
    const pids = pidsIn(pidFile);
    for (const pid of pids) expect(await eventually(() => !isAlive(pid), 5000), `pid ${pid} still runs`).toBe(true);
  }, 60_000);

  it.skipIf(!existsSync('/dev/full'))('another write error (stdout on a full disk: /dev/full) exits with code 1, said on stderr', () => {
    const child = spawnSync('sh', ['-c', `"${process.execPath}" bin/convcheck.js laws > /dev/full`], { encoding: 'utf8', timeout: 60_000 });
    expect(child.status).toBe(1);
    expect(child.stderr).toMatch(/^convcheck: writing to stdout failed \(ENOSPC\); exiting\.\n$/);
  });

  it('a TypeScript module backend in a folder that is not an ES module package loads (before: a syntax error, Node read it as CommonJS without tsx)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convcheck-plain-ts-')); // no package.json: CommonJS to Node
    const file = join(dir, 'mine.ts');
    writeFileSync(file, [
      'const supported = () => ({ supported: true as const });',
      "export default { name: 'mine-ts', version: '1', precision: 'fp32' as const, supports: supported,",
      '  run: async () => ({ shape: [1, 1, 2], data: new Float32Array([0, 0]) }) };',
    ].join('\n'));
    const child = spawnSync(process.execPath, ['bin/convcheck.js', 'run', 'mb1ic1iw3oc1kw2', '--backend', file], { encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).toBe('');
    expect(child.stdout).toMatch(/^mine-ts +fail \(impossible\)/m); // loaded and judged: zeros where the reference is not
  });
});
