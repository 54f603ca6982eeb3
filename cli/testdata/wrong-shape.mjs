// A module backend whose every answer (run, gradients, quantized.run) has a well-formed tensor of
// the wrong shape [1,1,2]: a fail whose reason names both shapes.
const supported = () => ({ supported: true });
const wrong = async () => ({ shape: [1, 1, 2], data: new Float32Array([0.3, 0.1]) });
export default {
  name: 'wrong-shape',
  version: '0',
  precision: 'fp32',
  supports: supported,
  run: wrong,
  gradients: { supports: supported, input: wrong, weight: wrong },
  quantized: { supports: supported, run: async () => ({ shape: [1, 1, 2], data: new Int32Array(2) }) },
};
