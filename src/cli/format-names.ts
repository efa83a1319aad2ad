/**
 * What `flowaudit names` prints: a pure function of the rows. Names come from the traffic and may
 * be hostile, so every byte outside printable ASCII is shown as \xNN (a backslash as \\): a name
 * can neither move the cursor, recolour the terminal nor pass for another name.
 */

export interface NameEvidence {
  address: string;
  name: string;
  evidence: string;
  /** Microseconds since the epoch, UTC; null when the source had no time. */
  firstSeenMicros: number | null;
  lastSeenMicros: number | null;
  timesSeen: number;
  /** Distinct connections that carried the evidence. */
  connections: number;
  suspicious: boolean;
}

export interface FormatNamesOptions {
  format: 'table' | 'json';
}

/** Characters of a name shown in the table before it is cut (the JSON output has every one). */
export const TABLE_NAME_WIDTH = 100;

export function formatNames(rows: readonly NameEvidence[], options: FormatNamesOptions): string {
  switch (options.format) {
    case 'json':
      return formatJson(rows);
    case 'table':
      return formatTable(rows);
  }
}

/** `text` with every character outside printable ASCII as \xNN (\u{...} above 0xff) and backslashes doubled. */
export function escapeForTerminal(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c <= 0xff) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += `\\u{${c.toString(16)}}`;
  }
  return out;
}

function formatJson(rows: readonly NameEvidence[]): string {
  const names = rows.map((r) => ({
    address: r.address,
    name: r.name,
    evidence: r.evidence,
    first_seen: isoTime(r.firstSeenMicros),
    last_seen: isoTime(r.lastSeenMicros),
    times_seen: r.timesSeen,
    connections: r.connections,
    suspicious: r.suspicious,
  }));
  // JSON.stringify escapes C0 controls but leaves DEL and C1 controls raw, which some terminals act on.
  return `${JSON.stringify({ schema: 'flowaudit/names@1', names }, null, 2).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

const HEADERS = ['ADDRESS', 'NAME', 'EVIDENCE', 'FIRST SEEN', 'LAST SEEN', 'TIMES', 'CONNS', 'NOTE'] as const;

function formatTable(rows: readonly NameEvidence[]): string {
  const lines: string[][] = [
    [...HEADERS],
    ...rows.map((r) => [
      escapeForTerminal(r.address),
      tableName(r.name),
      escapeForTerminal(r.evidence),
      tableTime(r.firstSeenMicros),
      tableTime(r.lastSeenMicros),
      String(r.timesSeen),
      String(r.connections),
      r.suspicious ? 'suspicious' : '',
    ]),
  ];
  const widths = HEADERS.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const numeric = new Set([5, 6]);
  const text = lines.map((l) => l.map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  const footer = rows.length === 1 ? '1 name' : `${rows.length} names`;
  return `${[...text, footer].join('\n')}\n`;
}

/** The escaped name, cut with a note of what is left out when it would make the table unreadable. */
function tableName(name: string): string {
  const escaped = escapeForTerminal(name);
  if (escaped.length <= TABLE_NAME_WIDTH) return escaped;
  return `${escaped.slice(0, TABLE_NAME_WIDTH)}...(+${escaped.length - TABLE_NAME_WIDTH} more, see --format json)`;
}

function isoTime(micros: number | null): string | null {
  return micros === null ? null : new Date(Math.floor(micros / 1000)).toISOString();
}

function tableTime(micros: number | null): string {
  const iso = isoTime(micros);
  return iso === null ? '-' : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}
