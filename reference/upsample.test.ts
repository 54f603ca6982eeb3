import { describe, expect, it } from 'vitest';
import { Random } from '../problem/random.ts';
import { ConvInputError } from '../problem/errors.ts';
import { sizeOf } from '../problem/shape.ts';
import { tensor, zeros, type Tensor } from '../problem/tensor.ts';
import { halfPixelCoordinate, upsample, upsampleMultiplications, upsampleShape, type UpsampleMode } from './upsample.ts';

describe('upsample, nearest', () => {
  it('repeats each element f times (1-D, factors 2 and 3)', () => {
    expect(Array.from(upsample(tensor([1, 2], [1, 1, 2]), [2], 'nearest').y.data)).toEqual([1, 1, 2, 2]);
    expect(Array.from(upsample(tensor([1, 2], [1, 1, 2]), [3], 'nearest').y.data)).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it('scales each axis by its own factor (2-D, factors [2, 1])', () => {
    const y = upsample(tensor([1, 2, 3, 4], [1, 1, 2, 2]), [2, 1], 'nearest').y;
    expect(y.shape).toEqual([1, 1, 4, 2]);
    expect(Array.from(y.data)).toEqual([1, 2, 1, 2, 3, 4, 3, 4]);
  });

  it('reads x[floor(o/f)] on every axis, batch and channels untouched (3-D, factors [2, 3, 1])', () => {
    const rng = new Random(3);
    const shape = [2, 2, 2, 2, 3];
    const x = tensor(Array.from({ length: sizeOf(shape) }, () => rng.int(-9, 9)), shape);
    const y = upsample(x, [2, 3, 1], 'nearest');
    expect(y.y.shape).toEqual([2, 2, 4, 6, 3]);
    expect(y.multiplications).toBe(0);
    for (let n = 0; n < 2; n++) for (let c = 0; c < 2; c++) for (let d = 0; d < 4; d++) for (let h = 0; h < 6; h++) for (let w = 0; w < 3; w++) {
      const got = y.y.data[(((n * 2 + c) * 4 + d) * 6 + h) * 3 + w];
      const want = x.data[(((n * 2 + c) * 2 + Math.floor(d / 2)) * 2 + Math.floor(h / 3)) * 3 + w];
      expect(got).toBe(want);
    }
  });

  it('half_pixel with round_prefer_floor picks floor(o/f) for every integer factor', () => {
    for (let f = 1; f <= 9; f++) {
      const x = tensor(Array.from({ length: 5 }, (_, i) => i), [1, 1, 5]);
      const y = upsample(x, [f], 'nearest').y;
      expect(Array.from(y.data)).toEqual(Array.from({ length: 5 * f }, (_, o) => Math.floor(o / f)));
    }
  });
});

describe('upsample, bilinear (ONNX Resize linear, half_pixel)', () => {
  it('places output o at input coordinate (o + 0.5)/f - 0.5', () => {
    expect([0, 1, 2, 3].map((o) => halfPixelCoordinate(o, 2))).toEqual([-0.25, 0.25, 0.75, 1.25]);
  });

  it('is linear in 1-D, edges clamped: [1, 3] by 2 gives [1, 1.5, 2.5, 3]', () => {
    expect(Array.from(upsample(tensor([1, 3], [1, 1, 2]), [2], 'bilinear').y.data)).toEqual([1, 1.5, 2.5, 3]);
  });

  it('is bilinear in 2-D: [[1,2],[3,4]] by 2 (PyTorch align_corners=False gives the same)', () => {
    const y = upsample(tensor([1, 2, 3, 4], [1, 1, 2, 2]), [2, 2], 'bilinear');
    expect(y.y.shape).toEqual([1, 1, 4, 4]);
    expect(Array.from(y.y.data)).toEqual([
      1, 1.25, 1.75, 2,
      1.5, 1.75, 2.25, 2.5,
      2.5, 2.75, 3.25, 3.5,
      3, 3.25, 3.75, 4,
    ]);
    // axis 0 writes 8 elements, axis 1 writes 16: two multiplications each
    expect(y.multiplications).toBe(48);
    expect(upsampleMultiplications([1, 1, 2, 2], [2, 2], 'bilinear')).toBe(48);
  });

  it('by 3: [0, 3] gives [0, 0, 1, 2, 3, 3]', () => {
    const y = Array.from(upsample(tensor([0, 3], [1, 1, 2]), [3], 'bilinear').y.data);
    [0, 0, 1, 2, 3, 3].forEach((want, o) => expect(y[o]).toBeCloseTo(want, 14));
  });

  it('is trilinear in 3-D: a linear ramp stays a ramp in the interior', () => {
    // x[d, h, w] = d + 10h + 100w; away from the clamped edges, bilinear reproduces the ramp at xs
    const x = tensor(Array.from({ length: 27 }, (_, q) => Math.floor(q / 9) + 10 * (Math.floor(q / 3) % 3) + 100 * (q % 3)), [1, 1, 3, 3, 3]);
    const y = upsample(x, [2, 2, 2], 'bilinear').y;
    for (let d = 1; d < 5; d++) for (let h = 1; h < 5; h++) for (let w = 1; w < 5; w++) {
      const want = halfPixelCoordinate(d, 2) + 10 * halfPixelCoordinate(h, 2) + 100 * halfPixelCoordinate(w, 2);
      expect(y.data[(d * 6 + h) * 6 + w]).toBeCloseTo(want, 12);
    }
  });
});

describe('upsample, either mode', () => {
  const modes: UpsampleMode[] = ['nearest', 'bilinear'];

  it.each(modes)('%s: factor 1 is the identity and a constant stays constant', (mode) => {
    const x = tensor([1, -2, 3, 0.5, 7, 8], [1, 2, 3]);
    expect(upsample(x, [1], mode).y).toEqual(x);
    const ones = tensor(new Array(12).fill(1.5), [1, 3, 2, 2]);
    expect(Array.from(upsample(ones, [2, 3], mode).y.data)).toEqual(new Array(3 * 4 * 6).fill(1.5));
  });

  it.each(modes)('%s: output shape is [N, C, ...i·f] and the count matches the formula', (mode) => {
    const x: Tensor = { shape: [2, 1, 2, 3], data: new Float32Array(12).fill(1) };
    const run = upsample(x, [3, 2], mode);
    expect(run.y.shape).toEqual(upsampleShape([2, 1, 2, 3], [3, 2]));
    expect(run.y.shape).toEqual([2, 1, 6, 6]);
    expect(run.y.data).toBeInstanceOf(Float64Array);
    expect(run.multiplications).toBe(upsampleMultiplications([2, 1, 2, 3], [3, 2], mode));
  });
});

describe('upsample rejects what it does not define', () => {
  const x = zeros([1, 1, 2, 2]);
  it('an input without spatial axes or of inconsistent length', () => {
    expect(() => upsample(zeros([1, 2]), [], 'nearest')).toThrow(/x must be \[N, C, ...spatial\] with sizes >= 1, but x.shape=\[1,2\]/);
    expect(() => upsample({ shape: [1, 1, 0], data: new Float64Array(0) }, [2], 'nearest')).toThrow(/x.shape=\[1,1,0\]/);
    expect(() => upsample({ shape: [1, 1, 3], data: new Float64Array(2) }, [2], 'nearest')).toThrow(/x.data.length=2/);
  });

  it('factors that are not one integer >= 1 per spatial axis', () => {
    expect(() => upsample(x, [2], 'nearest')).toThrow(/one factor per spatial axis is required \(2\), but factors=\[2\]/);
    expect(() => upsample(x, [2, 0], 'nearest')).toThrow(/factors must be integers >= 1, but factors\[1\]=0/);
    expect(() => upsample(x, [1.5, 2], 'bilinear')).toThrow(/factors\[0\]=1.5/);
  });

  it('an unknown mode', () => {
    expect(() => upsample(x, [2, 2], 'cubic' as UpsampleMode)).toThrow(/mode must be one of nearest, bilinear, but mode=cubic/);
  });

  it('an output above the reference limit of 2^25 elements, before allocating it (before: any size up to 2^31-1)', () => {
    // one element up-sampled by [2^13, 2^12 + 1] is 2^25 + 2^13 elements (256 MB as float64, then copied)
    let error: unknown;
    try { upsample(zeros([1, 1, 1, 1]), [2 ** 13, 2 ** 12 + 1], 'nearest'); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConvInputError);
    expect((error as ConvInputError).field).toBe('y');
    expect((error as ConvInputError).message).toBe('upsample: the reference computes at most 2^25 output elements (--max-elements), but y of shape [1,1,8192,4097] has 33562624.');
    expect(() => upsample(x, [50_000, 50_000], 'bilinear')).toThrow(/y of shape \[1,1,100000,100000\] has 10000000000\./);
  });
});
