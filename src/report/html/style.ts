/**
 * Styles and colours of the HTML report. One colour per verdict / flow status, used by badges,
 * cards, table accents and the diagram alike (the diagram writes them as SVG attributes so it
 * stands alone when copied out of the page).
 */

/** Edge and badge kinds: the flow statuses plus the verdicts that are not a flow status. */
export type Kind = 'observed' | 'documented' | 'unexpected' | 'denied' | 'unanswered' | 'unobserved' | 'not_covered';

export const KIND_COLOUR: Record<Kind, string> = {
  observed: '#1a7f37',
  documented: '#1a7f37',
  unexpected: '#cf222e',
  denied: '#8250df',
  unanswered: '#bc4c00',
  unobserved: '#57606a',
  not_covered: '#8c959f',
};

/** Light tints behind badge and card text. */
const KIND_TINT: Record<Kind, string> = {
  observed: '#dafbe1',
  documented: '#dafbe1',
  unexpected: '#ffebe9',
  denied: '#fbefff',
  unanswered: '#fff1e5',
  unobserved: '#eaeef2',
  not_covered: '#f6f8fa',
};

const kindRules = (Object.keys(KIND_COLOUR) as Kind[])
  .map((k) => `.k-${k}{--k:${KIND_COLOUR[k]};--kt:${KIND_TINT[k]}}`)
  .join('\n');

export const STYLE = `
:root{color-scheme:light;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#ffffff;--panel:#f6f8fa;--link:#0969da}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}
header.top{padding:20px 32px 12px;border-bottom:1px solid var(--line);background:var(--panel)}
header.top h1{margin:0 0 4px;font-size:22px}
.meta{color:var(--muted);font-size:13px;margin:0}
.meta span+span::before{content:" · "}
nav.toc{display:flex;flex-wrap:wrap;gap:4px 16px;padding:8px 32px;border-bottom:1px solid var(--line);font-size:13px}
main{padding:8px 32px 32px;max-width:1400px}
section{margin-top:28px}
h2{font-size:18px;margin:0 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:18px 0 8px;display:flex;align-items:center;gap:8px}
a{color:var(--link)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px}
.muted{color:var(--muted)}
.note{color:var(--muted);font-size:13px;margin:6px 0}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0 14px}
.card{min-width:130px;padding:8px 12px;border:1px solid var(--line);border-left:5px solid var(--k,var(--line));border-radius:6px;background:var(--kt,var(--panel))}
.card .n{font-size:22px;font-weight:650;line-height:1.2}
.card .l{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.card.zero{background:var(--bg);border-left-color:var(--line)}
.card.zero .n{color:var(--muted)}
.group-label{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em;margin:10px 0 0}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}
th{background:var(--panel);font-weight:600;white-space:nowrap}
thead{display:table-header-group}
tr{break-inside:avoid}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.accent{border-left:4px solid var(--k)}
tr.rejected td{background:#fff8f7}
tr.gone td{color:var(--muted);background:#fafbfc}
tr.gone td .ep{font-weight:500}
.card.chc-new{--k:#cf222e;--kt:#fff}
.card.chc-gone{--k:#8c959f;--kt:#fff}
.card.chc-unchanged{--k:#d1d9e0;--kt:#fff}
.badge{display:inline-block;padding:0 7px;border-radius:10px;border:1px solid var(--k,var(--line));background:var(--kt,var(--panel));color:var(--k,var(--fg));font-size:12px;font-weight:600;white-space:nowrap}
.ch{display:inline-block;padding:0 6px;border-radius:4px;font-size:11px;font-weight:600;border:1px solid;white-space:nowrap}
.ch-new{color:#cf222e;border-color:#cf222e;background:#fff}
.ch-gone{color:#57606a;border-color:#8c959f;background:#eaeef2;text-decoration:line-through}
.ch-unchanged{color:#59636e;border-color:#d1d9e0;background:#fff}
.names{color:var(--muted);font-size:12px;overflow-wrap:anywhere}
.ep{font-weight:600}
.arrow{color:var(--muted);padding:0 3px}
.wrap{overflow-wrap:anywhere}
.reason{max-width:340px}
.diagram{border:1px solid var(--line);border-radius:6px;padding:8px;background:#fff;overflow-x:auto}
.diagram svg{display:block;margin:0 auto;max-width:100%;height:auto}
.diagram .edge:hover path{stroke-width:4}
.diagram .edge text,.diagram .node text{font-family:system-ui,"DejaVu Sans",sans-serif}
@media print{
  @page{margin:12mm}
  nav.toc{display:none}
  header.top,main{padding-left:0;padding-right:0;max-width:none}
  header.top{background:none}
  body{font-size:10.5px}
  table{font-size:9.5px}
  th,td{padding:3px 5px}
  code,.mono{font-size:9px}
  .names,.badge,.ch{font-size:8.5px}
  .card{min-width:0;padding:4px 8px}
  .card .n{font-size:16px}
  .table-wrap{overflow:visible}
  td{overflow-wrap:break-word}
  th{white-space:normal}
  h2,h3{break-after:avoid}
  .cards,.diagram{break-inside:avoid}
  .diagram{border:none;padding:0}
}
${kindRules}
`;
