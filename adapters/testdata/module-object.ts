/** Test fixture: a module whose default export is a Backend object. */
import { SUPPORTED, type Backend } from '../../problem/backend.ts';
import { zeros } from '../../problem/tensor.ts';
import { outputTensorShape } from '../../problem/shape.ts';

const backend: Backend = {
  name: 'fixture-object',
  version: '1.0.0',
  precision: 'fp32',
  supports: () => SUPPORTED,
  run: async (p) => zeros(outputTensorShape(p)),
};
export default backend;
