/**
 * What the browser backends share in one process: the Chromium (chromium.ts), the file server
 * (server.ts) and one page per bundle (bundle-page.ts). Backends retain the host when created and
 * release it when disposed; after the last release the pages, the browser and the server are
 * closed (and a later backend starts them again). `closeBrowserHost()` closes everything at once,
 * for the command line's exit and for tests.
 */
import type { Page } from 'puppeteer-core';
import { BundlePage } from './bundle-page.ts';
import { closeChromium, newPage } from './chromium.ts';
import { BundleServer, type PageSpec } from './server.ts';
import { registerBrowserHostCloser } from './host-exit.ts';

/** A bundle: the files it serves (URL path -> absolute file) and its page. */
export interface BundleSpec {
  readonly name: string;
  readonly files: Readonly<Record<string, string>>;
  readonly page: PageSpec;
}

let server: Promise<BundleServer> | undefined;
const pages = new Map<string, BundlePage>();
let users = 0;

async function sharedServer(): Promise<BundleServer> {
  if (server === undefined) {
    const starting = BundleServer.start();
    server = starting;
    starting.catch(() => { if (server === starting) server = undefined; });
  }
  return server;
}

/** The page of `spec` (one per bundle name in the process). */
export function bundlePage(spec: BundleSpec): BundlePage {
  let page = pages.get(spec.name);
  if (page === undefined) {
    page = new BundlePage(spec.name, {
      async pageUrl(): Promise<string> {
        const s = await sharedServer();
        for (const [url, file] of Object.entries(spec.files)) s.addFile(url, file);
        return s.addPage(spec.page);
      },
      newPage: (): Promise<Page> => newPage(),
      closeBrowser: () => closeChromium(),
    });
    pages.set(spec.name, page);
  }
  return page;
}

/** Registers a user (a created backend) of the host. */
export function retainBrowserHost(): void {
  users++;
}

/** Releases one user; closes everything after the last. */
export async function releaseBrowserHost(): Promise<void> {
  users = Math.max(0, users - 1);
  if (users === 0) await closeBrowserHost();
}

/** Closes every page, the browser and the file server now. Never throws. */
export async function closeBrowserHost(): Promise<void> {
  for (const page of pages.values()) await page.close();
  await closeChromium();
  const current = server;
  server = undefined;
  if (current !== undefined) {
    try {
      await (await current).stop();
    } catch {
      // a server that never started has nothing to stop
    }
  }
}

registerBrowserHostCloser(closeBrowserHost);
