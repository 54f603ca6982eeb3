// A module backend that answers right (the reference's answer) and leaves a timer that throws as
// soon as run() has returned: it fires while the next backend of the command (the reference, on a
// worker thread for a problem from 2 M multiply-accumulates) computes, outside every call of this
// module. No verdict can carry that error, so convcheck says so on stderr and exits 1 (before: the
// process ended there with Node's stack trace, the command unfinished).
import { convDetailed } from '../../reference/conv.ts';

export default {
  name: 'throws-after-run',
  version: '0',
  precision: 'fp32',
  supports: () => ({ supported: true }),
  run: async (problem, operands) => {
    setTimeout(() => { throw new Error('thrown after run() returned'); }, 0);
    const { y } = convDetailed(problem, operands);
    return { shape: y.shape, data: Float32Array.from(y.data) };
  },
};
