/**
 * What the tests of external implementations use to check that no process is left behind: the
 * fault programs append their pids (and their grandchildren's) to $PIDFILE, one a line.
 */
import { existsSync, readFileSync } from 'node:fs';

/** Whether a pid is a running process (a zombie, killed and waiting for its parent, counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The pids written to a pid file so far (none when it does not exist yet). */
export function pidsIn(file: string): number[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter((l) => l !== '').map(Number) : [];
}

/** Polls `check` every 20 ms until it holds or `ms` have passed; its last answer. */
export async function eventually(check: () => boolean, ms = 2000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return check();
}
