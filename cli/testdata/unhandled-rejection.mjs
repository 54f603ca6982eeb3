// A module backend that leaves a promise rejected unhandled and throws from a timer while its run()
// is pending: its error verdict, not the end of convcheck with a stack trace.
export default {
  name: 'unhandled-rejection',
  version: '0',
  precision: 'fp32',
  supports: () => ({ supported: true }),
  run: async () => {
    setTimeout(() => { throw new Error('thrown from a timer'); }, 0);
    void Promise.reject(new Error('rejected, never handled'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { shape: [1, 1, 3], data: new Float32Array(3) };
  },
};
