// A module backend that answers right and leaves an interval throwing every millisecond, for good:
// the command still ends (before the listeners were held it died at the first tick; held without
// an end, the process would print a note per tick forever), says at most three of those errors in
// full, and exits 1.
import { convDetailed } from '../../reference/conv.ts';

export default {
  name: 'interval-throws',
  version: '0',
  precision: 'fp32',
  supports: () => ({ supported: true }),
  run: async (problem, operands) => {
    setInterval(() => { throw new Error('thrown by an interval'); }, 1);
    const { y } = convDetailed(problem, operands);
    return { shape: y.shape, data: Float32Array.from(y.data) };
  },
};
