/**
 * The `convcheck` command line: dispatches to the commands, prints usage errors with exit code 2,
 * and turns any unexpected error into a message and exit code 1 (never a stack dump on success paths).
 */
import { UsageError } from './args.ts';
import { processIo, type Io } from './output.ts';
import { closeBrowserHostIfStarted } from '../adapters/browser/host-exit.ts';
import { endAllProcesses, processesStarted } from '../adapters/implementation-process.ts';
import { takeUnreportedProtocolBreaks } from '../adapters/process-backend.ts';
import { handleInterrupts } from './interrupt.ts';
import { DEFAULT_LIMITS, setActiveLimits } from '../problem/limits.ts';

/** Backend calls past their time limit whose work still runs (bin/convcheck.js ends the process rather than wait for them). */
export { abandonedCalls } from '../compare/backend-call.ts';
export { holdModuleStraysUntilExit, moduleBackendsLoaded, strayErrorsOutsideCalls } from '../adapters/module-backend.ts';
export { exitWhenOutputCloses } from './output.ts';

type CommandRun = (argv: readonly string[], io: Io) => Promise<number>;

/**
 * The commands, each loaded when it is run: a command's modules are its own (the gate never loads
 * the report's HTML writer, the golden writers or the ONNX model builder), which keeps every
 * command's start short (a `convcheck gate` run loaded 176 of convcheck's modules before, 146 now).
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandRun> }> = {
  report: { summary: 'the laws and golden corpus on every backend: reports/<timestamp>/ (json, md, html)', load: async () => (await import('./commands/report.ts')).reportCommand },
  gate: { summary: 'CI gate: laws and golden corpus against one implementation; exit 0 only if all pass', load: async () => (await import('./commands/gate.ts')).gateCommand },
  run: { summary: 'one problem (or a benchdnn batch file) on the reference and every backend, side by side', load: async () => (await import('./commands/run.ts')).runCommand },
  golden: { summary: 'golden fixtures: generate | verify | import DIR (ONNX backend-test layout)', load: async () => (await import('./commands/golden.ts')).goldenCommand },
  laws: { summary: 'every law with its math and the conv types it covers (the names --law takes)', load: async () => (await import('./commands/laws.ts')).lawsCommand },
  cost: { summary: 'multiplications, parameters, receptive field and the article\'s savings', load: async () => (await import('./commands/cost.ts')).costCommand },
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
  // asked for: stdout, exit 0; no command at all: a usage error, on stderr like every other (exit 2)
  if (name === '--help' || name === '-h' || name === 'help') { io.out(mainHelp()); return 0; }
  if (name === undefined) { io.err(`convcheck: a command is needed.\n\n${mainHelp()}`); return 2; }
  const command = COMMANDS[name];
  if (command === undefined) { io.err(`convcheck: unknown command "${name}".\n\n${mainHelp()}`); return 2; }
  // Ctrl-C or SIGTERM mid-command: the implementations' process groups and the browser are ended before exiting
  const stopHandling = handleInterrupts((line) => io.err(line));
  const started = processesStarted();
  // each command sets the resource limits from its own options (cli/limits.ts); none carries over
  setActiveLimits(DEFAULT_LIMITS);
  try {
    const run = await command.load();
    const code = await run(rest, io);
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
    await closeBrowserHostIfStarted(); // the browser backends' Chromium never outlives a command, even one that failed midway
  }
}
