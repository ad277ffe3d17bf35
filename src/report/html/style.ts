// The report's inline stylesheet (no web fonts, no external resources); on phones it reflows to the screen's width.

/** CSS for the whole report. */
export const REPORT_CSS = `
:root { --fg:#1d2430; --muted:#6b7585; --line:#e3e7ee; --bg:#f6f8fb; --card:#fff; --accent:#0072B2; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif; color:var(--fg); background:var(--bg); }
header { padding:24px 32px 8px; }
h1 { margin:0 0 4px; font-size:22px; }
h2 { margin:0 0 12px; font-size:16px; }
.sub, .muted { color:var(--muted); }
main { padding:8px 32px 32px; display:grid; gap:20px; grid-template-columns:repeat(auto-fit,minmax(min(520px,100%),1fr)); }
section { min-width:0; background:var(--card); border:1px solid var(--line); border-radius:10px; padding:16px 18px; overflow-x:auto; }
section.wide { grid-column:1/-1; }
p.caption { margin:8px 0 0; font-size:12px; color:var(--muted); }
.table-scroll { overflow-x:auto; }
table.summary { border-collapse:collapse; width:100%; }
table.task-metrics { border-collapse:collapse; width:100%; font-size:14px; }
table.task-metrics th, table.task-metrics td { padding:6px 10px; border-bottom:1px solid var(--line); text-align:left; white-space:nowrap; }
table.task-metrics th { font-weight:600; color:var(--muted); font-size:12px; }
table.environment { border-collapse:collapse; font-size:13px; }
table.environment th { text-align:left; color:var(--muted); font-weight:600; padding:4px 12px 4px 0; }
table.environment td { padding:4px 0; overflow-wrap:anywhere; }
table.summary th, table.summary td { padding:7px 10px; border-bottom:1px solid var(--line); text-align:left; white-space:nowrap; }
table.summary td[data-label=verdict] { white-space:normal; min-width:15em; }
table.summary th { font-weight:600; color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.03em; }
.num { text-align:right !important; font-variant-numeric:tabular-nums; }
.neg { color:#b2182b; }
.swatch { display:inline-block; width:10px; height:10px; border-radius:50%; margin-right:8px; vertical-align:0; }
.verdict { display:inline-block; padding:2px 8px; border-radius:10px; background:#eef1f5; font-size:12px; }
.verdict.pass { background:#dcf3e6; color:#0b6b3a; }
.verdict.warn { background:#fdf0d5; color:#8a5a00; }
.verdict.fail { background:#fbe0e0; color:#a11a1a; }
.histograms { display:grid; gap:12px; grid-template-columns:repeat(auto-fit,minmax(min(380px,100%),1fr)); }
svg.chart { display:block; max-width:100%; height:auto; font-size:11px; }
/* Charts scale down to their card; the 960-wide per-layer chart stops at 600 px (legible names) and scrolls inside its card. */
svg.chart[data-chart="layer-sqnr"] { min-width:600px; }
svg .grid { stroke:#eef0f4; }
svg .axis-line { stroke:#9aa3b2; }
svg .tick { fill:var(--muted); font-size:11px; }
svg .axis { fill:var(--fg); font-size:12px; }
svg .title { fill:var(--fg); font-size:13px; font-weight:600; }
svg .label { fill:var(--fg); font-size:12px; font-weight:600; }
svg .value { fill:var(--muted); font-size:10px; }
svg .front { fill:none; stroke:#444; stroke-width:1.5; stroke-dasharray:5 4; }
svg .legend-dot { fill:#ccd3de; stroke:#9aa3b2; }
svg .marker { stroke:#222; stroke-width:1; stroke-dasharray:3 3; }
svg .bar rect { fill:#8fb8de; }
svg .bar.hot rect { fill:#d6604d; }
svg .bar.hot text.tick { fill:#b2182b; font-weight:600; }
svg .cell { fill:#1d2430; font-size:11px; }
svg .cell.light { fill:#fff; }
footer { padding:0 32px 24px; font-size:12px; color:var(--muted); }
@media (max-width:600px) {
  header { padding:16px 14px 4px; }
  h1 { font-size:19px; }
  main { padding:8px 10px 20px; gap:12px; }
  section { padding:12px; }
  footer { padding:0 14px 16px; }
  /* The summary table becomes one card per variant: name on top, then 'heading  value' lines. */
  table.summary thead { position:absolute; width:1px; height:1px; overflow:hidden; clip-path:inset(50%); }
  table.summary, table.summary tbody, table.summary tr { display:block; width:100%; }
  table.summary tr { padding:6px 0; border-bottom:1px solid var(--line); }
  table.summary td { display:flow-root; padding:3px 0; border:0; white-space:normal; text-align:right !important; }
  table.summary td::before { content:attr(data-label); float:left; margin-right:12px; color:var(--muted); font-size:12px; line-height:1.7; }
  table.summary td.variant { text-align:left !important; font-weight:600; }
  table.summary td.variant::before { content:none; }
  table.summary .verdict { max-width:70%; text-align:left; }
}
`;
