/**
 * `--format table`: the report for a terminal. Aligned columns, long cells cut with `…`, long lists
 * capped with a count of the rest, ANSI colour only when the CLI asks for it (a TTY without
 * NO_COLOR). Every string from the data goes through terminalSafe before it is measured or printed.
 */
import type { FlowStatus, RenderOptions, Report, ReportFinding, ReportFlow, ScanReport, TopTalker, TrafficPair, Verdict } from './model.js';
import { FINDING_VERDICTS, FLOW_STATUS_LIST, VERDICT_LIST } from './model.js';
import {
  FINDINGS_CAP, LIST_CAP, VERDICT_TITLES, addressLabel, capList, changedFlows, displayWidth, flowsNotObserved, formatBytes, formatCount,
  formatInstant, formatSpan, formatTime, inputsSpan, moreNote, protoPorts, scanTargets, serverLabel, statusLabel, terminalSafe, totalFlows, truncate,
  truncateMiddle,
} from './text.js';

type Style = 'red' | 'yellow' | 'green' | 'dim' | 'bold';
type Paint = (text: string, style: Style | undefined) => string;

const SGR: Record<Style, [number, number]> = { red: [31, 39], yellow: [33, 39], green: [32, 39], dim: [2, 22], bold: [1, 22] };

function painter(color: boolean): Paint {
  if (!color) return (text) => text;
  return (text, style) => (style === undefined || text === '' ? text : `\x1b[${SGR[style][0]}m${text}\x1b[${SGR[style][1]}m`);
}

const VERDICT_STYLE: Record<Verdict, Style> = { documented: 'green', unexpected: 'red', denied: 'red', unanswered: 'yellow' };
const STATUS_STYLE: Record<FlowStatus, Style | undefined> = { observed: 'green', denied: 'red', unanswered: 'yellow', unobserved: undefined, not_covered: 'dim' };

interface Column {
  title: string;
  right?: boolean;
  /** Widest a cell may be before it is cut with `…` (at the end, or in the middle for paths). */
  max?: number;
  middle?: boolean;
}
/** A cell's text (already terminal-safe) and how to colour it. */
type Cell = string | { text: string; style: Style | undefined };

const INDENT = '  ';

/** Rows under a header row, each column as wide as its widest cell (up to its max). */
function columns(cols: readonly Column[], rows: readonly (readonly Cell[])[], paint: Paint, rowStyle?: (i: number) => Style | undefined): string[] {
  const texts = rows.map((row) => row.map((cell, c) => {
    const text = typeof cell === 'string' ? cell : cell.text;
    return (cols[c]!.middle ? truncateMiddle : truncate)(text, cols[c]!.max ?? 60);
  }));
  const widths = cols.map((col, c) => Math.max(displayWidth(col.title), ...texts.map((row) => displayWidth(row[c]!))));
  const line = (cells: readonly string[], styleOf: (c: number) => Style | undefined): string =>
    INDENT +
    cells
      .map((text, c) => {
        const pad = ' '.repeat(widths[c]! - displayWidth(text));
        const painted = paint(text, styleOf(c));
        return cols[c]!.right ? pad + painted : c === cells.length - 1 ? painted : painted + pad;
      })
      .join('  ');
  const out = [line(cols.map((col) => col.title), () => 'bold')];
  texts.forEach((row, r) => {
    const whole = rowStyle?.(r);
    out.push(line(row, (c) => {
      const cell = rows[r]![c]!;
      return typeof cell === 'string' ? whole : cell.style ?? whole;
    }));
  });
  return out.map((l) => l.trimEnd());
}

const s = terminalSafe;
const list = (items: readonly string[], sep = ', '): string => (items.length === 0 ? '—' : items.map(s).join(sep));

function header(report: Report, paint: Paint): string[] {
  const c = report.classification;
  const out = [
    paint(`flowaudit report, generated ${formatInstant(report.generated_at)}`, 'bold'),
    `Inventory ${s(c.inventory)}; packs ${list(c.packs)}${c.classified_at === null ? '' : `; classified ${formatInstant(c.classified_at)}`}`,
    '',
    paint('Inputs', 'bold'),
  ];
  if (report.inputs.length === 0) return [...out, `${INDENT}none`];
  const cols: Column[] = [{ title: 'PATH', max: 60, middle: true }, { title: 'KIND' }, { title: 'READ', right: true }, { title: 'USED', right: true },
    { title: 'REJECTED', right: true }, { title: 'CONNECTIONS', right: true }, { title: 'FIRST SEEN' }, { title: 'LAST SEEN' }];
  const rows = report.inputs.map((i) => [s(i.path), s(i.kind), formatCount(i.records_read), formatCount(i.records_used),
    { text: formatCount(i.records_rejected), style: i.records_rejected > 0 ? ('yellow' as const) : undefined },
    formatCount(i.connections), formatTime(i.first_seen), formatTime(i.last_seen)]);
  const span = inputsSpan(report.inputs);
  return [...out, ...columns(cols, rows, paint), `${INDENT}Time span: ${span === null ? '—' : formatSpan(span.first, span.last)}`];
}

function summary(report: Report, paint: Paint): string[] {
  const sum = report.summary;
  const verdicts = VERDICT_LIST.map((v) => `${paint(v, sum[v] > 0 ? VERDICT_STYLE[v] : undefined)} ${formatCount(sum[v])}`).join(' · ');
  const flowTotal = totalFlows(sum);
  const statuses = FLOW_STATUS_LIST
    .map((st) => `${paint(statusLabel(st), sum.flows[st] > 0 ? STATUS_STYLE[st] : undefined)} ${formatCount(sum.flows[st])}`)
    .join(' · ');
  const width = Math.max(formatCount(sum.connections).length, formatCount(flowTotal).length);
  return [
    paint('Summary', 'bold'),
    `${INDENT}Connections  ${formatCount(sum.connections).padStart(width)}   ${verdicts}`,
    `${INDENT}Flows        ${formatCount(flowTotal).padStart(width)}   ${statuses}`,
  ];
}

function namesCell(f: ReportFinding): string {
  const server = f.server_names.length === 0 ? '' : list(f.server_names);
  const client = f.client_names.length === 0 ? '' : `client: ${list(f.client_names)}`;
  return [server, client].filter((t) => t !== '').join(' · ') || '—';
}

function findings(report: Report, paint: Paint): string[] {
  const withChange = report.baseline !== undefined;
  const cols: Column[] = [
    ...(withChange ? [{ title: 'CHANGE' }] : []),
    { title: 'PROTO', max: 8 }, { title: 'CLIENT', max: 40 }, { title: 'SERVER', max: 48 }, { title: 'NAMES', max: 48 },
    { title: 'CONNS', right: true }, { title: 'PACKETS', right: true }, { title: 'BYTES', right: true },
    { title: 'FIRST SEEN' }, { title: 'LAST SEEN' }, { title: 'FLOWS', max: 40 },
  ];
  const out: string[] = [];
  for (const verdict of FINDING_VERDICTS) {
    const all = report.findings.filter((f) => f.verdict === verdict);
    const heading = `${VERDICT_TITLES[verdict]} (${formatCount(all.length)} finding${all.length === 1 ? '' : 's'})`;
    out.push('', paint(heading, all.length > 0 ? VERDICT_STYLE[verdict] : undefined));
    if (all.length === 0) {
      out.push(`${INDENT}none`);
      continue;
    }
    const { shown, more } = capList(all, FINDINGS_CAP);
    const rows = shown.map((f): Cell[] => [
      ...(withChange ? [{ text: s(f.change ?? '—'), style: f.change === 'new' ? ('bold' as const) : f.change === 'gone' ? ('dim' as const) : undefined }] : []),
      s(f.proto), s(addressLabel(f.client_ip, f.client_endpoint)), s(serverLabel(f.server_ip, f.server_port, f.server_endpoint)), namesCell(f),
      formatCount(f.connections), formatCount(f.packets), formatBytes(f.bytes), formatTime(f.first_seen), formatTime(f.last_seen), list(f.flows),
    ]);
    out.push(...columns(cols, rows, paint));
    if (more > 0) out.push(`${INDENT}${moreNote(more)}`);
  }
  return out;
}

function notObserved(report: Report, paint: Paint): string[] {
  const all = flowsNotObserved(report);
  const out = ['', paint(`Flows not observed (${formatCount(all.length)})`, 'bold')];
  if (all.length === 0) return [...out, `${INDENT}none`];
  const { shown, more } = capList(all, LIST_CAP);
  const cols: Column[] = [{ title: 'STATUS' }, { title: 'FLOW', max: 40 }, { title: 'TITLE', max: 36 }, { title: 'FROM → TO', max: 40 },
    { title: 'PROTO/PORTS', max: 24 }, { title: 'REASON', max: 64 }, { title: 'CITATION', max: 48 }];
  const rows = shown.map((f: ReportFlow): Cell[] => [
    { text: statusLabel(f.status), style: STATUS_STYLE[f.status] }, s(f.id), s(f.title), `${list(f.from)} → ${list(f.to)}`,
    s(protoPorts(f.protocols, f.ports)), s(f.reason), s(f.citation),
  ]);
  out.push(...columns(cols, rows, paint, (r) => (shown[r]!.status === 'not_covered' ? 'dim' : undefined)));
  if (more > 0) out.push(`${INDENT}${moreNote(more, 'json')}`);
  return out;
}

/** One traffic list under the Traffic heading, indented one level deeper, capped at `cap` rows. */
function trafficList<T>(title: string, all: readonly T[], cols: readonly Column[], row: (item: T) => Cell[], paint: Paint, cap = LIST_CAP): string[] {
  const out = ['', `${INDENT}${paint(`${title} (${formatCount(all.length)})`, 'bold')}`];
  if (all.length === 0) return [...out, `${INDENT}${INDENT}none`];
  const { shown, more } = capList(all, cap);
  out.push(...columns(cols, shown.map(row), paint).map((l) => INDENT + l));
  if (more > 0) out.push(`${INDENT}${INDENT}${moreNote(more, 'json')}`);
  return out;
}

function pairs(title: string, all: readonly TrafficPair[], paint: Paint): string[] {
  const cols: Column[] = [{ title: 'PROTO', max: 8 }, { title: 'CLIENT', max: 40 }, { title: 'SERVER', max: 48 }, { title: 'VERDICT' },
    { title: 'CONNS', right: true }, { title: 'PACKETS', right: true }, { title: 'BYTES', right: true }];
  return trafficList(title, all, cols, (p) => [s(p.proto), s(addressLabel(p.client_ip, p.client_endpoint)), s(serverLabel(p.server_ip, p.server_port, p.server_endpoint)),
    { text: p.verdict, style: VERDICT_STYLE[p.verdict] }, formatCount(p.connections), formatCount(p.packets), formatBytes(p.bytes)], paint);
}

function talkers(all: readonly TopTalker[], paint: Paint): string[] {
  const cols: Column[] = [{ title: 'ADDRESS', max: 48 }, { title: 'BYTES', right: true }, { title: 'PACKETS', right: true }, { title: 'CONNS', right: true }];
  return trafficList('Top talkers', all, cols, (t) => [s(addressLabel(t.ip, t.endpoint)), formatBytes(t.bytes), formatCount(t.packets), formatCount(t.connections)], paint);
}

/** Every scan is listed: the report keeps few of them. */
function scans(all: readonly ScanReport[], paint: Paint): string[] {
  const cols: Column[] = [{ title: 'KIND' }, { title: 'CLIENT', max: 40 }, { title: 'SERVER', max: 48 }, { title: 'REACHED' },
    { title: 'CONNS', right: true }, { title: 'REFUSED/UNANSWERED', right: true }, { title: 'FIRST SEEN' }, { title: 'LAST SEEN' }];
  return trafficList('Scans', all, cols, (x) => [{ text: `${x.kind} scan`, style: 'red' }, s(addressLabel(x.client_ip, x.client_endpoint)),
    x.kind === 'port' ? s(addressLabel(x.server_ip, x.server_endpoint)) : '(many)', s(scanTargets(x)), formatCount(x.connections),
    formatCount(x.refused_or_unanswered), formatTime(x.first_seen), formatTime(x.last_seen)], paint, Infinity);
}

function traffic(report: Report, paint: Paint): string[] {
  const t = report.traffic;
  return ['', paint('Traffic', 'bold'), ...scans(t.scans, paint), ...pairs('Rejected by flow logs', t.rejected, paint), ...pairs('Admin ports (SSH 22, telnet 23, RDP 3389)', t.admin_ports, paint),
    ...talkers(t.top_talkers, paint), ...pairs('Top pairs', t.top_pairs, paint)];
}

function baseline(report: Report, paint: Paint): string[] {
  const b = report.baseline;
  if (b === undefined) return [];
  const when = b.generated_at === null ? '' : ` (generated ${formatInstant(b.generated_at)})`;
  const counts = `${paint(`${formatCount(b.findings.new)} new`, b.findings.new > 0 ? 'bold' : undefined)}, ${formatCount(b.findings.gone)} gone, ${formatCount(b.findings.unchanged)} unchanged`;
  const out = ['', `${paint('Baseline', 'bold')} ${s(b.path)}${when}: findings ${counts}; ${formatCount(b.flows_changed)} flow${b.flows_changed === 1 ? '' : 's'} changed`];
  const changed = changedFlows(report);
  if (changed.length === 0) return out;
  const { shown, more } = capList(changed, LIST_CAP);
  const cols: Column[] = [{ title: 'FLOW', max: 48 }, { title: 'WAS' }, { title: 'NOW' }];
  const rows = shown.map((f): Cell[] => [s(f.id), f.previous_status == null ? '(none)' : s(statusLabel(f.previous_status)),
    { text: statusLabel(f.status), style: STATUS_STYLE[f.status] }]);
  out.push(...columns(cols, rows, paint));
  if (more > 0) out.push(`${INDENT}${moreNote(more, 'json')}`);
  return out;
}

/** The report as aligned text for a terminal; ANSI colour only when `options.color`. */
export function renderTable(report: Report, options: RenderOptions): string {
  const paint = painter(options.color);
  const lines = [...header(report, paint), '', ...summary(report, paint), ...findings(report, paint), ...notObserved(report, paint),
    ...traffic(report, paint), ...baseline(report, paint)];
  return `${lines.join('\n')}\n`;
}
