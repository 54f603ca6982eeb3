import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

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
});
