/**
 * One page of the shared Chromium per bundle (tfjs, ONNX Runtime Web's default build, its WebGL
 * build, its native WebGPU build), opened on first use and kept for the run. Requests to a page
 * run one at a time (tfjs has one global engine per page; WebGPU devices are not shared), each with
 * a time limit.
 *
 * The page runtime (adapters/browser/page/*.js) answers every request with `{ ok: true, ... }` or
 * `{ ok: false, error }`: an exception of the library in the page is an answer (an error verdict
 * for that case), the page lives on. Anything else (the page crashed, the browser went away, the
 * request took longer than its limit) closes the page: the next request opens a new one. After
 * {@link MAX_PAGE_FAILURES} such failures in a row the bundle is broken, and every later request
 * fails at once with the reason, so a run never hangs on a dead browser.
 */
import type { Page } from 'puppeteer-core';
import { answeredMeanwhile, errorMessage } from '../../compare/backend-call.ts';

/** Page failures (crash, time-out, lost browser) in a row after which a bundle is broken. */
export const MAX_PAGE_FAILURES = 3;

/** How long opening a page (load the bundle, initialise it) may take. */
const OPEN_TIMEOUT_MS = 60_000;

/** How long closing a page may take before the browser is closed instead. */
const CLOSE_TIMEOUT_MS = 5_000;

/** What a page says when it is ready: the library versions and the device it runs on. */
export type PageInfo = Readonly<Record<string, unknown>>;

/** A page runtime's answer. */
type Answer = { readonly ok: true } & Readonly<Record<string, unknown>> | { readonly ok: false; readonly error: string };

/** What a bundle page needs from its host: the page URL and a page of the shared browser. */
export interface PageHost {
  /** The URL of the bundle's page (starts the file server if needed). */
  pageUrl(): Promise<string>;
  /** A new page of the shared browser (launches it if needed). */
  newPage(): Promise<Page>;
  /** Closes the whole browser (the last resort when a page cannot be closed). */
  closeBrowser(): Promise<void>;
}

/** A failure of the page itself (not an answer of the library in it): the page is replaced. */
export class PageFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PageFailure';
  }
}

/** Rejects with a PageFailure after `ms` unless `promise` settles first (or its answer is already waiting to be read then). */
function limit<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  const watched = promise.finally(() => { settled = true; });
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void answeredMeanwhile(() => settled).then((answered) => { if (!answered) reject(new PageFailure(`${what} took longer than ${ms} ms`)); });
    }, ms);
  });
  return Promise.race([watched, timeout]).finally(() => clearTimeout(timer));
}

/** The page of one bundle. */
export class BundlePage {
  private page: Promise<{ page: Page; info: PageInfo }> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private failures = 0;
  private brokenReason: string | undefined;
  /** Console errors and page errors since the page opened (for messages). */
  private readonly logs: string[] = [];
  /** Pages opened so far (a recovery opens another). */
  pagesOpened = 0;

  constructor(readonly bundle: string, private readonly host: PageHost) {}

  /** Why the bundle is broken, or undefined. */
  get broken(): string | undefined {
    return this.brokenReason;
  }

  /** Opens the page if needed and returns what it said when ready. Rejects when it cannot open. */
  info(): Promise<PageInfo> {
    return this.enqueue(async () => (await this.open()).info);
  }

  /**
   * Runs `window.convcheck[method](request)` in the page and returns its answer's fields. Rejects
   * with the library's message when it threw in the page, with a PageFailure when the page failed
   * (it is replaced), and at once when the bundle is broken. Calls wait their turn: `started` is
   * told when this one's comes.
   */
  call(method: string, request: unknown, timeoutMs: number, started?: () => void): Promise<Readonly<Record<string, unknown>>> {
    return this.enqueue(async () => {
      started?.();
      const { page } = await this.open();
      const expression = `window.convcheck.${method}(${JSON.stringify(request)})`;
      let answer: Answer;
      try {
        answer = await limit(page.evaluate(expression) as Promise<Answer>, timeoutMs, `${this.bundle} page: ${method}`);
      } catch (error) {
        throw await this.fail(error);
      }
      this.failures = 0;
      if (!answer.ok) throw new Error(answer.error);
      return answer;
    });
  }

  /** Closes the page (a later call opens a new one) and forgets a broken state. */
  async close(): Promise<void> {
    await this.discard();
    this.failures = 0;
    this.brokenReason = undefined;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.brokenReason !== undefined) throw new PageFailure(`${this.bundle} page is broken: ${this.brokenReason}`);
      return task();
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private open(): Promise<{ page: Page; info: PageInfo }> {
    if (this.page === undefined) {
      const opening = this.openPage();
      this.page = opening;
      opening.catch(() => { if (this.page === opening) this.page = undefined; });
    }
    return this.page.catch(async (error) => { throw await this.fail(error); });
  }

  private async openPage(): Promise<{ page: Page; info: PageInfo }> {
    const url = await this.host.pageUrl();
    const page = await this.host.newPage();
    this.pagesOpened++;
    this.logs.length = 0;
    page.on('console', (m) => { if (m.type() === 'error') this.log(`console error: ${m.text()}`); });
    page.on('pageerror', (e) => this.log(`page error: ${errorMessage(e)}`));
    page.on('error', (e) => this.log(`page crashed: ${errorMessage(e)}`));
    try {
      await limit(page.goto(url, { waitUntil: 'load', timeout: OPEN_TIMEOUT_MS }), OPEN_TIMEOUT_MS, `${this.bundle} page: loading ${url}`);
      const answer = await limit(page.evaluate('window.convcheckReady') as Promise<Answer | undefined>, OPEN_TIMEOUT_MS, `${this.bundle} page: initialising`);
      if (answer === undefined || answer === null) throw new Error(`the page runtime did not start${this.recentLogs()}`);
      if (!answer.ok) throw new Error(answer.error);
      return { page, info: answer };
    } catch (error) {
      await this.closePage(page);
      throw new PageFailure(`${this.bundle} page did not open: ${errorMessage(error)}`);
    }
  }

  private log(line: string): void {
    this.logs.push(line.slice(0, 500));
    if (this.logs.length > 20) this.logs.shift();
  }

  private recentLogs(): string {
    return this.logs.length === 0 ? '' : ` (${this.logs.slice(-3).join('; ')})`;
  }

  /** Counts a page failure, replaces the page, marks the bundle broken after too many; returns the error to throw. */
  private async fail(error: unknown): Promise<Error> {
    this.failures++;
    const message = `${errorMessage(error)}${this.recentLogs()}`;
    await this.discard();
    if (this.failures >= MAX_PAGE_FAILURES) this.brokenReason = `${this.failures} page failures in a row, the last: ${message}`;
    return new PageFailure(`${message}${this.brokenReason === undefined ? ` (page replaced; failure ${this.failures} of ${MAX_PAGE_FAILURES} in a row)` : ' (bundle marked broken)'}`);
  }

  private async discard(): Promise<void> {
    const current = this.page;
    this.page = undefined;
    if (current === undefined) return;
    let page: Page;
    try {
      page = (await current).page;
    } catch {
      return;
    }
    await this.closePage(page);
  }

  private async closePage(page: Page): Promise<void> {
    try {
      await limit(page.close(), CLOSE_TIMEOUT_MS, `${this.bundle} page: closing`);
    } catch {
      if (!page.isClosed()) await this.host.closeBrowser(); // a page that cannot close takes the browser with it
    }
  }
}
