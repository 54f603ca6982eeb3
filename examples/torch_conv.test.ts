/**
 * PyTorch as a checked backend: examples/torch_conv.py (F.conv*d / F.conv_transpose*d on CPU,
 * float32, gradients by autograd) against the reference, where PyTorch is importable (Debian's
 * python3-torch, under /usr/bin/python3; CONVCHECK_TORCH_PYTHON names another interpreter).
 * Where it is not, the backend is listed unavailable with the reason, and that is tested too.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ExternalBackend } from '../adapters/process-backend.ts';
import { TORCH_BACKEND, torchAvailability, torchImportProblem, torchPython } from '../adapters/torch.ts';
import { main } from '../cli/main.ts';
import type { Io } from '../cli/output.ts';
import { runCase } from '../compare/run-case.ts';
import { formatDescriptor, parseDescriptor } from '../problem/descriptor.ts';
import { gradientMismatches } from './gradient-check.ts';
import { isQuantizedErrorInput, runErrorInputs } from '../properties/error-inputs.ts';
import { FORWARD_TABLE, GRADIENT_TABLE, smallProblem } from './tables.ts';

const NUM_RUNS = Number(process.env.CONVCHECK_NUM_RUNS ?? 30);
const importProblem = torchImportProblem(torchPython());
const hasTorch = importProblem === undefined;
const SKIP = `PyTorch is not importable here (${importProblem}): ext:torch was not checked`;

function capture(): Io & { text: () => string } {
  const out: string[] = [];
  return { out: (l) => out.push(l), err: (l) => out.push(l), isTTY: false, text: () => out.join('\n') };
}

describe('ext:torch availability', () => {
  test('a Python without PyTorch makes it unavailable, with that Python\'s message and how to install it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convcheck-torch-'));
    const fake = join(dir, 'python3');
    writeFileSync(fake, '#!/bin/sh\necho "Traceback (most recent call last):" >&2\necho "ModuleNotFoundError: No module named \'torch\'" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    const availability = await torchAvailability({ CONVCHECK_TORCH_PYTHON: fake });
    expect(availability).toEqual({
      available: false, name: 'ext:torch',
      reason: `${fake} -c 'import torch' failed with code 1: ModuleNotFoundError: No module named 'torch' (PyTorch: apt-get install python3-torch, or set CONVCHECK_TORCH_PYTHON to a Python that has it)`,
    });
    expect(torchImportProblem(join(dir, 'no-such-python'))).toMatch(/no-such-python cannot be started \(.*ENOENT/);
  });

  test('the default interpreter is Debian\'s /usr/bin/python3, where python3-torch installs', () => {
    expect(torchPython({})).toBe('/usr/bin/python3');
    expect(torchPython({ CONVCHECK_TORCH_PYTHON: '/opt/venv/bin/python' })).toBe('/opt/venv/bin/python');
  });
});

describe('PyTorch on this machine', () => {
  test('is importable (or the tests of ext:torch below are skipped, and this says why)', async (ctx) => {
    if (!hasTorch) ctx.skip(SKIP);
    // the detection agrees with the backend itself: it starts and says hello with torch's version
    const availability = await torchAvailability();
    expect(availability).toMatchObject({ available: true });
    if (availability.available) {
      expect(availability.backend.version).toMatch(/^\d+\.\d+/);
      await availability.backend.dispose?.();
    }
  });
});

describe.skipIf(!hasTorch)('examples/torch_conv.py against the reference', () => {
  let backend: ExternalBackend;
  beforeAll(async () => {
    const availability = await torchAvailability();
    if (!availability.available) throw new Error(availability.reason);
    backend = availability.backend as ExternalBackend;
  });
  afterAll(async () => backend?.dispose?.());

  test('it introduces itself as ext:torch with PyTorch\'s version, fp32, protocol 2 with gradients of both ops', () => {
    expect([backend.name, backend.precision]).toEqual([TORCH_BACKEND, 'fp32']);
    expect(backend.version).toMatch(/^\d+\.\d+/);
    expect(backend.hello).toMatchObject({ protocol: 2, ops: ['conv', 'convTranspose'], gradients: ['conv', 'convTranspose'] });
    expect(backend.gradients).toBeDefined();
  });

  test.each(FORWARD_TABLE.flatMap((d) => [[d, 'exact'], [d, 'real']] as const))('%s on %s data', async (descriptor, mode) => {
    const outcome = await runCase(backend, parseDescriptor(descriptor), { mode, seed: 7 });
    expect(outcome.verdict === 'pass' ? 'pass' : outcome).toBe('pass');
    if (outcome.verdict === 'pass' && mode === 'exact') expect(outcome.comparison.maxUlp).toBe(0);
  });

  test(`passes on ${NUM_RUNS} random small problems, exact and real data`, async () => {
    const b = backend;
    await fc.assert(fc.asyncProperty(smallProblem, fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (p, seed) => {
      for (const mode of ['exact', 'real'] as const) {
        const outcome = await runCase(b, p, { mode, seed });
        if (outcome.verdict !== 'pass') throw new Error(`${formatDescriptor(p)} on ${mode} data: ${JSON.stringify(outcome)}`);
      }
    }), { numRuns: NUM_RUNS });
  });

  test.each(GRADIENT_TABLE)('autograd\'s dx, dw and db of %s equal their definition bit for bit on exact data', async (descriptor) => {
    expect(await gradientMismatches(backend, parseDescriptor(descriptor), 3)).toEqual([]);
  });

  test('every float error input is refused, with numpy_conv.py\'s check() naming the field and the rule; the quantized ones are not sent (no quantized ops)', async () => {
    // before it shared check(): its glue code returned numbers for a missing b, auto_pad with pads and a negative ConvTranspose end pad
    const records = await runErrorInputs(backend);
    expect(records.filter((r) => r.verdict !== (isQuantizedErrorInput(r.input) ? 'unsupported' : 'pass')).map((r) => `${r.input.id}: ${r.message}`)).toEqual([]);
    expect(records.find((r) => isQuantizedErrorInput(r.input))?.message).toMatch(/^not sent: .*ConvInteger is not among the quantized_ops of its hello \[\]/);
  });
});

describe.skipIf(!hasTorch)('convcheck gate on PyTorch', () => {
  test('passes, with the gradient laws run (not unsupported)', async () => {
    const io = capture();
    const code = await main(['gate', '--backend', `cmd:"${torchPython()} examples/torch_conv.py"`, '--num-runs', '3', '--seed', '5', '--golden', 'small'], io);
    expect(code, io.text()).toBe(0);
    expect(io.text()).toMatch(/gate: passed \(\d+ passed, 0 fail, 0 error, 0 known discrepancies, \d+ unsupported, \d+ weak\)/);
    // The example has no quantized ops, so the quantized laws are its only unsupported cases.
    const unsupported = Number(/(\d+) unsupported, \d+ weak\)/.exec(io.text())?.[1]);
    const quantized = Number(/(\d+) × ext:torch: no quantized ops/.exec(io.text())?.[1] ?? 0);
    expect(unsupported).toBe(quantized);
    expect(io.text()).toMatch(/the input gradient of conv is the transposed conv of dy/);
    expect(io.text()).toMatch(/the weight gradient of conv is the correlation of x with dy/);
    expect(io.text()).toMatch(/the input gradient of convTranspose is the conv of dy/);
    expect(io.text()).toMatch(/the weight gradient of convTranspose is the correlation of dy with x/);
  });
});
