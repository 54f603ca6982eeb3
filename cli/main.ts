/**
 * The `convcheck` command line: dispatches to the commands, prints usage errors with exit code 2,
 * and turns any unexpected error into a message and exit code 1 (never a stack dump on success paths).
 */
import { UsageError } from './args.ts';
import { processIo, type Io } from './output.ts';
import { COST_HELP, costCommand } from './commands/cost.ts';
import { RUN_HELP, runCommand } from './commands/run.ts';
import { GATE_HELP, gateCommand } from './commands/gate.ts';
import { REPORT_HELP, reportCommand } from './commands/report.ts';
import { GOLDEN_HELP, goldenCommand } from './commands/golden.ts';
import { LAWS_HELP, lawsCommand } from './commands/laws.ts';
import { closeBrowserHost } from '../adapters/browser/host.ts';
import { endAllProcesses, processesStarted } from '../adapters/implementation-process.ts';
import { takeUnreportedProtocolBreaks } from '../adapters/process-backend.ts';
import { handleInterrupts } from './interrupt.ts';
import { DEFAULT_LIMITS, setActiveLimits } from '../problem/limits.ts';

/** Backend calls past their time limit whose work still runs (bin/convcheck.js ends the process rather than wait for them). */
export { abandonedCalls } from '../compare/backend-call.ts';
export { holdModuleStraysUntilExit, moduleBackendsLoaded, strayErrorsOutsideCalls } from '../adapters/module-backend.ts';

type Command = { summary: string; help: string; run: (argv: readonly string[], io: Io) => Promise<number> };

const COMMANDS: Record<string, Command> = {
  report: { summary: 'the laws and golden corpus on every backend: reports/<timestamp>/ (json, md, html)', help: REPORT_HELP, run: reportCommand },
  gate: { summary: 'CI gate: laws and golden corpus against one implementation; exit 0 only if all pass', help: GATE_HELP, run: gateCommand },
  run: { summary: 'one problem (or a benchdnn batch file) on the reference and every backend, side by side', help: RUN_HELP, run: runCommand },
  golden: { summary: 'golden fixtures: generate | verify | import DIR (ONNX backend-test layout)', help: GOLDEN_HELP, run: goldenCommand },
  laws: { summary: 'every law with its math and the conv types it covers (the names --law takes)', help: LAWS_HELP, run: lawsCommand },
  cost: { summary: 'multiplications, parameters, receptive field and the article\'s savings', help: COST_HELP, run: costCommand },
};

/** Top-level usage text. */
function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return `convcheck: a conformance test suite and reference oracle for convolution operators.

Usage: convcheck COMMAND [options]   (convcheck COMMAND --help for each)

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`).join('\n')}

Problems are named by descriptors such as g2mb1ic4ih5iw5oc6kh3kw3ph1pw1 (see docs/descriptor.md).`;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') { io.out(mainHelp()); return name === undefined ? 2 : 0; }
  const command = COMMANDS[name];
  if (command === undefined) { io.err(`convcheck: unknown command "${name}".\n\n${mainHelp()}`); return 2; }
  // Ctrl-C or SIGTERM mid-command: the implementations' process groups and the browser are ended before exiting
  const stopHandling = handleInterrupts((line) => io.err(line));
  const started = processesStarted();
  // each command sets the resource limits from its own options (cli/limits.ts); none carries over
  setActiveLimits(DEFAULT_LIMITS);
  try {
    const code = await command.run(rest, io);
    // a line an implementation wrote after its last reply (no later request could report it)
    const breaks = takeUnreportedProtocolBreaks(started);
    for (const b of breaks) io.err(`convcheck ${name}: ${b}`);
    return breaks.length > 0 ? Math.max(code, 1) : code;
  } catch (error) {
    if (error instanceof UsageError) { io.err(error.message); return 2; }
    io.err(`convcheck ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    stopHandling();
    // what this command started never outlives it, even when it failed midway before disposing its backends
    await endAllProcesses({ startedAfter: started });
    await closeBrowserHost(); // the browser backends' Chromium never outlives a command, even one that failed midway
  }
}
