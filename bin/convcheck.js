#!/usr/bin/env node
// convcheck's executable: registers tsx's ESM loader so the TypeScript sources run as they are
// (no build step), then hands over to cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main, abandonedCalls, holdModuleStraysUntilExit, strayErrorsOutsideCalls } = await import('../cli/main.ts');
// An error a module backend's code leaves unhandled outside its calls (a timer firing after run()
// returned) is said on stderr and makes the exit code 1, instead of ending the command midway.
holdModuleStraysUntilExit();
// Code loaded into this process (a module backend) may call process.exit(0) mid-command: that must
// not read as a pass to CI. An exit before the command returned with code 0 is made code 1, said so.
let finished = false;
process.on('exit', (exitCode) => {
  if (finished || (exitCode ?? 0) !== 0) return;
  process.exitCode = 1;
  process.stderr.write('convcheck: the process was told to exit with code 0 (process.exit) before the command finished, by code loaded into it (a module backend?); nothing was decided, so the exit code is 1.\n');
});
const code = await main(process.argv.slice(2));
finished = true;
process.exitCode = code === 0 && strayErrorsOutsideCalls() > 0 ? 1 : code;
// A backend call past its time limit whose work goes on (a module backend that ignores the abort
// and keeps a timer or a socket open) would hold the process until it ends: the command is done,
// so end the process now (stdout and stderr are written synchronously to files and pipes on Linux).
if (abandonedCalls() > 0) process.exit(process.exitCode);
