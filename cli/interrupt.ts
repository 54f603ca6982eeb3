/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP to convcheck end what it started before it exits: every
 * external implementation's process group (adapters/implementation-process.ts: SIGTERM, then
 * SIGKILL after a second), then the headless browser (adapters/browser/host.ts); the exit code is
 * 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM). Node's default for these signals
 * is to exit at once, without 'exit' handlers, which left hung or stdin-ignoring implementations
 * running in their own process groups. A second signal while this runs exits at once (the 'exit'
 * handlers still SIGKILL what is left).
 */
import { closeBrowserHostIfStarted } from '../adapters/browser/host-exit.ts';
import { endAllProcesses } from '../adapters/implementation-process.ts';

/** The signals handled, with their numbers (for the exit code). */
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
type HandledSignal = keyof typeof SIGNALS;

/** How long closing the browser may take before convcheck exits anyway (its 'exit' handler kills it). */
const BROWSER_CLOSE_MS = 5000;

let interruptedCode: number | undefined;

/** 128 + the number of the signal that is ending convcheck, once one has come (a command cut short returns it: its exit code does not depend on which side finishes first). */
export function interruptExitCode(): number | undefined {
  return interruptedCode;
}

/**
 * Handles SIGINT, SIGTERM and SIGHUP until the returned function is called; `say` prints a line
 * to stderr. The handler ends the implementations and the browser, then exits the process.
 */
export function handleInterrupts(say: (line: string) => void): () => void {
  let ending = false;
  const handlers = new Map<HandledSignal, () => void>();
  for (const signal of Object.keys(SIGNALS) as HandledSignal[]) {
    const handler = (): void => {
      const code = 128 + SIGNALS[signal];
      if (ending) process.exit(code);
      ending = true;
      interruptedCode = code;
      say(`convcheck: ${signal}: ending the implementations it started and the browser, then exiting.`);
      void (async () => {
        await endAllProcesses({ stopStarting: `convcheck is exiting on ${signal}` });
        await Promise.race([closeBrowserHostIfStarted(), new Promise((r) => setTimeout(r, BROWSER_CLOSE_MS).unref())]);
        process.exit(code);
      })();
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return () => { for (const [signal, handler] of handlers) process.removeListener(signal, handler); };
}
