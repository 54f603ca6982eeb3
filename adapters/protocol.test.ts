import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseDescriptor } from '../problem/descriptor.ts';
import { makeOperands } from '../problem/operand-data.ts';
import { ProtocolError } from './protocol-error.ts';
import { ERROR_INPUTS, errorInputById, errorInputOperands } from '../problem/error-inputs.ts';
import { referenceGradients } from './reference.ts';
import {
  base64Length, decodeFloat32, encodeFloat32, fromWireTensor, helloSupports, makeGradientRequest, makeIllFormedRequest, makeRunRequest, MAX_REPLY_ELEMENTS, maxReplyLineBytes,
  parseGradientReply, parseHello, parseReply, PROTOCOL_VERSION, PROTOCOL_VERSIONS, showValue, type HelloMessage,
} from './protocol.ts';

const hello = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ type: 'hello', protocol: 1, name: 'impl', version: '1.2', precision: 'fp32', ops: ['conv', 'convTranspose'], ...extra });

describe('float32 little-endian base64', () => {
  test('1.0 is encoded as the bytes 00 00 80 3f (little-endian IEEE 754)', () => {
    expect(encodeFloat32([1])).toBe(Buffer.from([0x00, 0x00, 0x80, 0x3f]).toString('base64'));
    expect(encodeFloat32([1])).toBe('AACAPw==');
  });

  test('decoding inverts encoding for every float32, including -0, subnormals, infinities and NaN', () => {
    const values = Float32Array.from([0, -0, 1.5, -(2 ** -140), 3.4028234663852886e38, Infinity, -Infinity, NaN, Math.fround(0.1)]);
    const back = decodeFloat32('y.data', encodeFloat32(values), values.length);
    expect(Array.from(back)).toEqual(Array.from(values));
    expect(Object.is(back[1], -0)).toBe(true);
  });

  test('a view into a larger buffer encodes only its own elements', () => {
    const whole = Float32Array.from([7, 1, -2.5, 7]);
    expect(encodeFloat32(whole.subarray(1, 3))).toBe('AACAPwAAIMA=');
  });

  test('a reply line may carry the reference\'s output limit, 2^25 float32: 179,022,508 bytes with its envelope', () => {
    expect(MAX_REPLY_ELEMENTS).toBe(2 ** 25);
    expect(base64Length(4 * 2 ** 25)).toBe(178_956_972);
    expect(maxReplyLineBytes(MAX_REPLY_ELEMENTS)).toBe(179_022_508);
    expect(encodeFloat32(new Float32Array(1000)).length).toBe(base64Length(4000));
  });

  test('float64 values are rounded to float32 when encoded', () => {
    expect(decodeFloat32('x', encodeFloat32([0.1]), 1)[0]).toBe(Math.fround(0.1));
  });

  test('a payload two bytes short is an error naming the field and both byte counts', () => {
    const short = Buffer.alloc(34).toString('base64');
    expect(() => decodeFloat32('reply.y.data', short, 9)).toThrow(/reply\.y\.data decodes to 34 bytes, but its shape needs 9 float32 = 36 bytes/);
  });

  test('a character outside base64 is an error naming it and its offset', () => {
    expect(() => decodeFloat32('y.data', 'AAAA!AAA', 2)).toThrow(ProtocolError);
    expect(() => decodeFloat32('y.data', 'AAAA!AAA', 2)).toThrow(/character "!" at offset 4/);
  });

  test('unpadded base64 is refused rather than guessed', () => {
    expect(() => decodeFloat32('y.data', 'AACAPw', 1)).toThrow(/not padded standard base64/);
  });

  test.each(['AACA=w==', 'A===', '====', 'AACAPw=', 'AACAP==='])('misplaced padding in %s is refused', (text) => {
    expect(() => decodeFloat32('y.data', text, 1)).toThrow(/y\.data is not padded standard base64: length \d+ \(not a multiple of 4, or misplaced "="\)/);
  });

  test('a payload of 16 MB (four million float32, a [1, 64, 256, 256] output) decodes', () => {
    // a regex with a quantified group overflowed V8's stack from about 8 MB: an error for a correct reply
    const values = new Float32Array(4 * 1024 * 1024).map((_, i) => i % 1000);
    const decoded = decodeFloat32('reply.y.data', encodeFloat32(values), values.length);
    expect(decoded[123_456]).toBe(456);
    expect(decoded.length).toBe(values.length);
  });
});

describe('wire tensors', () => {
  test('a tensor with the expected shape decodes', () => {
    const t = fromWireTensor('reply.y', { shape: [1, 2], data: encodeFloat32([3, -4]) }, [1, 2]);
    expect(t.shape).toEqual([1, 2]);
    expect(Array.from(t.data)).toEqual([3, -4]);
  });

  test('a wrong shape is an error with both shapes', () => {
    expect(() => fromWireTensor('reply.y', { shape: [1], data: encodeFloat32([0]) }, [1, 1, 2, 2])).toThrow(/reply\.y\.shape must be \[1,1,2,2\], but reply\.y\.shape=\[1\]/);
  });

  test('without an expected shape, the tensor comes back with the shape it declares (a wrong shape is for the judge)', () => {
    expect(fromWireTensor('reply.y', { shape: [3], data: encodeFloat32([1, 2, 3]) })).toEqual({ shape: [3], data: Float32Array.from([1, 2, 3]) });
    expect(() => fromWireTensor('reply.y', { shape: [2, 2], data: encodeFloat32([1, 2, 3]) })).toThrow(/reply\.y\.data decodes to 12 bytes, but its shape needs 4 float32 = 16 bytes/);
    expect(() => fromWireTensor('reply.y', { shape: [2 ** 40, 2 ** 40], data: encodeFloat32([1]) })).toThrow(/reply\.y\.data decodes to 4 bytes, but its shape needs/);
  });

  test('data that is not a string is an error', () => {
    expect(() => fromWireTensor('reply.y', { shape: [2], data: [1, 2] }, [2])).toThrow(/reply\.y\.data must be a base64 string, but it is an array/);
  });
});

describe('hello', () => {
  test('a complete hello is accepted with its fields', () => {
    const h = parseHello(hello({ limits: { spatial_ranks: [2], max_group: 1 } }));
    expect(h).toMatchObject({ name: 'impl', version: '1.2', precision: 'fp32', ops: ['conv', 'convTranspose'], limits: { spatial_ranks: [2], max_group: 1 } });
  });

  test.each([
    [hello({ protocol: 3 }), /hello\.protocol must be 1 or 2 \(the versions this convcheck speaks\), but hello\.protocol=3/],
    [hello({ protocol: '2' }), /hello\.protocol must be 1 or 2 .* but hello\.protocol="2"/],
    [hello({ gradients: ['conv'] }), /hello\.gradients needs protocol 2, but hello\.protocol=1/],
    [hello({ protocol: 2, gradients: [] }), /hello\.gradients must be a non-empty list of "conv", "convTranspose", but hello\.gradients=\[\]/],
    [hello({ protocol: 2, gradients: 'conv' }), /hello\.gradients must be a non-empty list/],
    [hello({ protocol: 2, ops: ['conv'], gradients: ['convTranspose'] }), /hello\.gradients lists "convTranspose", which is not among hello\.ops \[conv\]/],
    [hello({ protocol: 2, limits: { max_groups: 1 } }), /hello\.limits\.max_groups is not a limit of protocol 2/],
    [hello({ name: 7 }), /hello\.name must be a string, but it is a number/],
    [hello({ version: undefined }), /hello\.version must be a string, but it is missing/],
    [hello({ precision: 'fp64' }), /hello\.precision must be one of fp32, tf32, fp16, bf16, but hello\.precision="fp64"/],
    [hello({ ops: ['conv', 'matmul'] }), /hello\.ops must be a non-empty list of "conv", "convTranspose"/],
    [hello({ ops: [] }), /hello\.ops must be a non-empty list/],
    [hello({ ops: ['conv', 'conv'] }), /hello\.ops must list each op once, but it has 2 entries: \["conv","conv"\]/],
    [hello({ limits: { max_groups: 1 } }), /hello\.limits\.max_groups is not a limit of protocol 1/],
    [hello({ limits: { spatial_ranks: [4] } }), /spatial_ranks must be a non-empty list of 1, 2, 3/],
    ['{"type":"result","id":1}', /the first line must be a hello/],
    ['Loading model...', /stdout line is not JSON \(write logs to stderr\): "Loading model\.\.\."/],
  ])('%s is refused with a message naming the field', (line, message) => {
    expect(() => parseHello(line)).toThrow(message);
  });

  test('convcheck speaks versions 1 and 2; 2 is the newest', () => {
    expect(PROTOCOL_VERSIONS).toEqual([1, 2]);
    expect(PROTOCOL_VERSION).toBe(2);
  });

  test('a version 1 hello reads as before: no gradients', () => {
    expect(parseHello(hello())).toEqual({ type: 'hello', protocol: 1, name: 'impl', version: '1.2', precision: 'fp32', ops: ['conv', 'convTranspose'] });
  });

  test('a version 2 hello may declare gradients (of ops it lists), or none', () => {
    expect(parseHello(hello({ protocol: 2, gradients: ['conv', 'convTranspose'] }))).toMatchObject({ protocol: 2, gradients: ['conv', 'convTranspose'] });
    expect(parseHello(hello({ protocol: 2 }))).not.toHaveProperty('gradients');
  });
});

describe('helloSupports', () => {
  const base: HelloMessage = parseHello(hello({ ops: ['conv'], limits: { spatial_ranks: [2], max_group: 2, dilations: false, max_elements: 100 } }));

  test('a problem within every limit is supported', () => {
    expect(helloSupports(base, parseDescriptor('g2mb1ic2ih5iw5oc2kh3kw3'))).toEqual({ supported: true });
  });

  test.each([
    ['Tmb1ic1ih3iw3oc1kh2kw2', /op convTranspose is not among the ops of its hello \[conv\]/],
    ['mb1ic1iw5oc1kw3', /spatial rank 1 is not among its limits\.spatial_ranks \[2\]/],
    ['g4mb1ic4ih5iw5oc4kh3kw3', /group=4 exceeds its limits\.max_group=2/],
    ['mb1ic1ih5iw5oc1kh2kw2dh2dw1', /dilations=\[2,1\] but its limits\.dilations=false/],
    ['mb1ic1ih11iw11oc1kh3kw3', /x has 121 elements, more than its limits\.max_elements=100/],
  ])('%s is unsupported, with the limit as reason', (descriptor, reason) => {
    const support = helloSupports(base, parseDescriptor(descriptor));
    expect(support.supported).toBe(false);
    if (!support.supported) expect(support.reason).toMatch(reason);
  });
});

describe('run requests', () => {
  test('carry ONNX attribute names, the resolved pads and the output shape', () => {
    // SAME_UPPER, i=7, k=3, s=2: out ceil(7/2)=4, total pad (4-1)·2+3-7=2, split 1/1; i=6, k=2: out 3, total 0.
    const p = parseDescriptor('mb1ic2ih6iw7oc3kh2kw3sh2sw2apUb1');
    const operands = makeOperands(p, 'exact', 1);
    const request = makeRunRequest(5, p, operands);
    expect(request).toMatchObject({
      type: 'run', id: 5, descriptor: 'mb1ic2ih6iw7oc3kh2kw3sh2sw2apUb1',
      problem: { op: 'conv', group: 1, kernel_shape: [2, 3], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], auto_pad: 'SAME_UPPER', output_padding: [0, 0], bias: true },
      resolved: { pads: [0, 1, 0, 1], y_shape: [1, 3, 3, 4] },
      x: { shape: [1, 2, 6, 7] }, w: { shape: [3, 2, 2, 3] }, b: { shape: [3] },
    });
    expect(request.problem).not.toHaveProperty('output_shape');
    expect(Array.from(decodeFloat32('x', request.x.data, 84))).toEqual(Array.from(operands.x.data));
  });

  test('send output_shape for a ConvTranspose that sets it, and no b without bias', () => {
    const request = makeRunRequest(1, parseDescriptor('Tmb1ic1ih3iw3oc1kh3kw3sh2sw2oh6ow5'), makeOperands(parseDescriptor('Tmb1ic1ih3iw3oc1kh3kw3sh2sw2oh6ow5'), 'exact', 1));
    // full size 2·2+3 = 7; output 6 -> total 1, larger half first: begin 1, end 0; output 5 -> 1/1.
    expect(request.problem.output_shape).toEqual([6, 5]);
    expect(request.resolved).toEqual({ pads: [1, 1, 0, 1], y_shape: [1, 1, 6, 5] });
    expect(request).not.toHaveProperty('b');
  });
});

describe('ill-formed requests (error inputs)', () => {
  test('carry the attributes and the tensors as given, and resolved only where the formulas give an output', () => {
    const negative = errorInputById('conv-negative-pads');
    const request = makeIllFormedRequest(4, negative.problem, errorInputOperands(negative));
    expect(request).toMatchObject({ type: 'run', id: 4, problem: { pads: [-1, 0, 0, 0] }, resolved: { pads: [-1, 0, 0, 0], y_shape: [1, 4, 2, 3] } });
    const weight = errorInputById('conv-weight-input-channels');
    expect(makeIllFormedRequest(1, weight.problem, errorInputOperands(weight)).w.shape).toEqual([4, 3, 3, 3]);
    const stride = errorInputById('conv-stride-zero');
    expect(makeIllFormedRequest(1, stride.problem, errorInputOperands(stride)).resolved).toBeUndefined();
    const bias = errorInputById('conv-bias-missing');
    expect(makeIllFormedRequest(1, bias.problem, errorInputOperands(bias))).toMatchObject({ problem: { bias: true } });
    expect('b' in makeIllFormedRequest(1, bias.problem, errorInputOperands(bias))).toBe(false);
  });
});

describe('replies', () => {
  test.each([
    ['{"type":"result","id":3,"y":{"shape":[1],"data":"AACAPw=="}}', { type: 'result', id: 3 }],
    ['{"type":"unsupported","id":3,"reason":"no 3-D"}', { type: 'unsupported', id: 3, reason: 'no 3-D' }],
    ['{"type":"error","id":3,"message":"OOM"}', { type: 'error', id: 3, message: 'OOM' }],
    ['{"type":"error","id":3,"message":" "}', { type: 'error', id: 3, message: '(an empty message: reply.message=" ")' }],
  ])('%s is read as its type', (line, expected) => {
    expect(parseReply(line, 3)).toMatchObject(expected);
  });

  test.each([
    ['{"type":"result","id":4,"y":{}}', /reply\.id must be 3 \(the id of the request\), but reply\.id=4/],
    ['{"type":"result","y":{}}', /reply\.id must be 3 .* but reply\.id=undefined/],
    ['{"type":"done","id":3}', /reply\.type must be "result", "unsupported" or "error", but reply\.type="done"/],
    ['[1,2]', /a reply must be a JSON object/],
    ['{"type":"result","id":3}', /reply\.y must be an object .* but it is missing/],
    ['{"type":"result","id":3,"y":{"shape":"1x4","data":""}}', /reply\.y\.shape must be an array of integers >= 0, but it is a string \("1x4"\)/],
    ['{"type":"result","id":3,"y":{"shape":[4],"data":null}}', /reply\.y\.data must be a base64 string, but it is null/],
    ['{"type":"unsupported","id":3}', /reply\.reason must be a string, but it is missing/],
    ['{"type":"result", "id": 3, "y": {"sha', /stdout line is not JSON/],
  ])('%s is a protocol error naming what is wrong', (line, message) => {
    expect(() => parseReply(line, 3)).toThrow(ProtocolError);
    expect(() => parseReply(line, 3)).toThrow(message);
  });
});

describe('gradient requests and replies (protocol 2)', () => {
  const p = parseDescriptor('mb1ic1ih3iw3oc1kh2kw2b1');
  const operands = makeOperands(p, 'exact', 1);
  const dy = { shape: [1, 1, 2, 2], data: Float32Array.from([1, 2, 3, 4]) };

  test('a gradient request is the run request with type gradient and dy', () => {
    const request = makeGradientRequest(4, p, operands, dy);
    const { type: _t, ...run } = makeRunRequest(4, p, operands);
    expect(request).toEqual({ type: 'gradient', ...run, dy: { shape: [1, 1, 2, 2], data: encodeFloat32([1, 2, 3, 4]) } });
  });

  const t = (shape: number[]): string => JSON.stringify({ shape, data: encodeFloat32(new Array(shape.reduce((a, b) => a * b, 1)).fill(0)) });
  const reply = (fields: string): string => `{"type":"result","id":4${fields}}`;

  test('a result with dx, dw and db is read; unsupported and error replies as for runs', () => {
    expect(parseGradientReply(reply(`,"dx":${t([1, 1, 3, 3])},"dw":${t([1, 1, 2, 2])},"db":${t([1])}`), 4, true)).toMatchObject({ type: 'result', id: 4, dx: { shape: [1, 1, 3, 3] }, dw: { shape: [1, 1, 2, 2] }, db: { shape: [1] } });
    expect(parseGradientReply(reply(`,"dx":${t([1, 1, 3, 3])},"dw":${t([1, 1, 2, 2])}`), 4, false)).not.toHaveProperty('db');
    expect(parseGradientReply('{"type":"unsupported","id":4,"reason":"no 3-D"}', 4, false)).toEqual({ type: 'unsupported', id: 4, reason: 'no 3-D' });
    expect(parseGradientReply('{"type":"error","id":4,"message":"nan"}', 4, false)).toEqual({ type: 'error', id: 4, message: 'nan' });
  });

  test.each([
    [reply(`,"y":${t([1, 1, 2, 2])}`), true, /reply\.dx must be an object .* but it is missing \(a reply to a gradient request carries dx, dw and, when the request has b, db; not y\)/],
    [reply(`,"dx":${t([1, 1, 3, 3])}`), false, /reply\.dw must be an object .* but it is missing/],
    [reply(`,"dx":${t([1, 1, 3, 3])},"dw":${t([1, 1, 2, 2])}`), true, /reply\.db must be an object .* but it is missing \(the request carried b/],
    [reply(`,"dx":${t([1, 1, 3, 3])},"dw":${t([1, 1, 2, 2])},"db":${t([1])}`), false, /reply\.db must be absent: the request carried no b/],
    [reply(`,"dx":[1,2],"dw":${t([1, 1, 2, 2])}`), false, /reply\.dx must be an object .* but it is an array/],
    [reply(`,"dx":{"shape":[9],"data":7},"dw":${t([1, 1, 2, 2])}`), false, /reply\.dx\.data must be a base64 string, but it is a number/],
    [reply(`,"dx":${t([1, 1, 3, 3])},"dw":{"shape":"2x2","data":""}`), false, /reply\.dw\.shape must be an array of integers >= 0, but it is a string/],
    ['{"type":"result","id":5,"dx":{}}', false, /reply\.id must be 4/],
  ])('%s is a protocol error naming the field', (line, withBias, message) => {
    expect(() => parseGradientReply(line, 4, withBias)).toThrow(ProtocolError);
    expect(() => parseGradientReply(line, 4, withBias)).toThrow(message);
  });
});

describe('docs/protocol.md', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'protocol.md'), 'utf8');

  test('states the line limit convcheck enforces, and lists every error input with its rule', () => {
    expect(doc).toContain(`**A line is at most ${maxReplyLineBytes(MAX_REPLY_ELEMENTS).toLocaleString('en-US')} bytes**`);
    expect(doc).toContain(`a stdout line longer than ${maxReplyLineBytes(MAX_REPLY_ELEMENTS)} bytes, the protocol's limit (a reply of ${MAX_REPLY_ELEMENTS} float32)`);
    for (const e of ERROR_INPUTS) expect(doc).toContain(`| \`${e.id}\` | ${e.rule} |`);
    expect(doc).toContain(`The ${ERROR_INPUTS.length} calls`);
  });

  test('its example request is what convcheck sends for that problem', () => {
    const p = parseDescriptor('mb1ic1ih3iw3oc1kh2kw2b1');
    const request = makeRunRequest(1, p, {
      x: { shape: [1, 1, 3, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]) },
      w: { shape: [1, 1, 2, 2], data: Float32Array.from([1, 0, 0, -1]) },
      b: { shape: [1], data: Float32Array.from([0.5]) },
    });
    for (const key of ['resolved', 'x', 'w', 'b'] as const) expect(doc).toContain(`"${key}":${JSON.stringify(request[key])}`);
    expect(doc.replace(/\s+/g, '')).toContain(JSON.stringify(request.problem));
  });

  test('its example result decodes to -3.5 everywhere, and its [1, -2.5] encoding is right', () => {
    expect(doc).toContain('"y":{"shape":[1,1,2,2],"data":"AABgwAAAYMAAAGDAAABgwA=="}');
    expect(Array.from(decodeFloat32('y', 'AABgwAAAYMAAAGDAAABgwA==', 4))).toEqual([-3.5, -3.5, -3.5, -3.5]);
    expect(doc).toContain(`\`[1.0, -2.5]\` is the bytes \`00 00 80 3f  00 00 20 c0\`, which is \`${encodeFloat32([1, -2.5])}\``);
  });

  test('its gradient example is what convcheck sends, and its reply holds the gradients of that problem', async () => {
    const p = parseDescriptor('mb1ic1ih3iw3oc1kh2kw2b1');
    const x = { shape: [1, 1, 3, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]) };
    const w = { shape: [1, 1, 2, 2], data: Float32Array.from([1, 0, 0, -1]) };
    const dy = { shape: [1, 1, 2, 2], data: Float32Array.from([1, 2, 3, 4]) };
    const request = makeGradientRequest(3, p, { x, w, b: { shape: [1], data: Float32Array.from([0.5]) } }, dy);
    const flat = doc.replace(/\s+/g, '');
    expect(flat).toContain(JSON.stringify(request));
    const line = /^\{"type":"result","id":3,"dx":\{"shape".*$/m.exec(doc)?.[0] ?? '';
    const reply = parseGradientReply(line, 3, true);
    if (reply.type !== 'result') throw new Error('the example reply is not a result');
    const dx = Array.from(fromWireTensor('dx', reply.dx, [1, 1, 3, 3]).data), dw = Array.from(fromWireTensor('dw', reply.dw, [1, 1, 2, 2]).data);
    expect(dx).toEqual(Array.from((await referenceGradients.input(p, { x, w }, dy)).data));
    expect(dw).toEqual(Array.from((await referenceGradients.weight(p, { x, w }, dy)).data));
    expect(Array.from(fromWireTensor('db', reply.db, [1]).data)).toEqual([10]);
    const rows = (v: number[], n: number): string => `[${Array.from({ length: v.length / n }, (_, r) => `[${v.slice(r * n, (r + 1) * n).join(', ')}]`).join(', ')}]`;
    expect(doc).toContain(`\`dx = ${rows(dx, 3)}\``);
    expect(doc).toContain(`\`dw = ${rows(dw, 2)}\``);
  });

  test('its auto_pad example shows the resolved pads convcheck sends', () => {
    const p = parseDescriptor('mb1ic2ih6iw7oc3kh2kw3sh2sw2apU');
    const request = makeRunRequest(2, p, makeOperands(p, 'exact', 1));
    expect(doc).toContain(`"resolved":${JSON.stringify(request.resolved)}`);
  });
});

describe('hostile values from an implementation', () => {
  /** ESC, BEL, CR, LF, NUL, DEL and C1 CSI, the characters a terminal acts on. */
  const RAW_CONTROL = /[\u0000\u0007\u000a\u000d\u001b\u007f\u009b]/;
  const deepArray = (n: number): string => '['.repeat(n) + ']'.repeat(n);
  const deepObject = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  const helloWith = (field: string, json: string): string => hello().replace(/\}$/, `,"${field}":${json}}`);
  /** The message a call throws; a RangeError (a stack overflow) fails the test. */
  const thrown = (f: () => unknown): string => {
    try {
      f();
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      return (error as Error).message;
    }
    throw new Error('did not throw');
  };

  test('an error message and an unsupported reason keep their text, control characters escaped', () => {
    const error = parseReply(JSON.stringify({ type: 'error', id: 3, message: 'line1\nline2\u001b[2J\r\u0000\u009b31m\u007f\u2028' }), 3);
    expect(error).toEqual({ type: 'error', id: 3, message: 'line1\\nline2\\u001b[2J\\r\\u0000\\u009b31m\\u007f\\u2028' });
    const unsupported = parseReply(JSON.stringify({ type: 'unsupported', id: 3, reason: '\u001b]0;pwned\u0007title\n' }), 3);
    expect(unsupported).toEqual({ type: 'unsupported', id: 3, reason: '\\u001b]0;pwned\\u0007title\\n' });
  });

  test('a message of 10 MB is cut to 2,000 characters, with a note of its length', () => {
    const reply = parseReply(JSON.stringify({ type: 'error', id: 3, message: 'E'.repeat(10_000_000) }), 3);
    expect(reply.type === 'error' ? reply.message : '').toBe(`${'E'.repeat(2000)}... (cut: 10000000 characters in all)`);
  });

  test.each(['', '   '])('an unsupported reply with the reason %j is a protocol error naming reply.reason', (reason) => {
    expect(thrown(() => parseReply(JSON.stringify({ type: 'unsupported', id: 3, reason }), 3)))
      .toBe(`reply.reason must say why the implementation declines the problem, but reply.reason=${JSON.stringify(reason)}.`);
  });

  test('a hello name or version with control characters, or over 200 characters, is refused naming the field', () => {
    expect(thrown(() => parseHello(hello({ name: 'a\nb\u001b[31mRED\u001b[0m' }))))
      .toBe('hello.name must not contain control characters (it is printed in every report), but hello.name="a\\nb\\u001b[31mRED\\u001b[0m".');
    expect(thrown(() => parseHello(hello({ version: '1.0\u009b2J' })))).toMatch(/hello\.version must not contain control characters .* hello\.version="1\.0\\u009b2J"/);
    expect(thrown(() => parseHello(hello({ name: 'n'.repeat(100_000) })))).toMatch(/^hello\.name must be at most 200 characters, but hello\.name="n{60}\.\.\." \(100000 characters\)\.$/);
    expect(thrown(() => parseHello(hello({ version: 'v'.repeat(1_000_000) })))).toMatch(/^hello\.version must be at most 200 characters, but hello\.version="v{60}\.\.\." \(1000000 characters\)\.$/);
    expect(parseHello(hello({ name: 'ünïcode-conv 2', version: 'x'.repeat(200) }))).toMatchObject({ name: 'ünïcode-conv 2' });
  });

  test.each([
    ['protocol', deepArray(20_000), /^hello\.protocol must be 1 or 2 .* but hello\.protocol=\[\[\[\[\.\.\.\]\]\]\]\.$/],
    ['name', deepObject(20_000), /^hello\.name must be a string, but it is an object \(\{"a":\{"a":\{"a":\{\.\.\.\}\}\}\}\)\.$/],
    ['version', deepArray(20_000), /^hello\.version must be a string, but it is an array \(\[\[\[\[\.\.\.\]\]\]\]\)\.$/],
    ['precision', deepObject(20_000), /^hello\.precision must be one of .* but hello\.precision=\{"a":/],
    ['ops', deepArray(20_000), /^hello\.ops must be a non-empty list of "conv", "convTranspose", but hello\.ops=\[\[\[\[\.\.\.\]\]\]\]\.$/],
    ['limits', `{"spatial_ranks":${deepArray(20_000)}}`, /^hello\.limits\.spatial_ranks must be a non-empty list of 1, 2, 3, but it is \[\[\[\[\.\.\.\]\]\]\]\.$/],
    ['limits', `{"max_group":${deepObject(20_000)}}`, /^hello\.limits\.max_group must be an integer >= 1, but it is \{"a":/],
    ['limits', `{"dilations":${deepArray(20_000)}}`, /^hello\.limits\.dilations must be true or false, but it is \[\[\[\[/],
    ['quantized_ops', deepArray(20_000), /^hello\.quantized_ops must be a non-empty list .* but hello\.quantized_ops=\[\[\[\[\.\.\.\]\]\]\]\.$/],
  ])('a hello.%s nested 20,000 levels deep is a protocol error naming the field, not a stack overflow', (field, json, message) => {
    expect(thrown(() => parseHello(helloWith(field, json)))).toMatch(message);
  });

  test('hello.gradients nested 20,000 levels deep is a protocol error naming the field', () => {
    const line = helloWith('gradients', deepArray(20_000)).replace('"protocol":1', '"protocol":2');
    expect(thrown(() => parseHello(line))).toMatch(/^hello\.gradients must be a non-empty list of "conv", "convTranspose", but hello\.gradients=\[\[\[\[\.\.\.\]\]\]\]\.$/);
  });

  test.each([
    [`{"type":"result","id":${deepArray(20_000)}}`, /^reply\.id must be 3 \(the id of the request\), but reply\.id=\[\[\[\[\.\.\.\]\]\]\]\.$/],
    [`{"type":${deepObject(20_000)}}`, /^reply\.type must be "result", "unsupported" or "error", but reply\.type=\{"a":\{"a":\{"a":\{\.\.\.\}\}\}\} in "\{\\"type\\":/],
    [`{"type":"unsupported","id":3,"reason":${deepObject(20_000)}}`, /^reply\.reason must be a string, but it is an object \(\{"a":/],
    [`{"type":"error","id":3,"message":${deepObject(20_000)}}`, /^reply\.message must be a string, but it is an object \(\{"a":/],
    [`{"type":"result","id":3,"y":${deepArray(20_000)}}`, /^reply\.y must be an object .* but it is an array \(\[\[\[\[\.\.\.\]\]\]\]\)\.$/],
    [`{"type":"result","id":3,"y":{"shape":${deepArray(20_000)},"data":""}}`, /^reply\.y\.shape\[0\] must be an integer >= 0, but reply\.y\.shape\[0\]=\[\[\[\[\.\.\.\]\]\]\]\.$/],
    [`{"type":"result","id":3,"y":{"shape":[1],"data":${deepObject(20_000)}}}`, /^reply\.y\.data must be a base64 string, but it is an object \(\{"a":/],
  ])('a reply field nested 20,000 levels deep is a protocol error naming the field: %#', (line, message) => {
    expect(thrown(() => parseReply(line, 3))).toMatch(message);
  });

  test('a wire tensor nested 20,000 levels deep is a protocol error naming the field', () => {
    const deep = JSON.parse(deepObject(20_000)) as unknown;
    expect(thrown(() => fromWireTensor('reply.y', { shape: deep, data: '' }))).toMatch(/^reply\.y\.shape must be an array of integers >= 0, but it is an object \(\{"a":/);
    expect(thrown(() => fromWireTensor('reply.y', JSON.parse(deepArray(20_000))))).toMatch(/^reply\.y must be an object .* but reply\.y=\[\[\[\[\.\.\.\]\]\]\]\.$/);
  });

  test.each([
    ['[-1]', 0, '-1'],
    ['["3"]', 0, '"3"'],
    ['[true]', 0, 'true'],
    ['[1,1,2.5]', 2, '2.5'],
    ['[1,null]', 1, 'null'],
  ])('a reply shape %s names its bad element and index', (shape, index, shown) => {
    expect(thrown(() => parseReply(`{"type":"result","id":3,"y":{"shape":${shape},"data":""}}`, 3)))
      .toBe(`reply.y.shape[${index}] must be an integer >= 0, but reply.y.shape[${index}]=${shown}.`);
  });

  test('a decoded shape beyond 2^53-1 names its element too', () => {
    expect(thrown(() => fromWireTensor('reply.y', { shape: [1, 1e300], data: '' })))
      .toBe('reply.y.shape[1] must be an integer >= 0 and at most 2^53-1, but reply.y.shape[1]=1e+300.');
  });

  test('lines, keys and characters quoted in messages are escaped, DEL and C1 included', () => {
    expect(thrown(() => parseReply('\u009b2J\u001b]0;t\u0007 computing\u007f', 3))).toBe('stdout line is not JSON (write logs to stderr): "\\u009b2J\\u001b]0;t\\u0007 computing\\u007f".');
    expect(thrown(() => parseHello(hello({ limits: { 'k\u001b[2J': 1 } })))).toMatch(/^hello\.limits\.k\\u001b\[2J is not a limit of protocol 1/);
    expect(thrown(() => fromWireTensor('reply.y', { shape: [1], data: 'AA\u009bA' }))).toMatch(/character "\\u009b" at offset 2/);
    expect(thrown(() => parseReply('{"type":"done\u001b[2J\r","id":3}', 3))).not.toMatch(RAW_CONTROL);
  });

  test('showValue shows at most 3 levels and about `max` characters of a value, never stringifying it whole', () => {
    expect(showValue([1, 'a', null, true, { b: [2] }])).toBe('[1,"a",null,true,{"b":[2]}]');
    expect(showValue(undefined)).toBe('undefined');
    expect(showValue(new Array(1_000_000).fill(7), 20)).toBe(`[${'7,'.repeat(9)}7...`);
    expect(showValue('x'.repeat(1_000_000), 10)).toBe('"xxxxxxxxx...');
    expect(showValue(JSON.parse(deepArray(200_000)))).toBe('[[[[...]]]]');
  });
});
