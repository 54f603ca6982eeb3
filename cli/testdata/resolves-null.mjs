// A module backend whose run() resolves to null: an error row saying so, not a crash of `convcheck run`.
export default {
  name: 'resolves-null',
  version: '0',
  precision: 'fp32',
  supports: () => ({ supported: true }),
  run: async () => null,
};
