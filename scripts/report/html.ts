/**
 * HTML building blocks of the report: escaping, tables, sections, stat cards
 * and the page itself with its stylesheet. The page is self-contained: one
 * file, inline CSS, inline SVG and data-URI images, no scripts, no fonts, no
 * network requests.
 */

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

/** Raw HTML that must not be escaped again (built by these helpers). */
export class Html {
  constructor(readonly html: string) {}
}

/** A cell: plain text (escaped) or prebuilt Html. */
export type Cell = string | number | Html;

function cellHtml(cell: Cell): string {
  return cell instanceof Html ? cell.html : escapeHtml(String(cell));
}

export interface TableOptions {
  /** 'right' for numeric columns; default 'left'. */
  align?: ('left' | 'right')[];
  className?: string;
  caption?: string;
}

/** A table with a header row. */
export function htmlTable(headers: readonly Cell[], rows: readonly (readonly Cell[])[], options: TableOptions = {}): string {
  const cls = (i: number): string => (options.align?.[i] === 'right' ? ' class="num"' : '');
  const head = headers.map((h, i) => `<th${cls(i)}>${cellHtml(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((c, i) => `<td${cls(i)}>${cellHtml(c)}</td>`).join('')}</tr>`).join('\n');
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : '';
  return `<table class="${options.className ?? 'data'}">${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A two-column table of name / value pairs. */
export function keyValueTable(title: string, pairs: readonly (readonly [string, Cell])[]): string {
  const rows = pairs.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${cellHtml(v)}</td></tr>`).join('');
  return `<table class="kv"><caption>${escapeHtml(title)}</caption><tbody>${rows}</tbody></table>`;
}

/** A headline number: "99.12%" over "test accuracy". */
export function statCard(value: string, label: string, accent = false): string {
  return `<div class="stat${accent ? ' accent' : ''}"><div class="value">${escapeHtml(value)}</div><div class="label">${escapeHtml(label)}</div></div>`;
}

/** A section with a heading, an optional intro sentence and its content. */
export function section(id: string, title: string, body: string, intro?: string): string {
  const lead = intro ? `<p class="intro">${escapeHtml(intro)}</p>` : '';
  return `<section id="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2>${lead}${body}</section>`;
}

/** A chart (inline SVG) in a figure card. */
export function chartFigure(svg: string, caption?: string): string {
  const cap = caption ? `<figcaption>${escapeHtml(caption)}</figcaption>` : '';
  return `<figure class="chart">${svg}${cap}</figure>`;
}

const STYLE = `
:root { --ink: #1c2530; --muted: #5b6675; --line: #e3e8ee; --bg: #f5f7fa; --card: #ffffff; --accent: #1f5fa8; --good: #2f8f46; --bad: #c2410c; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { background: linear-gradient(135deg, #18324f, #1f5fa8); color: #fff; padding: 28px 40px 24px; }
header h1 { margin: 0 0 4px; font-size: 26px; font-weight: 650; letter-spacing: -0.01em; }
header p { margin: 0; opacity: 0.85; overflow-wrap: anywhere; }
header p.kicker { font-size: 12px; text-transform: uppercase; letter-spacing: 0.06em; opacity: 0.75; margin: 0 0 4px; }
header p.folder { font-size: 12px; opacity: 0.75; margin: 0 0 10px; }
header p.folder code { font-size: 12px; }
header p.whose { opacity: 1; margin: 0 0 10px; }
header p.whose span { display: inline-block; font-weight: 600; background: rgba(255, 255, 255, 0.16); border: 1px solid rgba(255, 255, 255, 0.35); border-radius: 14px; padding: 2px 12px; }
header p.whose span.yours { background: #2f8f46; border-color: #7fd19a; }
header code { background: rgba(255, 255, 255, 0.14); padding: 1px 6px; border-radius: 4px; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 40px 48px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px; margin: 0 0 22px; }
h2 { margin: 0 0 6px; font-size: 18px; font-weight: 650; }
p.intro, p.muted { color: var(--muted); margin: 0 0 14px; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 14px; margin: 0 0 22px; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px; }
.stat .value { font-size: 22px; white-space: nowrap; font-weight: 650; font-variant-numeric: tabular-nums; }
.stat .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.stat.accent { border-color: var(--good); box-shadow: inset 4px 0 0 var(--good); }
.stat.accent .value { color: var(--good); }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(300px, 100%), 1fr)); gap: 18px 28px; align-items: start; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 650; padding: 0 0 6px; }
table.kv { width: 100%; }
table.kv th { text-align: left; font-weight: 500; color: var(--muted); padding: 3px 12px 3px 0; white-space: nowrap; width: 45%; }
table.kv td { padding: 3px 0; }
table.data { width: 100%; }
table.data th { text-align: left; font-weight: 600; font-size: 12px; color: var(--muted); border-bottom: 2px solid var(--line); padding: 6px 10px; }
table.data td { border-bottom: 1px solid var(--line); padding: 5px 10px; white-space: nowrap; }
table.data tbody tr:hover { background: #f8fafc; }
.num { text-align: right !important; }
td.good { color: var(--good); } td.bad { color: var(--bad); }
figure { margin: 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(480px, 100%), 1fr)); gap: 18px; }
.charts .epochs { grid-column: 1 / -1; overflow-x: auto; }
.charts .epochs table.data th, .charts .epochs table.data td { padding: 5px 7px; }
figure.chart { border: 1px solid var(--line); border-radius: 8px; padding: 10px; overflow-x: auto; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figure.chart figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; }
.confusion { display: grid; grid-template-columns: auto 1fr; gap: 24px; align-items: start; }
.digit-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(84px, 1fr)); gap: 10px; }
figure.digit { text-align: center; border: 1px solid var(--line); border-radius: 6px; padding: 6px 2px 4px; background: #fff; }
figure.digit img, figure.filter img { image-rendering: pixelated; image-rendering: crisp-edges; display: block; margin: 0 auto; }
figure.digit figcaption { font-size: 13px; font-weight: 600; line-height: 1.3; }
figure.digit .true { color: var(--good); } figure.digit .pred { color: var(--bad); }
figure.digit small { display: block; color: var(--muted); font-weight: 400; font-size: 10.5px; }
.filter-grid { display: flex; flex-wrap: wrap; gap: 10px; }
figure.filter { text-align: center; }
figure.filter img { border: 1px solid var(--line); }
figure.filter figcaption { font-size: 11px; color: var(--muted); }
.legend-swatch { display: inline-block; width: 120px; height: 10px; vertical-align: middle; border: 1px solid var(--line); background: linear-gradient(90deg, #2166ac, #ffffff, #b2182b); margin: 0 6px; }
figure.digit .top3 { display: grid; gap: 1px; margin-top: 3px; padding: 0 4px; }
.top3 .top { display: grid; grid-template-columns: 0.9em 1fr 2.4em; gap: 3px; align-items: center; font-size: 10px; color: var(--muted); }
.top3 .bar { height: 5px; background: var(--line); border-radius: 2px; overflow: hidden; }
.top3 .bar span { display: block; height: 100%; background: var(--bad); }
.top3 .is-true .bar span { background: var(--good); } .top3 .is-true b { color: var(--good); }
.top3 i { font-style: normal; text-align: right; }
.scroll { overflow-x: auto; max-width: 100%; }
/* A table wider than its box scrolls; a shadow on the side where more of it is shows that it does. */
.scroll { background: linear-gradient(90deg, #fff 30%, rgba(255, 255, 255, 0)) left / 24px 100% no-repeat local, linear-gradient(270deg, #fff 30%, rgba(255, 255, 255, 0)) right / 24px 100% no-repeat local, radial-gradient(farthest-side at 0 50%, rgba(0, 0, 0, 0.18), transparent) left / 10px 100% no-repeat scroll, radial-gradient(farthest-side at 100% 50%, rgba(0, 0, 0, 0.18), transparent) right / 10px 100% no-repeat scroll; }
.feature-maps { display: grid; grid-template-columns: auto 1fr; gap: 20px; align-items: start; }
.layer-maps h3 { font-size: 13px; margin: 10px 0 4px; }
.map-grid { display: flex; flex-wrap: wrap; gap: 4px; }
.map-grid img { image-rendering: pixelated; border: 1px solid var(--line); }
@media (max-width: 600px) {
  header { padding: 20px 16px; }
  header h1 { font-size: 21px; }
  main { padding: 16px 10px 32px; }
  section { padding: 14px 12px; }
  .confusion, .feature-maps { grid-template-columns: minmax(0, 1fr); }
  .stats { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .map-grid img { width: 44px; height: 44px; }
  table.data th { white-space: normal; vertical-align: bottom; }
  table.data th, table.data td, .charts .epochs table.data th, .charts .epochs table.data td { padding: 4px 5px; }
  table.data td { font-size: 13px; }
  table.network td:nth-child(2) { white-space: normal; }
}
footer { color: var(--muted); font-size: 12px; text-align: center; padding: 0 0 32px; }
`;

/** What the page's header says: the title is text, `whose`, `folder` and `subtitle` are HTML built by the helpers above. */
export interface PageOptions {
  /** A small line above the title ("MNIST training report"). */
  kicker: string;
  title: string;
  /** Whose network it is, as a badge under the title; empty for none. */
  whose: string;
  /** The run folder's name, in small text under the title. */
  folder: string;
  subtitle: string;
  stats: string;
  body: string;
  footer: string;
}

/** The whole document. */
export function page(options: PageOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${options.title} – ${options.kicker}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<p class="kicker">${escapeHtml(options.kicker)}</p>
<h1>${escapeHtml(options.title)}</h1>
<p class="folder">${options.folder}</p>
${options.whose === '' ? '' : `<p class="whose">${options.whose}</p>`}
<p class="subtitle">${options.subtitle}</p>
</header>
<main>
<div class="stats">${options.stats}</div>
${options.body}
</main>
<footer>${options.footer}</footer>
</body>
</html>
`;
}
