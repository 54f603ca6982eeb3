import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseDescriptor } from '../problem/descriptor.ts';
import { makeOperands } from '../problem/operand-data.ts';
import { runCase } from '../compare/run-case.ts';
import { checkBackendShape, checkResultTensor, guardModuleBackend, loadModuleBackend } from './module-backend.ts';
import { referenceBackend } from './reference.ts';
import type { Backend } from '../problem/backend.ts';

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

  test('refuses a name or version of more than 200 characters or with control characters, quoting it cut (before: a 10 MB name made a 60 MB gate output; a version of ESC[2J cleared the terminal)', () => {
    const base = { name: 'a', version: '1', precision: 'fp32', supports: () => ({ supported: true }), run: async () => makeOperands(parseDescriptor('mb1ic1iw1oc1kw1'), 'exact', 1).x };
    let message = '';
    try { checkBackendShape('x', { ...base, name: 'n'.repeat(10_000_000) }); } catch (error) { message = (error as Error).message; }
    expect(message).toMatch(/member "name" must be a non-empty string of at most 200 characters without control characters, but it is "n{80}\.\.\." \(10000000 characters\)/);
    expect(message.length).toBeLessThan(500);
    expect(() => checkBackendShape('x', { ...base, version: '1\u001b[2J' })).toThrow('member "version" must be a string of at most 200 characters without control characters, but it is "1\\u001b[2J"');
    expect(checkBackendShape('x', { ...base, name: 'my conv', version: '2.0.1-rc1' })).toMatchObject({ name: 'my conv' });
  });

  test('refuses quantized ops without their run', () => {
    const base = { name: 'a', version: '1', precision: 'fp32', supports: () => ({ supported: true }), run: async () => makeOperands(parseDescriptor('mb1ic1iw1oc1kw1'), 'exact', 1).x };
    expect(() => checkBackendShape('x', { ...base, quantized: { supports: () => ({ supported: true }) } })).toThrow(/member "quantized" must be an object with functions supports\(problem\) and run\(problem, operands\)/);
  });
});

describe('guardModuleBackend: a module backend that breaks its contract is an error verdict naming what it did', () => {
  const p = parseDescriptor('mb1ic1iw5oc1kw3');
  /** A module-like backend (as a user's JS would be: nothing typed) with the given members. */
  const moduleLike = (members: Record<string, unknown>): Backend => guardModuleBackend({ name: 'm', version: '1', precision: 'fp32', supports: () => ({ supported: true }), ...members } as unknown as Backend);
  const answering = (value: unknown): Backend => moduleLike({ run: async () => value });

  test.each([
    ['data shorter than its shape', { shape: [1, 1, 3], data: [1, 2] }, 'the result\'s shape [1,1,3] holds 3 elements, but its data has 2.'],
    ['data longer than its shape', { shape: [1, 1, 3], data: new Float32Array(1e6) }, 'the result\'s shape [1,1,3] holds 3 elements, but its data has 1000000.'],
    ['a shape far larger than its data', { shape: [1e9, 1e9, 1e9], data: new Float32Array(3) }, 'the result\'s shape [1000000000,1000000000,1000000000] holds 1e+27 elements, but its data has 3.'],
    ['a negative size', { shape: [1, 1, -3], data: new Float32Array(3) }, 'the result\'s shape must hold non-negative integers, but shape[2] is -3.'],
    ['a shape that is not an array', { shape: '1,1,3', data: new Float32Array(3) }, 'the result\'s shape must be an array of non-negative integers, but it is "1,1,3".'],
    ['data of another type', { shape: [1, 1, 3], data: new Int32Array(3) }, 'the result\'s data must be a Float32Array, Float64Array or number[], but it is an Int32Array.'],
    ['data holding a string', { shape: [1, 1, 3], data: [0, '1', 2] }, 'the result\'s data must hold numbers, but data[1] is "1".'],
    ['null', null, 'm: run() must resolve to a Tensor { shape, data }, but it resolved to null.'],
    ['a string', 'hello', 'm: run() must resolve to a Tensor { shape, data }, but it resolved to "hello".'],
  ])('run() resolving to %s (before: judged, or a crash reading its shape)', async (_, value, message) => {
    const outcome = await runCase(answering(value), p, { mode: 'exact', seed: 1 });
    expect(outcome.verdict).toBe('error');
    expect(outcome.verdict === 'error' && outcome.message).toContain(message);
  });

  test('a number[] of the right length is a Tensor (copied to a Float64Array) and is judged', async () => {
    const right = async (q: typeof p, o: Parameters<Backend['run']>[1]) => {
      const y = await referenceBackend.run(q, o);
      return { shape: y.shape, data: Array.from(y.data) };
    };
    expect((await runCase(moduleLike({ run: right }), p, { mode: 'exact', seed: 1 })).verdict).toBe('pass');
    expect(checkResultTensor('m', { shape: [2], data: [1, 2] }).data).toEqual(Float64Array.from([1, 2]));
  });

  test('a typed array whose length getter lies, or a Proxy posing as one, is an error; a real one is copied (before: the judge read past its end)', async () => {
    class Lying extends Float32Array { override get length(): number { return 4; } }
    const lying = new Lying(1);
    expect(lying.length).toBe(4);
    expect(() => checkResultTensor('m: run()', { shape: [4], data: lying })).toThrow("m: run(): the result's shape [4] holds 4 elements, but its data has 1.");
    expect(() => checkResultTensor('m: run()', { shape: [1], data: new Proxy(new Float32Array(1), {}) })).toThrow("m: run(): the result's data claims to be a Float32Array but is not one (a Proxy?).");
    const real = Float64Array.from([1, 2]);
    const checked = checkResultTensor('m', { shape: [2], data: real }).data;
    expect(checked).toEqual(real);
    expect(checked).not.toBe(real);
    const outcome = await runCase(answering({ shape: [1, 1, 2, 2], data: Object.assign(new Lying(1), {}) }), p, { mode: 'exact', seed: 1 });
    expect(outcome.verdict === 'error' && outcome.message).toContain('but its data has 1');
  });

  test('a result whose shape getter throws, and a Backend whose name getter throws, are said with what was being read (before: only the getter\'s own message)', async () => {
    const throwing = { get shape(): number[] { throw new Error('shape getter'); }, data: new Float32Array(3) };
    const outcome = await runCase(answering(throwing), p, { mode: 'exact', seed: 1 });
    expect(outcome.verdict === 'error' && outcome.message).toContain("m: run(): reading the result's shape and data threw: shape getter.");
    const base = { version: '1', precision: 'fp32', supports: () => ({ supported: true }), run: async () => null };
    expect(() => checkBackendShape('x', { ...base, get name(): string { throw new Error('name getter'); } })).toThrow('x: not a Backend: member "name" could not be read: its getter threw "name getter".');
  });

  test('a supports() reason of 10 MB is cut to 2,000 characters with its length, its control characters escaped', () => {
    const guarded = moduleLike({ supports: () => ({ supported: false, reason: `\u001b[2J${'r'.repeat(10_000_000)}` }) });
    const support = guarded.supports(p);
    expect(support.supported).toBe(false);
    const reason = support.supported ? '' : support.reason;
    expect(reason.length).toBeLessThan(2100);
    expect(reason).toMatch(/^\\u001b\[2Jr+.*10000004 characters/);
  });

  test('supports() returning undefined or a Support without its reason (before: a crash reading .supported)', async () => {
    for (const [support, shown] of [[undefined, 'undefined'], [{ supported: false }, 'an object with supported=false']] as const) {
      const outcome = await runCase(moduleLike({ supports: () => support, run: async () => null }), p, { mode: 'exact', seed: 1 });
      expect(outcome.verdict === 'error' && outcome.message).toBe(`m.supports threw: supports(problem) must return { supported: true } or { supported: false, reason: string }, but it returned ${shown}.`);
    }
  });

  test('a throw of something that is not an Error is an error naming it', async () => {
    const outcome = await runCase(moduleLike({ run: async () => { throw null; } }), p, { mode: 'exact', seed: 1 });
    expect(outcome.verdict === 'error' && outcome.message).toBe('m: run() threw null, not an Error');
  });

  test('a module writing into the problem and operands it is given changes nothing of the caller\'s (before: "x must have shape [1,1,999]")', async () => {
    const operands = makeOperands(p, 'exact', 1);
    const before = { problem: structuredClone(p), x: operands.x.data.slice() };
    const mutating = moduleLike({
      run: async (q: { inputShape: number[] }, o: { x: { data: Float32Array } }) => {
        const y = await referenceBackend.run(p, operands);
        o.x.data.fill(NaN);
        q.inputShape[0] = 999;
        return y;
      },
    });
    expect((await runCase(mutating, p, { mode: 'exact', seed: 1, operands })).verdict).toBe('pass');
    expect(p).toEqual(before.problem);
    expect(operands.x.data).toEqual(before.x);
  });

  test('a loaded module is guarded, and keeps its optional members', async () => {
    const backend = await loadModuleBackend(join(import.meta.dirname, '..', 'cli', 'testdata', 'resolves-null.mjs'));
    const outcome = await runCase(backend, p, { mode: 'exact', seed: 1 });
    expect(outcome.verdict === 'error' && outcome.message).toBe('resolves-null: run() must resolve to a Tensor { shape, data }, but it resolved to null.');
    const full = await loadModuleBackend(join(import.meta.dirname, '..', 'cli', 'testdata', 'wrong-shape.mjs'));
    expect([full.gradients, full.quantized, full.dispose]).toEqual([expect.any(Object), expect.any(Object), undefined]);
  });
});
