/**
 * The project's .npmrc keeps onnxruntime-node's install script (a CUDA download from api.nuget.org
 * on linux/x64, which fails without that network) from running, with keys every npm knows: npm 11
 * warns "Unknown project config" on every npm and npx call for any other key (it did for the
 * former `onnxruntime-node-install=skip`, which only that script reads).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = import.meta.dirname;

describe('.npmrc', () => {
  test('sets ignore-scripts=true, and only keys npm knows', () => {
    const keys = readFileSync(join(ROOT, '.npmrc'), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.split('=')[0].trim());
    expect(keys).toEqual(['ignore-scripts', 'fund', 'audit']);
  });

  test('npm reads it without a warning', () => {
    const result = spawnSync('npm', ['config', 'get', 'ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stdout.trim()).toBe('true');
    expect(result.stderr).not.toMatch(/warn/i);
  });
});
