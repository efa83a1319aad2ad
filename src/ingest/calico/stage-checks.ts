/**
 * The checks on staged records that need more than one record's fields: addresses (canonical text
 * and integer form come from src/net/ip.ts, once per distinct address) and rejects found outside
 * DuckDB (lines that are not strict JSON). Every unusable record ends up in `calico_rejects`.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { addressToBigInt, formatIPv4, formatIPv6, parseAddress } from '../../net/ip.js';
import { RECORDS } from './stage.js';

/** A reject found before or outside the staging SQL, with where it is when that is already known. */
export interface KnownReject {
  ord: number;
  reason: string;
  detail: string | null;
  line: number | null;
  byteOffset: number | null;
}

/**
 * Create `calico_rejects` with the given rejects, then add every staged record with a problem and
 * every record whose address is not an address (or whose two addresses are of different families).
 * A record already rejected keeps its first reason.
 */
export async function collectRejects(conn: DuckDBConnection, known: readonly KnownReject[]): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE calico_rejects (ord BIGINT, reason VARCHAR, detail VARCHAR, line BIGINT, byte_offset BIGINT)`);
  if (known.length > 0) {
    const a = await conn.createAppender('calico_rejects', 'main', 'temp');
    for (const r of known) {
      a.appendBigInt(BigInt(r.ord));
      a.appendVarchar(r.reason);
      if (r.detail === null) a.appendNull();
      else a.appendVarchar(r.detail);
      appendBigOrNull(a, r.line);
      appendBigOrNull(a, r.byteOffset);
      a.endRow();
    }
    a.closeSync();
  }
  await conn.run(`INSERT INTO calico_rejects
    SELECT ord, problem, problem_detail, NULL, NULL FROM ${RECORDS}
    WHERE problem IS NOT NULL AND ord NOT IN (SELECT ord FROM calico_rejects)`);
  await buildAddressTable(conn);
  await conn.run(`INSERT INTO calico_rejects
    SELECT st.ord, CASE WHEN s.family <> d.family THEN 'mixed_address_families' ELSE 'bad_address' END,
      format('source_ip={} dest_ip={}', to_json(st.src_ip), to_json(st.dst_ip)), NULL, NULL
    FROM ${RECORDS} st LEFT JOIN calico_ip s ON s.ip = st.src_ip LEFT JOIN calico_ip d ON d.ip = st.dst_ip
    WHERE st.problem IS NULL
      AND ((st.src_ip IS NOT NULL AND s.ip IS NULL) OR (st.dst_ip IS NOT NULL AND d.ip IS NULL) OR s.family <> d.family)
      AND st.ord NOT IN (SELECT ord FROM calico_rejects)`);
}

/** `calico_ip`: every distinct address text of the usable records that is an address, with its forms. */
async function buildAddressTable(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE calico_ip (ip VARCHAR, canon VARCHAR, num UHUGEINT, family TINYINT)`);
  const reader = await conn.runAndReadAll(`SELECT DISTINCT ip FROM (
      SELECT src_ip AS ip FROM ${RECORDS} WHERE problem IS NULL UNION ALL SELECT dst_ip FROM ${RECORDS} WHERE problem IS NULL
    ) WHERE ip IS NOT NULL`);
  const texts = reader.getColumnsJS()[0] ?? [];
  if (texts.length === 0) return;
  const a = await conn.createAppender('calico_ip', 'main', 'temp');
  for (const t of texts) {
    const ip = String(t);
    const parsed = parseAddress(ip.trim());
    if (!parsed) continue;
    a.appendVarchar(ip);
    a.appendVarchar(parsed.family === 4 ? formatIPv4(parsed.bytes, 0) : formatIPv6(parsed.bytes, 0));
    a.appendUHugeInt(addressToBigInt(parsed.bytes, 0, parsed.family === 4 ? 4 : 16));
    a.appendTinyInt(parsed.family);
    a.endRow();
  }
  a.closeSync();
}

function appendBigOrNull(a: DuckDBAppender, v: number | null): void {
  if (v === null) a.appendNull();
  else a.appendBigInt(BigInt(v));
}
