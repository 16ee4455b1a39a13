/** The dashboard's stylesheet and script, served by the app itself: nothing is fetched from a CDN. */
export const APP_CSS = `
:root { --fg: #1b1f24; --muted: #57606a; --bg: #ffffff; --line: #d0d7de; --link: #0550ae; --good: #116329; --good-bg: #dafbe1; --warn: #7d4e00; --warn-bg: #fff8c5; --bad: #a40e26; --bad-bg: #ffebe9; --info: #0550ae; --info-bg: #ddf4ff; --neutral: #424a53; --neutral-bg: #eaeef2; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--link); }
a:focus-visible, button:focus-visible, select:focus-visible, input:focus-visible, summary:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; } .skip:focus { left: 8px; background: #fff; padding: 4px 8px; z-index: 2; }
header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 10px 16px; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; text-decoration: none; color: var(--fg); }
nav { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; }
nav form { display: inline; }
.who { color: var(--muted); }
main { padding: 12px 16px 48px; max-width: 1200px; margin: 0 auto; }
h1 { font-size: 1.4rem; overflow-wrap: anywhere; } h2 { font-size: 1.1rem; margin-top: 1.6em; } h3 { font-size: 1rem; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.notice { background: var(--warn-bg); color: var(--warn); padding: 8px 16px; margin: 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 0.85em; font-weight: 600; white-space: nowrap; }
.good { color: var(--good); background: var(--good-bg); } .warn { color: var(--warn); background: var(--warn-bg); } .bad { color: var(--bad); background: var(--bad-bg); }
.info { color: var(--info); background: var(--info-bg); } .neutral { color: var(--neutral); background: var(--neutral-bg); }
.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: end; }
select, input, button { font: inherit; padding: 4px 8px; max-width: 100%; }
button { cursor: pointer; border: 1px solid var(--line); background: #f6f8fa; border-radius: 6px; color: var(--fg); }
button.link { border: none; background: none; color: var(--link); text-decoration: underline; padding: 0; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.wrap { overflow-wrap: anywhere; min-width: 8em; }
.pager { display: flex; gap: 16px; margin-top: 12px; }
.meta { overflow-wrap: anywhere; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; }
.phases { display: flex; flex-wrap: wrap; gap: 6px; list-style: none; padding: 0; }
.phases li { padding: 2px 10px; border-radius: 10px; background: var(--neutral-bg); color: var(--neutral); }
.phases li.seen { background: var(--good-bg); color: var(--good); } .phases li.current { background: var(--info-bg); color: var(--info); font-weight: 700; }
.plan { list-style: none; padding-left: 0; } .plan li::before { content: "○ "; } .plan li.completed::before { content: "✓ "; } .plan li.in_progress::before { content: "▶ "; }
.events { list-style: none; padding: 0; } .ev { padding: 6px 0; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
.ev .who { font-weight: 600; margin-right: 6px; } .ev .text { white-space: pre-wrap; margin: 4px 0; }
.ev pre, .ev code { white-space: pre-wrap; overflow-wrap: anywhere; } pre { background: #f6f8fa; padding: 8px; max-height: 420px; overflow: auto; }
.ok { color: var(--good); } .fail { color: var(--bad); }
.diff { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
.diff td { border: none; padding: 0 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
.diff td.ln { color: var(--muted); text-align: right; width: 3.5em; user-select: none; }
.diff tr.add td.code, .diff td.code.add { background: #e6ffec; } .diff tr.del td.code, .diff td.code.del { background: #ffebe9; }
.diff td.code.empty { background: #f6f8fa; } .diff tr.hunk td { color: var(--info); background: var(--info-bg); }
.tok-k { color: #8250df; font-weight: 600; } .tok-s { color: #0a3069; } .tok-c { color: #57606a; font-style: italic; } .tok-n { color: #0550ae; }
.stats { display: flex; flex-wrap: wrap; gap: 12px 24px; list-style: none; padding: 0; } .stat { display: block; font-size: 1.5rem; font-weight: 700; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr)); gap: 16px; }
.chart { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; min-width: 0; }
.chart svg { width: 100%; height: auto; display: block; }
.axis { font-size: 11px; fill: var(--muted); } .axis-line { stroke: var(--line); }
.fill-good { fill: #2da44e; background: #2da44e; } .fill-warn { fill: #bf8700; background: #bf8700; } .fill-bad { fill: #cf222e; background: #cf222e; } .fill-info { fill: #0969da; background: #0969da; } .fill-neutral { fill: #8c959f; background: #8c959f; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 0.85em; } .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.bars { list-style: none; padding: 0; } .bars li { display: grid; grid-template-columns: minmax(0, 2fr) 3fr auto; gap: 8px; align-items: center; }
.bar-label { overflow-wrap: anywhere; } .bar { background: var(--neutral-bg); height: 10px; } .bar span { display: block; height: 10px; }
.signin { max-width: 420px; } .signin form { display: grid; gap: 8px; margin: 12px 0; }
@media (max-width: 600px) { table.runs thead { display: none; } table.runs tr { display: block; border-bottom: 1px solid var(--line); padding: 6px 0; } table.runs td { display: inline-block; border: none; padding: 2px 8px 2px 0; } }
`;

export const APP_JS = `
(() => {
  const events = document.getElementById('events');
  if (events && events.dataset.live === 'run') {
    const from = Number(events.dataset.from || 0);
    const source = new EventSource('/dashboard/api/runs/' + events.dataset.run + '/events?from=' + from);
    source.addEventListener('item', (m) => {
      const data = JSON.parse(m.data);
      const stream = document.getElementById('streaming');
      if (stream) stream.remove();
      events.insertAdjacentHTML('beforeend', data.html);
      events.dataset.from = String(data.seq);
    });
    source.addEventListener('delta', (m) => {
      const data = JSON.parse(m.data);
      let el = document.getElementById('streaming');
      if (!el) {
        el = document.createElement('li');
        el.id = 'streaming';
        el.className = 'ev msg';
        el.innerHTML = '<span class="who">Model</span><p class="text"></p>';
        events.appendChild(el);
      }
      el.querySelector('.text').textContent += data.delta;
    });
    // The run's last event: the page is drawn again once, with its result (it is not live then).
    source.addEventListener('done', () => { source.close(); setTimeout(() => location.reload(), 500); });
  }
  const list = document.querySelector('table[data-live="list"] tbody');
  if (list) {
    const source = new EventSource('/dashboard/api/stream');
    // A burst of changes (many runs at once) is one refresh, at most every second.
    let timer = null;
    const refresh = async () => {
      timer = null;
      const res = await fetch(location.href, { headers: { accept: 'text/html' } });
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      const fresh = doc.querySelector('table[data-live="list"] tbody');
      if (fresh) list.innerHTML = fresh.innerHTML;
    };
    source.addEventListener('changed', () => { if (!timer) timer = setTimeout(refresh, 1000); });
  }
})();
`;
