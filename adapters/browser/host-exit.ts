/**
 * Closing the browser host at a command's end or on a signal, without loading it: host.ts (the
 * headless Chromium, its file server and pages) is loaded only by the browser backends, and it
 * registers its closer here when it is.
 */

let closer: (() => Promise<void>) | undefined;

/** Called once by host.ts as it loads: how to close everything it may have started. */
export function registerBrowserHostCloser(close: () => Promise<void>): void {
  closer = close;
}

/** Closes the pages, the browser and the file server if host.ts was loaded (nothing otherwise). Never throws. */
export async function closeBrowserHostIfStarted(): Promise<void> {
  await closer?.();
}
