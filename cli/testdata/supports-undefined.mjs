// A module backend whose supports() returns nothing: `convcheck run` must show its error row (and the others), not end.
export default {
  name: 'supports-undefined',
  version: '0',
  precision: 'fp32',
  supports: () => undefined,
  run: async () => ({ shape: [1, 1, 3], data: new Float32Array(3) }),
};
