/**
 * The Pythons the tests run the protocol's test programs with. Debian's /usr/bin/python3 starts
 * fastest (a pyenv shim takes most of a second on a loaded machine, longer than some tests' short
 * time limits), but has numpy only once python3-torch is installed (.ci/run installs it). The fault
 * programs and the example implementations import numpy (faults/fault.py imports
 * examples/numpy_conv.py): with /usr/bin/python3 taken regardless, a machine without Debian's numpy
 * failed 16 tests on an import traceback instead of the fault each one is about.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** For programs that need only Python's standard library: Debian's interpreter when there is one. */
export const STDLIB_PYTHON: string = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function importsNumpy(python: string): boolean {
  return spawnSync(python, ['-c', 'import numpy'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
}

/** For programs that import numpy: the first of the two that does; `python3` when neither does (the tests then fail on numpy's absence, said in the process's stderr tail). */
export const NUMPY_PYTHON: string = [STDLIB_PYTHON, 'python3'].find(importsNumpy) ?? 'python3';
