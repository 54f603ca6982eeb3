import { afterAll, describe, expect, it } from 'vitest';
import { parseQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import { makeQuantizedOperands } from '../problem/quantized-data.ts';
import { closeFastConvPool } from '../reference/conv-fast-pool.ts';
import { TimeLimitError } from './backend-call.ts';
import { quantizedReferenceResult, quantizedReferenceWithin, STOPPABLE_QUANTIZED_MIN_MACS } from './quantized-case.ts';

describe('quantizedReferenceWithin: the quantized reference under a time limit', () => {
  afterAll(async () => { await closeFastConvPool(); });

  // 64·16·9·24·24 = 5.3 M multiply-accumulates: over STOPPABLE_QUANTIZED_MIN_MACS, so on a worker thread
  const big = ['CIu8u8mb1ic16ih24iw24oc64kh3kw3ph1pw1', 'QLu8s8u8mb1ic16ih24iw24oc64kh3kw3ph1pw1xs0.5xz3ws0.25ys2yz100b1'];

  it.each(big)('on a worker thread gives what the loops give on this one (%s)', async (descriptor) => {
    const p = parseQuantizedDescriptor(descriptor);
    expect(16 * 64 * 9 * 24 * 24).toBeGreaterThan(STOPPABLE_QUANTIZED_MIN_MACS);
    const operands = makeQuantizedOperands(p, 'uniform', 3);
    const within = await quantizedReferenceWithin(p, operands, 60_000);
    const here = quantizedReferenceResult(p, operands);
    expect(Array.from(within.y.data)).toEqual(Array.from(here.y.data));
    expect(Array.from(within.acc)).toEqual(Array.from(here.acc));
    expect(Array.from(within.expectation.lo)).toEqual(Array.from(here.expectation.lo));
    expect(Array.from(within.expectation.hi)).toEqual(Array.from(here.expectation.hi));
    expect(within.int32Overflows).toBe(here.int32Overflows);
  });

  it('is stopped at its limit (before: golden import and run computed synchronously past --timeout, deaf to signals)', async () => {
    const p = parseQuantizedDescriptor('CIu8u8mb1ic64ih56iw56oc64kh3kw3ph1pw1'); // 116 M: about 1.4 s of loops
    const operands = makeQuantizedOperands(p, 'uniform', 1);
    const begin = performance.now();
    const late = quantizedReferenceWithin(p, operands, 50);
    await expect(late).rejects.toThrow(TimeLimitError);
    await expect(late).rejects.toThrow('the reference did not finish within 50 ms');
    expect(performance.now() - begin).toBeLessThan(1000);
  });
});
