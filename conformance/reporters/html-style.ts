/** The report page's stylesheet (inlined; its SHA-256 is in the page's CSP). System fonts only. */
export const HTML_STYLE = `
:root { --fail: #c62828; --warn: #b26a00; --pass: #2e7d32; --muted: #666; --line: #ddd; --bg2: #f6f7f9; --hl: #ffeb3b; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 0; color: #1d1d1f; background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 16px 20px 60px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 0; display: inline; }
code, pre, .mono, .num, .rid { font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; word-break: break-all; background: var(--bg2); padding: 8px; margin: 6px 0; border-radius: 4px; max-height: 420px; overflow: auto; }
a { color: #0b57d0; }
nav a { margin-right: 14px; }
.muted { color: var(--muted); }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 4px; color: #fff; font-weight: 600; margin-left: 8px; vertical-align: middle; font-size: 14px; }
.verdict.passed { background: var(--pass); } .verdict.failed { background: var(--fail); }
.verdict.interrupted { background: #8a6d00; } p.interrupted { color: #8a6d00; font-weight: 600; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 10px 0; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; word-break: break-all; }
.cmd { display: flex; align-items: flex-start; gap: 8px; margin: 6px 0; }
.cmd code { background: var(--bg2); padding: 4px 8px; border-radius: 4px; flex: 1; word-break: break-all; }
button.copy { font: inherit; font-size: 12px; padding: 3px 10px; cursor: pointer; border: 1px solid #bbb; border-radius: 4px; background: #fff; }
.offscreen { position: fixed; left: -9999px; top: 0; }
.badge { display: inline-block; min-width: 4.6em; text-align: center; padding: 0 6px; border-radius: 3px; font-size: 12px; font-weight: 600; color: #fff; background: #888; }
.badge.s-fail { background: var(--fail); } .badge.s-harness_error { background: #6a1b9a; } .badge.s-warn { background: var(--warn); }
.badge.s-pass { background: var(--pass); } .badge.s-skipped, .badge.s-not_observable { background: #9e9e9e; }
.counts span { margin-right: 12px; }
.filters { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; margin: 6px 0 10px; }
.filters label { cursor: pointer; user-select: none; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 4px 6px; border-bottom: 1px solid var(--line); }
th { font-weight: 600; background: var(--bg2); }
table.rules td.id { width: 250px; font-weight: 600; word-break: break-word; }
table.rules td.id .muted { font-weight: 400; font-size: 12.5px; }
table.rules td:nth-child(1), table.rules td:nth-child(2) { width: 1%; white-space: nowrap; }
table.rules details summary { cursor: pointer; }
ul.judgements { list-style: none; padding: 0; margin: 6px 0; }
ul.judgements > li { padding: 4px 0; border-top: 1px dotted var(--line); }
ul.evidence { margin: 2px 0 2px 18px; padding: 0; }
.metrics { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 14px; }
.metric { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.metric .head { display: flex; justify-content: space-between; gap: 8px; }
.metric .over-budget { color: var(--fail); font-weight: 600; } .metric .in-budget { color: var(--pass); }
svg.chart { display: block; max-width: 100%; height: auto; margin-top: 6px; }
svg .bar { fill: #c5d5ef; } svg .dot { fill: #0b57d0; fill-opacity: .65; } svg .dot.over { fill: var(--fail); }
svg .axis, svg .lane-line { stroke: #999; stroke-width: 1; } svg .grid { stroke: #eee; }
svg .budget { stroke: var(--pass); stroke-width: 2; stroke-dasharray: 5 3; } svg .budget.over { stroke: var(--fail); }
svg .pct { stroke: #333; stroke-width: 2; }
svg text { font: 11px system-ui, sans-serif; fill: #444; } svg .budget-label { fill: #333; font-weight: 600; }
details.scenario { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; padding: 6px 10px; }
details.scenario > summary { cursor: pointer; }
details.run { margin: 6px 0 6px 14px; }
details.run > summary { cursor: pointer; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
.problem { color: var(--fail); font-weight: 600; }
.timeline { margin: 8px 0; }
svg.tl-chart { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; background: #fff; cursor: crosshair; }
svg .lane { font-size: 11px; fill: #555; }
svg .mark { fill: #9e9e9e; } svg .mark.bar { fill: #e3ecfa; stroke: #7aa0dc; }
svg .t-audio { fill: #90caf9; } svg .t-speech { fill: #00897b; } svg .t-cancel { fill: #e65100; }
svg .t-tool { fill: #6a1b9a; } svg .t-close { fill: #37474f; } svg .t-error, svg .t-invalid { fill: var(--fail); }
svg .t-stop, svg .t-drop { fill: #d81b60; } svg .t-session { fill: #7aa0dc; } svg .t-response { fill: #5c6bc0; }
svg .t-transcript { fill: #8d6e63; }
svg .mark.hl { stroke: #000; stroke-width: 2; fill: var(--hl); }
.tl-toolbar { display: flex; gap: 16px; margin: 4px 0; font-size: 12.5px; }
.tl-scroll { max-height: 460px; overflow: auto; border: 1px solid var(--line); border-radius: 4px; }
table.tl-rows td, table.tl-rows th { padding: 2px 6px; font-size: 12.5px; }
table.tl-rows td.num { text-align: right; white-space: nowrap; }
table.tl-rows td.where { white-space: nowrap; color: var(--muted); }
table.tl-rows .rid { color: #999; margin-right: 8px; }
table.tl-rows tr.has-detail { cursor: pointer; }
table.tl-rows tr.chunk { display: none; } .timeline.chunks table.tl-rows tr.chunk, table.tl-rows tr.chunk.pinned { display: table-row; }
table.tl-rows tr.t-error td.what, table.tl-rows tr.t-invalid td.what { color: var(--fail); }
table.tl-rows tr.t-cancel .label, table.tl-rows tr.t-stop .label, table.tl-rows tr.t-drop .label, table.tl-rows tr.t-close .label, table.tl-rows tr.t-speech .label, table.tl-rows tr.t-tool .label { font-weight: 600; }
table.tl-rows tr.hl { background: var(--hl); outline: 2px solid #000; }
ul.violations { margin: 2px 0; color: var(--fail); }
p.error { color: var(--fail); }
`;
