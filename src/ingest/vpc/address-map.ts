/**
 * The `vpc_addr` table: every distinct address text of an input, with its canonical text, integer
 * form and family, or a NULL canonical text when it is not an address. Dotted quads are converted
 * in SQL (nearly all of them); anything else goes through src/net/ip.ts, the project's one parser.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { parseAddress, formatIPv4, formatIPv6, addressToBigInt } from '../../net/ip.js';

/**
 * Build the table from `addressesSql` (a query whose only column is an address text; NULLs and
 * repeats allowed). Returns how many distinct texts are not addresses.
 *
 * Pairing groups endpoints by `addr_hash`, the 64-bit hash of the address text; the map proves that
 * no two texts of the input share one (it would take some billions of addresses to expect it).
 */
export async function buildAddressMap(conn: DuckDBConnection, addressesSql: string): Promise<number> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE vpc_addr AS
    SELECT addr, hash(addr) AS addr_hash,
      CASE WHEN ok THEN array_to_string(octets, '.') END AS canonical,
      CASE WHEN ok THEN octets[1]::UHUGEINT * 16777216 + octets[2]::UHUGEINT * 65536 + octets[3]::UHUGEINT * 256 + octets[4]::UHUGEINT END AS num,
      4::TINYINT AS family
    FROM (
      SELECT addr, octets, octets IS NOT NULL AND list_count(octets) = 4 AS ok
      FROM (
        SELECT addr, CASE WHEN regexp_full_match(addr, '[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}')
          THEN list_transform(string_split(addr, '.'), o -> TRY_CAST(o AS UTINYINT)) END AS octets
        FROM (SELECT DISTINCT addr FROM (${addressesSql}) AS a(addr) WHERE addr IS NOT NULL)))`);
  const shared = await conn.runAndReadAll('SELECT count(*) - count(DISTINCT addr_hash) FROM vpc_addr');
  if (Number(shared.getRows()[0]![0]) !== 0) {
    throw new Error('two address texts of this input share a 64-bit hash; pairing by hash would merge them');
  }
  const rest = (await conn.runAndReadAll('SELECT addr, addr_hash FROM vpc_addr WHERE canonical IS NULL')).getRows();
  if (rest.length === 0) return 0;
  const hashes = new Map(rest.map((r) => [String(r[0]), r[1] as bigint]));
  await conn.run('DELETE FROM vpc_addr WHERE canonical IS NULL');
  const appender = await conn.createAppender('vpc_addr', 'main', 'temp');
  let invalid = 0;
  for (const text of hashes.keys()) {
    const parsed = parseAddress(text);
    appender.appendVarchar(text);
    appender.appendUBigInt(hashes.get(text)!);
    if (parsed) {
      appender.appendVarchar(parsed.family === 4 ? formatIPv4(parsed.bytes, 0) : formatIPv6(parsed.bytes, 0));
      appender.appendUHugeInt(addressToBigInt(parsed.bytes, 0, parsed.family === 4 ? 4 : 16));
      appender.appendTinyInt(parsed.family);
    } else {
      invalid++;
      appender.appendNull();
      appender.appendNull();
      appender.appendNull();
    }
    appender.endRow();
  }
  appender.closeSync();
  return invalid;
}
