/**
 * `--format markdown`: the report as GitHub-flavoured Markdown, to paste into an issue or a pull
 * request. Long lists are capped (an issue body holds 65,536 characters) with a count of the rest.
 *
 * Two kinds of data string, two escapings:
 * - values seen on the network or in flow logs (addresses, DNS/SNI names) go into code spans:
 *   nothing inside one is Markdown, HTML, an autolink, an @mention, an issue reference or math, so
 *   a name like `<img src=x onerror=alert(1)>` or `[click](javascript:…)` shows as the text it is;
 * - everything else (paths, endpoint names, rule titles, reasons, citations) is escaped text:
 *   Markdown punctuation gets a backslash and `&`, `<`, `>` become entities.
 * Both turn line breaks into spaces and show control and bidi characters as `\x1b` / `\u202e`.
 */
import type { RenderOptions, Report, ReportFinding, ReportFlow, ScanReport, TopTalker, TrafficPair } from './model.js';
import { FINDING_VERDICTS, FLOW_STATUS_LIST, VERDICT_LIST } from './model.js';
import {
  FINDINGS_CAP, LIST_CAP, VERDICT_TITLES, capList, changedFlows, flowsNotObserved, formatBytes, formatCount, formatInstant, formatSpan,
  formatTime, hostPort, inputsSpan, moreNote, oneLine, protoPorts, scanTargets, statusLabel, totalFlows,
} from './text.js';

/** Rows per traffic list and of flows not observed: a pasted report is read, not searched, and must fit an issue. */
const TRAFFIC_CAP = 20;
const FLOWS_CAP = 50;

/** Text that renders as itself in GFM, in a paragraph or a table cell. */
export function mdText(text: string): string {
  return oneLine(text)
    .replace(/[&<>]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : '&gt;'))
    .replace(/[\\`*_[\]|~#$]/g, '\\$&');
}

/**
 * A code span in a table cell: fenced with more backticks than the longest run inside, padded
 * with a space when the text starts or ends with a backtick or a space (CommonMark strips one),
 * and `|` written `\|`, which GFM tables turn back into `|` even inside code.
 */
export function mdCode(text: string): string {
  const body = oneLine(text).replaceAll('|', '\\|');
  if (body === '') return '';
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(body) && body.trim() !== '' ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A link target GitHub will follow: http(s) only, anything that could end the link percent-encoded. */
export function mdUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  return parsed.href.replace(/[^A-Za-z0-9\-._~:/?#@!$&*+,;=%[\]]/g, (ch) =>
    [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

function table(headers: readonly string[], right: readonly number[], rows: readonly (readonly string[])[]): string[] {
  const align = headers.map((_, i) => (right.includes(i) ? '---:' : '---'));
  return [`| ${headers.join(' | ')} |`, `| ${align.join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

const codes = (items: readonly string[]): string => (items.length === 0 ? '—' : items.map(mdCode).join(', '));
const texts = (items: readonly string[]): string => (items.length === 0 ? '—' : items.map(mdText).join(', '));
/** Times are ours when they parse; text that does not parse comes back as it was, so escape it. */
const time = (iso: string | null): string => mdText(formatTime(iso));
const instant = (iso: string | null): string => mdText(formatInstant(iso));

function address(ip: string | null, endpoint: string | null): string {
  if (ip === null) return endpoint === null ? '—' : mdText(endpoint);
  return endpoint === null ? mdCode(ip) : `${mdCode(ip)} (${mdText(endpoint)})`;
}

function server(ip: string | null, port: number | null, endpoint: string | null): string {
  if (ip === null && endpoint !== null) return mdText(port === null ? endpoint : `${endpoint}:${port}`);
  const hp = ip === null && port === null ? '—' : mdCode(hostPort(ip, port));
  return endpoint === null ? hp : `${hp} (${mdText(endpoint)})`;
}

function more(count: number, formats?: string): string[] {
  return count > 0 ? ['', `_${mdText(moreNote(count, formats))}_`] : [];
}

function header(report: Report): string[] {
  const c = report.classification;
  const span = inputsSpan(report.inputs);
  const classified = c.classified_at === null ? '' : `, classified ${instant(c.classified_at)}`;
  const out = ['# flowaudit report', '',
    `Generated ${instant(report.generated_at)}. Inventory ${mdText(c.inventory)}, packs ${texts(c.packs)}${classified}.`, '',
    `Traffic from ${span === null ? '—' : mdText(formatSpan(span.first, span.last))}.`, ''];
  const sum = report.summary;
  out.push('## Summary', '', ...table(['Connections', 'Count'], [1], [
    ...VERDICT_LIST.map((v) => [v, formatCount(sum[v])]), ['**total**', `**${formatCount(sum.connections)}**`]]));
  out.push('', ...table(['Documented flows', 'Count'], [1], [
    ...FLOW_STATUS_LIST.map((st) => [statusLabel(st), formatCount(sum.flows[st])]), ['**total**', `**${formatCount(totalFlows(sum))}**`]]));
  out.push('', '### Inputs', '');
  if (report.inputs.length === 0) return [...out, 'None.'];
  return [...out, ...table(['Path', 'Kind', 'Records read', 'Used', 'Rejected', 'Connections', 'First seen', 'Last seen'], [2, 3, 4, 5],
    report.inputs.map((i) => [mdText(i.path), mdText(i.kind), formatCount(i.records_read), formatCount(i.records_used), formatCount(i.records_rejected),
      formatCount(i.connections), time(i.first_seen), time(i.last_seen)]))];
}

function findingRow(f: ReportFinding, withChange: boolean): string[] {
  const names = [f.server_names.length > 0 ? codes(f.server_names) : '', f.client_names.length > 0 ? `client: ${codes(f.client_names)}` : '']
    .filter((t) => t !== '').join('; ');
  return [...(withChange ? [f.change === 'new' ? '**new**' : mdText(f.change ?? '—')] : []), mdCode(f.proto), address(f.client_ip, f.client_endpoint),
    server(f.server_ip, f.server_port, f.server_endpoint), names || '—', formatCount(f.connections), formatCount(f.packets), formatBytes(f.bytes),
    time(f.first_seen), time(f.last_seen), texts(f.flows)];
}

function findings(report: Report): string[] {
  const withChange = report.baseline !== undefined;
  const headers = [...(withChange ? ['Change'] : []), 'Proto', 'Client', 'Server', 'Names', 'Connections', 'Packets', 'Bytes', 'First seen', 'Last seen', 'Flows'];
  const right = [4, 5, 6].map((i) => i + (withChange ? 1 : 0));
  const out = ['', '## Findings'];
  for (const verdict of FINDING_VERDICTS) {
    const all = report.findings.filter((f) => f.verdict === verdict);
    out.push('', `### ${VERDICT_TITLES[verdict]} (${formatCount(all.length)})`, '');
    if (all.length === 0) {
      out.push('None.');
      continue;
    }
    const { shown, more: rest } = capList(all, FINDINGS_CAP);
    out.push(...table(headers, right, shown.map((f) => findingRow(f, withChange))), ...more(rest));
  }
  return out;
}

function citation(f: ReportFlow): string {
  const url = f.document_url === null ? null : mdUrl(f.document_url);
  const label = mdText(f.citation === '' ? 'document' : f.citation);
  return url === null ? label : `[${label}](${url})`;
}

function notObserved(report: Report): string[] {
  const all = flowsNotObserved(report);
  const out = ['', `## Flows not observed (${formatCount(all.length)})`, ''];
  if (all.length === 0) return [...out, 'None.'];
  const { shown, more: rest } = capList(all, FLOWS_CAP);
  return [...out, ...table(['Status', 'Flow', 'Title', 'From → To', 'Protocols / ports', 'Reason', 'Citation'], [], shown.map((f) => [
    statusLabel(f.status), mdText(f.id), mdText(f.title), `${texts(f.from)} → ${texts(f.to)}`, mdText(protoPorts(f.protocols, f.ports)),
    mdText(f.reason), citation(f)])), ...more(rest, 'json')];
}

/** One traffic list under the Traffic heading, capped at `cap` rows. */
function trafficList<T>(title: string, all: readonly T[], headers: readonly string[], right: readonly number[], row: (item: T) => string[], cap = TRAFFIC_CAP): string[] {
  const out = ['', `### ${title} (${formatCount(all.length)})`, ''];
  if (all.length === 0) return [...out, 'None.'];
  const { shown, more: rest } = capList(all, cap);
  return [...out, ...table(headers, right, shown.map(row)), ...more(rest, 'json')];
}

function pairs(title: string, all: readonly TrafficPair[]): string[] {
  return trafficList(title, all, ['Proto', 'Client', 'Server', 'Verdict', 'Connections', 'Packets', 'Bytes'], [4, 5, 6], (p) => [
    mdCode(p.proto), address(p.client_ip, p.client_endpoint), server(p.server_ip, p.server_port, p.server_endpoint), p.verdict,
    formatCount(p.connections), formatCount(p.packets), formatBytes(p.bytes)]);
}

function talkers(all: readonly TopTalker[]): string[] {
  return trafficList('Top talkers', all, ['Address', 'Bytes', 'Packets', 'Connections'], [1, 2, 3], (t) => [
    address(t.ip, t.endpoint), formatBytes(t.bytes), formatCount(t.packets), formatCount(t.connections)]);
}

/** Every scan is listed: the report keeps few of them. */
function scans(all: readonly ScanReport[]): string[] {
  return trafficList('Scans', all, ['Kind', 'Client', 'Server', 'Reached', 'Connections', 'Refused or unanswered', 'First seen', 'Last seen'], [4, 5], (x) => [
    `${x.kind} scan`, address(x.client_ip, x.client_endpoint), x.kind === 'port' ? address(x.server_ip, x.server_endpoint) : '(many)',
    mdText(scanTargets(x)), formatCount(x.connections), formatCount(x.refused_or_unanswered), formatTime(x.first_seen), formatTime(x.last_seen)], Infinity);
}

function traffic(report: Report): string[] {
  const t = report.traffic;
  return ['', '## Traffic', ...scans(t.scans), ...pairs('Rejected by flow logs', t.rejected), ...pairs('Admin ports (SSH 22, telnet 23, RDP 3389)', t.admin_ports),
    ...talkers(t.top_talkers), ...pairs('Top pairs', t.top_pairs)];
}

function baseline(report: Report): string[] {
  const b = report.baseline;
  if (b === undefined) return [];
  const when = b.generated_at === null ? '' : ` (generated ${instant(b.generated_at)})`;
  const out = ['', '## Baseline', '', `Compared with ${mdText(b.path)}${when}: **${formatCount(b.findings.new)} new**, ${formatCount(b.findings.gone)} gone, ` +
    `${formatCount(b.findings.unchanged)} unchanged findings; ${formatCount(b.flows_changed)} flow${b.flows_changed === 1 ? '' : 's'} changed.`];
  const changed = changedFlows(report);
  if (changed.length === 0) return out;
  const { shown, more: rest } = capList(changed, LIST_CAP);
  return [...out, '', ...table(['Flow', 'Was', 'Now'], [], shown.map((f) => [
    mdText(f.id), f.previous_status == null ? '(none)' : mdText(statusLabel(f.previous_status)), statusLabel(f.status)])), ...more(rest, 'json')];
}

/** The report as GitHub-flavoured Markdown. */
export function renderMarkdown(report: Report, _options: RenderOptions): string {
  return `${[...header(report), ...findings(report), ...notObserved(report), ...traffic(report), ...baseline(report)].join('\n')}\n`;
}
