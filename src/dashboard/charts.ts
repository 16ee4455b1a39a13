import { esc, Html } from './html.ts';

export interface Series {
  name: string;
  /** A class from app.css (`good`, `warn`, `bad`, `info`, `neutral`): the same colours as the badges. */
  tone: string;
  values: number[];
}

/**
 * Stacked columns, one per label (a day), generated as SVG on the server: no chart library and
 * nothing fetched at run time. The figures are also in a table for screen readers.
 */
export function stackedColumns(title: string, labels: string[], series: Series[], unit = ''): Html {
  const w = 640;
  const h = 200;
  const pad = 28;
  const totals = labels.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const col = (w - pad * 2) / Math.max(1, labels.length);
  const bars: string[] = [];
  labels.forEach((label, i) => {
    let y = h - pad;
    for (const s of series) {
      const v = s.values[i] ?? 0;
      if (!v) continue;
      const bh = ((h - pad * 2) * v) / max;
      y -= bh;
      bars.push(
        `<rect class="fill-${s.tone}" x="${(pad + i * col + col * 0.15).toFixed(1)}" y="${y.toFixed(1)}" width="${(col * 0.7).toFixed(1)}" height="${bh.toFixed(1)}"><title>${esc(`${label}: ${v}${unit} ${s.name}`)}</title></rect>`,
      );
    }
    if (labels.length <= 16 || i % 2 === 0)
      bars.push(
        `<text x="${(pad + i * col + col / 2).toFixed(1)}" y="${h - 8}" text-anchor="middle" class="axis">${esc(label.slice(5))}</text>`,
      );
  });
  const legend = series
    .map((s) => `<span class="key"><span class="swatch fill-${s.tone}" aria-hidden="true"></span>${esc(s.name)}</span>`)
    .join(' ');
  // A table will not shrink below its content: the screen readers' copy sits in a clipped box.
  const table = `<div class="sr-only"><table><caption>${esc(title)}</caption><thead><tr><th scope="col">Day</th>${series.map((s) => `<th scope="col">${esc(s.name)}</th>`).join('')}</tr></thead><tbody>${labels
    .map(
      (l, i) =>
        `<tr><th scope="row">${esc(l)}</th>${series.map((s) => `<td>${s.values[i] ?? 0}${esc(unit)}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table></div>`;
  return new Html(
    `<figure class="chart"><figcaption>${esc(title)} <span class="muted">(highest ${max.toFixed(max < 10 ? 2 : 0)}${esc(unit)})</span></figcaption><svg viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}" preserveAspectRatio="xMidYMid meet"><line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" class="axis-line"/>${bars.join('')}</svg><div class="legend">${legend}</div>${table}</figure>`,
  );
}

/** Horizontal bars with their values written out: for a few named things (spend per repository). */
export function labelledBars(
  title: string,
  rows: Array<{ label: string; value: number }>,
  format: (v: number) => string,
): Html {
  const max = Math.max(1e-9, ...rows.map((r) => r.value));
  const items = rows
    .map(
      (r) =>
        `<li><span class="bar-label">${esc(r.label)}</span><span class="bar"><span class="fill-info" style="width:${((100 * r.value) / max).toFixed(1)}%"></span></span><span class="bar-value">${esc(format(r.value))}</span></li>`,
    )
    .join('');
  return new Html(
    `<figure class="chart"><figcaption>${esc(title)}</figcaption><ul class="bars">${items || '<li>Nothing yet.</li>'}</ul></figure>`,
  );
}
