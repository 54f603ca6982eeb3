/** Test fixture: a module with named exports only. */
export const backend = { name: 'fixture-named' };
