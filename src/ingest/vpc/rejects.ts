/**
 * Records that could not be used are collected in `vpc_rejected` (line, reason, text) and written
 * to `rejects` at the end in one statement, with the same per-reason cap as InputWriter: past
 * REJECT_ROWS_PER_REASON rows, the rest of a reason is summed into one row.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { REJECT_ROWS_PER_REASON } from '../../store/input-writer.js';

/** How a reject's location reads: 'line N' for text files, 'row N' for Parquet, 'event N' for CloudWatch. */
export type LocationUnit = 'line' | 'row' | 'event';

const EXCERPT_CHARS = 120;

export async function createRejectedTable(conn: DuckDBConnection): Promise<void> {
  await conn.run('CREATE OR REPLACE TEMP TABLE vpc_rejected (line BIGINT, reason VARCHAR, text VARCHAR)');
}

/** A short excerpt with control characters made visible (tabs as \t, others as '?'). */
function excerptSql(text: string): string {
  return `regexp_replace(replace(left(${text}, ${EXCERPT_CHARS}), chr(9), '\\t'), '[\\x00-\\x08\\x0a-\\x1f\\x7f]', '?', 'g')`;
}

/** Write the collected rejects; returns how many records they stand for. */
export async function writeRejects(conn: DuckDBConnection, sourceId: number, unit: LocationUnit): Promise<number> {
  await conn.run(`
    INSERT INTO rejects (source_id, location, byte_offset, line, reason, excerpt, count)
    WITH ranked AS (
      SELECT line, reason, text, row_number() OVER (PARTITION BY reason ORDER BY line) AS nth FROM vpc_rejected
    )
    SELECT ${sourceId}, '${unit} ' || line, NULL, line, reason, ${excerptSql('text')}, 1 FROM ranked WHERE nth <= ${REJECT_ROWS_PER_REASON}
    UNION ALL
    SELECT ${sourceId}, '${unit} ' || min(line), NULL, min(line), reason,
      count(*) || ' more ''' || reason || ''' records past the first ${REJECT_ROWS_PER_REASON}', count(*)
    FROM ranked WHERE nth > ${REJECT_ROWS_PER_REASON} GROUP BY reason`);
  const reader = await conn.runAndReadAll('SELECT count(*)::BIGINT FROM vpc_rejected');
  return Number(reader.getRows()[0]![0]);
}
