/**
 * The browser machinery on its own: Chromium found or reported missing with the install command,
 * the file server serving only what bundles name on 127.0.0.1, tensors crossing as base64, and a
 * page that throws, hangs, spins or crashes costing one error verdict and a new page (three page
 * failures in a row mark the bundle broken), never a hung run. A test runtime
 * (testdata/echo.js) stands in for the libraries.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { BundlePage, MAX_PAGE_FAILURES, PageFailure } from './bundle-page.ts';
import { CHROMIUM_ENV, CHROMIUM_INSTALL, closeChromium, findChromium, newPage } from './chromium.ts';
import { BundleServer } from './server.ts';
import { fromWire, toWire } from './wire.ts';
import { tfjsBrowserAvailability } from '../tfjs-browser.ts';
import { ortWebAvailability } from '../ort-web.ts';

const chromium = findChromium();
const file = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

describe('finding Chromium', () => {
  it('names the variable, the value and the install command when CONVCHECK_CHROMIUM is not an executable', () => {
    const found = findChromium({ [CHROMIUM_ENV]: '/nonexistent/chrome' });
    expect(found.found).toBe(false);
    if (!found.found) {
      expect(found.reason).toContain(`${CHROMIUM_ENV}="/nonexistent/chrome"`);
      expect(found.reason).toContain(CHROMIUM_INSTALL);
    }
  });

  it('lists the browser backends as unavailable, with the reason and the install command, when there is no Chromium', async () => {
    const saved = process.env[CHROMIUM_ENV];
    process.env[CHROMIUM_ENV] = '/nonexistent/chrome';
    try {
      for (const availability of [await tfjsBrowserAvailability('tfjs-webgpu'), await ortWebAvailability('ort-web-webgl')]) {
        expect(availability.available).toBe(false);
        if (!availability.available) expect(availability.reason).toMatch(/^(tfjs-webgpu|ort-web-webgl): .*apt-get install -y chromium/);
      }
    } finally {
      if (saved === undefined) delete process.env[CHROMIUM_ENV]; else process.env[CHROMIUM_ENV] = saved;
    }
  });
});

describe('tensors on the wire', () => {
  it('round-trips float32 values through base64, and rejects a malformed answer naming what is wrong', () => {
    const t = { shape: [2, 3], data: Float32Array.from([1, -2.5, 3e-40, Infinity, -0, 16777215]) };
    const back = fromWire(toWire(t), 'test');
    expect(back.shape).toEqual([2, 3]);
    expect(Array.from(back.data)).toEqual(Array.from(t.data));
    expect(() => fromWire({ shape: [2, 2], data: toWire(t).data }, 'conv')).toThrow(/conv: the page answered 24 bytes for shape \[2,2\]/);
    expect(() => fromWire({ shape: 'x' }, 'conv')).toThrow(/without a tensor/);
  });
});

describe('the bundle server', () => {
  it('listens on 127.0.0.1 only and serves the files it was given, nothing else', async () => {
    const server = await BundleServer.start();
    try {
      expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      server.addFile('/page/wire.js', file('./page/wire.js'));
      const url = server.addPage({ name: 'probe', scripts: [], module: '/page/wire.js' });
      expect((await fetch(`${server.origin}/page/wire.js`)).status).toBe(200);
      expect(await (await fetch(url)).text()).toContain('<script type="module" src="/page/wire.js"></script>');
      for (const path of ['/page/tfjs.js', '/../package.json', '/etc/passwd', '/']) expect((await fetch(`${server.origin}${path}`)).status, path).toBe(404);
      expect(() => server.addFile('/x.js', file('./page/missing.js'))).toThrow(/missing\.js \(for \/x\.js\) is missing.*npm ci/);
    } finally {
      await server.stop();
    }
  });
});

describe.skipIf(!chromium.found)('a bundle page recovers from what a page can do', () => {
  let server: BundleServer | undefined;
  const pages: Page[] = [];
  const echo = (): BundlePage => new BundlePage('echo', {
    async pageUrl() {
      server ??= await BundleServer.start();
      server.addFile('/page/wire.js', file('./page/wire.js'));
      server.addFile('/testdata/echo.js', file('./testdata/echo.js'));
      return server.addPage({ name: 'echo', scripts: [], module: '/testdata/echo.js' });
    },
    async newPage() {
      const page = await newPage();
      pages.push(page);
      return page;
    },
    closeBrowser: () => closeChromium(),
  });

  afterAll(async () => {
    await closeChromium();
    await server?.stop();
  });

  it('answers, passes tensors, and turns a library exception into an error without replacing the page', async () => {
    const page = echo();
    expect(await page.info()).toMatchObject({ ok: true, runtime: 'echo' });
    expect((await page.call('echo', { value: [1, 'two'] }, 5_000)).value).toEqual([1, 'two']);
    const doubled = fromWire(await page.call('double', { t: toWire({ shape: [3], data: Float32Array.from([1, 2, 3]) }) }, 5_000), 'double');
    expect(Array.from(doubled.data)).toEqual([2, 4, 6]);
    await expect(page.call('throws', { message: 'kernel said no' }, 5_000)).rejects.toThrow(/^kernel said no$/);
    expect(page.pagesOpened).toBe(1);
    await page.close();
  });

  it('a request past its time limit, a spinning renderer and a crashed page each cost one error, then a new page answers', async () => {
    const page = echo();
    await expect(page.call('hang', {}, 500)).rejects.toThrow(PageFailure);
    expect((await page.call('echo', { value: 1 }, 5_000)).value).toBe(1);
    const spin = page.call('spin', {}, 1_000);
    await expect(spin).rejects.toThrow(/took longer than 1000 ms.*page replaced; failure 1 of 3/);
    expect((await page.call('echo', { value: 2 }, 10_000)).value).toBe(2);
    const session = await pages[pages.length - 1].createCDPSession();
    void session.send('Page.crash').catch(() => undefined);
    await expect(page.call('echo', { value: 3 }, 5_000)).rejects.toThrow(PageFailure);
    expect((await page.call('echo', { value: 4 }, 10_000)).value).toBe(4);
    expect(page.pagesOpened).toBe(4);
    expect(page.broken).toBeUndefined();
    await page.close();
  });

  it(`${MAX_PAGE_FAILURES} page failures in a row mark the bundle broken: later calls fail at once with the reason`, async () => {
    const page = echo();
    for (let k = 0; k < MAX_PAGE_FAILURES; k++) await expect(page.call('hang', {}, 300)).rejects.toThrow(PageFailure);
    expect(page.broken).toMatch(/3 page failures in a row, the last: echo page: hang took longer than 300 ms/);
    const started = Date.now();
    await expect(page.call('echo', { value: 1 }, 5_000)).rejects.toThrow(/echo page is broken: 3 page failures/);
    expect(Date.now() - started).toBeLessThan(100);
    await page.close();
    expect(page.broken).toBeUndefined();
  });
});
