import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseDescriptor } from '../problem/descriptor.ts';
import { makeOperands } from '../problem/operand-data.ts';
import { runCase } from '../compare/run-case.ts';
import { checkBackendShape, loadModuleBackend } from './module-backend.ts';

const fixture = (name: string): string => join(import.meta.dirname, 'testdata', name);

describe('loadModuleBackend', () => {
  test('a default-exported async factory is called, and its Backend runs and passes the gate', async () => {
    const backend = await loadModuleBackend(fixture('module-factory.ts'));
    expect([backend.name, backend.version, backend.precision]).toEqual(['fixture-factory', '2.0.0', 'fp32']);
    const outcome = await runCase(backend, parseDescriptor('mb1ic2ih4iw4oc2kh3kw3ph1pw1'), { mode: 'exact', seed: 3 });
    expect(outcome.verdict).toBe('pass');
  });

  test('a default-exported Backend object is used as it is (and a wrong answer of it fails)', async () => {
    const backend = await loadModuleBackend(fixture('module-object.ts'));
    expect(backend.name).toBe('fixture-object');
    const p = parseDescriptor('mb1ic1ih3iw3oc1kh2kw2');
    const outcome = await runCase(backend, p, { mode: 'exact', seed: 1, operands: { x: { shape: [1, 1, 3, 3], data: new Float32Array(9).fill(1) }, w: { shape: [1, 1, 2, 2], data: new Float32Array(4).fill(1) } } });
    expect(outcome.verdict).toBe('fail');
  });

  test('a relative path is resolved against the working directory', async () => {
    const backend = await loadModuleBackend('adapters/testdata/module-object.ts');
    expect(backend.name).toBe('fixture-object');
  });

  test('a default export missing run and with an unknown precision is refused, naming the path and both members', async () => {
    const load = loadModuleBackend(fixture('module-broken.ts'));
    await expect(load).rejects.toThrow(/module backend .*module-broken\.ts \(default export\): not a Backend: member "precision" must be one of fp64, fp32, tf32, fp16, bf16, but it is "fp8"; missing member "run"/);
  });

  test('a module without a default export is refused, listing what it exports', async () => {
    await expect(loadModuleBackend(fixture('module-no-default.ts'))).rejects.toThrow(/module-no-default\.ts: has no default export .*; it exports backend\./);
  });

  test('a factory that throws is reported with its message', async () => {
    await expect(loadModuleBackend(fixture('module-factory-throws.ts'))).rejects.toThrow(/module-factory-throws\.ts: its default export factory threw: no CUDA device/);
  });

  test('a path that does not exist is a clear import error naming the path', async () => {
    await expect(loadModuleBackend(fixture('missing.ts'))).rejects.toThrow(/module backend .*missing\.ts: cannot import it/);
  });
});

describe('checkBackendShape', () => {
  test('accepts the reference backend', async () => {
    const { referenceBackend } = await import('./reference.ts');
    expect(checkBackendShape('reference', referenceBackend)).toBe(referenceBackend);
  });

  test('refuses null and a dispose that is not a function', () => {
    expect(() => checkBackendShape('x', null)).toThrow(/x: must be a Backend object, but it is null/);
    const almost = { name: 'a', version: '1', precision: 'fp32', supports: () => ({ supported: true }), run: async () => makeOperands(parseDescriptor('mb1ic1iw1oc1kw1'), 'exact', 1).x, dispose: 'yes' };
    expect(() => checkBackendShape('x', almost)).toThrow(/member "dispose" must be a function \(\) => Promise<void>, but it is "yes"/);
  });

  test('refuses quantized ops without their run', () => {
    const base = { name: 'a', version: '1', precision: 'fp32', supports: () => ({ supported: true }), run: async () => makeOperands(parseDescriptor('mb1ic1iw1oc1kw1'), 'exact', 1).x };
    expect(() => checkBackendShape('x', { ...base, quantized: { supports: () => ({ supported: true }) } })).toThrow(/member "quantized" must be an object with functions supports\(problem\) and run\(problem, operands\)/);
  });
});
