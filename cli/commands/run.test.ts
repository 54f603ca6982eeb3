import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { memoryIo } from '../output.ts';

const capture = memoryIo;

describe('convcheck run', () => {
  it('refuses an output over the reference limit as a usage error (exit 2) before drawing operands', async () => {
    // before: x [1,1000,1000,1000] (10^9 elements) was drawn first (14 s, GiBs), then exit 1
    const io = capture();
    const start = performance.now();
    expect(await main(['run', 'mb1ic1000ih1000iw1000oc1000kh3kw3', '--backend', 'reference'], io)).toBe(2);
    expect(io.errors()).toMatch(/the reference computes at most 2\^25 output elements, but y of shape \[1,1000,998,998\] has 996004000/);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('shows a failure a recorded discrepancy explains as known, with its id, and exits 0', async () => {
    // tfjs-wasm conv3dTranspose at stride 1 with an input depth past the depth begin pad + 1
    // (record tfjs-wasm-conv3d-transpose-loop-bounds); before: plain "impossible" and exit 1
    const io = capture();
    expect(await main(['run', 'Tmb1ic1id2ih1iw1oc1kd1kh1kw1', '--mode', 'real', '--seed', '1', '--backend', 'tfjs-wasm'], io), io.text()).toBe(0);
    expect(io.text()).toMatch(/tfjs-wasm\s+known \(fail \(impossible\)\).*known discrepancy tfjs-wasm-conv3d-transpose-loop-bounds/);
  });

  it('still fails (exit 1) on a failure no record explains', async () => {
    const io = capture();
    expect(await main(['run', 'Tmb1ic1ih3iw3oc2kh3kw3sh2sw2apU', '--mode', 'exact', '--backend', 'cmd:"python3 examples/numpy_conv_broken.py"'], io), io.text()).toBe(1);
    expect(io.text()).toMatch(/ext:numpy-conv-broken\s+fail \(impossible\)/);
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
