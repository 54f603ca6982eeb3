/** Test fixture: a default export that is not a Backend: no `run`, and an unknown precision. */
export default {
  name: 'fixture-broken',
  version: '1.0.0',
  precision: 'fp8',
  supports: () => ({ supported: true }),
};
