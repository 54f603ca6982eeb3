/** Test fixture: a module whose default export is an async factory of a Backend (the reference, renamed). */
import type { Backend } from '../../problem/backend.ts';
import { referenceBackend } from '../reference.ts';

export default async function makeBackend(): Promise<Backend> {
  return { ...referenceBackend, name: 'fixture-factory', version: '2.0.0', precision: 'fp32' };
}
