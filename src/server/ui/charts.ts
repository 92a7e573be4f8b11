import { html, type Raw } from './html.js';

// Bar charts as SVG written on the server: no script, no style attribute (the
// page's CSP allows neither), colours as presentation attributes, a <title>
// on every bar for its figures. The drawing scales to the page's width.

/** One bar: its label (a period) and a value per series. */
export interface Bar {
  label: string;
  values: Map<string, number>;
}

/** Colours for up to eight series; a ninth and later are drawn as "other". */
export const PALETTE = ['#2a6fdb', '#e8833a', '#3aa655', '#c94f7c', '#8a63d2', '#c9a227', '#2bb3b1', '#7a7a7a'];
export const OTHER = 'other';

const W = 800;
const H = 220;
const LEFT = 72;
const BOTTOM = 30;
const TOP = 8;

/** 0, a round step above it, …: gridlines for values up to `max`. */
function ticks(max: number): number[] {
  if (max <= 0) return [0];
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
  const out: number[] = [];
  for (let v = 0; v <= max + step / 2; v += step) out.push(v);
  return out;
}

/**
 * Stacked bars, one per period, series in `order` (bottom first) coloured by
 * `colours`. `format` writes a value (axis and titles).
 */
export function stackedBars(
  title: string,
  bars: readonly Bar[],
  order: readonly string[],
  colours: ReadonlyMap<string, string>,
  format: (v: number) => string,
): Raw {
  const totals = bars.map((b) => [...b.values.values()].reduce((a, v) => a + v, 0));
  const max = Math.max(0, ...totals);
  const grid = ticks(max);
  const top = grid.at(-1) || 1;
  const plotW = W - LEFT - 8;
  const plotH = H - TOP - BOTTOM;
  const slot = plotW / Math.max(1, bars.length);
  const barW = Math.max(1, Math.min(40, slot * 0.75));
  const y = (v: number) => TOP + plotH - (v / top) * plotH;
  // Labels: as many as fit, evenly spaced (about 70 units apart).
  const every = Math.max(1, Math.ceil(84 / slot));
  const rects: Raw[] = [];
  bars.forEach((b, i) => {
    let base = 0;
    const x = LEFT + i * slot + (slot - barW) / 2;
    for (const key of order) {
      const v = b.values.get(key) ?? 0;
      if (v <= 0) continue;
      rects.push(
        html`<rect x="${x.toFixed(1)}" y="${y(base + v).toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0.5, y(base) - y(base + v)).toFixed(1)}" fill="${colours.get(key) ?? PALETTE[7]}"><title>${b.label} · ${key}: ${format(v)}</title></rect>`,
      );
      base += v;
    }
  });
  const axis = grid.map(
    (v) =>
      html`<line x1="${LEFT}" x2="${W - 8}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/><text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="13" fill="#666">${format(v)}</text>`,
  );
  const labels = bars.map((b, i) =>
    i % every === 0
      ? html`<text x="${(LEFT + i * slot + slot / 2).toFixed(1)}" y="${H - 10}" text-anchor="middle" font-size="13" fill="#666">${b.label}</text>`
      : html``,
  );
  return html`<figure class="chart"><figcaption>${title}</figcaption><div class="plot"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}" preserveAspectRatio="xMidYMid meet">${axis}${rects}${labels}</svg></div>
<ul class="legend">${order.map((k) => html`<li><svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${colours.get(k) ?? PALETTE[7]}"/></svg> ${k}</li>`)}</ul></figure>`;
}
