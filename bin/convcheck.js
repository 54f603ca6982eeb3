#!/usr/bin/env node
// convcheck's executable: registers tsx's ESM loader so the TypeScript sources run as they are
// (no build step), then hands over to cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main, abandonedCalls } = await import('../cli/main.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A backend call past its time limit whose work goes on (a module backend that ignores the abort
// and keeps a timer or a socket open) would hold the process until it ends: the command is done,
// so end the process now (stdout and stderr are written synchronously to files and pipes on Linux).
if (abandonedCalls() > 0) process.exit(code);
