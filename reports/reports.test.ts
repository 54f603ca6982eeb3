import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHtml } from './html.ts';
import { renderJUnit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import type { Report, ReportCase } from './report-model.ts';
import { countVerdicts, logHistogram, quantizedVerdicts, verdictMatrix } from './summary.ts';
import { reportJson, timestampDirName, writeReport } from './write.ts';

const metrics = { maxAbsError: 1e-6, maxRelError: 1e-7, maxUlp: 3, maxNormalizedError: 0.5, overTolerance: 0 };
const cases: ReportCase[] = [
  { source: 'law', name: 'transposed conv is the adjoint of conv', backend: 'onnxruntime', convType: 'transposed', descriptor: 'Tmb1ic1iw4oc1kw3', verdict: 'pass', metrics, timeMs: 2 },
  { source: 'law', name: 'agreement', backend: 'onnxruntime', convType: 'conv2d', descriptor: 'mb1ic1ih3iw3oc1kh3kw3', verdict: 'fail', metrics: { ...metrics, maxNormalizedError: Infinity, overTolerance: 2 }, message: '2 of 1 over <bound>', replay: 'npx convcheck run mb1ic1ih3iw3oc1kh3kw3', timeMs: 3 },
  { source: 'law', name: 'agreement', backend: 'tfjs-cpu', convType: 'grouped', descriptor: 'g2mb1ic2iw3oc2kw1', verdict: 'unsupported', message: 'tfjs: grouped conv other than depthwise', timeMs: 0 },
  { source: 'golden', name: 'alexnet-conv2', backend: 'tfjs-cpu', convType: 'conv2d', descriptor: 'mb1ic1iw3oc1kw1', verdict: 'error', message: 'boom', timeMs: 1 },
  { source: 'law', name: 'agreement', backend: 'tfjs-cpu', convType: 'conv2d', descriptor: 'mb1ic1iw1oc1kw1', verdict: 'weak', message: 'mistrusted: every reference output is all zeros (over 70%), so an implementation returning zeros would pass', timeMs: 0 },
];
const report: Report = {
  title: 'convcheck report', createdAt: '2026-11-29T00:00:00Z', convcheckVersion: '0.1.0',
  machine: { cpus: 2, node: 'v20', platform: 'linux' }, settings: { numRuns: 10, seed: 42, precision: 'fp32' },
  backends: [
    { name: 'onnxruntime', version: '1.30.0', precision: 'fp32', available: true },
    { name: 'tfjs-cpu', version: '4.22.0', precision: 'fp32', available: true },
    { name: 'tfjs-node', available: false, reason: 'cannot load libtensorflow' },
  ],
  cases,
  laws: [
    { name: 'transposed conv is the adjoint of conv', math: '⟨conv(x), y⟩ = ⟨x, convT(y)⟩', convTypes: ['transposed'], structural: false },
    { name: 'agreement', math: 'y = y_ref', convTypes: ['conv2d', 'grouped'], structural: false },
  ],
  knownDiscrepancies: [{ id: 'ort-x', backend: 'onnxruntime', descriptor: 'TmbXic1', summary: 'swapped.', observed: '[1]', expected: '[2]' }],
  worstCases: [{ backend: 'onnxruntime', descriptor: 'mb1ic1ih3iw3oc1kh3kw3', name: 'agreement', maxNormalizedError: 2, maxUlp: 7, errorPicture: { title: 'err', rows: 2, cols: 2, values: [0, 1, 2, Infinity] } }],
  checkerboard: [{ title: 'transposed k3 s2', rows: 1, cols: 3, values: [1, 2, 1] }],
  durationMs: 1234,
};

describe('report summary', () => {
  it('counts verdicts per backend and conv type', () => {
    expect(countVerdicts(cases)).toEqual({ pass: 1, fail: 1, known: 0, unsupported: 1, error: 1, weak: 1 });
    const m = verdictMatrix(report);
    expect(m.backends).toEqual(['onnxruntime', 'tfjs-cpu']);
    expect(m.convTypes).toEqual(['conv2d', 'grouped', 'transposed']);
  });

  it('bins normalized errors by decade, zeros and infinities apart', () => {
    const h = logHistogram([0, 0.5, 5, 50, Infinity], -2, 3);
    expect(h).toEqual({ zeros: 1, minExp: -2, bins: [0, 1, 1, 1, 0], infinite: 1 });
  });
});

describe('report writers', () => {
  it('markdown lists backends, the matrix, failures with replay, known discrepancies, unsupported reasons', () => {
    const md = renderMarkdown(report);
    // the error columns are over passing cases: the fail's Infinity is in its own line, not in the median and max
    expect(md).toMatch(/\| onnxruntime \| 1\.30\.0 \| fp32 \| 1 \| 1 \| 0 \| 0 \| 0 \| 0 \| 0\.500 \| 0\.500 \|/);
    expect(md).toMatch(/tfjs-node \| unavailable: cannot load libtensorflow/);
    expect(md).toMatch(/\| conv2d \| 0 \/ 1 \/ 0 \/ 0 \/ 0 \/ 0 \| 0 \/ 0 \/ 0 \/ 0 \/ 1 \/ 1 \|/);
    expect(md).toMatch(/replay: `npx convcheck run mb1ic1ih3iw3oc1kh3kw3`/);
    expect(md).toMatch(/\*\*ort-x\*\* \(onnxruntime\)/);
    expect(md).toMatch(/1 × tfjs: grouped conv other than depthwise/);
  });

  it('lists every law with its math and its counts per backend (golden cases are not a law\'s)', () => {
    const md = renderMarkdown(report);
    expect(md).toMatch(/\| transposed conv is the adjoint of conv \| ⟨conv\(x\), y⟩ = ⟨x, convT\(y\)⟩ \| 1 \/ 0 \/ 0 \/ 0 \/ 0 \/ 0 \| – \|/);
    expect(md).toMatch(/\| agreement \| y = y_ref \| 0 \/ 1 \/ 0 \/ 0 \/ 0 \/ 0 \| 0 \/ 0 \/ 0 \/ 1 \/ 0 \/ 1 \|/);
    const html = renderHtml(report);
    expect(html).toMatch(/<td class="l">agreement<\/td><td class="l"><code>y = y_ref<\/code><\/td><td class="fail">0 \/ 1 \/ 0 \/ 0 \/ 0 \/ 0<\/td><td class="unsupported">0 \/ 0 \/ 0 \/ 1 \/ 0 \/ 1<\/td>/);
  });

  it('html is self-contained, escapes text, colours cells and draws the pictures', () => {
    const html = renderHtml(report);
    expect(html).not.toMatch(/<script|<link|src=|href=/);
    expect(html).not.toContain('<bound>');
    expect(html).toContain('2 of 1 over &lt;bound&gt;');
    expect(html).toMatch(/class="fail">0 \/ 1/);
    expect(html).toMatch(/class="unsupported">0 \/ 0 \/ 0 \/ 1 \/ 0 \/ 1/);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(4);
  });

  it('junit marks fail, error and unsupported', () => {
    const xml = renderJUnit('convcheck gate', cases);
    expect(xml).toMatch(/<testsuites name="convcheck gate" tests="5" failures="1" errors="1" skipped="2">/);
    expect(xml).toMatch(/<failure message="2 of 1 over &lt;bound&gt;">/);
    expect(xml).toMatch(/<skipped message="unsupported: tfjs: grouped conv other than depthwise"\/>/);
  });

  it('writes report.json that keeps Infinity readable, report.md and index.html', async () => {
    expect(timestampDirName(new Date('2026-11-29T04:05:06.789Z'))).toBe('2026-11-29T04-05-06Z');
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'convcheck-report-')), 'report');
    const files = await writeReport(report, dir);
    expect(files.dir).toBe(dir);
    const json = JSON.parse(await readFile(files.json, 'utf8')) as { cases: Array<{ metrics?: { maxNormalizedError: unknown } }> };
    expect(json.cases[1].metrics?.maxNormalizedError).toBe('Infinity');
    expect(reportJson(report)).toContain('"Infinity"');
    expect(await readFile(files.markdown, 'utf8')).toContain('# convcheck report');
    expect(await readFile(files.html, 'utf8')).toContain('<!doctype html>');
  });
});

describe('quantized rows', () => {
  const q = (verdict: ReportCase['verdict'], allowed?: number): ReportCase => ({
    source: 'law', name: 'the backend\'s ConvInteger and QLinearConv agree with the exact reference', backend: 'onnxruntime', convType: 'qlinear-conv',
    descriptor: 'QLu8u8u8mb1ic1iw1oc1kw1xs1ws1ys1', verdict, timeMs: 1, ...(allowed !== undefined ? { metrics: { ...metrics, maxNormalizedError: 1, exactElements: 3, allowedElements: allowed } } : {}),
  });
  const withQuantized: Report = { ...report, cases: [...cases, q('pass', 0), q('pass', 1), q('known', 0), q('unsupported')] };

  it('count passes as exact or tie-neighbour (allowed), apart from the float cases', () => {
    expect(quantizedVerdicts(withQuantized.cases)).toEqual({ exact: 1, tieNeighbour: 1, fail: 0, known: 1, unsupported: 1, error: 0, weak: 0 });
    expect(quantizedVerdicts(cases)).toBeUndefined();
  });

  it('get their own table in report.md and index.html', () => {
    expect(renderMarkdown(withQuantized)).toMatch(/## Quantized \(ConvInteger, QLinearConv\)[\s\S]*\| onnxruntime \| 1 \| 1 \| 0 \| 1 \| 1 \| 0 \| 0 \|/);
    expect(renderMarkdown(report)).not.toContain('## Quantized');
    expect(renderHtml(withQuantized)).toMatch(/<h2>Quantized \(ConvInteger, QLinearConv\)<\/h2>[\s\S]*<tr><td class="l">onnxruntime<\/td><td>1<\/td><td>1<\/td><td>0<\/td><td>1<\/td><td>1<\/td>/);
  });
});

describe('checkerboard pictures', () => {
  it('shows uneven overlap for k3 s2, an even interior for k4 s2 and for resize-conv', async () => {
    const { checkerboardPictures } = await import('./checkerboard.ts');
    const [k3, k4, resize] = checkerboardPictures(6);
    const interior = (p: { rows: number; cols: number; values: readonly number[] }, margin: number): number[] => {
      const out: number[] = [];
      for (let r = margin; r < p.rows - margin; r++) for (let c = margin; c < p.cols - margin; c++) out.push(p.values[r * p.cols + c]);
      return out;
    };
    expect(new Set(interior(k3, 2)).size).toBeGreaterThan(1);
    expect(new Set(interior(k4, 2))).toEqual(new Set([4]));
    expect(new Set(interior(resize, 1))).toEqual(new Set([9]));
  });
});

describe('error inputs in reports', () => {
  const inputCases: ReportCase[] = [
    { source: 'error-input', name: 'error input conv-stride-zero', backend: 'onnxruntime', convType: 'error input: conv', descriptor: 'mb1ic4ih5iw5oc4kh3kw3sh0sw1', verdict: 'pass', message: 'refused: stride must be >= 1', timeMs: 1 },
    { source: 'error-input', name: 'error input conv-stride-zero', backend: 'tfjs-cpu', convType: 'error input: conv', descriptor: 'mb1ic4ih5iw5oc4kh3kw3sh0sw1', verdict: 'fail', message: 'accepted an ill-formed call (strides must be >= 1) and returned an output of shape [1,4,3,3]', timeMs: 1 },
    { source: 'error-input', name: 'error input convtranspose-stride-zero', backend: 'tfjs-cpu', convType: 'error input: convTranspose', descriptor: 'Tmb1ic4ih3iw3oc4kh3kw3sh2sw0', verdict: 'unsupported', message: 'not sent: op convTranspose is not among the ops of its hello', timeMs: 0 },
  ];
  const withInputs: Report = { ...report, cases: [...cases, ...inputCases] };

  it('have a section of their own (refused / ACCEPTED / not sent per backend), not rows of the conv-type matrix', () => {
    expect(verdictMatrix(withInputs).convTypes).toEqual(['conv2d', 'grouped', 'transposed']);
    const md = renderMarkdown(withInputs);
    expect(md).toMatch(/## Error inputs\n\nIll-formed calls each backend must refuse/);
    expect(md).toContain('| conv-stride-zero | `mb1ic4ih5iw5oc4kh3kw3sh0sw1` | refused | **ACCEPTED** |');
    expect(md).toContain('| convtranspose-stride-zero | `Tmb1ic4ih3iw3oc4kh3kw3sh2sw0` | – | **not sent** |');
    expect(renderMarkdown(report)).not.toMatch(/## Error inputs/);
    const html = renderHtml(withInputs);
    expect(html).toMatch(/<h2>Error inputs<\/h2>/);
    expect(html).toMatch(/<td class="fail" title="accepted an ill-formed call[^"]*">ACCEPTED<\/td>/);
    const junit = renderJUnit('gate', inputCases);
    expect(junit).toMatch(/<testsuite name="error inputs" tests="3" failures="1" errors="0" skipped="1">/);
    expect(junit).toMatch(/<testcase classname="tfjs-cpu\.error input: conv" name="conv-stride-zero mb1ic4ih5iw5oc4kh3kw3sh0sw1"/);
  });
});
