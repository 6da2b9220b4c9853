/**
 * The one stylesheet of the HTML report, inlined in a <style> element whose SHA-256 the
 * Content-Security-Policy names: no other style (and no script at all) can run in the page.
 */
export const INCIDENT_HTML_CSS = `
:root { color-scheme: light; --fail: #b71c1c; --warn: #8a5a00; --ok: #1b5e20; --muted: #555; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1a1a1a; background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.6em; margin: 0 0 8px; }
h2 { font-size: 1.25em; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 1.05em; margin: 18px 0 6px; }
.verdict { font-size: 1.1em; font-weight: 600; padding: 10px 14px; border-left: 6px solid var(--ok); background: #f3f8f3; }
.verdict.failing { border-color: var(--fail); background: #fdf2f2; }
.verdict.flood { border-color: var(--warn); background: #fdf8ec; }
.incomplete, .warning { border-left: 4px solid var(--warn); background: #fdf8ec; padding: 6px 12px; margin: 8px 0; }
.meta, .muted { color: var(--muted); }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.summary dt { font-weight: 600; }
dl.summary dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 0.92em; }
th, td { border: 1px solid #d0d0d0; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td, dd, li, p, h1, h2, h3 { overflow-wrap: anywhere; word-break: break-word; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
pre { background: #f6f8fa; border: 1px solid #e1e4e8; padding: 10px; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.88em; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
figure { margin: 8px 0; }
figcaption { color: var(--muted); font-size: 0.9em; }
svg.chart { width: 100%; height: auto; max-width: 880px; display: block; }
svg.chart text { font: 12px system-ui, sans-serif; fill: #333; }
svg.chart text.tick { font-size: 11px; }
a { color: #0b5cad; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  tr, figure, pre, .verdict { break-inside: avoid; }
  a { color: inherit; text-decoration: underline; }
  svg.chart { max-width: 100%; }
  .verdict, .incomplete, .warning, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
