/**
 * The source folders form floors, and every import points down or sideways, never up:
 *
 *   cli, bench                   the command and the benchmark
 *   properties, golden, reports  laws, fixtures and reports, side by side
 *   adapters                     every backend, the reference as one of them
 *   compare                      operand data, the tolerance model, one-case runs
 *   reference                    the float64 oracle
 *   problem                      the problem model, shape arithmetic, the backend contract
 *
 * This test reads every import (static and dynamic) of every source and test file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = dirname(fileURLToPath(import.meta.url));

/** The floor of each source folder: an import from floor a to floor b needs b <= a. */
const FLOORS: Readonly<Record<string, number>> = {
  problem: 0, reference: 1, compare: 2, adapters: 3, properties: 4, golden: 4, reports: 4, cli: 5, bench: 5, examples: 5,
};

/** The relative module specifiers a TypeScript file imports (`from '...'`, `import('...')`, `export ... from '...'`). */
function importsOf(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'(\.[^']*)'/gm)) specs.push(m[1]);
  return specs;
}

/** Every upward import among `files` (paths relative to the root, with their text). */
function upwardImports(files: ReadonlyArray<{ path: string; text: string }>): string[] {
  const found: string[] = [];
  for (const { path, text } of files) {
    const from = path.split('/')[0];
    for (const spec of importsOf(text)) {
      const target = relative(ROOT, resolve(ROOT, dirname(path), spec)).split('/')[0];
      if (FLOORS[from] !== undefined && FLOORS[target] !== undefined && FLOORS[target] > FLOORS[from]) {
        found.push(`${path} imports ${spec} (${from} is floor ${FLOORS[from]}, ${target} is floor ${FLOORS[target]})`);
      }
    }
  }
  return found;
}

function sourceFiles(): Array<{ path: string; text: string }> {
  const files: Array<{ path: string; text: string }> = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) files.push({ path: relative(ROOT, full), text: readFileSync(full, 'utf8') });
    }
  };
  for (const folder of Object.keys(FLOORS)) walk(join(ROOT, folder));
  return files;
}

describe('the source folders import downwards only', () => {
  it('no file imports from a higher floor', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    expect(upwardImports(files)).toEqual([]);
  });

  it('the check sees static, type-only, dynamic and re-export imports', () => {
    const text = [
      "import { conv } from '../reference/conv.ts';",
      "import type { Backend } from '../adapters/registry.ts';",
      "const m = await import('../properties/runner.ts');",
      "export { x } from '../cli/main.ts';",
    ].join('\n');
    expect(upwardImports([{ path: 'compare/example.ts', text }])).toEqual([
      expect.stringMatching(/compare\/example\.ts imports \.\.\/adapters\/registry\.ts/),
      expect.stringMatching(/properties\/runner\.ts/),
      expect.stringMatching(/cli\/main\.ts/),
    ]);
  });
});
