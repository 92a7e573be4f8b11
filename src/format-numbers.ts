// Numbers as people read them, the same in the terminal and in the browser.

/** A count in a few characters: "950", "1.2k", "34k", "3.4M", "1.2B". */
export function formatCount(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1e6) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)}M`;
  return `${(n / 1e9).toFixed(1)}B`;
}

/** Dollars: "$0.0123" under a dollar, "$12.34" above, "$1,234" from a thousand. */
export function formatDollars(n: number): string {
  if (n >= 1000) return `$${Math.round(n).toLocaleString('en-US')}`;
  return `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;
}

/** A long span: "45 s", "12 min", "3 h 05 min", "2 d 4 h". */
export function formatSpan(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${String(min % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A total cost: "$1.23", "~$1.23" when all of it is reckoned from list prices, "+ 2 unpriced replies" for those without a price ("unpriced" when no reply has one). */
export function formatCostTotal(t: { cost: number; estimated: number; unpriced: number }): string {
  if (t.cost === 0 && t.unpriced > 0) return 'unpriced';
  const approx = t.estimated > 0 && t.estimated === t.cost ? '~' : '';
  const part = t.estimated > 0 && t.estimated < t.cost ? ` (~${formatDollars(t.estimated)} of it reckoned from list prices)` : '';
  const left = t.unpriced ? ` + ${t.unpriced} unpriced repl${t.unpriced === 1 ? 'y' : 'ies'}` : '';
  return `${approx}${formatDollars(t.cost)}${part}${left}`;
}

/** A size in bytes as people read it: "812 B", "120 KB", "3.4 MB" (1 KB = 1024 bytes). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}
