/**
 * Resolves `--backend` values: a built-in name (`onnxruntime`, `tfjs-wasm`, ...), a path to a
 * JS/TS module exporting the Backend interface, or `cmd:"COMMAND"` for a process speaking the
 * JSON-lines protocol (docs/protocol.md). Several may be given separated by commas.
 */
import type { BackendAvailability } from '../problem/backend.ts';
import { createProcessBackend } from '../adapters/process-backend.ts';
import { loadModuleBackend } from '../adapters/module-backend.ts';
import { availableBackends, BACKEND_FACTORIES } from '../adapters/registry.ts';
import { UsageError } from './args.ts';

/** Splits a comma list, keeping commas inside `cmd:"..."` quotes. */
export function splitBackendList(raw: string): string[] {
  const parts: string[] = [];
  let current = '', quoted = false;
  for (const ch of raw) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) { parts.push(current.trim()); current = ''; continue; }
    current += ch;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

/** A spec as a replay command gives it back: `cmd:"COMMAND"` with the command's quotes restored, anything else as it is. */
export function replaySpec(spec: string): string {
  return spec.startsWith('cmd:') ? `cmd:${JSON.stringify(spec.slice(4).replace(/^"(.*)"$/s, '$1'))}` : spec;
}

/** Whether a spec names a module file rather than a built-in backend. */
function isModulePath(spec: string): boolean {
  return /[\\/]/.test(spec) || /\.(m?[jt]s)$/.test(spec);
}

/** How specs are resolved: `timeoutMs` is the `--timeout` of the command (a process backend's per-request limit). */
export interface ResolveOptions {
  readonly timeoutMs?: number;
}

/**
 * Resolves one spec. Unknown names are a UsageError listing the known ones. A `cmd:` process gets
 * `options.timeoutMs` as its own request limit: without it the process backend's 10 s default killed
 * a slow implementation whatever `--timeout` said.
 */
export async function resolveBackend(spec: string, options: ResolveOptions = {}): Promise<BackendAvailability> {
  if (spec.startsWith('cmd:')) {
    const command = spec.slice(4).replace(/^"(.*)"$/s, '$1').trim();
    if (command === '') throw new UsageError('convcheck: --backend cmd: needs a command, e.g. cmd:"python3 examples/numpy_conv.py".');
    return { available: true, backend: await createProcessBackend(command, options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) };
  }
  if (isModulePath(spec)) return { available: true, backend: await loadModuleBackend(spec) };
  if (!BACKEND_FACTORIES.some((f) => f.name === spec)) {
    throw new UsageError(`convcheck: unknown backend "${spec}" (built-in: ${BACKEND_FACTORIES.map((f) => f.name).join(', ')}; or a module path, or cmd:"COMMAND").`);
  }
  const [availability] = await availableBackends([spec]);
  return availability;
}

/** Resolves a comma list of specs, or every built-in backend when none is given. */
export async function resolveBackends(raw: string | undefined, options: ResolveOptions = {}): Promise<BackendAvailability[]> {
  if (raw === undefined) return availableBackends();
  const specs = splitBackendList(raw);
  if (specs.length === 0 || specs.includes('')) throw new UsageError(`convcheck: --backend "${raw}" names ${specs.length === 0 ? 'no backend' : 'an empty backend'}: give built-in names, module paths or cmd:"..." specs, comma separated.`);
  const out: BackendAvailability[] = [];
  for (const spec of specs) out.push(await resolveBackend(spec, options));
  return out;
}
