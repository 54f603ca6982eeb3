/**
 * Checks of the paths a command will write, made before it runs (a bad --junit or --out used to
 * fail with a raw ENOENT, EISDIR or EEXIST after the whole run, its result lost).
 */
import { accessSync, constants, mkdirSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './args.ts';

/** The nearest existing path at or above `target` (`target` itself included): a folder (`dir`), or what blocks the way (`blocker`: a file, or the root when nothing exists). */
function nearestExisting(target: string): { dir: string } | { blocker: string } {
  for (let p = path.resolve(target); ; p = path.dirname(p)) {
    let stat;
    try { stat = statSync(p); } catch { if (p === path.dirname(p)) return { blocker: p }; continue; }
    return stat.isDirectory() ? { dir: p } : { blocker: p };
  }
}

/** Throws a UsageError unless a file can be written at `file` (`--flag FILE` of `command`): its folder exists, is writable, and `file` is not a folder. */
export function checkOutputFile(command: string, flag: string, file: string): void {
  const say = (why: string): never => { throw new UsageError(`convcheck ${command}: --${flag} "${file}": ${why}.`); };
  if (file === '') say('the file name is empty');
  let stat;
  try { stat = statSync(file); } catch { stat = undefined; }
  if (stat?.isDirectory()) say('is a folder, not a file');
  const folder = path.dirname(path.resolve(file));
  let folderStat;
  try { folderStat = statSync(folder); } catch { say(`its folder ${folder} does not exist`); }
  if (!folderStat?.isDirectory()) say(`${folder} is not a folder`);
  try { accessSync(folder, constants.W_OK); } catch { say(`its folder ${folder} is not writable`); }
}

/** Throws a UsageError unless a folder can be created (or written) at `dir` (`--flag DIR` of `command`): nothing on its way is a file, and the nearest existing folder is writable. */
export function checkOutputFolder(command: string, flag: string, dir: string): void {
  const say = (why: string): never => { throw new UsageError(`convcheck ${command}: --${flag} "${dir}": ${why}.`); };
  if (dir === '') say('the folder name is empty');
  const found = nearestExisting(dir);
  if ('blocker' in found) say(`${found.blocker} is a file, not a folder`);
  else {
    try { accessSync(found.dir, constants.W_OK); } catch { say(`${found.dir} is not writable`); }
    if (path.resolve(dir) !== found.dir) {
      // a folder can refuse new entries though writable by its mode (/proc says ENOENT, /sys EPERM);
      // Node's recursive mkdir then loops for ever (golden generate --out /proc/x spun at 100 % CPU)
      const probe = path.join(found.dir, `.convcheck-probe-${process.pid}`);
      try { mkdirSync(probe); rmdirSync(probe); } catch (error) { say(`${found.dir} does not take new folders (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`); }
    }
  }
}
