/**
 * HTML report (`--format html`): one self-contained HTML5 page. Inline CSS, an inline SVG diagram,
 * no script and nothing fetched; a Content-Security-Policy forbids scripts and every load but
 * inline styles and data: images, so even an escaping slip cannot run code or call out. The only
 * links leaving the page are the flows' document URLs, and only when they are http(s).
 * Every string from the report is escaped (escape.ts); the output is a pure function of the report.
 */
import type { Change, FindingVerdict, FlowStatus, RenderOptions, Report, ReportFinding, ReportFlow, ScanReport, TopTalker, TrafficPair, Verdict } from '../model.js';
import { changedFlows, formatBytes, formatCount, formatTime, scanTargets, statusLabel } from '../text.js';
import { CHANGE_LIST, FINDING_VERDICTS, FLOW_STATUS_LIST, VERDICT_LIST } from '../model.js';
import { isIcmpName } from '../proto-names.js';
import { renderDiagram } from './diagram.js';
import { html, join, raw, safeHref, type HtmlValue, type SafeHtml } from './escape.js';
import { STYLE } from './style.js';

/** Findings shown per verdict; the JSON and CSV reports carry all of them. */
export const MAX_FINDINGS_PER_VERDICT = 200;
/** Rows shown per traffic table. */
const MAX_TRAFFIC_ROWS = 100;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const plural = (n: number, word: string): string => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

function bytes(n: number): SafeHtml {
  return html`<span title="${formatCount(n)} bytes">${formatBytes(n)}</span>`;
}

const time = (t: string | null): SafeHtml => (t ? html`<span class="mono">${t.replace('T', ' ')}</span>` : html`<span class="muted">—</span>`);

function badge(kind: Verdict | FlowStatus, text?: string): SafeHtml {
  return html`<span class="badge k-${kind}">${text ?? statusLabel(kind)}</span>`;
}

const changeBadge = (change: Change | undefined): SafeHtml => (change ? html`<span class="ch ch-${change}">${change}</span>` : html``);

/** `10.0.0.1:443`, `[2001:db8::1]:443`; ICMP findings carry the code where the port would be. */
function address(ip: string | null, port: number | null, proto = ''): string {
  const host = ip ?? '(no address)';
  if (port === null) return host;
  if (isIcmpName(proto)) return `${host} code ${port}`;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function names(list: readonly string[], max = 4): HtmlValue {
  if (!list.length) return null;
  const more = list.length > max ? ` +${list.length - max} more` : '';
  return html`<div class="names" title="${list.join('\n')}">${list.slice(0, max).join(', ')}${more}</div>`;
}

function endpointLabel(endpoint: string | null): SafeHtml {
  return endpoint !== null ? html`<span class="ep">${endpoint}</span>` : html`<span class="muted">outside inventory</span>`;
}

function side(endpoint: string | null, ip: string | null, port: number | null, proto: string, nameList: readonly string[] = []): SafeHtml {
  return html`${endpointLabel(endpoint)}<br><code>${address(ip, port, proto)}</code>${names(nameList)}`;
}

interface Column { head: string; num?: boolean }
function table(columns: readonly Column[], rows: readonly SafeHtml[], cls = ''): SafeHtml {
  const head = columns.map((c) => html`<th${c.num ? raw(' class="num"') : ''}>${c.head}</th>`);
  return html`<div class="table-wrap"><table class="${cls}"><thead><tr>${head}</tr></thead><tbody>
${join(rows, raw('\n'))}
</tbody></table></div>`;
}

const td = (value: HtmlValue, cls = ''): SafeHtml => (cls ? html`<td class="${cls}">${value}</td>` : html`<td>${value}</td>`);
const tdNum = (n: number): SafeHtml => html`<td class="num">${formatCount(n)}</td>`;

function card(label: string, value: number, kind: Verdict | FlowStatus | Change | null): SafeHtml {
  const accent = kind === null ? '' : (CHANGE_LIST as readonly string[]).includes(kind) ? `chc-${kind}` : `k-${kind}`;
  const cls = ['card', accent, value === 0 ? 'zero' : ''].filter(Boolean).join(' ');
  return html`<div class="${cls}"><div class="n">${formatCount(value)}</div><div class="l">${label}</div></div>`;
}

function header(report: Report): SafeHtml {
  const c = report.classification;
  return html`<header class="top"><h1>flowaudit report</h1><p class="meta"><span>generated ${report.generated_at}</span><span>inventory <code>${c.inventory}</code></span><span>${plural(c.packs.length, 'rule pack')}: ${c.packs.join(', ')}</span>${c.classified_at ? html`<span>classified ${c.classified_at}</span>` : ''}</p></header>`;
}

function summary(report: Report): SafeHtml {
  const s = report.summary;
  const verdictCards = [card('connections', s.connections, null), ...VERDICT_LIST.map((v) => card(v, s[v], v))];
  const flowCards = FLOW_STATUS_LIST.map((st) => card(`flows ${statusLabel(st)}`, s.flows[st], st));
  const rows = report.inputs.map((i) => html`<tr${i.records_rejected > 0 ? raw(' class="rejected"') : ''}>${td(i.path, 'wrap mono')}${td(i.kind)}${tdNum(i.records_read)}${tdNum(i.records_used)}${tdNum(i.records_rejected)}${tdNum(i.connections)}${td(time(i.first_seen))}${td(time(i.last_seen))}</tr>`);
  const inputs = report.inputs.length
    ? table([{ head: 'Input' }, { head: 'Kind' }, { head: 'Records read', num: true }, { head: 'Used', num: true }, { head: 'Rejected', num: true }, { head: 'Connections', num: true }, { head: 'First seen' }, { head: 'Last seen' }], rows)
    : html`<p class="note">No inputs.</p>`;
  return html`<section id="summary"><h2>Summary</h2>
<p class="group-label">Connections by verdict</p><div class="cards">${verdictCards}</div>
<p class="group-label">Documented flows by status</p><div class="cards">${flowCards}</div>
<h3>Inputs</h3>${inputs}</section>`;
}

function diagram(report: Report): SafeHtml {
  return html`<section id="diagram"><h2>Flow diagram</h2><p class="note">Endpoints of the inventory and addresses outside it; documented flows by status and unexpected traffic between them. Hover an edge for its flows.</p><div class="diagram">${raw(renderDiagram(report))}</div></section>`;
}

function portsCell(flow: ReportFlow): SafeHtml {
  return html`${flow.protocols.join(', ') || 'any protocol'} <span class="mono">${flow.ports.length ? flow.ports.join(', ') : 'any port'}</span>`;
}

function citation(flow: ReportFlow): SafeHtml {
  const href = safeHref(flow.document_url);
  return href ? html`<a class="cite" href="${href}" rel="noopener noreferrer">${flow.citation || href}</a>` : html`${flow.citation}`;
}

function statusCell(flow: ReportFlow): SafeHtml {
  const prev = flow.previous_status;
  if (prev === undefined || prev === flow.status) return badge(flow.status);
  const was = prev === null ? html`<span class="muted">new flow</span>` : badge(prev);
  return html`${was}<span class="arrow">→</span>${badge(flow.status)}`;
}

function flows(report: Report): SafeHtml {
  const rows = report.flows.map((f) => {
    const extra = [f.requirement, f.direction, ...f.security].filter(Boolean).join(' · ');
    return html`<tr>${td(statusCell(f), `accent k-${f.status}`)}<td><code>${f.id}</code><br>${f.title}${extra ? html`<div class="names">${extra}</div>` : ''}</td><td><span class="ep">${f.from.join(', ')}</span><span class="arrow">→</span><span class="ep">${f.to.join(', ')}</span></td>${td(portsCell(f))}${tdNum(f.connections)}${td(f.reason, 'reason')}${td(citation(f), 'wrap')}</tr>`;
  });
  const body = rows.length
    ? table([{ head: 'Status' }, { head: 'Flow' }, { head: 'From → to' }, { head: 'Protocols / ports' }, { head: 'Connections', num: true }, { head: 'Reason' }, { head: 'Citation' }], rows)
    : html`<p class="note">No documented flows.</p>`;
  return html`<section id="flows"><h2>Documented flows <span class="muted">(${report.flows.length})</span></h2>${body}</section>`;
}

function findingRow(f: ReportFinding, withChange: boolean): SafeHtml {
  const evidence = f.evidence.join(', ');
  const flowIds = f.flows.length ? join(f.flows.map((id) => html`<code>${id}</code>`), raw('<br>')) : html`<span class="muted">—</span>`;
  const first = `accent k-${f.verdict}`;
  const cells = withChange ? html`${td(changeBadge(f.change), first)}${td(f.proto, 'mono')}` : td(f.proto, `${first} mono`);
  return html`<tr${f.change === 'gone' ? raw(' class="gone"') : ''}>${cells}${td(side(f.client_endpoint, f.client_ip, null, f.proto, f.client_names))}${td(side(f.server_endpoint, f.server_ip, f.server_port, f.proto, f.server_names))}${tdNum(f.connections)}${tdNum(f.packets)}<td class="num">${bytes(f.bytes)}</td>${td(time(f.first_seen))}${td(time(f.last_seen))}${td(flowIds, 'wrap')}${td(evidence, 'names')}</tr>`;
}

function findingGroup(report: Report, verdict: FindingVerdict): SafeHtml {
  const list = report.findings.filter((f) => f.verdict === verdict);
  const withChange = report.baseline !== undefined;
  const connections = list.reduce((sum, f) => sum + f.connections, 0);
  const changes = withChange ? CHANGE_LIST.map((c) => [c, list.filter((f) => f.change === c).length] as const).filter(([, n]) => n > 0) : [];
  const head = html`<h3 id="findings-${verdict}">${badge(verdict)} <span>${plural(list.length, 'finding')}, ${plural(connections, 'connection')}</span>${changes.map(([c, n]) => html` <span class="ch ch-${c}">${formatCount(n)} ${c}</span>`)}</h3>`;
  if (!list.length) return html`${head}<p class="note">None.</p>`;
  const columns: Column[] = [...(withChange ? [{ head: 'Change' }] : []), { head: 'Proto' }, { head: 'Client' }, { head: 'Server' }, { head: 'Connections', num: true }, { head: 'Packets', num: true }, { head: 'Bytes', num: true }, { head: 'First seen' }, { head: 'Last seen' }, { head: 'Flows' }, { head: 'Client decided by' }];
  const shown = list.slice(0, MAX_FINDINGS_PER_VERDICT);
  const note = list.length > shown.length ? html`<p class="note">Showing the first ${formatCount(shown.length)} of ${formatCount(list.length)} ${verdict} findings; the JSON and CSV reports list all of them.</p>` : '';
  return html`${head}${table(columns, shown.map((f) => findingRow(f, withChange)))}${note}`;
}

function findings(report: Report): SafeHtml {
  return html`<section id="findings"><h2>Findings <span class="muted">(${report.findings.length})</span></h2><p class="note">Connections grouped by verdict, protocol, client and server address and server port.</p>${FINDING_VERDICTS.map((v) => findingGroup(report, v))}</section>`;
}

function pairTable(pairs: readonly TrafficPair[]): SafeHtml {
  if (!pairs.length) return html`<p class="note">None recorded.</p>`;
  const rows = pairs.slice(0, MAX_TRAFFIC_ROWS).map((p) => html`<tr>${td(badge(p.verdict), `accent k-${p.verdict}`)}${td(p.proto, 'mono')}${td(side(p.client_endpoint, p.client_ip, null, p.proto))}${td(side(p.server_endpoint, p.server_ip, p.server_port, p.proto))}${tdNum(p.connections)}${tdNum(p.packets)}<td class="num">${bytes(p.bytes)}</td></tr>`);
  const note = pairs.length > MAX_TRAFFIC_ROWS ? html`<p class="note">Showing ${MAX_TRAFFIC_ROWS} of ${formatCount(pairs.length)}.</p>` : '';
  return html`${table([{ head: 'Verdict' }, { head: 'Proto' }, { head: 'Client' }, { head: 'Server' }, { head: 'Connections', num: true }, { head: 'Packets', num: true }, { head: 'Bytes', num: true }], rows)}${note}`;
}

function talkerTable(talkers: readonly TopTalker[]): SafeHtml {
  if (!talkers.length) return html`<p class="note">None recorded.</p>`;
  const rows = talkers.slice(0, MAX_TRAFFIC_ROWS).map((t) => html`<tr>${td(address(t.ip, null), 'mono')}${td(endpointLabel(t.endpoint))}<td class="num">${bytes(t.bytes)}</td>${tdNum(t.packets)}${tdNum(t.connections)}</tr>`);
  return table([{ head: 'Address' }, { head: 'Endpoint' }, { head: 'Bytes', num: true }, { head: 'Packets', num: true }, { head: 'Connections', num: true }], rows);
}

function scanTable(scans: readonly ScanReport[]): SafeHtml {
  if (!scans.length) return html`<p class="note">None found.</p>`;
  const rows = scans.map((x) => html`<tr>${td(badge('unexpected', `${x.kind} scan`), 'accent k-unexpected')}${td(side(x.client_endpoint, x.client_ip, null, x.proto))}${td(x.kind === 'port' ? side(x.server_endpoint, x.server_ip, null, x.proto) : html`<span class="muted">many</span>`)}${td(scanTargets(x))}${tdNum(x.connections)}${tdNum(x.refused_or_unanswered)}${td(formatTime(x.first_seen))}${td(formatTime(x.last_seen))}</tr>`);
  return table([{ head: 'Kind' }, { head: 'Client' }, { head: 'Server' }, { head: 'Reached' }, { head: 'Connections', num: true }, { head: 'Refused or unanswered', num: true }, { head: 'First seen' }, { head: 'Last seen' }], rows);
}

function traffic(report: Report): SafeHtml {
  const t = report.traffic;
  return html`<section id="traffic"><h2>Traffic</h2>
<h3>Scans <span class="muted">(${t.scans.length})</span></h3><p class="note">One client reaching 15 or more ports of one server, or one port of 25 or more servers (Zeek's thresholds).</p>${scanTable(t.scans)}
<h3>Rejected by the network <span class="muted">(${t.rejected.length})</span></h3><p class="note">Connections a flow log recorded as REJECT or deny.</p>${pairTable(t.rejected)}
<h3>Administrative ports <span class="muted">(${t.admin_ports.length})</span></h3><p class="note">SSH (22), telnet (23) and RDP (3389), whatever their verdict.</p>${pairTable(t.admin_ports)}
<h3>Top talkers</h3><p class="note">Addresses by bytes sent and received.</p>${talkerTable(t.top_talkers)}
<h3>Top pairs</h3><p class="note">Client and server pairs by bytes.</p>${pairTable(t.top_pairs)}</section>`;
}

function baseline(report: Report): SafeHtml {
  const b = report.baseline;
  if (!b) return html``;
  const changed = changedFlows(report);
  const rows = changed.map((f) => html`<tr>${td(html`<code>${f.id}</code>`)}${td(f.title)}${td(statusCell(f))}${tdNum(f.connections)}</tr>`);
  const list = rows.length ? table([{ head: 'Flow' }, { head: 'Title' }, { head: 'Previous → now' }, { head: 'Connections', num: true }], rows) : html`<p class="note">No flow changed status.</p>`;
  return html`<section id="baseline"><h2>Compared with the baseline</h2><p class="meta"><span>baseline <code>${b.path}</code></span>${b.generated_at ? html`<span>generated ${b.generated_at}</span>` : ''}</p>
<p class="group-label">Findings</p><div class="cards">${CHANGE_LIST.map((c) => card(c, b.findings[c], c))}${card('flows changed status', b.flows_changed, null)}</div>
<h3>Flows whose status changed <span class="muted">(${changed.length})</span></h3>${list}</section>`;
}

function nav(report: Report): SafeHtml {
  const links: [string, string][] = [['summary', 'Summary'], ['diagram', 'Diagram'], ['flows', `Flows (${report.flows.length})`], ['findings', `Findings (${report.findings.length})`], ['traffic', 'Traffic']];
  if (report.baseline) links.push(['baseline', 'Baseline']);
  return html`<nav class="toc">${links.map(([id, text]) => html`<a href="#${id}">${text}</a>`)}</nav>`;
}

/** The whole page. `options.color` is for terminals and does not apply. */
export function renderHtml(report: Report, _options: RenderOptions): string {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${raw(CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="flowaudit ${report.schema}">
<title>flowaudit report ${report.generated_at}</title>
<style>${raw(STYLE)}</style>
</head>
<body>
${header(report)}
${nav(report)}
<main>
${summary(report)}
${diagram(report)}
${flows(report)}
${findings(report)}
${traffic(report)}
${baseline(report)}
</main>
</body>
</html>
`.value;
}
