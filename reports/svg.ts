/**
 * Inline SVG pictures for the HTML report: heatmaps of 2-D arrays and bar histograms. Pure string
 * building, no dependencies, so the page stays self-contained and works offline.
 */
import type { Picture } from './report-model.ts';
import type { LogHistogram } from './summary.ts';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A colour from white (0) to dark red (1); NaN/Infinity are drawn black. */
function heatColour(t: number): string {
  if (!Number.isFinite(t)) return '#000';
  const c = Math.max(0, Math.min(1, t));
  const r = 255 - Math.round(c * 75), g = Math.round(255 * (1 - c)), b = Math.round(255 * (1 - c));
  return `rgb(${r},${g},${b})`;
}

/** A heatmap of a picture, scaled from its min to its max, each cell titled with its value. */
export function heatmapSvg(p: Picture, maxCell = 14, maxWidth = 360): string {
  const cell = Math.max(2, Math.min(maxCell, Math.floor(maxWidth / Math.max(1, p.cols))));
  const finite = p.values.filter(Number.isFinite);
  const lo = finite.length ? Math.min(...finite) : 0;
  const hi = finite.length ? Math.max(...finite) : 1;
  const span = hi - lo || 1;
  const rects: string[] = [];
  for (let r = 0; r < p.rows; r++) {
    for (let c = 0; c < p.cols; c++) {
      const v = p.values[r * p.cols + c];
      rects.push(`<rect x="${c * cell}" y="${r * cell + 18}" width="${cell}" height="${cell}" fill="${heatColour((v - lo) / span)}"><title>[${r},${c}] ${v}</title></rect>`);
    }
  }
  const width = Math.max(p.cols * cell, Math.ceil(p.title.length * 6.5)), height = p.rows * cell + 36;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${esc(p.title)}">` +
    `<text x="0" y="12" font-size="12">${esc(p.title)}</text>${rects.join('')}` +
    `<text x="0" y="${height - 4}" font-size="10">min ${lo.toPrecision(3)} · max ${hi.toPrecision(3)}</text></svg>`;
}

/** Bars of a log histogram: zeros, decades, and non-finite values. */
export function histogramSvg(title: string, h: LogHistogram, barWidth = 22, height = 90): string {
  const labels = ['0', ...h.bins.map((_, i) => `1e${h.minExp + i}`), '∞'];
  const counts = [h.zeros, ...h.bins, h.infinite];
  const max = Math.max(1, ...counts);
  const bars = counts.map((n, i) => {
    const bh = Math.round((n / max) * height);
    return `<rect x="${i * barWidth}" y="${height - bh + 18}" width="${barWidth - 2}" height="${bh}" fill="#4a78b5"><title>${labels[i]}: ${n}</title></rect>` +
      `<text x="${i * barWidth + 1}" y="${height + 30}" font-size="8">${labels[i]}</text>`;
  });
  const width = Math.max(counts.length * barWidth, Math.ceil(title.length * 6.5));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + 36}" role="img" aria-label="${esc(title)}">` +
    `<text x="0" y="12" font-size="12">${esc(title)}</text>${bars.join('')}</svg>`;
}

export { esc };
