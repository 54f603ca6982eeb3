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
