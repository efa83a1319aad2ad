/**
 * A deterministic default-format (version 2) VPC flow log for the benchmark, written by DuckDB
 * itself. Each connection appears as its records would: both directions at the client's
 * interface, at the server's, or at both; a quarter are REJECTed probes with one record; one
 * record in a thousand is a NODATA window.
 */
import { DuckDBInstance } from '@duckdb/node-api';

/** Records per connection, averaged over the four patterns below (2, 2, 4, 1). */
const RECORDS_PER_CONNECTION = 2.25;

export async function generateFlowLog(path: string, records: number, gzip: boolean): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const connections = Math.ceil(records / RECORDS_PER_CONNECTION) + 1000;
  const escaped = path.replace(/'/g, "''");
  try {
    await conn.run(`COPY (
      WITH conns AS (
        SELECT c, (hash(c) % 4)::INT AS pattern, hash(c, 12) % 1000 = 0 AS nodata,
          '10.' || (1 + hash(c, 1) % 8) || '.' || (hash(c, 2) % 250) || '.' || (1 + hash(c, 3) % 250) AS cli,
          '10.100.' || (hash(c, 4) % 16) || '.' || (1 + hash(c, 5) % 64) AS srv,
          (32768 + hash(c, 6) % 28232)::INT AS cport,
          [443, 443, 443, 22, 5432, 3000, 8080, 9443, 53, 123][1 + (hash(c, 7) % 10)::INT] AS sport,
          CASE WHEN hash(c, 7) % 10 IN (8, 9) THEN 17 ELSE 6 END AS proto,
          1700000000 + c // 2000 AS t,
          'eni-' || lpad(printf('%x', hash(c, 8) % 100000), 17, '0') AS cli_eni,
          'eni-' || lpad(printf('%x', 100000 + hash(c, 9) % 1000), 17, '0') AS srv_eni,
          1 + hash(c, 10) % 50 AS pk
        FROM range(${connections}) r(c)
      ), recs AS (
        SELECT conns.*, slot FROM conns, unnest(CASE WHEN nodata THEN [5]
          ELSE CASE pattern WHEN 0 THEN [0, 1] WHEN 1 THEN [2, 3] WHEN 2 THEN [0, 1, 2, 3] ELSE [4] END END) s(slot)
      )
      SELECT 2 AS version, '123456789012' AS "account-id",
        CASE WHEN slot IN (0, 1, 5) THEN cli_eni ELSE srv_eni END AS "interface-id",
        CASE WHEN slot = 5 THEN NULL WHEN slot IN (0, 2, 4) THEN cli ELSE srv END AS srcaddr,
        CASE WHEN slot = 5 THEN NULL WHEN slot IN (0, 2, 4) THEN srv ELSE cli END AS dstaddr,
        CASE WHEN slot = 5 THEN NULL WHEN slot IN (0, 2, 4) THEN cport ELSE sport END AS srcport,
        CASE WHEN slot = 5 THEN NULL WHEN slot IN (0, 2, 4) THEN sport ELSE cport END AS dstport,
        CASE WHEN slot = 5 THEN NULL ELSE proto END AS protocol,
        CASE WHEN slot = 5 THEN NULL WHEN slot = 4 THEN 1 ELSE pk END AS packets,
        CASE WHEN slot = 5 THEN NULL WHEN slot = 4 THEN 60 WHEN slot IN (0, 2) THEN pk * 80 ELSE pk * 1200 END AS bytes,
        t AS start, t + 1 + hash(c, 11) % 59 AS "end",
        CASE WHEN slot = 5 THEN NULL WHEN slot = 4 THEN 'REJECT' ELSE 'ACCEPT' END AS action,
        CASE WHEN slot = 5 THEN 'NODATA' ELSE 'OK' END AS "log-status"
      FROM recs LIMIT ${records}
    ) TO '${escaped}' (FORMAT csv, HEADER, DELIMITER ' ', QUOTE '', NULLSTR '-'${gzip ? ", COMPRESSION 'gzip'" : ''})`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
