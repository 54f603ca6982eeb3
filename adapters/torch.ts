/**
 * PyTorch as a backend: examples/torch_conv.py over the process protocol (docs/protocol.md),
 * run by the Python that has PyTorch. Debian's python3-torch installs it for /usr/bin/python3 (not
 * a pyenv or venv python3 on PATH), so that is the default; CONVCHECK_TORCH_PYTHON names another.
 * Where `PYTHON -c 'import torch'` fails the backend is unavailable, with that Python's message.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BackendAvailability } from '../problem/backend.ts';
import { createProcessBackend } from './process-backend.ts';
import { shellQuote } from './shell-quote.ts';

/** The backend's name (`ext:` + the hello's name). */
export const TORCH_BACKEND = 'ext:torch';

/** The Python interpreter that runs examples/torch_conv.py. */
export function torchPython(env: NodeJS.ProcessEnv = process.env): string {
  return env.CONVCHECK_TORCH_PYTHON ?? '/usr/bin/python3';
}

/** The example's path. */
export const TORCH_EXAMPLE = fileURLToPath(new URL('../examples/torch_conv.py', import.meta.url));

/**
 * Why `python -c 'import torch'` fails, or undefined when it works: the last line of its stderr
 * (`ModuleNotFoundError: No module named 'torch'`), or that the interpreter cannot be started.
 */
export function torchImportProblem(python: string): string | undefined {
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error !== undefined) return `${python} cannot be started (${probe.error.message})`;
  if (probe.status === 0) return undefined;
  const last = probe.stderr.trim().split('\n').pop() ?? '';
  return `${python} -c 'import torch' failed${probe.status === null ? ` (signal ${probe.signal})` : ` with code ${probe.status}`}: ${last || 'no message'}`;
}

/** ext:torch, or unavailable with the reason (install hint included) where PyTorch is not importable. */
export async function torchAvailability(env: NodeJS.ProcessEnv = process.env): Promise<BackendAvailability> {
  const python = torchPython(env);
  const problem = torchImportProblem(python);
  if (problem !== undefined) {
    return { available: false, name: TORCH_BACKEND, reason: `${problem} (PyTorch: apt-get install python3-torch, or set CONVCHECK_TORCH_PYTHON to a Python that has it)` };
  }
  // importing torch takes seconds on a loaded machine: 30 s for the hello (and each request) instead of the default 10 s
  return { available: true, backend: await createProcessBackend(`${shellQuote(python)} ${shellQuote(TORCH_EXAMPLE)}`, { timeoutMs: 30_000 }) };
}
