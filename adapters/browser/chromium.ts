/**
 * The one headless Chromium of a convcheck process, shared by every browser backend (the WebGL and
 * WebGPU kernels of TensorFlow.js and ONNX Runtime Web): found on the machine (never downloaded),
 * launched with puppeteer-core on first use, with a fresh profile folder, and closed when the last
 * backend using it is disposed, or when the process exits.
 *
 * Flags: `--no-sandbox` (root in CI), `--enable-unsafe-webgpu --enable-unsafe-swiftshader` (WebGPU
 * on SwiftShader's CPU Vulkan: `navigator.gpu.requestAdapter()` gives a SwiftShader adapter; WebGL2
 * runs on SwiftShader through ANGLE), `--headless`, and the flags that keep Chromium off the network
 * (`--disable-background-networking --disable-component-update --disable-sync --no-first-run
 * --disable-quic`): the machine's network is closed, and without them Chromium tries Google's hosts
 * at every start. DevTools speaks over a pipe, so no port is opened.
 */
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { errorMessage } from '../../compare/backend-call.ts';

/** The environment variable that names the Chromium (or Chrome) executable to use. */
export const CHROMIUM_ENV = 'CONVCHECK_CHROMIUM';

/** Where Chromium is looked for when {@link CHROMIUM_ENV} is not set (Debian's package first). */
export const CHROMIUM_CANDIDATES: readonly string[] = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome'];

/** How to install it on Debian / Ubuntu (what .ci/run does). */
export const CHROMIUM_INSTALL = 'apt-get install -y chromium';

/** Every flag convcheck launches Chromium with (puppeteer adds `--headless` and `--user-data-dir`). */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Time limit of a launch. */
const LAUNCH_TIMEOUT_MS = 30_000;

/** Chromium on this machine: its path, or why there is none (with the install command). */
export type ChromiumLocation = { readonly found: true; readonly path: string } | { readonly found: false; readonly reason: string };

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds Chromium: `CONVCHECK_CHROMIUM` when set (it must be an executable file), else the first
 * executable of {@link CHROMIUM_CANDIDATES}. Never throws.
 * @example findChromium() // { found: true, path: '/usr/bin/chromium' }
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLocation {
  const named = env[CHROMIUM_ENV];
  if (named !== undefined && named.trim() !== '') {
    return isExecutable(named) ? { found: true, path: named }
      : { found: false, reason: `${CHROMIUM_ENV}=${JSON.stringify(named)} is not an executable file; point it at a Chromium or Chrome binary, or unset it to use ${CHROMIUM_CANDIDATES[0]} (${CHROMIUM_INSTALL}).` };
  }
  const found = CHROMIUM_CANDIDATES.find(isExecutable);
  if (found !== undefined) return { found: true, path: found };
  return { found: false, reason: `Chromium not found (looked at ${CHROMIUM_CANDIDATES.join(', ')}); install it with \`${CHROMIUM_INSTALL}\` (Debian/Ubuntu; .ci/run does) or set ${CHROMIUM_ENV} to a Chromium or Chrome executable.` };
}

/** A running Chromium and what it owns. */
interface Running {
  readonly browser: Browser;
  readonly profile: string;
  readonly kill: () => void;
}

let running: Promise<Running> | undefined;

/** Removes a profile folder; one that a dying Chromium still writes to is left to the temp cleaner. */
function removeProfile(profile: string): void {
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    // never worth an exception at exit
  }
}

async function launch(executablePath: string): Promise<Running> {
  const puppeteer = (await import('puppeteer-core')).default;
  const profile = mkdtempSync(path.join(tmpdir(), 'convcheck-chromium-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath, headless: true, pipe: true, userDataDir: profile, args: [...CHROMIUM_FLAGS],
      timeout: LAUNCH_TIMEOUT_MS, protocolTimeout: 120_000,
      // convcheck's own handlers (cli/interrupt.ts) close the browser on these signals, after the
      // implementations it started; puppeteer's would exit on SIGINT before that, and on SIGTERM
      // close the browser and let the command run on without it
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
  } catch (error) {
    removeProfile(profile);
    throw new Error(`Chromium (${executablePath}) did not start: ${errorMessage(error)}`, { cause: error });
  }
  const child = browser.process();
  const kill = (): void => {
    try { child?.kill('SIGKILL'); } catch { /* already gone */ }
    removeProfile(profile);
  };
  process.once('exit', kill);
  const self: Running = { browser, profile, kill };
  browser.once('disconnected', () => {
    process.removeListener('exit', kill);
    kill();
    // a crashed browser is launched anew on the next use
    if (running !== undefined) void running.then((r) => { if (r === self) running = undefined; }, () => undefined);
  });
  return self;
}

/**
 * The shared browser, launched on first call. Rejects with the reason when Chromium is missing or
 * does not start (a later call tries again).
 */
export async function sharedBrowser(): Promise<Browser> {
  if (running === undefined) {
    const location = findChromium();
    if (!location.found) throw new Error(location.reason);
    const attempt = launch(location.path);
    running = attempt;
    attempt.catch(() => { if (running === attempt) running = undefined; });
  }
  return (await running).browser;
}

/** A new page of the shared browser (launching it if needed). */
export async function newPage(): Promise<Page> {
  return (await sharedBrowser()).newPage();
}

/** Whether the shared browser is running now (for tests). */
export function chromiumRunning(): boolean {
  return running !== undefined;
}

/** Closes the shared browser now (whoever uses it), removing its profile folder. Never throws. */
export async function closeChromium(): Promise<void> {
  const current = running;
  running = undefined;
  if (current === undefined) return;
  let r: Running;
  try {
    r = await current;
  } catch {
    return; // it never started
  }
  process.removeListener('exit', r.kill);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([r.browser.close(), new Promise((resolve) => { timer = setTimeout(resolve, 5_000); })]);
  } catch {
    // a browser that is gone already has nothing to close
  } finally {
    clearTimeout(timer);
    r.kill();
  }
}
