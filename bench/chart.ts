// The SVG chart of a bench run, written by hand (no dependency): one panel per N, the four phases
// as groups, one bar per tool at its median routes/s on a log scale, a whisker from min to max.
// Bars from a sample (extrapolated) are drawn lighter and marked "~".
import { PHASES } from './peers/common.js';
import { si, sizeLabel, type ToolInfo } from './report.js';
import type { ToolSummary } from './stats.js';

const PALETTE = [
  '#222222',
  '#777777',
  '#d62728',
  '#ff7f0e',
  '#1f77b4',
  '#17becf',
  '#9467bd',
  '#2ca02c',
  '#8c564b',
  '#e377c2',
];

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, '');

/** 10^e as a short label: 100, 1 k, 10 k, 100 k, 1 M, 10 M. */
function tick(e: number): string {
  if (e >= 6) return `${10 ** (e - 6)} M`;
  if (e >= 3) return `${10 ** (e - 3)} k`;
  return String(10 ** e);
}

export interface ChartInput {
  title: string;
  sizes: number[];
  tools: ToolInfo[];
  rows: ToolSummary[];
}

export function chartSvg(c: ChartInput): string {
  const tools = c.tools.filter((t) => c.rows.some((r) => r.tool === t.id));
  const bar = 13;
  const groupGap = 28;
  const groupW = Math.max(1, tools.length) * bar + groupGap;
  const left = 64;
  const plotW = PHASES.length * groupW;
  const width = Math.max(720, left + plotW + 20);
  const panelH = 250;
  const top = 48 + tools.length * 16;
  const height = top + c.sizes.length * (panelH + 40) + 10;
  const rates = c.rows.flatMap((r) =>
    PHASES.flatMap((p) => (r.phases[p] ? [r.phases[p].rate.min, r.phases[p].rate.max] : [])),
  );
  const lo = Math.floor(Math.log10(Math.max(1, Math.min(...rates, 1e3) / 3)));
  const hi = Math.ceil(Math.log10(Math.max(...rates, 1e4)));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
  );
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text x="${left}" y="20" font-size="14" font-weight="bold">${esc(c.title)}</text>`);
  out.push(
    `<text x="${left}" y="36" fill="#555">routes/s, log scale · bar: median, whisker: min–max · light bar with ~: extrapolated from a sample</text>`,
  );
  tools.forEach((t, i) => {
    const x = left;
    const y = 46 + i * 16;
    out.push(`<rect x="${x}" y="${y}" width="11" height="11" fill="${PALETTE[i % PALETTE.length]!}"/>`);
    out.push(`<text x="${x + 16}" y="${y + 10}">${esc(t.label)}</text>`);
  });
  c.sizes.forEach((n, pi) => {
    const y0 = top + pi * (panelH + 40) + 20;
    const yOf = (v: number): number => y0 + panelH - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * panelH;
    out.push(`<text x="${left}" y="${y0 - 6}" font-weight="bold">N = ${sizeLabel(n)}</text>`);
    for (let e = lo; e <= hi; e++) {
      const y = yOf(10 ** e);
      out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
      out.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end" fill="#555">${tick(e)}</text>`);
    }
    PHASES.forEach((p, gi) => {
      const gx = left + gi * groupW + groupGap / 2;
      out.push(`<text x="${gx + (tools.length * bar) / 2}" y="${y0 + panelH + 16}" text-anchor="middle">${p}</text>`);
      tools.forEach((t, ti) => {
        const s = c.rows.find((r) => r.tool === t.id && r.n === n);
        const ph = s?.phases[p];
        if (!s || !ph) return;
        const x = gx + ti * bar;
        const y = yOf(ph.rate.median);
        const approx = s.sample !== undefined && s.sample < s.n;
        const color = PALETTE[ti % PALETTE.length]!;
        const tip = `${t.label}, ${p}, N=${sizeLabel(n)}: ${approx ? '~' : ''}${si(ph.rate.median)} routes/s (${si(ph.rate.min)}–${si(ph.rate.max)})${ph.ratio ? `, ${ph.ratio.median.toFixed(2)}× the limit` : ''}`;
        out.push(
          `<rect x="${x}" y="${y.toFixed(1)}" width="${bar - 2}" height="${(y0 + panelH - y).toFixed(1)}" fill="${color}"${approx ? ' fill-opacity="0.4"' : ''}><title>${esc(tip)}</title></rect>`,
        );
        const cx = x + (bar - 2) / 2;
        out.push(
          `<line x1="${cx}" x2="${cx}" y1="${yOf(ph.rate.max).toFixed(1)}" y2="${yOf(ph.rate.min).toFixed(1)}" stroke="#000" stroke-width="1"/>`,
        );
        if (approx) out.push(`<text x="${cx}" y="${(y - 3).toFixed(1)}" text-anchor="middle" font-size="9">~</text>`);
      });
    });
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y0 + panelH}" y2="${y0 + panelH}" stroke="#000"/>`);
    out.push(`<line x1="${left}" x2="${left}" y1="${y0}" y2="${y0 + panelH}" stroke="#000"/>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
