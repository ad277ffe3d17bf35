// The report's inline stylesheet (no web fonts, no external resources).

/** CSS for the whole report. */
export const REPORT_CSS = `
:root { --fg:#1d2430; --muted:#6b7585; --line:#e3e7ee; --bg:#f6f8fb; --card:#fff; --accent:#0072B2; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif; color:var(--fg); background:var(--bg); }
header { padding:24px 32px 8px; }
h1 { margin:0 0 4px; font-size:22px; }
h2 { margin:0 0 12px; font-size:16px; }
.sub, .muted { color:var(--muted); }
main { padding:8px 32px 32px; display:grid; gap:20px; grid-template-columns:repeat(auto-fit,minmax(520px,1fr)); }
section { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:16px 18px; overflow-x:auto; }
section.wide { grid-column:1/-1; }
p.caption { margin:8px 0 0; font-size:12px; color:var(--muted); }
table.summary { border-collapse:collapse; width:100%; }
table.environment { border-collapse:collapse; font-size:13px; }
table.environment th { text-align:left; color:var(--muted); font-weight:600; padding:4px 12px 4px 0; }
table.environment td { padding:4px 0; }
table.summary th, table.summary td { padding:7px 10px; border-bottom:1px solid var(--line); text-align:left; white-space:nowrap; }
table.summary th { font-weight:600; color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.03em; }
.num { text-align:right !important; font-variant-numeric:tabular-nums; }
.neg { color:#b2182b; }
.swatch { display:inline-block; width:10px; height:10px; border-radius:50%; margin-right:8px; vertical-align:0; }
.verdict { padding:2px 8px; border-radius:10px; background:#eef1f5; font-size:12px; }
.verdict.pass { background:#dcf3e6; color:#0b6b3a; }
.verdict.warn { background:#fdf0d5; color:#8a5a00; }
.verdict.fail { background:#fbe0e0; color:#a11a1a; }
.histograms { display:grid; gap:12px; grid-template-columns:repeat(auto-fit,minmax(380px,1fr)); }
svg.chart { display:block; max-width:100%; height:auto; font-size:11px; }
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
`;
