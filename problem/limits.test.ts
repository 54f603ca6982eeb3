import { describe, expect, it } from 'vitest';
import { parseDescriptor } from './descriptor.ts';
import { inputErrorOf } from './errors.ts';
import { activeLimits, checkResources, DEFAULT_LIMITS, DEFAULT_TIMEOUT_MS, formatCount, limitFlags, resourceEstimate, resourceLimitError, ResourceLimitError, setActiveLimits } from './limits.ts';
import { makeProblem } from './problem.ts';

describe('resource limits: every operand, the output and the multiply-accumulates, checked before any work', () => {
  it('defaults: 2^25 elements a tensor, 2^34 multiply-accumulates', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxElements: 2 ** 25, maxMacs: 2 ** 34 });
    expect(activeLimits()).toBe(DEFAULT_LIMITS);
  });

  it('estimates each tensor and the dense multiply-accumulates (the article: 86,400 for 7x7x3 -> 5x5x128 with 3x3)', () => {
    const e = resourceEstimate(parseDescriptor('mb1ic3ih7iw7oc128kh3kw3b1'));
    expect(e.tensors.map((t) => [t.name, t.elements])).toEqual([['x', 147], ['w', 3456], ['b', 128], ['y', 3200]]);
    expect(e.macs).toBe(86_400);
    // ConvTranspose counts inputs × taps per input
    expect(resourceEstimate(parseDescriptor('Tmb1ic2ih3iw3oc4kh2kw2sh2sw2')).macs).toBe(2 * 9 * 4 * 4);
  });

  it('refuses x of 10^9 elements although y has one (before: only y was capped, 8 GB of x and w allocated)', () => {
    const p = parseDescriptor('mb1ic1iw1000000000oc1kw1000000000');
    const e = inputErrorOf(() => checkResources(p));
    expect(e).toBeInstanceOf(ResourceLimitError);
    expect(e.field).toBe('x');
    expect(e.message).toBe('mb1ic1iw1000000000oc1kw1000000000: x [1,1,1000000000] has 1,000,000,000 elements (8.0 GB as float64), more than the limit of 33,554,432 (2^25) elements per tensor; --max-elements 1000000000 raises it, if the machine has the memory.');
  });

  it('refuses a problem over the multiply-accumulates, naming the estimate, the limit and the option', () => {
    const p = parseDescriptor('mb1ic64ih512iw512oc64kh3kw3ph1pw1');
    const limits = { ...DEFAULT_LIMITS, maxMacs: 2 ** 33 };
    const e = resourceLimitError(p, limits);
    expect(e?.field).toBe('macs');
    expect(e?.estimate).toBe(9_663_676_416);
    expect(e?.option).toBe('--max-macs');
    expect(e?.message).toBe("mb1ic64ih512iw512oc64kh3kw3ph1pw1: 9,663,676,416 multiply-accumulates, more than the limit of 8,589,934,592 (2^33); --max-macs 9663676416 raises it (the reference's fast path runs about 0.5 G a second on 2 cores).");
    expect(resourceLimitError(p, { ...limits, maxMacs: 9_663_676_416 })).toBeUndefined();
  });

  it('each tensor is held to the limit: w and y too (b has fewer elements than w, so w is named first)', () => {
    expect(resourceLimitError(parseDescriptor('mb1ic4096iw4oc4096kw4'), { maxElements: 2 ** 24, maxMacs: 2 ** 40 })?.field).toBe('w');
    expect(resourceLimitError(parseDescriptor('mb1ic1iw1oc1kw1pw100'), { maxElements: 200, maxMacs: 2 ** 40 })?.field).toBe('y');
  });

  it('answers at once for attributes near 2^31, an unvalidated problem included (w of 2^62 elements)', () => {
    const start = performance.now();
    const p = makeProblem({ inChannels: 2 ** 31 - 1, outChannels: 2 ** 31 - 1, inputShape: [2 ** 31 - 1], kernelShape: [2 ** 31 - 1] });
    const e = resourceLimitError(p);
    expect(e?.field).toBe('x');
    expect(e?.message).toContain('≈4.61e+18 elements');
    expect(resourceEstimate(p).macs).toBeGreaterThan(2 ** 90);
    expect(performance.now() - start).toBeLessThan(50);
  });

  it('the limits in force are process-wide, set by a command', () => {
    const p = parseDescriptor('mb1ic1iw100oc1kw3');
    try {
      setActiveLimits({ maxElements: 50, maxMacs: 2 ** 34 });
      expect(inputErrorOf(() => checkResources(p)).field).toBe('x');
    } finally {
      setActiveLimits(DEFAULT_LIMITS);
    }
    expect(checkResources(p)).toBe(p);
  });

  it('formats counts with the power of two they are', () => {
    expect(formatCount(2 ** 25)).toBe('33,554,432 (2^25)');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(2 ** 62)).toBe('≈4.61e+18');
    expect(formatCount(1234.5)).toBe('1,234.5');
    expect(formatCount(-1234567)).toBe('-1,234,567');
    expect(formatCount(2 ** 53 - 1)).toBe('9,007,199,254,740,991'); // log2 rounds to 53, but it is not 2^53
  });
});

describe('limitFlags: what a replay command needs to run under the limits of the run that printed it', () => {
  it('is empty at the defaults, and names --timeout, --max-elements and --max-macs where they differ', () => {
    expect(limitFlags(undefined)).toEqual([]);
    expect(limitFlags(DEFAULT_TIMEOUT_MS)).toEqual([]);
    expect(limitFlags(300)).toEqual(['--timeout', '300']);
    setActiveLimits({ maxElements: 1000, maxMacs: DEFAULT_LIMITS.maxMacs });
    try {
      expect(limitFlags(300)).toEqual(['--timeout', '300', '--max-elements', '1000']);
      setActiveLimits({ maxElements: DEFAULT_LIMITS.maxElements, maxMacs: 2 ** 40 });
      expect(limitFlags(undefined)).toEqual(['--max-macs', String(2 ** 40)]);
    } finally {
      setActiveLimits(DEFAULT_LIMITS);
    }
  });
});
