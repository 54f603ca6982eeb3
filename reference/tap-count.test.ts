import { describe, expect, it } from 'vitest';
import { makeOperands } from '../problem/operand-data.ts';
import { makeProblem } from '../problem/problem.ts';
import { convOutputSize } from '../problem/shape.ts';
import { convDetailed } from './conv.ts';
import { axisTapCount, spatialTapCount } from './tap-count.ts';

/** Counts the taps one by one: the definition the closed form must match. */
function countTaps(input: number, kernel: number, stride: number, dilation: number, padBegin: number, output: number): number {
  let taps = 0;
  for (let o = 0; o < output; o++) {
    for (let k = 0; k < kernel; k++) {
      const inPos = o * stride - padBegin + k * dilation;
      if (inPos >= 0 && inPos < input) taps++;
    }
  }
  return taps;
}

describe('axisTapCount', () => {
  it('is output·kernel without padding: 3 positions of a 3-tap kernel on 5 inputs', () => {
    expect(axisTapCount(5, 3, 1, 1, 0, 3)).toBe(9);
  });

  it('leaves out taps in the padding: i3 k3 pads 1,1 has 3 outputs reading 2, 3, 2 inputs', () => {
    expect(axisTapCount(3, 3, 1, 1, 1, 3)).toBe(7);
  });

  it('equals the one-by-one count for every small geometry, pads beyond the kernel included', () => {
    let checked = 0;
    for (let input = 1; input <= 6; input++) {
      for (let kernel = 1; kernel <= 4; kernel++) {
        for (let stride = 1; stride <= 3; stride++) {
          for (let dilation = 1; dilation <= 3; dilation++) {
            for (let padBegin = 0; padBegin <= 5; padBegin++) {
              for (let padEnd = 0; padEnd <= 3; padEnd++) {
                const output = convOutputSize(input, kernel, stride, dilation, padBegin, padEnd);
                if (output < 1) continue;
                expect(axisTapCount(input, kernel, stride, dilation, padBegin, output)).toBe(countTaps(input, kernel, stride, dilation, padBegin, output));
                checked++;
              }
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});

describe('spatialTapCount', () => {
  it('is the multiplications of a single-channel conv, in 1-D, 2-D and 3-D with padding', () => {
    const specs = [
      { inputShape: [7], kernelShape: [3], strides: [2], dilations: [2], pads: [3, 1] },
      { inputShape: [4, 5], kernelShape: [3, 2], pads: [2, 0, 1, 3] },
      { inputShape: [3, 4, 2], kernelShape: [2, 3, 2], autoPad: 'SAME_LOWER' as const },
    ];
    for (const spec of specs) {
      const p = makeProblem({ inChannels: 1, outChannels: 1, ...spec });
      expect(spatialTapCount(p)).toBe(convDetailed(p, makeOperands(p, 'exact', 1)).multiplications);
    }
  });
});

describe('axisTapCount in closed form: no loop over the kernel or the output', () => {
  it('equals the one-by-one count on random geometries, negative end pads (ConvTranspose crops) included', () => {
    let seed = 12345;
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (let t = 0; t < 5000; t++) {
      const input = 1 + rand(40), kernel = 1 + rand(12), stride = 1 + rand(6), dilation = 1 + rand(6), padBegin = rand(30), output = 1 + rand(40);
      expect(axisTapCount(input, kernel, stride, dilation, padBegin, output), `${[input, kernel, stride, dilation, padBegin, output]}`)
        .toBe(countTaps(input, kernel, stride, dilation, padBegin, output));
    }
  });

  it('answers at once for attributes near 2^31 (before: a loop of 2^31 taps, past a minute)', () => {
    const start = performance.now();
    // iw = kw = 2^31-1: one output position reading every input
    expect(axisTapCount(2 ** 31 - 1, 2 ** 31 - 1, 1, 1, 0, 1)).toBe(2 ** 31 - 1);
    // kernel 2^30 over 2^31-1 inputs, stride 1: O = 2^30 outputs, each reading 2^30 taps, all inside
    expect(axisTapCount(2 ** 31 - 1, 2 ** 30, 1, 1, 0, 2 ** 30)).toBe(2 ** 60);
    // full padding k-1 on both sides (every output of a 2^30 kernel): each input meets each tap once, Σ = input·kernel
    expect(axisTapCount(2 ** 31 - 1, 2 ** 30, 1, 1, 2 ** 30 - 1, 2 ** 31 - 1 + 2 ** 30 - 1)).toBe((2 ** 31 - 1) * 2 ** 30);
    expect(performance.now() - start).toBeLessThan(100);
  });
});
