import { describe, expect, it } from 'vitest';
import { inputErrorOf } from './errors.ts';
import { makeProblem, withChanges, type ConvProblem, type ProblemSpec } from './problem.ts';
import { outputSpatialShape, resolvePads } from './shape.ts';
import { MAX_ELEMENTS, MAX_NAME_LENGTH, validateProblem } from './validate.ts';

const errorOf = inputErrorOf;

/** Asserts that validating `p` fails on `field` with a message matching `message`. */
function expectInvalid(p: ConvProblem, field: string, message: RegExp): void {
  const e = errorOf(() => validateProblem(p));
  expect(e.field).toBe(field);
  expect(e.message).toMatch(message);
}

const base = (spec: Partial<ProblemSpec> = {}): ConvProblem =>
  makeProblem({ inChannels: 4, outChannels: 6, inputShape: [5, 5], kernelShape: [3, 3], ...spec });
const baseT = (spec: Partial<ProblemSpec> = {}): ConvProblem => base({ op: 'convTranspose', ...spec });

describe('validateProblem accepts valid problems', () => {
  it('returns the problem it was given, conv and transposed, 1-D to 3-D', () => {
    const problems = [
      base(), baseT({ strides: [2, 2], outputPadding: [1, 1] }), base({ inputShape: [4], kernelShape: [4] }),
      base({ group: 2, inputShape: [3, 4, 5], kernelShape: [1, 2, 3], autoPad: 'SAME_LOWER', bias: true }),
      baseT({ outputShape: [9, 11], strides: [2, 2] }),
    ];
    for (const p of problems) expect(validateProblem(p)).toBe(p);
  });
});

describe('validateProblem: structure', () => {
  it('op must be conv or convTranspose', () => {
    expectInvalid(withChanges(base(), { op: 'deconv' as ConvProblem['op'] }), 'op', /op must be conv or convTranspose, but op=deconv/);
  });

  it('spatial rank must be 1, 2 or 3', () => {
    expectInvalid(base({ inputShape: [], kernelShape: [] }), 'inputShape', /spatial rank must be 1, 2 or 3, but inputShape=\[\] has rank 0/);
    expectInvalid(base({ inputShape: [2, 2, 2, 2], kernelShape: [1, 1, 1, 1] }), 'inputShape', /inputShape=\[2,2,2,2\] has rank 4/);
  });

  it('every per-axis attribute has one value per spatial axis', () => {
    expectInvalid(base({ kernelShape: [3] }), 'kernelShape', /kernelShape must have one value per spatial axis \(2\), but kernelShape=\[3\]/);
    expectInvalid(base({ strides: [1, 1, 1] }), 'strides', /strides=\[1,1,1\]/);
    expectInvalid(base({ dilations: [1] }), 'dilations', /dilations=\[1\]/);
    expectInvalid(base({ pads: [1, 1] }), 'padsBegin', /padsBegin must have one value per spatial axis \(2\), but padsBegin=\[1\]/);
    expectInvalid(withChanges(base(), { padsEnd: [0] }), 'padsEnd', /padsEnd=\[0\]/);
    expectInvalid(baseT({ outputPadding: [0] }), 'outputPadding', /outputPadding=\[0\]/);
    expectInvalid(baseT({ outputShape: [9] }), 'outputShape', /outputShape=\[9\]/);
  });

  it('auto_pad must be one of the four ONNX modes', () => {
    expectInvalid(base({ autoPad: 'SAME' as ConvProblem['autoPad'] }), 'autoPad', /auto_pad must be one of NOTSET, SAME_UPPER, SAME_LOWER, VALID, but auto_pad=SAME/);
  });

  it('a name must not hold a quote: the descriptor writes it as n"..." without escapes', () => {
    expectInvalid(base({ name: 'say "hi"' }), 'name', /name must be a string without '"', but name="say \\"hi\\""/);
    expect(() => validateProblem(base({ name: 'mobilenet:conv2_1/dw' }))).not.toThrow();
  });

  it('a name is at most 256 characters and one line (before: a 40,000-character name crashed run --backend onnxruntime)', () => {
    expect(MAX_NAME_LENGTH).toBe(256);
    expect(() => validateProblem(base({ name: 'n'.repeat(256) }))).not.toThrow();
    expectInvalid(base({ name: 'a'.repeat(40_000) }), 'name', /^conv: name must be at most 256 characters, but it has 40000: "a{40}\.\.\. \(39960 more\)"\.$/);
    expectInvalid(base({ name: 'layer\nnext' }), 'name', /name must not contain control characters \(a descriptor is one line\), but name="layer\\nnext"/);
  });

  it('bias must be a boolean', () => {
    expectInvalid(withChanges(base(), { bias: 1 as unknown as boolean }), 'bias', /bias must be true or false, but bias=1/);
  });
});

describe('validateProblem: integer attributes', () => {
  it('batch, channels and group are integers >= 1', () => {
    expectInvalid(base({ batch: 0 }), 'batch', /batch must be an integer >= 1, but batch=0/);
    expectInvalid(base({ inChannels: 2.5 }), 'inChannels', /inChannels=2.5/);
    expectInvalid(base({ outChannels: Number.NaN }), 'outChannels', /outChannels=NaN/);
    expectInvalid(base({ group: 0 }), 'group', /group must be an integer >= 1, but group=0/);
    expectInvalid(base({ group: Number.POSITIVE_INFINITY }), 'group', /group=Infinity/);
  });

  it('sizes are integers >= 1', () => {
    expectInvalid(base({ inputShape: [5, 0] }), 'inputShape[1]', /inputShape\[1\] must be an integer >= 1, but inputShape\[1\]=0/);
    expectInvalid(base({ kernelShape: [2.5, 3] }), 'kernelShape[0]', /kernelShape\[0\]=2.5/);
  });

  it('stride and dilation are integers >= 1', () => {
    expectInvalid(base({ strides: [1, 0] }), 'strides[1]', /stride must be an integer >= 1, but strides\[1\]=0/);
    expectInvalid(base({ strides: [2.5, 1] }), 'strides[0]', /stride must be an integer >= 1, but strides\[0\]=2.5/);
    expectInvalid(base({ dilations: [-1, 1] }), 'dilations[0]', /dilation must be an integer >= 1, but dilations\[0\]=-1/);
    expectInvalid(base({ dilations: [1, Number.NaN] }), 'dilations[1]', /dilations\[1\]=NaN/);
  });

  it('pads are integers >= 0, begins pads[a], ends pads[rank + a] as in the ONNX attribute', () => {
    expectInvalid(base({ pads: [-1, 0, 0, 0] }), 'pads[0]', /pads\[0\] must be an integer >= 0, but pads\[0\]=-1/);
    expectInvalid(base({ pads: [0, 0, 0, -2] }), 'pads[3]', /pads\[3\]=-2/);
    expectInvalid(base({ pads: [0, 0.5, 0, 0] }), 'pads[1]', /pads\[1\]=0.5/);
  });

  it('output_padding is an integer >= 0 and output_shape an integer >= 1', () => {
    expectInvalid(baseT({ outputPadding: [0, -1] }), 'outputPadding[1]', /outputPadding\[1\] must be an integer >= 0, but outputPadding\[1\]=-1/);
    expectInvalid(baseT({ outputShape: [0, 7] }), 'outputShape[0]', /outputShape\[0\] must be an integer >= 1, but outputShape\[0\]=0/);
  });
});

describe('validateProblem: the rules between attributes', () => {
  it('group divides the input channels', () => {
    expectInvalid(base({ group: 3, outChannels: 6 }), 'group', /^conv: group must divide input channels, but group=3 and C=4\.$/);
  });

  it('group divides the output channels', () => {
    expectInvalid(base({ group: 4, outChannels: 6 }), 'group', /group must divide output channels, but group=4 and M=6/);
    expectInvalid(baseT({ group: 4, outChannels: 6 }), 'group', /^convTranspose: group must divide output channels/);
  });

  it('output_padding and output_shape belong to ConvTranspose', () => {
    expectInvalid(base({ outputPadding: [0, 1] }), 'outputPadding', /output_padding is a ConvTranspose attribute, but conv has outputPadding=\[0,1\]/);
    expectInvalid(base({ outputShape: [3, 3] }), 'outputShape', /output_shape is a ConvTranspose attribute/);
  });

  it('output_padding must be smaller than max(stride, dilation)', () => {
    expectInvalid(baseT({ strides: [2, 2], outputPadding: [0, 2] }), 'outputPadding[1]',
      /output_padding must be smaller than stride or dilation, but outputPadding\[1\]=2, stride=2, dilation=1/);
    expectInvalid(baseT({ outputPadding: [1, 0] }), 'outputPadding[0]', /outputPadding\[0\]=1, stride=1, dilation=1/);
    // dilation 3 allows output_padding 2 with stride 1
    expect(() => validateProblem(baseT({ dilations: [3, 1], outputPadding: [2, 0] }))).not.toThrow();
  });

  it('the dilated kernel must fit the padded input', () => {
    // span 3·(3-1)+1 = 7 > 5 + 0 + 1
    expectInvalid(base({ dilations: [3, 1], pads: [0, 0, 1, 0] }), 'kernelShape[0]',
      /kernel must fit the padded input on axis 0, but the dilated kernel spans 7 and the padded input is 6/);
    expectInvalid(base({ inputShape: [5, 2], kernelShape: [3, 3] }), 'kernelShape[1]', /spans 3 and the padded input is 2/);
    // exactly fitting is fine: span 7 = 5 + 1 + 1
    expect(() => validateProblem(base({ dilations: [3, 1], pads: [1, 0, 1, 0] }))).not.toThrow();
  });

  it('transposed: explicit pads must leave an output of at least 1', () => {
    // s·(i-1) + d·(k-1) + 1 = 1 for i = 1, k = 1; pads 1 + 1 make it -1
    expectInvalid(baseT({ inputShape: [1, 5], kernelShape: [1, 3], pads: [1, 0, 1, 0] }), 'pads', /output size on axis 0 must be >= 1, but pads make it -1/);
  });

  it('transposed: output_shape may pass the full output s·(i-1) + d·(k-1) + 1 by less than the stride, output_padding included', () => {
    // axis 1: s·(i-1) + d·(k-1) + 1 = 2·4 + 2 + 1 = 11; with stride 2, 12 is allowed (the extra at the end), 13 is not
    expectInvalid(baseT({ strides: [1, 2], outputPadding: [0, 1], outputShape: [7, 13] }), 'outputShape[1]',
      /output_shape may exceed s·\(i-1\)\+d·\(k-1\)\+1=11 \(the transposed output without output_padding\) by less than the stride 2, but outputShape\[1\]=13/);
    expect(() => validateProblem(baseT({ strides: [1, 2], outputPadding: [0, 1], outputShape: [7, 12] }))).not.toThrow();
    expect(() => validateProblem(baseT({ strides: [1, 2], outputShape: [7, 12] }))).not.toThrow();
  });

  it('transposed: an output_shape past the full output extends it with zeros at the end, in every auto_pad mode', () => {
    // ONNX's test_convtranspose_output_shape and ONNX Runtime: like output_padding, whatever auto_pad says
    for (const autoPad of ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'] as const) {
      const p = baseT({ strides: [1, 2], outputShape: [7, 12], autoPad });
      expect(resolvePads(p), autoPad).toEqual({ begin: [0, 0], end: [0, -1] });
      expect(outputSpatialShape(p), autoPad).toEqual([7, 12]);
    }
  });

  it('transposed SAME_*: the i·s output must not exceed the full output either', () => {
    // k = 1, s = 2: full 2·(5-1) + 1 = 9 < i·s = 10, so no pads can give i·s
    expectInvalid(baseT({ kernelShape: [1, 3], strides: [2, 1], autoPad: 'SAME_UPPER' }), 'autoPad',
      /auto_pad=SAME_UPPER asks for an output i·s=10 on axis 0, more than the full transposed output .*=9/);
  });
});

describe('validateProblem: sizes beyond 2^31 - 1 elements are rejected before anything is allocated', () => {
  it('the limit is 2^31 - 1', () => {
    expect(MAX_ELEMENTS).toBe(2147483647);
  });

  it('x too large: [1, 1, 65536, 32768] has 2^31 elements', () => {
    const p = base({ inChannels: 1, outChannels: 1, inputShape: [65536, 32768], kernelShape: [1, 1] });
    expectInvalid(p, 'x', /tensor x of shape \[1,1,65536,32768\] has 2147483648 elements, more than the limit 2\^31-1/);
  });

  it('w too large: 50,000 -> 50,000 channels with a 1x1 kernel', () => {
    expectInvalid(base({ inChannels: 50_000, outChannels: 50_000, inputShape: [1], kernelShape: [1] }), 'w', /tensor w of shape \[50000,50000,1\] has 2500000000 elements/);
  });

  it('y too large, from small x and w: a transposed conv with stride 2^31-1 writes 2^32-1 outputs', () => {
    const p = baseT({ inChannels: 1, outChannels: 1, inputShape: [3], kernelShape: [1], strides: [2 ** 31 - 1] });
    expectInvalid(p, 'y', /tensor y of shape \[1,1,4294967295\] has 4294967295 elements/);
  });
});

describe('withChanges, which the tests above derive their problems with', () => {
  it('copies arrays, so a derived problem never shares (and can never corrupt) the base one\'s', () => {
    const p = baseT({ outputShape: [9, 11], strides: [2, 2] });
    const q = withChanges(p, { batch: 2 });
    expect(q).toStrictEqual({ ...p, batch: 2 });
    for (const key of ['inputShape', 'kernelShape', 'strides', 'dilations', 'padsBegin', 'padsEnd', 'outputPadding', 'outputShape'] as const) {
      expect(q[key]).not.toBe(p[key]);
    }
    expect('outputShape' in withChanges(p, { outputShape: undefined })).toBe(false);
  });
});

describe('validateProblem: values that are not plain safe integers', () => {
  it('rejects attributes beyond 2^31-1 and integers past 2^53, naming the field', () => {
    expectInvalid(base({ strides: [2 ** 31, 1] }), 'strides[0]', /strides\[0\] must be at most 2\^31-1, but strides\[0\]=2147483648/);
    expectInvalid(base({ pads: [2 ** 60, 0, 0, 0] }), 'pads[0]', /pads\[0\] must be at most 2\^31-1, but pads\[0\]=1152921504606847000/);
    expectInvalid(base({ pads: [2.5, 0, 0, 0] }), 'pads[0]', /pads\[0\] must be an integer >= 0, but pads\[0\]=2.5/);
  });

  it('shows a string where a number belongs as a string, and names a missing array', () => {
    expectInvalid(base({ group: '1' as unknown as number }), 'group', /but group="1"/);
    expectInvalid(withChanges(base(), { strides: undefined as unknown as number[] }), 'strides', /strides must be an array with one value per spatial axis \(2\), but strides=undefined/);
  });

  it('rejects explicit pads together with auto_pad (ONNX: they cannot be used simultaneously)', () => {
    expectInvalid(base({ pads: [1, 1, 1, 1], autoPad: 'SAME_UPPER' }), 'pads', /pads must be all zero when auto_pad is SAME_UPPER .* but pads=\[1,1,1,1\]/);
    expect(() => validateProblem(base({ pads: [0, 0, 0, 0], autoPad: 'SAME_UPPER' }))).not.toThrow();
  });
});
