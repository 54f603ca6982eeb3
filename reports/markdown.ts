/**
 * The report as Markdown that fits a pull-request comment: the verdict matrix, per-backend totals
 * with unsupported reasons, failures with their replay commands, and the known discrepancies.
 */
import type { Report, ReportCase } from './report-model.ts';
import { casesOf, cellKey, countVerdicts, errorInputLabel, errorInputMatrix, lawMatrix, normalizedErrorStats, problemCases, quantizedVerdicts, unsupportedReasons, verdictMatrix, VERDICTS } from './summary.ts';

const escape = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function formatNumber(v: number | undefined): string {
  if (v === undefined) return '';
  if (!Number.isFinite(v)) return String(v);
  return v === 0 ? '0' : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toPrecision(3);
}

/** Renders the report as Markdown. */
export function renderMarkdown(report: Report, maxFailures = 20): string {
  const lines: string[] = [];
  lines.push(`# ${report.title}`, '');
  lines.push(`${report.createdAt} · convcheck ${report.convcheckVersion} · ${report.machine.cpus} cores, Node ${report.machine.node} · ${report.settings.numRuns} runs per law${report.settings.browserRuns !== undefined ? ` (${report.settings.browserRuns} on browser backends)` : ''}, seed ${report.settings.seed} · ${(report.durationMs / 1000).toFixed(1)} s`, '');
  lines.push('## Backends', '', 'err/(u·S): each case\'s largest normalized error, median and largest over the backend\'s passing float cases (quantized outputs, judged exactly, are not in it).', '');
  lines.push('| backend | version | precision | ' + VERDICTS.join(' | ') + ' | median err/(u·S) | max err/(u·S) |', '|---|---|---|' + VERDICTS.map(() => '---:').join('|') + '|---:|---:|');
  for (const b of report.backends) {
    if (!b.available) { lines.push(`| ${b.name} | unavailable: ${escape(b.reason ?? '')} | | ${VERDICTS.map(() => '').join(' | ')} | | |`); continue; }
    const cases = casesOf(report, b.name);
    const counts = countVerdicts(cases), errors = normalizedErrorStats(cases);
    lines.push(`| ${b.name} | ${b.version ?? ''} | ${b.precision ?? ''} | ${VERDICTS.map((v) => counts[v]).join(' | ')} | ${formatNumber(errors?.median)} | ${formatNumber(errors?.max)} |`);
  }
  const matrix = verdictMatrix(report);
  lines.push('', '## Conv types × backends', '', `Each cell: ${VERDICTS.join(' / ')}.`, '');
  lines.push('| type | ' + matrix.backends.join(' | ') + ' |', '|---|' + matrix.backends.map(() => '---').join('|') + '|');
  for (const t of matrix.convTypes) {
    const cells = matrix.backends.map((b) => {
      const c = matrix.cells.get(cellKey(b, t));
      return c ? VERDICTS.map((v) => c[v]).join(' / ') : '–';
    });
    lines.push(`| ${t} | ${cells.join(' | ')} |`);
  }
  const quantizedRows = report.backends.filter((b) => b.available).flatMap((b) => {
    const q = quantizedVerdicts(casesOf(report, b.name));
    return q ? [`| ${b.name} | ${q.exact} | ${q.tieNeighbour} | ${q.fail} | ${q.known} | ${q.unsupported} | ${q.error} | ${q.weak} |`] : [];
  });
  if (quantizedRows.length > 0) {
    lines.push('', '## Quantized (ConvInteger, QLinearConv)', '', 'Judged against the exact reference: exact, or the tie-neighbour the requantization rule allows where the real value lies within γ4·|r| of a rounding tie (docs/quantized.md); anything else fails.', '');
    lines.push('| backend | exact | tie-neighbour (allowed) | fail | known | unsupported | error | weak |', '|---|---:|---:|---:|---:|---:|---:|---:|', ...quantizedRows);
  }
  const laws = lawMatrix(report);
  lines.push('', '## Laws × backends', '', `Each law with its math; each cell: ${VERDICTS.join(' / ')} (structural laws run on the reference only).`, '');
  lines.push('| law | math | ' + laws.backends.join(' | ') + ' |', '|---|---|' + laws.backends.map(() => '---').join('|') + '|');
  for (const law of laws.laws) {
    const cells = laws.backends.map((b) => {
      const c = laws.cells.get(cellKey(b, law.name));
      return c ? VERDICTS.map((v) => c[v]).join(' / ') : '–';
    });
    lines.push(`| ${escape(law.name)} | ${escape(law.math)} | ${cells.join(' | ')} |`);
  }
  const inputs = errorInputMatrix(report);
  if (inputs.inputs.length > 0) {
    lines.push('', '## Error inputs', '', 'Ill-formed calls each backend must refuse (`--error-inputs`): refused is a pass, ACCEPTED (it returned numbers) a fail; not sent: outside the ops and limits its hello declares.', '');
    lines.push('| error input | call | ' + inputs.backends.join(' | ') + ' |', '|---|---|' + inputs.backends.map(() => '---').join('|') + '|');
    for (const i of inputs.inputs) {
      const cells = inputs.backends.map((b) => {
        const c = inputs.cells.get(cellKey(b, i.name));
        return c ? (c.verdict === 'pass' ? 'refused' : `**${errorInputLabel(c.verdict)}**`) : '–';
      });
      lines.push(`| ${escape(i.name.replace(/^error input /, ''))} | \`${escape(i.descriptor)}\` | ${cells.join(' | ')} |`);
    }
  }
  const failures = problemCases(report.cases);
  lines.push('', `## Failures and errors (${failures.length})`, '');
  if (failures.length === 0) lines.push('None.');
  for (const c of failures.slice(0, maxFailures)) lines.push(...failureLines(c));
  if (failures.length > maxFailures) lines.push(`… and ${failures.length - maxFailures} more (see report.json).`);
  lines.push('', `## Known discrepancies (${report.knownDiscrepancies.length})`, '');
  if (report.knownDiscrepancies.length === 0) lines.push('None recorded.');
  for (const k of report.knownDiscrepancies) {
    lines.push(`- **${k.id}** (${k.backend}) \`${k.descriptor}\`: ${k.summary} Observed ${k.observed}; expected ${k.expected}.${k.upstream ? ` Upstream: ${k.upstream}.` : ''}`);
  }
  lines.push('', '## Unsupported, by reason', '');
  for (const b of report.backends.filter((x) => x.available)) {
    const reasons = unsupportedReasons(casesOf(report, b.name));
    if (reasons.length === 0) continue;
    lines.push(`- ${b.name}:`);
    for (const [reason, n] of reasons.slice(0, 10)) lines.push(`  - ${n} × ${escape(reason)}`);
  }
  return lines.join('\n') + '\n';
}

function failureLines(c: ReportCase): string[] {
  const m = c.metrics;
  const metrics = m ? ` max abs ${formatNumber(m.maxAbsError)}, max ULP ${formatNumber(m.maxUlp)}, max normalized ${formatNumber(m.maxNormalizedError)}, ${m.overTolerance} over bound.` : '';
  return [
    `- **${c.verdict}** ${c.backend} · ${escape(c.name)} · \`${c.descriptor}\`:${metrics} ${escape(c.message ?? '')}`,
    ...(c.replay ? [`  replay: \`${c.replay}\``] : []),
  ];
}

export { formatNumber };
