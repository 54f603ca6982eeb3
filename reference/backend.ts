/**
 * The reference as a Backend, so that every law runs against it with the same body as against an
 * adapter.
 */
import { SUPPORTED, type Backend } from '../adapters/backend.ts';
import type { ConvProblem } from '../problem/problem.ts';
import type { Tensor } from '../problem/tensor.ts';
import { conv } from './conv.ts';
import { convTranspose } from './conv-transpose.ts';
import type { ConvOperands } from './inputs.ts';

/** The float64 reference oracle as a backend. */
export const referenceBackend: Backend = {
  name: 'reference',
  version: '0.1.0',
  precision: 'fp64',
  supports: () => SUPPORTED,
  run: async (p: ConvProblem, operands: ConvOperands): Promise<Tensor> =>
    p.op === 'conv' ? conv(p, operands) : convTranspose(p, operands),
};
