import { describe, expect, it } from 'vitest';
import { parseQuantizedDescriptor } from '../problem/quantized-descriptor.ts';
import type { IntTensor } from '../problem/quantized.ts';
import { qlinearConv, qlinearConvDetailed } from './qlinear-conv.ts';

const ints = (values: readonly number[], shape: readonly number[]): IntTensor => ({ shape: [...shape], data: Int32Array.from(values) });

describe('QLinearConv', () => {
  it('gives ONNX\'s test_qlinearconv output (libonnx-testdata, data set 0)', () => {
    const p = parseQuantizedDescriptor('QLu8u8u8mb1ic1ih7iw7oc1kh1kw1xs0.003692047xz132wsc0.0017279458wzc255ys0.0016268126yz123');
    const x = [255, 174, 162, 25, 203, 168, 58, 15, 59, 237, 95, 129, 0, 64, 56, 242, 153, 221, 168, 12, 166, 232, 178, 186, 195, 237, 162, 237, 188, 39, 124, 77, 80, 102, 43, 127, 230, 21, 83, 41, 40, 134, 255, 154, 92, 141, 42, 148, 247];
    const y = [0, 81, 93, 230, 52, 87, 197, 240, 196, 18, 160, 126, 255, 191, 199, 13, 102, 34, 87, 243, 89, 23, 77, 69, 60, 18, 93, 18, 67, 216, 131, 178, 175, 153, 212, 128, 25, 234, 172, 214, 215, 121, 0, 101, 163, 114, 213, 107, 8];
    expect(Array.from(qlinearConv(p, { x: ints(x, [1, 1, 7, 7]), w: ints([0], [1, 1, 1, 1]) }).data)).toEqual(y);
  });

  it('rounds exact ties to even: acc·0.5 for acc = 1, 3, 5, -1, -3 around y_zp 10', () => {
    const p = parseQuantizedDescriptor('QLu8u8u8mb1ic1iw5oc1kw1xs0.5xz100ws1ys1yz10');
    const y = qlinearConv(p, { x: ints([101, 103, 105, 99, 97], [1, 1, 5]), w: ints([1], [1, 1, 1]) });
    expect(Array.from(y.data)).toEqual([10, 12, 12, 10, 8]);
  });

  it('adds B to the accumulator, per output channel scales, saturates to y\'s type', () => {
    const p = parseQuantizedDescriptor('QLs8s8s8mb1ic1iw2oc2kw1b1xs1wsc0.5,4wzc0,1ys1yz-100');
    // channel 0: (x)·(2)·0.5 + B0; channel 1: (x)·(3-1)·4 + B1
    const r = qlinearConvDetailed(p, { x: ints([10, -7], [1, 1, 2]), w: ints([2, 3], [2, 1, 1]), b: ints([5, -3], [2]) });
    expect(Array.from(r.acc)).toEqual([25, -9, 17, -17]);
    // 12.5 -> 12 and -4.5 -> -4 (ties to even), 68, -68 - 100 saturates at -128
    expect(Array.from(r.y.data)).toEqual([12 - 100, -4 - 100, 68 - 100, -128]);
    expect(r.real[2]).toBe(17 * 4 - 100);
  });

  it('requantizes accumulators past int32 exactly and counts them', () => {
    // 33026 products of -65025 = -2147515650, past int32; times 2^-24 is -128.004 -> -128 + 128 = 0
    const p = parseQuantizedDescriptor('QLu8u8u8mb1ic33026iw1oc1kw1xs1ws1wz255ys16777216yz128');
    const ones = (v: number): IntTensor => ({ shape: [1, 33026, 1], data: new Int32Array(33026).fill(v) });
    const r = qlinearConvDetailed(p, { x: ones(255), w: ones(0) });
    expect(r.int32Overflows).toBe(1);
    expect(Array.from(r.y.data)).toEqual([0]);
  });
});
