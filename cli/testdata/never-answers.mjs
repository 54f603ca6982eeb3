// A module backend whose run never settles and keeps a 10-minute timer alive (it ignores the
// abort signal): convcheck must give it an error verdict at --timeout and end, not wait 10 minutes.
export default {
  name: 'never-answers',
  version: '0',
  precision: 'fp32',
  supports: () => ({ supported: true }),
  run: () => new Promise(() => { setTimeout(() => {}, 600_000); }),
};
