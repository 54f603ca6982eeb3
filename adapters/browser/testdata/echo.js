// @ts-check
/**
 * A page runtime for adapters/browser/browser.test.ts: answers like the real runtimes (page/*.js),
 * and can throw, hang or spin forever, so the page machinery's recovery is tested without a library.
 */
import { answer, decode, encode } from '../page/wire.js';

/** @type {any} */ (window).convcheck = {
  /** @param {{ value: unknown }} r */
  echo: (r) => answer(async () => ({ value: r.value })),
  /** @param {{ message: string }} r */
  throws: (r) => answer(async () => { throw new Error(r.message); }),
  /** Doubles a wire tensor in the page. @param {{ t: { shape: number[], data: string } }} r */
  double: (r) => answer(async () => ({ shape: r.t.shape, data: encode(decode(r.t).map((v) => 2 * v)) })),
  /** Never answers, the page stays responsive. */
  hang: () => new Promise(() => {}),
  /** Blocks the renderer for good. */
  spin: () => { for (;;) { /* busy */ } },
};

/** @type {any} */ (window).convcheckReady = answer(async () => ({ runtime: 'echo' }));
