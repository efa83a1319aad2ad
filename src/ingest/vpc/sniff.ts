/**
 * Recognising a flow log from its first bytes (already decompressed when gzipped): a header line of
 * flow-log field names, a record of the default format, a record with as many fields as
 * --log-format lists, a Parquet file, or a CloudWatch Logs subscription payload.
 */
import { DEFAULT_FORMAT, FieldList, parseHeaderLine } from './fields.js';

export type VpcContent =
  | { kind: 'text'; fields: FieldList; header: boolean }
  | { kind: 'parquet' }
  | { kind: 'cloudwatch-payload' };

/** How much of a file sniff sees (the CLI's head); a longer Parquet file hides its footer, and its column names. */
export const HEAD_BYTES = 64 * 1024;

const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

export function classifyHead(head: Uint8Array, headText: string, logFormat?: FieldList): VpcContent | null {
  if (PARQUET_MAGIC.every((b, i) => head[i] === b)) {
    // Column names live in the footer: seen only when the whole file fits in the head.
    return head.length >= HEAD_BYTES || headText.includes('srcaddr') ? { kind: 'parquet' } : null;
  }
  if (/^\s*\{/.test(headText)) return headText.includes('"logEvents"') ? { kind: 'cloudwatch-payload' } : null;
  const line = firstLine(headText);
  if (line === null) return null;
  const header = parseHeaderLine(line);
  if (header) return { kind: 'text', fields: header, header: true };
  const tokens = line.trim().split(/\s+/);
  if (logFormat) return tokens.length === logFormat.names.length ? { kind: 'text', fields: logFormat, header: false } : null;
  return looksLikeDefaultRecord(tokens) ? { kind: 'text', fields: new FieldList(DEFAULT_FORMAT), header: false } : null;
}

/** First non-blank line (without its end of line), or null when the head holds none. */
export function firstLine(text: string): string | null {
  for (const line of text.replace(/^\uFEFF/, '').split('\n')) {
    if (line.trim() !== '') return line.replace(/\r$/, '');
  }
  return null;
}

const DASH_OR = (re: RegExp) => (t: string) => t === '-' || re.test(t);
const DEFAULT_RECORD_TESTS: ((t: string) => boolean)[] = [
  (t) => /^\d+$/.test(t), // version
  DASH_OR(/^\d+$/), // account-id
  DASH_OR(/^eni-[0-9a-f]+$/), // interface-id
  DASH_OR(/^[0-9a-fA-F.:]+$/), // srcaddr
  DASH_OR(/^[0-9a-fA-F.:]+$/), // dstaddr
  DASH_OR(/^\d+$/),
  DASH_OR(/^\d+$/),
  DASH_OR(/^\d+$/),
  DASH_OR(/^\d+$/),
  DASH_OR(/^\d+$/),
  DASH_OR(/^\d+$/), // start
  DASH_OR(/^\d+$/), // end
  DASH_OR(/^(ACCEPT|REJECT)$/),
  (t) => /^(OK|NODATA|SKIPDATA)$/.test(t),
];

function looksLikeDefaultRecord(tokens: string[]): boolean {
  return tokens.length === DEFAULT_RECORD_TESTS.length && DEFAULT_RECORD_TESTS.every((test, i) => test(tokens[i]!));
}
