/**
 * The Python the tests run the protocol's test programs with. The fault programs and the example
 * implementations import numpy (faults/fault.py imports examples/numpy_conv.py), so it is the first
 * of Debian's /usr/bin/python3 (which has numpy once python3-torch is installed, as .ci/run does) and
 * `python3` on PATH that imports numpy. Without this check a machine whose /usr/bin/python3 lacks
 * numpy failed 16 tests on an import traceback instead of the fault each one is about.
 */
import { spawnSync } from 'node:child_process';

const CANDIDATES = ['/usr/bin/python3', 'python3'];

function importsNumpy(python: string): boolean {
  return spawnSync(python, ['-c', 'import numpy'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
}

/** The interpreter for `cmd:` backends in tests; `python3` when none imports numpy (the tests then fail on numpy's absence, said in the process's stderr tail). */
export const PYTHON: string = CANDIDATES.find(importsNumpy) ?? 'python3';
