import type { MetricResult } from '../results/result-schema.js';
import { escapeHtml } from './html-escape.js';

const WIDTH = 560;
const HEIGHT = 96;
const LEFT = 26;
const RIGHT = 8;
const BINS = 24;

/**
 * A metric's distribution against its budget as inline SVG: a histogram, every sample as a
 * dot (hover: scenario, run, value), p50 / p95 ticks and the p95 budget as a dashed line.
 * Static markup: it needs no script to show.
 */
export function metricChart(m: MetricResult): string {
  if (!m.samples.length)
    return `<svg class="chart" role="img" viewBox="0 0 ${WIDTH} 24" width="${WIDTH}" height="24"><text x="${LEFT}" y="16" class="muted">no samples</text></svg>`;
  const values = m.samples.map((s) => s.value);
  const top = niceCeil(Math.max(...values, m.budget ?? 0) * 1.05 || 1);
  const x = (v: number) => LEFT + (Math.max(0, v) / top) * (WIDTH - LEFT - RIGHT);
  const axisY = HEIGHT - 18;
  const bins = new Array<number>(BINS).fill(0);
  for (const v of values) bins[Math.min(BINS - 1, Math.floor((Math.max(0, v) / top) * BINS))]! += 1;
  const tallest = Math.max(...bins);
  const binW = (WIDTH - LEFT - RIGHT) / BINS;
  const parts: string[] = [];
  bins.forEach((n, i) => {
    if (!n) return;
    const h = (n / tallest) * (axisY - 34);
    parts.push(
      `<rect class="bar" x="${r(LEFT + i * binW + 1)}" y="${r(axisY - h)}" width="${r(binW - 2)}" height="${r(h)}"><title>${n} sample(s) ${r((i * top) / BINS)}–${r(((i + 1) * top) / BINS)} ms</title></rect>`,
    );
  });
  m.samples.forEach((s, i) => {
    const over = m.budget !== null && s.value > m.budget;
    parts.push(
      `<circle class="dot${over ? ' over' : ''}" cx="${r(x(s.value))}" cy="${r(22 + ((i * 7) % 5) * 2)}" r="3"><title>${escapeHtml(`${s.scenario} #${s.run}: ${s.value} ms`)}</title></circle>`,
    );
  });
  for (const [name, v] of [
    ['p50', m.p50],
    ['p95', m.p95],
  ] as const) {
    if (v === null) continue;
    parts.push(
      `<line class="pct" x1="${r(x(v))}" x2="${r(x(v))}" y1="${axisY - 4}" y2="${axisY + 4}"/><text class="pct-label" x="${r(name === 'p50' ? x(v) - 3 : x(v) + 3)}" y="${axisY - 6}" text-anchor="${name === 'p50' ? 'end' : 'start'}">${name}</text>`,
    );
  }
  if (m.budget !== null) {
    const bx = x(m.budget);
    const left = bx > WIDTH / 2; // label on the side with room
    parts.push(
      `<line class="budget${m.withinBudget === false ? ' over' : ''}" x1="${r(bx)}" x2="${r(bx)}" y1="8" y2="${axisY}"/><text class="budget-label" x="${r(left ? bx - 4 : bx + 4)}" y="12" text-anchor="${left ? 'end' : 'start'}">budget p95 ≤ ${m.budget}</text>`,
    );
  }
  parts.push(`<line class="axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${axisY}" y2="${axisY}"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    parts.push(
      `<text class="tick" x="${r(x(v))}" y="${HEIGHT - 4}" text-anchor="${i === 0 ? 'start' : i === 4 ? 'end' : 'middle'}">${r(v)}${i === 4 ? ' ms' : ''}</text>`,
    );
  }
  return `<svg class="chart" role="img" aria-label="${escapeHtml(`${m.name}: ${m.count} samples, p95 ${m.p95 ?? '–'} ms`)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}">${parts.join('')}</svg>`;
}

/** 1, 2, 2.5, 5 × 10^n at or above v. */
function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function r(v: number): number {
  return Math.round(v * 10) / 10;
}
