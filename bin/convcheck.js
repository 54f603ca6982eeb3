#!/usr/bin/env node
// convcheck's executable: registers tsx's ESM loader so the TypeScript sources run as they are
// (no build step), then hands over to cli/main.ts.
import { register } from 'tsx/esm/api';
import { register as registerCommonJs } from 'tsx/cjs/api';

register();
// TypeScript a user hands convcheck (a module backend) in a folder whose package.json does not say
// "type": "module" is CommonJS to Node: tsx's require hook compiles it (without it: a syntax error)
registerCommonJs();
const { main, abandonedCalls, exitWhenOutputCloses, holdModuleStraysUntilExit, moduleBackendsLoaded, strayErrorsOutsideCalls } = await import('../cli/main.ts');
// `convcheck laws | head`: a reader that closes convcheck's output ends it quietly (code 141), as SIGPIPE ends other programs.
exitWhenOutputCloses();
// An error a module backend's code leaves unhandled outside its calls (a timer firing after run()
// returned) is said on stderr and makes the exit code 1, instead of ending the command midway.
holdModuleStraysUntilExit();
// Code loaded into this process (a module backend) may call process.exit(0): mid-command that must
// not read as a pass to CI (nothing was decided: code 1, said so), and after the command it must
// not turn the command's failure into a success (its code stands).
let finished = false;
let commandCode = 0;
process.on('exit', (exitCode) => {
  if ((exitCode ?? 0) !== 0) return;
  if (finished) {
    if (commandCode !== 0) process.exitCode = commandCode;
    return;
  }
  process.exitCode = 1;
  process.stderr.write('convcheck: the process was told to exit with code 0 (process.exit) before the command finished, by code loaded into it (a module backend?); nothing was decided, so the exit code is 1.\n');
});
const code = await main(process.argv.slice(2));
const strays = strayErrorsOutsideCalls();
if (strays > 1) process.stderr.write(`convcheck: ${strays} errors in all came from outside every call of a module backend.\n`);
commandCode = code === 0 && strays > 0 ? 1 : code;
finished = true;
process.exitCode = commandCode;
// The command is done: end the process now rather than wait for work it no longer needs (stdout
// and stderr are written synchronously to files and pipes on Linux). A backend call past its time
// limit whose work goes on would hold the process until it ends; so would a module backend's
// timer or socket (an interval that throws would fill stderr forever).
if (abandonedCalls() > 0 || moduleBackendsLoaded()) process.exit(commandCode);
