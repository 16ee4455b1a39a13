import { esc, Html } from './html.ts';

export interface Segment {
  name: string;
  /** A class from app.css (`good`, `warn`, `bad`, `info`, `neutral`), as the badges use. */
  tone: string;
  value: number;
}

/**
 * One horizontal bar per row (a model), split into named segments (how its runs ended), drawn
 * as SVG on the server; each bar is as long as its row's total, the longest the full width.
 * The figures are also in a table for screen readers.
 */
export function segmentedBars(title: string, rows: Array<{ label: string; segments: Segment[] }>, unit = ''): Html {
  const w = 640;
  const labelW = 150;
  const barH = 22;
  const gap = 10;
  const h = Math.max(1, rows.length) * (barH + gap) + gap;
  const max = Math.max(1, ...rows.map((r) => r.segments.reduce((s, x) => s + x.value, 0)));
  const scale = (w - labelW - 50) / max;
  const parts: string[] = [];
  rows.forEach((r, i) => {
    const y = gap + i * (barH + gap);
    parts.push(
      `<text x="${labelW - 8}" y="${y + barH * 0.7}" text-anchor="end" class="axis">${esc(clip(r.label, 22))}</text>`,
    );
    let x = labelW;
    for (const s of r.segments) {
      if (!s.value) continue;
      const bw = s.value * scale;
      parts.push(
        `<rect class="fill-${s.tone}" x="${x.toFixed(1)}" y="${y}" width="${bw.toFixed(1)}" height="${barH}"><title>${esc(`${r.label}: ${s.value}${unit} ${s.name}`)}</title></rect>`,
      );
      x += bw;
    }
    parts.push(
      `<text x="${(x + 6).toFixed(1)}" y="${y + barH * 0.7}" class="axis">${r.segments.reduce((a, s) => a + s.value, 0)}${esc(unit)}</text>`,
    );
  });
  const names = [
    ...new Map(
      rows
        .flatMap((r) => r.segments)
        .filter((s) => s.value)
        .map((s) => [s.name, s.tone]),
    ).entries(),
  ];
  const legend = names
    .map(
      ([name, tone]) =>
        `<span class="key"><span class="swatch fill-${tone}" aria-hidden="true"></span>${esc(name)}</span>`,
    )
    .join(' ');
  const table = `<div class="sr-only"><table><caption>${esc(title)}</caption><thead><tr><th scope="col">Model</th>${names.map(([n]) => `<th scope="col">${esc(n)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr><th scope="row">${esc(r.label)}</th>${names.map(([n]) => `<td>${r.segments.filter((s) => s.name === n).reduce((a, s) => a + s.value, 0)}${esc(unit)}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table></div>`;
  return new Html(
    `<figure class="chart"><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}" preserveAspectRatio="xMidYMid meet">${parts.join('')}</svg><div class="legend">${legend}</div>${table}</figure>`,
  );
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
