import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { ChunkAppender } from '../../src/store/chunk-appender.js';
import type { Cell } from '../../src/store/chunk-appender.js';

/** Rows through ChunkAppender into an in-memory table, read back as text. */
async function roundTrip(columns: string, rows: Cell[][]): Promise<string[][]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`CREATE TABLE t (${columns})`);
    const appender = await ChunkAppender.create(conn, 't');
    for (const row of rows) {
      for (const cell of row) appender.put(cell);
      appender.endRow();
    }
    appender.close();
    const reader = await conn.runAndReadAll('SELECT * FROM t');
    return reader.getRows().map((r) => r.map((v) => (v === null ? 'NULL' : String(v))));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('column writers', () => {
  it('lays out every fixed-width type, negative and past 32 bits, with NULLs in the validity mask', async () => {
    const rows = await roundTrip('b BOOLEAN, t TINYINT, s SMALLINT, i INTEGER, n BIGINT, d DOUBLE, ts TIMESTAMP, u UHUGEINT', [
      [true, -5, -300, -70000, -1, 0.5, 1_700_000_000_123_456.5, 0xc0000201],
      [false, 127, 32767, 2147483647, 2 ** 53 - 1, -2.25, 0, (0x20010db8n << 96n) | 1n],
      [null, null, null, null, -(2 ** 40) - 3, null, null, null],
    ]);
    expect(rows).toEqual([
      ['true', '-5', '-300', '-70000', '-1', '0.5', '2023-11-14 22:13:20.123456', String(0xc0000201)],
      ['false', '127', '32767', '2147483647', String(2 ** 53 - 1), '-2.25', '1970-01-01 00:00:00', String((0x20010db8n << 96n) | 1n)],
      ['NULL', 'NULL', 'NULL', 'NULL', String(-(2 ** 40) - 3), 'NULL', 'NULL', 'NULL'],
    ]);
  });

  it('keeps NULLs in place across a whole chunk and into the next (validity words of 64 rows)', async () => {
    const cells = Array.from({ length: 2048 + 130 }, (_, i): Cell[] => [i % 3 === 0 ? null : i, i % 5 === 0 ? null : `s${i}`]);
    const rows = await roundTrip('n BIGINT, s VARCHAR', cells);
    expect(rows).toEqual(cells.map(([n, s]) => [n === null ? 'NULL' : String(n), s === null ? 'NULL' : String(s)]));
  });

  it('refuses a BIGINT that is not an integer rather than storing something else', async () => {
    await expect(roundTrip('n BIGINT', [[1.5]])).rejects.toThrow(/not an integer/);
  });
});
