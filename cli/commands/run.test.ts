import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Backend } from '../../problem/backend.ts';
import { main } from '../main.ts';
import { memoryIo } from '../output.ts';

const capture = memoryIo;

// Backends given to `run` as they are, past the module adapter's guard: what run itself must survive.
const raw = vi.hoisted(() => ({ backends: undefined as Backend[] | undefined }));
vi.mock('../backend-spec.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../backend-spec.ts')>();
  return {
    ...actual,
    resolveBackends: async (...args: Parameters<typeof actual.resolveBackends>) =>
      raw.backends?.map((backend) => ({ available: true as const, backend })) ?? actual.resolveBackends(...args),
  };
});

describe('convcheck run', () => {
  it('refuses an output over the reference limit as a usage error (exit 2) before drawing operands', async () => {
    // before: x [1,1000,1000,1000] (10^9 elements) was drawn first (14 s, GiBs), then exit 1
    const io = capture();
    const start = performance.now();
    expect(await main(['run', 'mb1ic1000ih1000iw1000oc1000kh3kw3', '--backend', 'reference'], io)).toBe(2);
    expect(io.errors()).toContain('mb1ic1000ih1000iw1000oc1000kh3kw3: x [1,1000,1000,1000] has 1,000,000,000 elements (8.0 GB as float64), more than the limit of 33,554,432 (2^25) elements per tensor; --max-elements 1000000000 raises it');
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('shows a failure a recorded discrepancy explains as known, with its id, and exits 0', async () => {
    // tfjs-wasm conv3dTranspose at stride 1 with an input depth past the depth begin pad + 1
    // (record tfjs-wasm-conv3d-transpose-loop-bounds); before: plain "impossible" and exit 1
    const io = capture();
    expect(await main(['run', 'Tmb1ic1id2ih1iw1oc1kd1kh1kw1', '--mode', 'real', '--seed', '1', '--backend', 'tfjs-wasm'], io), io.text()).toBe(0);
    expect(io.text()).toMatch(/tfjs-wasm\s+known \(fail \(impossible\)\).*known discrepancy tfjs-wasm-conv3d-transpose-loop-bounds/);
  });

  it('exits 1 when no backend could run the problem: nothing was checked (before: exit 0)', async () => {
    // tfjs has no grouped conv beyond depthwise: its only backend here says unsupported
    const io = capture();
    expect(await main(['run', 'g2mb1ic4ih5iw5oc6kh3kw3', '--backend', 'tfjs-cpu'], io), io.text()).toBe(1);
    expect(io.text()).toMatch(/tfjs-cpu\s+unsupported/);
    expect(io.text()).toContain('run: nothing was checked: no backend could run it (each was unsupported or unavailable), so the exit code is 1.');
    const both = capture();
    expect(await main(['run', 'g2mb1ic4ih5iw5oc6kh3kw3', '--backend', 'tfjs-cpu,reference'], both), both.text()).toBe(0);
  });

  it('still fails (exit 1) on a failure no record explains', async () => {
    const io = capture();
    expect(await main(['run', 'Tmb1ic1ih3iw3oc2kh3kw3sh2sw2apU', '--mode', 'exact', '--backend', 'cmd:"python3 examples/numpy_conv_broken.py"'], io), io.text()).toBe(1);
    expect(io.text()).toMatch(/ext:numpy-conv-broken\s+fail \(impossible\)/);
  });
});

describe('convcheck run of a misbehaving backend: its own error row, the other rows still printed (exit 1)', () => {
  // before: the whole command ended with "convcheck run: Cannot read properties of undefined
  // (reading 'supported')" or "... of null (reading 'shape')", and the reference row was lost
  it.each([
    ['supports-undefined', /supports-undefined +error +supports-undefined\.supports threw: supports\(problem\) must return \{ supported: true \} or \{ supported: false, reason: string \}, but it returned undefined\./],
    ['resolves-null', /resolves-null +error +resolves-null: run\(\) must resolve to a Tensor \{ shape, data \}, but it resolved to null\./],
  ])('a module backend %s', async (name, row) => {
    const io = capture();
    expect(await main(['run', 'mb1ic1iw5oc1kw3', '--backend', `./cli/testdata/${name}.mjs,reference`], io), io.text()).toBe(1);
    expect(io.text()).toMatch(row);
    expect(io.text()).toMatch(/\nreference +pass +0 +0 +0 /);
  });

  it('a backend that is not guarded (not a module) and whose supports() returns undefined: still its error row', async () => {
    const { referenceBackend } = await import('../../adapters/reference.ts');
    const broken = { ...referenceBackend, name: 'broken', supports: () => undefined } as unknown as Backend;
    raw.backends = [broken, referenceBackend];
    try {
      const io = capture();
      expect(await main(['run', 'mb1ic1iw5oc1kw3', '--backend', 'reference'], io), io.text()).toBe(1);
      expect(io.text()).toMatch(/broken +error +broken\.supports threw: it returned undefined, not \{ supported: true \} or \{ supported: false, reason: string \}/);
      expect(io.text()).toMatch(/\nreference +pass +0 +0 +0 /);
    } finally {
      raw.backends = undefined;
    }
  });

  it('a module that writes into the problem and operands it is given changes nothing of the others\' (before: "x must have shape [1,1,999]")', async () => {
    const io = capture();
    expect(await main(['run', 'mb1ic1iw5oc1kw3', '--backend', './cli/testdata/mutates-inputs.mjs,reference', '--mode', 'exact'], io), io.text()).toBe(1);
    expect(io.text()).toMatch(/mutates-inputs +fail/);
    expect(io.text()).toMatch(/\nreference +pass +0 +0 +0 /);
  });

  it('a module that leaves a rejection unhandled and throws from a timer: its error row (before: the process died with a stack trace)', () => {
    const child = spawnSync(process.execPath, ['bin/convcheck.js', 'run', 'mb1ic1iw5oc1kw3', '--backend', './cli/testdata/unhandled-rejection.mjs,reference'], { encoding: 'utf8', timeout: 60_000 });
    expect(child.status, child.stderr).toBe(1);
    expect(child.stdout).toMatch(/unhandled-rejection +error +unhandled-rejection: run\(\): while it ran, this process had an unhandled promise rejection \(Error: rejected, never handled\) and an uncaught exception \(Error: thrown from a timer\)/);
    expect(child.stdout).toMatch(/\nreference +pass +0 +0 +0 /);
    expect(child.stderr).toBe('');
  });

  // 2.4 M multiply-accumulates: the reference backend computes on a worker thread, so this process's timers fire meanwhile
  const workerSized = 'mb1ic16ih32iw32oc16kh3kw3ph1pw1';

  it('a module whose timer throws after its run() returned: the command finishes, says so on stderr, exit code 1 (before: the process died midway with a stack trace)', () => {
    const child = spawnSync(process.execPath, ['bin/convcheck.js', 'run', workerSized, '--backend', './cli/testdata/throws-after-run.mjs,reference', '--mode', 'exact'], { encoding: 'utf8', timeout: 60_000 });
    expect(child.stdout).toMatch(/\nthrows-after-run +pass +0 +0 +0 /);
    expect(child.stdout).toMatch(/\nreference +pass +0 +0 +0 /);
    expect(child.stderr).toMatch(/^convcheck: outside every call of a module backend \(after its call had returned, or past its time limit\), this process had an uncaught exception \(Error: thrown after run\(\) returned\), from code loaded into it \(a module backend\) or from convcheck itself \(its stack says which\); no verdict can carry it, so the exit code is 1\.\nError: thrown after run\(\) returned\n {4}at .*throws-after-run\.mjs/);
    expect(child.status, child.stderr).toBe(1);
  });

  it('a module whose interval throws every millisecond for good: the command ends all the same, three of the errors in full, then their count (before this was held: a note per tick, and no end)', () => {
    const child = spawnSync(process.execPath, ['bin/convcheck.js', 'run', workerSized, '--backend', './cli/testdata/interval-throws.mjs,reference', '--mode', 'exact'], { encoding: 'utf8', timeout: 60_000 });
    expect(child.signal, child.stderr.slice(0, 2000)).toBeNull();
    expect(child.stdout).toMatch(/\ninterval-throws +pass +0 +0 +0 /);
    expect(child.stderr.match(/^convcheck: outside every call of a module backend/gm)).toHaveLength(3);
    expect(child.stderr).toMatch(/\(Error: thrown by an interval\).*; any more such errors are counted, not shown\./);
    expect(child.stderr).toMatch(/\nconvcheck: \d+ errors in all came from outside every call of a module backend\.\n$/);
    expect(child.status).toBe(1);
  });
});

describe('convcheck run of a wrong-shaped answer', () => {
  // before: "fail  Infinity Infinity Infinity" and an empty reason
  it.each([
    [['mb1ic1iw5oc1kw3'], '[1,1,3]'],
    [['mb1ic1iw5oc1kw3', '--gradient', 'input'], '[1,1,5]'],
    [['CIu8u8mb1ic1iw5oc1kw3'], '[1,1,3]'],
  ])('run %j: the reason names both shapes', async (argv, expected) => {
    const io = capture();
    expect(await main(['run', ...argv, '--backend', './cli/testdata/wrong-shape.mjs'], io), io.text()).toBe(1);
    expect(io.text()).toMatch(/wrong-shape +fail.*Infinity +(0\/3 +)?output shape \[1,1,2\] \(2 elements\) differs from the expected/);
    expect(io.text()).toContain(`differs from the expected ${expected}`);
  });
});

describe('convcheck run --batch', () => {
  const dcgan = (): string => {
    // a scaled DCGAN generator layer: 5x5, stride 2, TensorFlow SAME cropping 1 before and 2 after (asymmetric)
    const dir = mkdtempSync(join(tmpdir(), 'convcheck-run-batch-'));
    const file = join(dir, 'dcgan.batch');
    writeFileSync(file, '# scaled DCGAN generator\n--deconv --dir=FWD_D\nmb1ic8ih4oc4oh8kh5sh2ph1n"dcgan:scaled"\n');
    return file;
  };

  it('prints one verdict line per case and backend, named by the benchdnn name, then the counts (exit 0)', async () => {
    const io = capture();
    expect(await main(['run', '--batch', 'golden/benchdnn/lenet5.batch', '--backend', 'reference,cmd:"python3 examples/numpy_conv.py"'], io), io.text()).toBe(0);
    const lines = io.text().split('\n').filter((l) => /^\[\d\/5\] /.test(l));
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/^\[1\/5\] lenet5:C1 +reference +pass +forward; exact: max ULP 0; real: max err\/\(u·S\) 0$/);
    expect(lines[9]).toMatch(/^\[5\/5\] lenet5:C3 \(BWD_W\) +ext:numpy-conv +pass +weight gradient; exact: max ULP 0; real: max err\/\(u·S\) \S+$/);
    expect(io.text()).toMatch(/ext:numpy-conv\s+5\s+0\s+0\s+0\s+0/);
  });

  it('fails (exit 1) a backend that gets a layer wrong, with a replay command that reproduces it', async () => {
    const io = capture();
    const backend = 'cmd:"python3 examples/numpy_conv_broken.py"';
    expect(await main(['run', '--batch', dcgan(), '--backend', backend], io), io.text()).toBe(1);
    expect(io.text()).toMatch(/\[1\/1\] dcgan:scaled +ext:numpy-conv-broken +fail +forward; exact data: fail \(impossible\)/);
    const replay = /replay: +npx convcheck run (.+)$/m.exec(io.text())?.[1] ?? '';
    expect(replay).toContain(`'Tmb1ic8ih4iw4oc4kh5kw5sh2sw2ph1pw1eh2ew2n"dcgan:scaled"' --mode exact --seed 1 --backend '${backend}'`);
    const again = capture();
    expect(await main(['run', 'Tmb1ic8ih4iw4oc4kh5kw5sh2sw2ph1pw1eh2ew2n"dcgan:scaled"', '--mode', 'exact', '--seed', '1', '--backend', backend], again)).toBe(1);
  });

  it('--shard I/N runs every N-th case', async () => {
    const io = capture();
    expect(await main(['run', '--batch', 'golden/benchdnn/lenet5.batch', '--backend', 'reference', '--shard', '2/2'], io)).toBe(0);
    expect(io.text()).toContain('2 cases (shard 2/2 of 5)');
    expect(io.text().split('\n').filter((l) => /^\[\d\/2\] /.test(l)).map((l) => l.split(/ +/)[1])).toEqual(['lenet5:C3', 'lenet5:C3']);
  });

  it('a malformed line is a usage error (exit 2) naming the file and the line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convcheck-run-batch-'));
    const file = join(dir, 'bad.batch');
    writeFileSync(file, 'mb1ic1ih5oc1kh3\n# fine so far\nmb1ic1ih5oc1kh3oh2ph0\n');
    const io = capture();
    expect(await main(['run', '--batch', file], io)).toBe(2);
    expect(io.errors()).toContain(`convcheck run: ${file}:3: benchdnn descriptor "mb1ic1ih5oc1kh3oh2ph0": oh=2 does not match the arithmetic`);
    for (const [argv, message] of [
      [['run', 'mb1ic1iw3oc1kw1', '--batch', file], /give no DESCRIPTOR/],
      [['run', 'mb1ic1iw3oc1kw1', '--shard', '1/2'], /--shard splits the cases of a --batch FILE/],
      [['run', '--batch', '/nonexistent/x.batch'], /\/nonexistent\/x\.batch:0: cannot read the batch file/],
    ] as const) {
      const e = capture();
      expect(await main([...argv], e)).toBe(2);
      expect(e.errors()).toMatch(message);
    }
  });
});

describe('convcheck run --gradient', () => {
  it('runs a Conv\'s weight gradient on the backends with gradients; the others are unsupported', async () => {
    const io = capture();
    expect(await main(['run', 'g2mb2ic4ih6iw6oc4kh3kw3sh2sw2ph1pw1', '--gradient', 'weight', '--mode', 'exact', '--backend', 'reference,onnxruntime,cmd:"python3 examples/numpy_conv.py"'], io), io.text()).toBe(0);
    expect(io.text()).toContain('weight gradient [4,2,3,3], exact data, seed 1');
    expect(io.text()).toMatch(/onnxruntime\s+unsupported .*backend has no gradients/);
    expect(io.text()).toMatch(/ext:numpy-conv\s+pass\s+0\s+0/);
    const bad = capture();
    expect(await main(['run', 'Tmb1ic1iw3oc1kw2', '--gradient', 'input'], bad)).toBe(2);
    expect(bad.errors()).toMatch(/--gradient takes gradients of a Conv/);
  });
});

describe('convcheck run of a quantized descriptor', () => {
  it('runs the exact reference and the backends\' quantized ops: exact, unsupported with the reason, or known', async () => {
    const io = capture();
    expect(await main(['run', 'QLs8s8s8mb1ic33026iw1oc1kw1xs1xz-128ws1wz-128ys33554432', '--mode', 'extreme', '--backend', 'reference,onnxruntime,tfjs-cpu'], io), io.text()).toBe(0);
    expect(io.text()).toMatch(/QLinearConv output \[1,1,1\], extreme data, seed 1; 0 element\(s\) open to the tie-neighbour allowance; 1 accumulator\(s\) past int32/);
    expect(io.text()).toMatch(/reference\s+exact\s+0\s+1\/1/);
    expect(io.text()).toMatch(/onnxruntime\s+known \(fail \(impossible\)\)\s+128\s+0\/1\s+\[0,0,0\] got -64 exact 64; known discrepancy ort-qlinearconv-int32-accumulator-wraps/);
    expect(io.text()).toMatch(/tfjs-cpu\s+unsupported\s+tfjs-cpu: no quantized ops \(ConvInteger, QLinearConv\)/);
  });

  it('refuses a bad mode, a malformed descriptor, or a ConvInteger whose output leaves int32, as usage errors (exit 2)', async () => {
    let io = capture();
    expect(await main(['run', 'CIu8u8mb1ic1iw1oc1kw1', '--mode', 'real', '--backend', 'reference'], io)).toBe(2);
    expect(io.errors()).toMatch(/--mode of a quantized problem must be one of uniform, near, extreme, alternating, but got "real"/);
    io = capture();
    expect(await main(['run', 'CIu8u8mb1ic1iw1oc1kw1xs1', '--backend', 'reference'], io)).toBe(2);
    expect(io.errors()).toMatch(/field "xs" is a QLinearConv input/);
    io = capture();
    expect(await main(['run', 'CIu8u8mb1ic33026iw1oc1kw1wz255', '--mode', 'extreme', '--backend', 'reference'], io)).toBe(2);
    expect(io.errors()).toMatch(/does not fit ConvInteger's int32 output \(an int32 accumulator would wrap it to 2147451646\)/);
  });
});
