// A module backend that answers right (the reference's answer) and leaves a timer that throws
// 20 ms after run() returned: no verdict can carry that error, so convcheck says so on stderr and
// exits 1 (before: the process ended there with Node's stack trace, the command unfinished).
import { convDetailed } from '../../reference/conv.ts';

export default {
  name: 'throws-after-run',
  version: '0',
  precision: 'fp32',
  supports: () => ({ supported: true }),
  run: async (problem, operands) => {
    setTimeout(() => { throw new Error('thrown after run() returned'); }, 20);
    const { y } = convDetailed(problem, operands);
    return { shape: y.shape, data: Float32Array.from(y.data) };
  },
};
