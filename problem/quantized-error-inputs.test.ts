import { describe, expect, test } from 'vitest';
import { ConvInputError } from './errors.ts';
import { checkQuantizedOperands, type QuantizedConvProblem, type QuantizedOperands } from './quantized.ts';
import { QUANTIZED_ERROR_INPUTS, quantizedErrorInputById, quantizedErrorInputOperands, type QuantizedErrorInput } from './quantized-error-inputs.ts';

describe('quantized error inputs', () => {
  test('names are unique, and there are ConvInteger and QLinearConv cases', () => {
    const ids = QUANTIZED_ERROR_INPUTS.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(QUANTIZED_ERROR_INPUTS.map((e) => e.problem.operator)).toEqual([...Array(5).fill('ConvInteger'), ...Array(4).fill('QLinearConv')]);
  });

  test.each(QUANTIZED_ERROR_INPUTS.map((e) => [e.id, e] as const))('%s is refused by convcheck\'s own checks, naming a field', (_id, e) => {
    // the catalogue cannot drift into well-formed calls: each breaks a rule of problem/quantized.ts
    const refusal = (() => { try { checkQuantizedOperands(e.problem, quantizedErrorInputOperands(e)); return undefined; } catch (error) { return error; } })();
    expect(refusal).toBeInstanceOf(ConvInputError);
    expect((refusal as ConvInputError).field).toMatch(/^[a-zA-Z]/);
  });

  test('the tensors have the shapes given, with values of their types', () => {
    const e = quantizedErrorInputById('convinteger-weight-input-channels');
    const ops = quantizedErrorInputOperands(e);
    expect([ops.x.shape, ops.w.shape, ops.b]).toEqual([[1, 4, 5, 5], [4, 3, 3, 3], undefined]);
    expect(Math.min(...ops.x.data)).toBeGreaterThanOrEqual(0); // u8
    expect(e.descriptor).toBe('CIu8u8mb1ic4ih5iw5oc4kh3kw3 with w [4,3,3,3]');
    expect(quantizedErrorInputById('qlinearconv-bias-length').descriptor).toBe('QLu8u8u8mb1ic4ih5iw5oc4kh3kw3b1xs1ws1ys1 with b [3]');
    expect(Math.min(...quantizedErrorInputOperands(quantizedErrorInputById('qlinearconv-y-zero-point-out-of-range')).x.data)).toBeLessThan(0); // s8
  });

  test('each ill-formed parameter is the only thing wrong: with it put right, the call is well-formed', () => {
    const well = (e: QuantizedErrorInput, p: QuantizedConvProblem, operands: QuantizedOperands = quantizedErrorInputOperands(e)): void => checkQuantizedOperands(p, operands);
    const fixes: Record<string, (e: QuantizedErrorInput) => void> = {
      'convinteger-bias': (e) => { const { x, w } = quantizedErrorInputOperands(e); well(e, { ...e.problem, conv: { ...e.problem.conv, bias: false } }, { x, w }); },
      'convinteger-x-zero-point-out-of-range': (e) => well(e, { ...e.problem, xZeroPoint: 255 }),
      'convinteger-w-zero-point-length': (e) => well(e, { ...e.problem, wZeroPoint: [1, 2, 3, 4] }),
      'convinteger-group-not-dividing-input-channels': (e) => {
        const { x } = quantizedErrorInputOperands(e);
        well(e, { ...e.problem, conv: { ...e.problem.conv, group: 1 } }, { x, w: { shape: [3, 4, 3, 3], data: new Int32Array(108) } });
      },
      'convinteger-weight-input-channels': (e) => { const { x } = quantizedErrorInputOperands(e); well(e, e.problem, { x, w: { shape: [4, 4, 3, 3], data: new Int32Array(144) } }); },
      'qlinearconv-w-scale-length': (e) => well(e, { ...e.problem, requant: { ...e.problem.requant!, wScale: [1, 1, 1, 1] } }),
      'qlinearconv-y-scale-zero': (e) => well(e, { ...e.problem, requant: { ...e.problem.requant!, yScale: 1 } }),
      'qlinearconv-y-zero-point-out-of-range': (e) => well(e, { ...e.problem, requant: { ...e.problem.requant!, yZeroPoint: 127 } }),
      'qlinearconv-bias-length': (e) => { const { x, w } = quantizedErrorInputOperands(e); well(e, e.problem, { x, w, b: { shape: [4], data: new Int32Array(4) } }); },
    };
    // every input of the catalogue has its fix: a new one without a fix fails here
    for (const e of QUANTIZED_ERROR_INPUTS) {
      expect(fixes[e.id], `no fix for ${e.id}`).toBeDefined();
      expect(() => fixes[e.id](e), e.id).not.toThrow();
    }
    expect(() => quantizedErrorInputById('nope')).toThrow(/no quantized error input is named "nope"; they are: convinteger-bias, /);
  });
});
