/**
 * Wording and value formatting shared by the renderers (table, markdown, html): byte and count
 * units, times and spans, address labels, lists cut short, and the escaping that makes a string
 * from the data (DNS answers, TLS SNI, flow-log metadata, file paths) safe to print.
 */
import type { FindingVerdict, FlowStatus, Report, ReportFlow, ReportInput, ReportSummary, ScanReport, Verdict } from './model.js';

/** Findings shown per verdict by the table and markdown renderers; the rest are counted. */
export const FINDINGS_CAP = 50;
/** Rows shown per list elsewhere (flows not observed, traffic lists). */
export const LIST_CAP = 100;

export const VERDICT_TITLES: Readonly<Record<FindingVerdict, string>> = { unexpected: 'Unexpected', denied: 'Denied', unanswered: 'Unanswered' };

/** `not covered`: a flow status (or a verdict) in words. */
export function statusLabel(status: FlowStatus | Verdict): string {
  return status.replace('_', ' ');
}

/** Documented flows, whatever their status. */
export function totalFlows(summary: ReportSummary): number {
  return Object.values(summary.flows).reduce((a, b) => a + b, 0);
}

/** The flows with any status but observed, the ones that need action first. */
export function flowsNotObserved(report: Report): ReportFlow[] {
  const order: readonly FlowStatus[] = ['unanswered', 'denied', 'unobserved', 'not_covered'];
  return order.flatMap((status) => report.flows.filter((f) => f.status === status));
}

/** Flows whose status differs from the baseline's (none without a baseline). */
export function changedFlows(report: Report): ReportFlow[] {
  if (report.baseline === undefined) return [];
  return report.flows.filter((f) => f.previous_status !== undefined && f.previous_status !== f.status);
}

/** `12,345`: thousands separated, whatever the locale of the machine. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

const BYTE_UNITS = ['kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** `512 B`, `12.3 MB`: SI units (1 kB = 1000 B), one decimal. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || Math.abs(n) < 1000) return `${formatCount(n)} B`;
  let value = n / 1000;
  let unit = 0;
  // Step up while the rounded value reads 1000 or more ("1000.0 kB" is 1.0 MB).
  while (unit < BYTE_UNITS.length - 1 && Math.abs(Number(value.toFixed(1))) >= 1000) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** `2024-05-01 10:00:00` (UTC, to the second) from ISO 8601 text; unparseable text comes back escaped. */
export function formatTime(iso: string | null): string {
  if (iso === null || iso === '') return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return terminalSafe(iso);
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * `2024-05-01T12:00:00Z`: when a run happened (report, classify, baseline), ISO 8601 to the second
 * so it reads as the instant the JSON report holds.
 */
export function formatInstant(iso: string | null): string {
  if (iso === null || iso === '') return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return terminalSafe(iso);
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** `1d 2h`, `3h 4m`, `5m 6s`, `7s`, `250 ms`: two units at most. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.floor(ms / 1000);
  const parts: [number, string][] = [[Math.floor(s / 86400), 'd'], [Math.floor(s / 3600) % 24, 'h'], [Math.floor(s / 60) % 60, 'm'], [s % 60, 's']];
  const first = parts.findIndex(([v]) => v > 0);
  return parts.slice(first, first + 2).filter(([v], i) => i === 0 || v > 0).map(([v, u]) => `${v}${u}`).join(' ');
}

/** The earliest first_seen and latest last_seen over the inputs (null when none has a time). */
export function inputsSpan(inputs: readonly ReportInput[]): { first: string; last: string } | null {
  let first: [number, string] | null = null;
  let last: [number, string] | null = null;
  for (const input of inputs) {
    const f = input.first_seen === null ? NaN : Date.parse(input.first_seen);
    const l = input.last_seen === null ? NaN : Date.parse(input.last_seen);
    if (!Number.isNaN(f) && (first === null || f < first[0])) first = [f, input.first_seen!];
    if (!Number.isNaN(l) && (last === null || l > last[0])) last = [l, input.last_seen!];
  }
  if (first === null && last === null) return null;
  return { first: (first ?? last)![1], last: (last ?? first)![1] };
}

/** `2024-05-01 10:00:00 → 2024-05-01 11:02:03 UTC (1h 2m)`, or `—` when there is no time. */
export function formatSpan(first: string | null, last: string | null): string {
  if (first === null && last === null) return '—';
  const f = first === null ? NaN : Date.parse(first);
  const l = last === null ? NaN : Date.parse(last);
  const duration = Number.isNaN(f) || Number.isNaN(l) ? '' : ` (${formatDuration(l - f)})`;
  return `${formatTime(first)} → ${formatTime(last)} UTC${duration}`;
}

/** `10.0.0.5 (gateway)`, `10.0.0.5`, `gateway` (aggregated flow-log rows), or `—`. Raw: escape it for the output. */
export function addressLabel(ip: string | null, endpoint: string | null): string {
  if (ip === null) return endpoint ?? '—';
  return endpoint === null ? ip : `${ip} (${endpoint})`;
}

/** `10.0.0.5:443`, `[fd00::1]:443`, or the address alone for port-less protocols. */
export function hostPort(ip: string | null, port: number | null): string {
  const host = ip !== null && ip.includes(':') ? `[${ip}]` : ip ?? '*';
  return port === null ? ip ?? '—' : `${host}:${port}`;
}

/** `10.0.0.5:443 (gateway)`. Raw: escape it for the output. */
export function serverLabel(ip: string | null, port: number | null, endpoint: string | null): string {
  if (ip === null) return endpoint === null ? hostPort(null, port) : port === null ? endpoint : `${endpoint}:${port}`;
  const hp = hostPort(ip, port);
  return endpoint === null ? hp : `${hp} (${endpoint})`;
}

/** What a scan reached: `100 tcp ports` or `40 servers on tcp/22`. */
export function scanTargets(scan: ScanReport): string {
  return scan.kind === 'port' ? `${formatCount(scan.targets)} ${scan.proto} ports` : `${formatCount(scan.targets)} servers on ${scan.proto}/${scan.server_port ?? '?'}`;
}

/** `tcp/443, 8443`, `udp`, `any`: a flow's protocols and ports in one short text. */
export function protoPorts(protocols: readonly string[], ports: readonly string[]): string {
  const proto = protocols.length === 0 ? 'any' : protocols.join('+');
  return ports.length === 0 ? proto : `${proto}/${ports.join(', ')}`;
}

/** A cut-short list: the first `cap` items and how many were left out. */
export function capList<T>(items: readonly T[], cap: number): { shown: readonly T[]; more: number } {
  return items.length <= cap ? { shown: items, more: 0 } : { shown: items.slice(0, cap), more: items.length - cap };
}

/** `… and 12 more (use --format json or csv for all)`. */
export function moreNote(more: number, formats = 'json or csv'): string {
  return `… and ${formatCount(more)} more (use --format ${formats} for all)`;
}

/**
 * Every character that is not printed as itself: C0 and C1 controls (ESC starts terminal escape
 * sequences), DEL, format characters (bidi overrides and isolates such as U+202E, zero-width
 * characters, BOM), line and paragraph separators, and lone surrogates.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** `\x1b`, `\u202e`: the character written as an escape, in JavaScript notation. */
function escapeChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\u{${cp.toString(16)}}`;
}

/**
 * A string from the data made safe for a terminal: controls, escape sequences and invisible
 * format characters are shown as `\x1b` / `\u202e` text, so a hostile DNS name can neither move
 * the cursor, recolour the terminal, nor reorder what is printed around it. Backslashes stay as
 * they are (Windows paths read naturally); the escapes are for showing, not for parsing back.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNPRINTABLE, escapeChar);
}

/** Like {@link terminalSafe}, but tabs and line breaks become single spaces (one-line cells). */
export function oneLine(text: string): string {
  return terminalSafe(text.replace(/\r\n|[\r\n\t\u2028\u2029\u0085]/g, ' '));
}

/** Columns a code point takes in a terminal: 2 for East Asian wide and emoji, else 1. */
function codePointWidth(cp: number): number {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd)
    ? 2
    : 1;
}

/** Terminal columns a (terminal-safe, colourless) string takes. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += codePointWidth(ch.codePointAt(0)!);
  return width;
}

/** The string cut to at most `max` columns, ending with `…` when cut. */
export function truncate(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let out = '';
  let width = 0;
  for (const ch of text) {
    const w = codePointWidth(ch.codePointAt(0)!);
    if (width + w > max - 1) break;
    out += ch;
    width += w;
  }
  return `${out}…`;
}

/** The string cut to at most `max` columns in the middle (`…` in place of the cut), for paths. */
export function truncateMiddle(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  const chars = [...text];
  const keepEnd = Math.floor((max - 1) / 2);
  let end = '';
  let width = 0;
  for (let i = chars.length - 1; i >= 0; i -= 1) {
    const w = codePointWidth(chars[i]!.codePointAt(0)!);
    if (width + w > keepEnd) break;
    end = chars[i]! + end;
    width += w;
  }
  return truncate(text, max - width) + end;
}
