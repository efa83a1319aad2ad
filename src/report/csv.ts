/**
 * `--format csv`: the findings, one row per finding, for spreadsheets and scripts (RFC 4180).
 *
 * Values are written as they are in the report (times as ISO 8601 text, counts as plain integers,
 * nulls as empty cells), with three exceptions needed to read the file safely:
 * - control, bidi and other invisible characters in text are shown as `\x1b` / `\u202e` escapes
 *   (terminalSafe): the CSV goes to standard output unless -o is given, and a spreadsheet would
 *   hide them; the JSON report keeps every string exact;
 * - a cell holding a comma, a double quote, CR or LF is quoted, its double quotes doubled;
 * - a text cell starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` (OWASP, CSV
 *   injection), so a spreadsheet shows a name like `=HYPERLINK("http://x")` as text instead of
 *   running it. Only text cells get the prefix: the count columns are written from numbers and
 *   are never negative, so a number never starts with `-`; and IPv6 text such as `::1` or `fd00::1`
 *   does not start with any of those characters.
 */
import type { RenderOptions, Report, ReportFinding } from './model.js';
import { terminalSafe } from './text.js';

/**
 * RFC 4180 section 2: "Each record is located on a separate line, delimited by a line break
 * (CRLF)". Spreadsheets and csv-parse accept LF too, but CRLF is what the RFC specifies and what
 * Excel writes, so a strict reader accepts the file as well; the last record ends with one too.
 */
const EOL = '\r\n';

/**
 * Names, flow ids and evidence in one cell, separated by a space: no valid DNS name, flow id or
 * evidence value holds one (a malformed name that does reads ambiguously; the JSON report is exact).
 */
const LIST_SEPARATOR = ' ';

const COLUMNS = [
  'verdict', 'proto', 'client_ip', 'client_endpoint', 'client_names', 'server_ip', 'server_port', 'server_endpoint',
  'server_names', 'connections', 'packets', 'bytes', 'first_seen', 'last_seen', 'flows', 'evidence',
] as const;

/** The header row's column names; `change` first when the report has a baseline. */
export function csvColumns(report: Report): string[] {
  return report.baseline === undefined ? [...COLUMNS] : ['change', ...COLUMNS];
}

/** A text cell a spreadsheet would take for a formula gets a leading `'`. */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One field as RFC 4180 writes it: quoted when it holds a separator, a quote or a line break. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

type Value = string | number | null;

const text = (value: string | null): Value => (value === null ? null : neutraliseFormula(terminalSafe(value)));
const list = (values: readonly string[]): Value => neutraliseFormula(values.map(terminalSafe).join(LIST_SEPARATOR));

function row(f: ReportFinding): Record<(typeof COLUMNS)[number], Value> {
  return {
    verdict: text(f.verdict),
    proto: text(f.proto),
    client_ip: text(f.client_ip),
    client_endpoint: text(f.client_endpoint),
    client_names: list(f.client_names),
    server_ip: text(f.server_ip),
    server_port: f.server_port,
    server_endpoint: text(f.server_endpoint),
    server_names: list(f.server_names),
    connections: f.connections,
    packets: f.packets,
    bytes: f.bytes,
    first_seen: text(f.first_seen),
    last_seen: text(f.last_seen),
    flows: list(f.flows),
    evidence: list(f.evidence),
  };
}

function line(values: readonly Value[]): string {
  return values.map((v) => (v === null ? '' : csvField(typeof v === 'number' ? String(v) : v))).join(',') + EOL;
}

/** The findings as CSV, a header row first, in the report's order. */
export function renderCsv(report: Report, _options: RenderOptions): string {
  const withChange = report.baseline !== undefined;
  const lines = [line(csvColumns(report))];
  for (const f of report.findings) {
    const cells = row(f);
    const values: Value[] = COLUMNS.map((c) => cells[c]);
    lines.push(line(withChange ? [text(f.change ?? null), ...values] : values));
  }
  return lines.join('');
}
