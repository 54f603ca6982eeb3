/**
 * The HTML report's acceptance test, as a user looks at it: `convcheck report` on the reference and
 * a browser backend writes index.html, which headless Chromium (the browser backends' own) opens
 * from disk: it renders with no console or page errors, its sections are there, and every plot
 * (histograms, heatmaps, checkerboards: inline SVG) is drawn with a visible size. A screenshot is
 * left next to the report (report.png) for a person to look at.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { closeChromium, findChromium, newPage } from '../adapters/browser/chromium.ts';
import { main } from './main.ts';

afterAll(async () => {
  await closeChromium();
});

describe.skipIf(!findChromium().found)('the HTML report in Chromium', () => {
  it('renders a real report without errors, with its sections and every plot drawn', async () => {
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'convcheck-report-html-')), 'report'); // a new folder: an existing one is refused
    const out: string[] = [];
    const io = { out: (s: string) => { out.push(s); }, err: (s: string) => { out.push(s); }, isTTY: false };
    expect(await main(['report', '--backend', 'reference,tfjs-webgpu', '--num-runs', '1', '--seed', '5', '--golden', 'none', '--out', dir], io), out.join('\n')).toBe(0);
    const json = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as { backends: Array<{ name: string; available: boolean }> };
    expect(json.backends).toEqual([expect.objectContaining({ name: 'reference', available: true }), expect.objectContaining({ name: 'tfjs-webgpu', available: true })]);

    const page = await newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warn') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(path.join(dir, 'index.html')).href, { waitUntil: 'load' });
    const seen = await page.evaluate(`(() => {
      const headings = [...document.querySelectorAll('h2')].map((h) => h.textContent);
      const svgs = [...document.querySelectorAll('svg')].map((s) => { const r = s.getBoundingClientRect(); return { w: r.width, h: r.height, shapes: s.querySelectorAll('rect,path,line,polyline').length }; });
      const backendRows = [...document.querySelectorAll('table')][0].innerText;
      return { headings, svgs, backendRows, bodyHeight: document.body.scrollHeight };
    })()`) as { headings: string[]; svgs: Array<{ w: number; h: number; shapes: number }>; backendRows: string; bodyHeight: number };
    await page.screenshot({ path: path.join(dir, 'report.png'), fullPage: true });
    await page.close();

    expect(problems).toEqual([]);
    expect(seen.headings).toEqual(expect.arrayContaining(['Backends', 'Conv types × backends', 'Error distributions', 'Checkerboard: transposed vs resize convolution']));
    expect(seen.backendRows).toMatch(/tfjs-webgpu\s+4\.22\.0/);
    expect(seen.svgs.length).toBeGreaterThanOrEqual(4); // two histograms per backend with metrics, checkerboards
    for (const svg of seen.svgs) {
      expect(svg.w).toBeGreaterThan(20);
      expect(svg.h).toBeGreaterThan(20);
      expect(svg.shapes).toBeGreaterThan(0);
    }
    expect(seen.bodyHeight).toBeGreaterThan(900);
  });
});
