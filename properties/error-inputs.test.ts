import { guardModuleBackend } from '../adapters/module-backend.ts';
import type { Tensor } from '../problem/tensor.ts';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Backend } from '../problem/backend.ts';
import { ERROR_INPUTS, errorInputById } from '../problem/error-inputs.ts';
import { referenceBackend } from '../adapters/reference.ts';
import { createProcessBackend } from '../adapters/process-backend.ts';
import { ALL_ERROR_INPUTS, errorInputOperator, isQuantizedErrorInput, runErrorInputs } from './error-inputs.ts';
import { NUMPY_PYTHON, STDLIB_PYTHON } from '../adapters/testdata/python.ts';

const TESTDATA = join(import.meta.dirname, '..', 'adapters', 'testdata');
const started: Backend[] = [];
afterAll(async () => { await Promise.all(started.map((b) => b.dispose?.())); });

async function processBackend(command: string): Promise<Backend> {
  const backend = await createProcessBackend(command, { timeoutMs: 5000 });
  started.push(backend);
  return backend;
}

describe('error inputs on module backends: run() with the ill-formed problem must throw', () => {
  test('the reference refuses every one, float and quantized, naming the field and the rule', async () => {
    const records = await runErrorInputs(referenceBackend);
    expect(records.map((r) => r.input)).toEqual(ALL_ERROR_INPUTS);
    expect(records.map((r) => r.verdict)).toEqual(ALL_ERROR_INPUTS.map(() => 'pass'));
    expect(records.find((r) => r.input.id === 'conv-stride-zero')?.message).toBe('refused: conv: stride must be an integer >= 1, but strides[0]=0.');
    expect(records.find((r) => r.input.id === 'convinteger-bias')?.message).toBe('refused: ConvInteger: ConvInteger has no bias input, but the problem has bias=true.');
    expect(records.find((r) => r.input.id === 'qlinearconv-y-scale-zero')?.message).toBe('refused: QLinearConv: yScale must be a finite float32 > 0, but yScale=0.');
  });

  test('a backend that returns numbers for anything fails every one, with the rule and what it returned', async () => {
    const lenient: Backend = {
      name: 'lenient', version: '0', precision: 'fp32', supports: () => ({ supported: true }), run: async () => ({ shape: [1, 4, 3, 3], data: new Float32Array(36) }),
      quantized: { supports: () => ({ supported: true }), run: async () => ({ shape: [1, 4, 3, 3], data: new Int32Array(36) }) },
    };
    const records = await runErrorInputs(lenient);
    expect(records.map((r) => r.verdict)).toEqual(ALL_ERROR_INPUTS.map(() => 'fail'));
    expect(records[0].message).toBe('accepted an ill-formed call (group must divide the input channels: group=3, C=4) and returned an output of shape [1,4,3,3]; it must refuse it (an error, or unsupported with a reason)');
    expect(records.find((r) => r.input.id === 'convinteger-bias')?.message).toMatch(/^accepted an ill-formed call \(ConvInteger has no bias input/);
  });

  test('a guarded module backend that answers an ill-formed call with something malformed did not refuse it: an error, not a pass', async () => {
    const garbage: Backend = guardModuleBackend({ name: 'garbage', version: '0', precision: 'fp32', supports: () => ({ supported: true }), run: async () => null as unknown as Tensor });
    const [record] = await runErrorInputs(garbage, { inputs: [ERROR_INPUTS[0]] });
    expect(record.verdict).toBe('error'); // the guard's throw was counted as a refusal (pass)
    expect(record.message).toMatch(/^did not refuse cleanly: garbage: run\(\) must resolve to a Tensor \{ shape, data \}, but it resolved to null/);
  });

  test('a backend without quantized ops is not sent the quantized ones (unsupported), and still gets the float ones', async () => {
    const floatOnly: Backend = { name: 'float-only', version: '0', precision: 'fp32', supports: () => ({ supported: true }), run: async () => { throw new Error('refused'); } };
    const records = await runErrorInputs(floatOnly);
    for (const r of records) expect(r.verdict, r.input.id).toBe(isQuantizedErrorInput(r.input) ? 'unsupported' : 'pass');
    expect(records.find((r) => isQuantizedErrorInput(r.input))?.message).toBe('not sent: float-only has no quantized ops (ConvInteger, QLinearConv)');
  });


  test('run() is called whatever supports() says; a throw from supports() itself is no refusal of run()', async () => {
    const declines: Backend = { name: 'declines', version: '0', precision: 'fp32', supports: () => ({ supported: false, reason: 'nope' }), run: async () => ({ shape: [1], data: new Float32Array(1) }) };
    expect((await runErrorInputs(declines, { inputs: [errorInputById('conv-stride-zero')] }))[0].verdict).toBe('fail');
  });

  test('an UnsupportedError is a refusal; a hang is an error within the time limit', async () => {
    const { UnsupportedError } = await import('../problem/backend.ts');
    const unsupported: Backend = { name: 'u', version: '0', precision: 'fp32', supports: () => ({ supported: true }), run: async () => { throw new UnsupportedError('u: no grouped conv'); } };
    expect(await runErrorInputs(unsupported, { inputs: [ERROR_INPUTS[0]] })).toMatchObject([{ verdict: 'pass', message: 'refused as unsupported: u: no grouped conv' }]);
    const hangs: Backend = { name: 'hangs', version: '0', precision: 'fp32', supports: () => ({ supported: true }), run: () => new Promise(() => undefined) };
    const begin = performance.now();
    expect(await runErrorInputs(hangs, { inputs: [ERROR_INPUTS[0]], timeoutMs: 200 })).toMatchObject([{ verdict: 'error', message: 'did not refuse cleanly: hangs did not answer within 200 ms' }]);
    expect(performance.now() - begin).toBeLessThan(1000);
  });
});

describe('error inputs on process backends: the raw request, refused by an error or unsupported reply', () => {
  test('an implementation that checks nothing is reported for every one it accepted', async () => {
    const backend = await processBackend(`${NUMPY_PYTHON} ${join(TESTDATA, 'faults', 'accept_ill_formed.py')}`);
    const records = await runErrorInputs(backend);
    expect(records.filter((r) => r.verdict !== 'fail').map((r) => `${r.input.id}: ${r.verdict} ${r.message}`)).toEqual([]);
  });

  test('calls outside the ops and limits of its hello are not sent (unsupported), the rest are', async () => {
    // conv-only: ops [conv], spatial_ranks [2]; it answers zeros of resolved.y_shape to whatever it is sent,
    // and crashes (a KeyError) where convcheck sends no resolved shape (a zero stride, a kernel over the input)
    const backend = await processBackend(`${STDLIB_PYTHON} ${join(TESTDATA, 'misbehaving_impl.py')} conv-only`);
    const records = await runErrorInputs(backend);
    for (const r of records) {
      const operator = errorInputOperator(r.input);
      const expected = operator !== 'conv' ? 'unsupported' : ['conv-stride-zero', 'conv-kernel-larger-than-input'].includes(r.input.id) ? 'error' : 'fail';
      expect(r.verdict, r.input.id).toBe(expected);
    }
    expect(records.find((r) => errorInputOperator(r.input) === 'convTranspose')?.message).toMatch(/^not sent: misbehaving-conv-only: op convTranspose is not among the ops of its hello \[conv\]/);
    expect(records.find((r) => errorInputOperator(r.input) === 'ConvInteger')?.message).toMatch(/^not sent: misbehaving-conv-only: ConvInteger is not among the quantized_ops of its hello \[\]/);
  });

  test('a crash instead of a refusal is an error verdict', async () => {
    const backend = await processBackend(`${STDLIB_PYTHON} ${join(TESTDATA, 'misbehaving_impl.py')} crash`);
    const [record] = await runErrorInputs(backend, { inputs: [ERROR_INPUTS[0]] });
    expect(record).toMatchObject({ verdict: 'error', message: expect.stringMatching(/^did not refuse cleanly: .*exited with code 7 before replying/) });
  });
});
