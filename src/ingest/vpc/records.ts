/**
 * SQL that turns flow-log records into one normalised shape, whatever they came from (DuckDB's CSV
 * reader, Parquet, or lines split here): the effective addresses (pkt-srcaddr/pkt-dstaddr when
 * present), the two endpoints in a canonical order with `fwd` saying which way the record went, the
 * interface that recorded it, and one bit set summarising its flags, action and flow-direction.
 */
import { fieldSpec, sqlType } from './fields.js';
import type { FieldList } from './fields.js';
import { ident, literal } from './sql.js';

/** Bits of `bits` (OR-ed per record, then per group). fwd = endpoint a to endpoint b. */
export const BIT = {
  fwdSyn: 1, // SYN without ACK seen a->b
  fwdSynAck: 2,
  revSyn: 4,
  revSynAck: 8,
  fwdSeen: 16,
  revSeen: 32,
  fwdAccept: 64,
  fwdReject: 128,
  revAccept: 256,
  revReject: 512,
  /** The recording interface owns endpoint a (flow-direction: a->b left it, or b->a entered it). */
  ownsA: 1024,
  ownsB: 2048,
  /** The record cannot be used (see `problem`). */
  problem: 4096,
} as const;

/**
 * What the source adds to the catalogue columns: lines split here carry line, text and
 * parse_problem; CloudWatch events also a timestamp (event_ms) and their log stream.
 */
export interface RecordSource {
  lines: boolean;
  events: boolean;
}

/** Catalogue fields that normalizedSql replaces with its own columns. */
const REPLACED = new Set(['version', 'srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end']);

/**
 * Records as typed rows from the `vpc_lines` table (line, text, event_ms, stream): split on runs
 * of whitespace, '-' as NULL, each field cast to its catalogue type. `parse_problem` names the
 * first thing wrong. Blank lines and repeats of the header line are not records.
 */
export function splitLinesSql(fields: FieldList): string {
  const raw = fields.names.map((_, i) => `CASE WHEN tok[${i + 1}] = '-' THEN NULL ELSE tok[${i + 1}] END AS f${i + 1}`);
  const typed = fields.names.map((name, i) => {
    const type = sqlType(fieldSpec(name).type);
    return type === 'VARCHAR' ? `f${i + 1} AS ${ident(name)}` : `TRY_CAST(f${i + 1} AS ${type}) AS ${ident(name)}`;
  });
  const checks = fields.names
    .map((name, i) => ({ name, i, type: sqlType(fieldSpec(name).type) }))
    .filter((f) => f.type !== 'VARCHAR')
    .map((f) => `WHEN f${f.i + 1} IS NOT NULL AND TRY_CAST(f${f.i + 1} AS ${f.type}) IS NULL THEN ${literal(`bad_${f.name}`)}`);
  return `
    WITH split AS (
      SELECT line, text, event_ms, stream, string_split_regex(trim(text, ' ' || chr(9) || chr(13)), '\\s+') AS tok
      FROM vpc_lines
      WHERE trim(text, ' ' || chr(9) || chr(13)) <> ''
        AND array_to_string(string_split_regex(trim(text, ' ' || chr(9) || chr(13)), '\\s+'), ' ') <> ${literal(fields.toString())}
    ), fields AS (
      SELECT line, text, event_ms, stream, len(tok) AS field_count, ${raw.join(', ')} FROM split
    )
    SELECT line, text, event_ms, stream,
      CASE WHEN field_count <> ${fields.names.length} THEN 'bad_field_count' ${checks.join(' ')} END AS parse_problem,
      ${typed.join(', ')}
    FROM fields`;
}

/** `expr` when the field is in this format, else a typed NULL. */
function field(fields: FieldList, name: string): string {
  return fields.has(name) ? ident(name) : `NULL::${sqlType(fieldSpec(name).type)}`;
}

function firstPresent(fields: FieldList, names: string[], fallback: string | null = null): string {
  const present = names.filter((n) => fields.has(n)).map(ident);
  if (fallback !== null) present.push(fallback);
  if (present.length === 0) return 'NULL::VARCHAR';
  return present.length === 1 ? present[0]! : `coalesce(${present.join(', ')})`;
}

/**
 * One normalised row per record of `from` (which has the catalogue columns of `fields`).
 * Columns: kind (0 traffic, 1 NODATA, 2 SKIPDATA), problem, src, dst, proto, fwd, a_ip, a_port,
 * b_ip, b_port, a_hash, b_hash (of the address texts), observer, packets, bytes, t_first and
 * t_last (Unix seconds), bits, and the format's other fields unchanged.
 */
export function normalizedSql(fields: FieldList, from: string, source: RecordSource): string {
  const src = firstPresent(fields, ['pkt-srcaddr', 'srcaddr']);
  const dst = firstPresent(fields, ['pkt-dstaddr', 'dstaddr']);
  const eventSeconds = source.events ? '(event_ms // 1000)::UINTEGER' : null;
  const first = firstPresent(fields, ['start', 'end'], eventSeconds);
  const last = firstPresent(fields, ['end', 'start'], eventSeconds);
  const streamEni = source.events ? `nullif(regexp_extract(stream, '^eni-[0-9a-f]+'), '')` : null;
  const observer = firstPresent(fields, ['interface-id', 'tgw-attachment-id'], streamEni);
  const kind = fields.has('log-status') ? `CASE "log-status" WHEN 'NODATA' THEN 1 WHEN 'SKIPDATA' THEN 2 ELSE 0 END` : '0';
  // ICMP type and code are not in flow logs (the port fields read 0): the address pair is the key.
  const port = (name: string) => (fields.has(name) ? `CASE WHEN proto IN (1, 58) THEN NULL ELSE ${ident(name)} END` : 'NULL::USMALLINT');
  const passed = fields.names.filter((n) => !REPLACED.has(n)).map(ident);
  if (source.lines) passed.push('line', 'text', 'parse_problem');
  const interfaceAddress = fields.has('pkt-srcaddr') && fields.has('srcaddr') && fields.has('pkt-dstaddr') && fields.has('dstaddr')
    ? `CASE WHEN srcaddr <> "pkt-srcaddr" THEN srcaddr WHEN dstaddr <> "pkt-dstaddr" THEN dstaddr END`
    : 'NULL::VARCHAR';
  // Endpoints are ordered and grouped by the hash of their address text: integers group far
  // faster than strings. address-map.ts refuses an input where two addresses share a hash.
  return `
    SELECT *,
      CASE WHEN fwd THEN src ELSE dst END AS a_ip, CASE WHEN fwd THEN sport ELSE dport END AS a_port,
      CASE WHEN fwd THEN dst ELSE src END AS b_ip, CASE WHEN fwd THEN dport ELSE sport END AS b_port,
      CASE WHEN fwd THEN src_hash ELSE dst_hash END AS a_hash, CASE WHEN fwd THEN dst_hash ELSE src_hash END AS b_hash,
      ${bitsSql(fields)} | CASE WHEN problem IS NULL THEN 0 ELSE ${BIT.problem} END AS bits
    FROM (
      SELECT *, (src_hash, coalesce(sport, 0)) <= (dst_hash, coalesce(dport, 0)) AS fwd, ${problemSql()} AS problem
      FROM (
        SELECT *, hash(src) AS src_hash, hash(dst) AS dst_hash FROM (
          SELECT ${kind} AS kind, ${src} AS src, ${dst} AS dst, ${field(fields, 'protocol')} AS proto,
            ${port('srcport')} AS sport, ${port('dstport')} AS dport, ${observer} AS observer,
            ${first} AS t_first, ${last} AS t_last, ${interfaceAddress} AS interface_address,
            ${field(fields, 'packets')} AS packets, ${field(fields, 'bytes')} AS bytes
            ${passed.map((c) => `, ${c}`).join('')}
          FROM ${from})
      )
    )`;
}

/**
 * Why a record that parsed cannot be used (NULL when it can). Values outside a field's type
 * (an unknown action or log-status) do not parse; addresses are checked against the address map.
 */
function problemSql(): string {
  return `CASE WHEN kind <> 0 THEN NULL
    WHEN src IS NULL THEN 'missing_srcaddr' WHEN dst IS NULL THEN 'missing_dstaddr'
    WHEN t_first IS NULL THEN 'missing_start' END`;
}

function bitsSql(fields: FieldList): string {
  const dir = (fwdBit: number, revBit: number) => `CASE WHEN fwd THEN ${fwdBit} ELSE ${revBit} END`;
  const terms = [dir(BIT.fwdSeen, BIT.revSeen)];
  if (fields.has('tcp-flags')) {
    // tcp-flags is the OR of the window's flags; ACK is only reported together with SYN (18).
    terms.push(`CASE WHEN proto = 6 AND "tcp-flags" & 18 = 2 THEN ${dir(BIT.fwdSyn, BIT.revSyn)}
      WHEN proto = 6 AND "tcp-flags" & 18 = 18 THEN ${dir(BIT.fwdSynAck, BIT.revSynAck)} ELSE 0 END`);
  }
  if (fields.has('action')) {
    terms.push(`CASE action WHEN 'ACCEPT' THEN ${dir(BIT.fwdAccept, BIT.revAccept)} WHEN 'REJECT' THEN ${dir(BIT.fwdReject, BIT.revReject)} ELSE 0 END`);
  }
  if (fields.has('flow-direction')) {
    terms.push(`CASE "flow-direction" WHEN 'egress' THEN ${dir(BIT.ownsA, BIT.ownsB)} WHEN 'ingress' THEN ${dir(BIT.ownsB, BIT.ownsA)} ELSE 0 END`);
  }
  return terms.map((t) => `(${t})`).join(' | ');
}
