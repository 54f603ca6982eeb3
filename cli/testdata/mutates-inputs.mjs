// A module backend that writes into the problem and the operands it is given (then answers zeros):
// the reference and the backends after it must not see its changes.
export default {
  name: 'mutates-inputs',
  version: '0',
  precision: 'fp32',
  supports: () => ({ supported: true }),
  run: async (problem, operands) => {
    operands.x.data.fill(NaN);
    problem.inputShape[0] = 999;
    return { shape: [1, 1, 3], data: new Float32Array(3) };
  },
};
