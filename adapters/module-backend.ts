/**
 * A user's JS/TS module as a Backend: the module's default export is a Backend, or a factory
 * `() => Backend | Promise<Backend>`. What it exports is checked member by member, so a typo in a
 * user's adapter is an error naming the file and the member, not a crash in the middle of a run.
 * (TypeScript modules load where a TS loader is registered: the `convcheck` CLI, tsx, vitest.)
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPrecision, PRECISIONS } from '../problem/precision.ts';
import type { Backend } from '../problem/backend.ts';


/** The members of Backend with the rule each must meet; `dispose` and `quantized` are optional. */
const MEMBERS: ReadonlyArray<readonly [string, string, (v: unknown) => boolean, boolean]> = [
  ['name', 'a non-empty string', (v) => typeof v === 'string' && v.trim() !== '', true],
  ['version', 'a string', (v) => typeof v === 'string', true],
  ['precision', `one of ${PRECISIONS.join(', ')}`, (v) => typeof v === 'string' && isPrecision(v), true],
  ['supports', 'a function (problem) => Support', (v) => typeof v === 'function', true],
  ['run', 'a function (problem, operands) => Promise<Tensor>', (v) => typeof v === 'function', true],
  ['dispose', 'a function () => Promise<void>', (v) => typeof v === 'function', false],
  ['quantized', 'an object with functions supports(problem) and run(problem, operands) (QuantizedConvOps: ConvInteger, QLinearConv)',
    (v) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).supports === 'function' && typeof (v as Record<string, unknown>).run === 'function', false],
];

/**
 * Throws unless `value` has every Backend member; the message names `source` and each missing or
 * malformed member with the rule it breaks.
 */
export function checkBackendShape(source: string, value: unknown): Backend {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${source}: must be a Backend object, but it is ${value === null ? 'null' : typeof value}.`);
  }
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const [member, rule, ok, required] of MEMBERS) {
    const v = record[member];
    if (v === undefined) {
      if (required) problems.push(`missing member "${member}" (${rule})`);
    } else if (!ok(v)) {
      problems.push(`member "${member}" must be ${rule}, but it is ${typeof v === 'string' ? JSON.stringify(v) : typeof v}`);
    }
  }
  if (problems.length > 0) throw new TypeError(`${source}: not a Backend: ${problems.join('; ')}.`);
  return value as Backend;
}

/**
 * Imports the module at `path` (relative to the working directory, or absolute) and returns its
 * default export as a Backend, calling it first if it is a factory function.
 * @example const backend = await loadModuleBackend('./my-conv-backend.ts');
 */
export async function loadModuleBackend(path: string): Promise<Backend> {
  const absolute = resolve(path);
  const source = `module backend ${absolute}`;
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${source}: cannot import it: ${error instanceof Error ? error.message : String(error)}`);
  }
  const exported = module.default;
  if (exported === undefined) {
    const names = Object.keys(module);
    throw new TypeError(`${source}: has no default export (export default a Backend, or a function returning one)${names.length > 0 ? `; it exports ${names.join(', ')}` : ''}.`);
  }
  if (typeof exported !== 'function') return checkBackendShape(`${source} (default export)`, exported);
  let made: unknown;
  try {
    made = await (exported as () => unknown)();
  } catch (error) {
    throw new Error(`${source}: its default export factory threw: ${error instanceof Error ? error.message : String(error)}`);
  }
  return checkBackendShape(`${source} (what the default export factory returned)`, made);
}
