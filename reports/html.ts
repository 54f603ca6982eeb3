/**
 * The report as one self-contained HTML page (inline CSS and SVG, no scripts or external assets):
 * the coloured verdict matrix, the quantized ops' verdicts, error distributions per backend, the worst cases with heatmaps of
 * their error tensors, the known discrepancies and the checkerboard pictures.
 */
import { formatNumber } from './markdown.ts';
import type { Report } from './report-model.ts';
import { casesOf, cellKey, countVerdicts, errorInputLabel, errorInputMatrix, lawMatrix, logHistogram, normalizedErrorStats, problemCases, quantizedVerdicts, unsupportedReasons, verdictMatrix, VERDICTS } from './summary.ts';
import { esc, heatmapSvg, histogramSvg } from './svg.ts';

const STYLE = `body{font:14px system-ui,sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}
.pass{background:#d9f2d9}.fail{background:#f7c6c6}.mixed{background:#fbe3b4}.unsupported{background:#e8e8e8}.none{color:#aaa}
code{background:#f5f5f5;padding:1px 3px}.fig{display:inline-block;margin:0 1.5em 1em 0;vertical-align:top}`;

function cellClass(counts: Record<string, number> | undefined): string {
  if (!counts) return 'none';
  if (counts.fail + counts.error > 0) return counts.pass > 0 ? 'mixed' : 'fail';
  if (counts.pass > 0 || counts.known > 0) return 'pass';
  return 'unsupported';
}

/** Renders the report as a self-contained HTML page. */
export function renderHtml(report: Report): string {
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(report.title)}</title><style>${STYLE}</style></head><body>`);
  parts.push(`<h1>${esc(report.title)}</h1><p>${esc(report.createdAt)} · convcheck ${esc(report.convcheckVersion)} · ${report.machine.cpus} cores, Node ${esc(report.machine.node)} · ${report.settings.numRuns} runs per law${report.settings.browserRuns !== undefined ? ` (${report.settings.browserRuns} on browser backends)` : ''}, seed ${report.settings.seed} · ${(report.durationMs / 1000).toFixed(1)} s</p>`);
  parts.push('<h2>Backends</h2><table><tr><th class="l">backend</th><th class="l">version</th><th>precision</th>' + VERDICTS.map((v) => `<th>${v}</th>`).join('') + '<th>median err/(u·S)</th><th>max err/(u·S)</th></tr>');
  for (const b of report.backends) {
    if (!b.available) { parts.push(`<tr><td class="l">${esc(b.name)}</td><td class="l" colspan="${VERDICTS.length + 4}">unavailable: ${esc(b.reason ?? '')}</td></tr>`); continue; }
    const cases = casesOf(report, b.name);
    const c = countVerdicts(cases), errors = normalizedErrorStats(cases);
    parts.push(`<tr><td class="l">${esc(b.name)}</td><td class="l">${esc(b.version ?? '')}</td><td>${esc(b.precision ?? '')}</td>${VERDICTS.map((v) => `<td>${c[v]}</td>`).join('')}<td>${formatNumber(errors?.median)}</td><td>${formatNumber(errors?.max)}</td></tr>`);
  }
  parts.push('</table>');
  const matrix = verdictMatrix(report);
  parts.push(`<h2>Conv types × backends</h2><p>${VERDICTS.join(' / ')}</p>`+'<table><tr><th class="l">type</th>' + matrix.backends.map((b) => `<th>${esc(b)}</th>`).join('') + '</tr>');
  for (const t of matrix.convTypes) {
    parts.push(`<tr><td class="l">${esc(t)}</td>` + matrix.backends.map((b) => {
      const c = matrix.cells.get(cellKey(b, t));
      return `<td class="${cellClass(c)}">${c ? VERDICTS.map((v) => c[v]).join(' / ') : '–'}</td>`;
    }).join('') + '</tr>');
  }
  parts.push('</table>');
  const quantized = report.backends.filter((b) => b.available).flatMap((b) => {
    const q = quantizedVerdicts(casesOf(report, b.name));
    return q ? [`<tr><td class="l">${esc(b.name)}</td>${[q.exact, q.tieNeighbour, q.fail, q.known, q.unsupported, q.error, q.weak].map((n) => `<td>${n}</td>`).join('')}</tr>`] : [];
  });
  if (quantized.length > 0) {
    parts.push('<h2>Quantized (ConvInteger, QLinearConv)</h2><p>Against the exact reference: exact, or the tie-neighbour the requantization rule allows where the real value lies within γ4·|r| of a rounding tie (docs/quantized.md).</p>');
    parts.push(`<table><tr><th class="l">backend</th>${['exact', 'tie-neighbour (allowed)', 'fail', 'known', 'unsupported', 'error', 'weak'].map((h) => `<th>${h}</th>`).join('')}</tr>${quantized.join('')}</table>`);
  }
  const laws = lawMatrix(report);
  parts.push(`<h2>Laws × backends</h2><p>${VERDICTS.join(' / ')}; structural laws run on the reference only</p>`+'<table><tr><th class="l">law</th><th class="l">math</th>' + laws.backends.map((b) => `<th>${esc(b)}</th>`).join('') + '</tr>');
  for (const law of laws.laws) {
    parts.push(`<tr><td class="l">${esc(law.name)}</td><td class="l"><code>${esc(law.math)}</code></td>` + laws.backends.map((b) => {
      const c = laws.cells.get(cellKey(b, law.name));
      return `<td class="${cellClass(c)}">${c ? VERDICTS.map((v) => c[v]).join(' / ') : '–'}</td>`;
    }).join('') + '</tr>');
  }
  parts.push('</table>');
  const inputs = errorInputMatrix(report);
  if (inputs.inputs.length > 0) {
    parts.push('<h2>Error inputs</h2><p>Ill-formed calls each backend must refuse (<code>--error-inputs</code>): refused is a pass, ACCEPTED (it returned numbers) a fail; not sent: outside the ops and limits its hello declares.</p>');
    parts.push('<table><tr><th class="l">error input</th><th class="l">call</th>' + inputs.backends.map((b) => `<th>${esc(b)}</th>`).join('') + '</tr>');
    for (const i of inputs.inputs) {
      parts.push(`<tr><td class="l">${esc(i.name.replace(/^error input /, ''))}</td><td class="l"><code>${esc(i.descriptor)}</code></td>` + inputs.backends.map((b) => {
        const c = inputs.cells.get(cellKey(b, i.name));
        const css = c === undefined ? 'none' : c.verdict === 'pass' ? 'pass' : c.verdict === 'unsupported' ? 'unsupported' : 'fail';
        return `<td class="${css}" title="${esc(c?.message ?? '')}">${c ? errorInputLabel(c.verdict) : '–'}</td>`;
      }).join('') + '</tr>');
    }
    parts.push('</table>');
  }
  parts.push('<h2>Error distributions</h2>');
  for (const b of report.backends.filter((x) => x.available)) {
    const metrics = casesOf(report, b.name).flatMap((c) => (c.metrics ? [c.metrics] : []));
    if (metrics.length === 0) continue;
    parts.push(`<div class="fig">${histogramSvg(`${b.name}: max normalized error err/(u·S) per case`, logHistogram(metrics.map((m) => m.maxNormalizedError)))}</div>`);
    parts.push(`<div class="fig">${histogramSvg(`${b.name}: max float32 ULP distance per case`, logHistogram(metrics.map((m) => m.maxUlp), 0, 10))}</div>`);
  }
  const failures = problemCases(report.cases);
  parts.push(`<h2>Failures and errors (${failures.length})</h2>`);
  if (failures.length === 0) parts.push('<p>None.</p>');
  else {
    parts.push('<table><tr><th class="l">verdict</th><th class="l">backend</th><th class="l">law / case</th><th class="l">descriptor</th><th>max ULP</th><th>max norm. err</th><th class="l">message / replay</th></tr>');
    for (const c of failures.slice(0, 50)) {
      parts.push(`<tr><td class="l">${c.verdict}</td><td class="l">${esc(c.backend)}</td><td class="l">${esc(c.name)}</td><td class="l"><code>${esc(c.descriptor)}</code></td><td>${formatNumber(c.metrics?.maxUlp)}</td><td>${formatNumber(c.metrics?.maxNormalizedError)}</td><td class="l">${esc(c.message ?? '')}${c.replay ? `<br><code>${esc(c.replay)}</code>` : ''}</td></tr>`);
    }
    parts.push('</table>');
  }
  parts.push('<h2>Worst cases</h2>');
  if (report.worstCases.length === 0) parts.push('<p>No case with a measurable error.</p>');
  for (const w of report.worstCases) {
    parts.push(`<div class="fig"><p><b>${esc(w.backend)}</b> <code>${esc(w.descriptor)}</code><br>${esc(w.name)}<br>max normalized error ${formatNumber(w.maxNormalizedError)}, max ULP ${formatNumber(w.maxUlp)}</p>${w.errorPicture ? heatmapSvg(w.errorPicture) : ''}</div>`);
  }
  parts.push(`<h2>Known discrepancies (${report.knownDiscrepancies.length})</h2>`);
  if (report.knownDiscrepancies.length === 0) parts.push('<p>None recorded.</p>');
  else {
    parts.push('<table><tr><th class="l">id</th><th class="l">backend</th><th class="l">descriptor</th><th class="l">summary</th><th class="l">observed</th><th class="l">expected</th></tr>');
    for (const k of report.knownDiscrepancies) parts.push(`<tr><td class="l">${esc(k.id)}</td><td class="l">${esc(k.backend)}</td><td class="l"><code>${esc(k.descriptor)}</code></td><td class="l">${esc(k.summary)}</td><td class="l">${esc(k.observed)}</td><td class="l">${esc(k.expected)}</td></tr>`);
    parts.push('</table>');
  }
  parts.push('<h2>Checkerboard: transposed vs resize convolution</h2><p>A constant input through a constant kernel: uneven overlap shows as a pattern when the kernel size is not a multiple of the stride; resize-then-convolve stays uniform.</p>');
  for (const p of report.checkerboard) parts.push(`<div class="fig">${heatmapSvg(p, 10)}</div>`);
  parts.push('<h2>Unsupported, by reason</h2>');
  for (const b of report.backends.filter((x) => x.available)) {
    const reasons = unsupportedReasons(casesOf(report, b.name));
    if (reasons.length) parts.push(`<p><b>${esc(b.name)}</b></p><ul>${reasons.slice(0, 15).map(([r, n]) => `<li>${n} × ${esc(r)}</li>`).join('')}</ul>`);
  }
  parts.push('</body></html>');
  return parts.join('\n');
}
