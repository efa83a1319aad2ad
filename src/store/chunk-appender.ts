/**
 * A DuckDB appender fed a data chunk at a time. Rows are buffered column by column in plain
 * arrays and go to the appender every 2048 rows (DuckDB's vector size): row by row, every value
 * is a native call (45 per `connections` row); a chunk costs one native call per string and
 * two per column (data and validity copied into the vector, column-writers.ts), and the rest is
 * typed-array writes in JavaScript.
 *
 * A column that is NULL in every row of a chunk (for a capture: the Kubernetes identity, the VPC
 * metadata, details and the flow-log actions, 21 of 45 columns) goes in as type SQLNULL and is
 * never written: the appender casts it to the column's type as a constant NULL. Written NULL by
 * NULL (each a validity-mask update of several BigInt operations), they made a chunk take 1.7
 * times as long.
 */
import { DuckDBDataChunk, SQLNULL } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import { CHUNK_ROWS, columnWriter } from './column-writers.js';
import type { Cell, ColumnWriter } from './column-writers.js';

export type { Cell } from './column-writers.js';

/**
 * Chunks the appender gathers before it writes them into the table. Left to itself it waits for
 * 100 chunks, and at the end holds every row twice (gathered and in the table) while it writes:
 * about 20 MB more peak memory for a 100k-connection capture, for the same total work.
 */
const CHUNKS_PER_WRITE = 8;

export class ChunkAppender {
  private readonly tableTypes: DuckDBType[] = [];
  private readonly writers: ColumnWriter[] = [];
  private readonly columns: Cell[][] = [];
  private rows = 0;
  /** The column `put` fills next, in the current row. */
  private cursor = 0;
  private chunksSinceWrite = 0;

  private constructor(private readonly appender: DuckDBAppender) {
    for (let i = 0; i < appender.columnCount; i++) {
      this.tableTypes.push(appender.columnType(i));
      this.writers.push(columnWriter(this.tableTypes[i]!));
      this.columns.push(new Array<Cell>(CHUNK_ROWS).fill(null));
    }
  }

  static async create(conn: DuckDBConnection, table: string): Promise<ChunkAppender> {
    return new ChunkAppender(await conn.createAppender(table));
  }

  /** The next column's value, in table order. */
  put(value: Cell): void {
    this.columns[this.cursor++]![this.rows] = value;
  }

  endRow(): void {
    if (this.cursor !== this.columns.length) throw new Error(`a row of ${this.cursor} values for ${this.columns.length} columns`);
    this.cursor = 0;
    if (++this.rows === CHUNK_ROWS) this.flush();
  }

  /** Append the buffered rows and close the appender (which writes them into the table). */
  close(): void {
    this.flush();
    this.appender.closeSync();
  }

  /** Close without appending the buffered rows: for a transaction about to be rolled back. */
  discard(): void {
    this.rows = 0;
    this.appender.closeSync();
  }

  private flush(): void {
    const rows = this.rows;
    if (rows === 0) return;
    const chunkTypes = this.tableTypes.map((type, i) => chunkType(type, this.columns[i]!, rows));
    const chunk = DuckDBDataChunk.create(chunkTypes, rows);
    chunkTypes.forEach((type, i) => {
      if (type !== SQLNULL) this.writers[i]!(chunk, i, this.columns[i]!, rows);
    });
    this.appender.appendDataChunk(chunk);
    this.rows = 0;
    if (++this.chunksSinceWrite === CHUNKS_PER_WRITE) {
      this.appender.flushSync();
      this.chunksSinceWrite = 0;
    }
  }
}

/** The type a column goes into the chunk as: SQLNULL when all NULL, else the table's. */
function chunkType(tableType: DuckDBType, cells: readonly Cell[], rows: number): DuckDBType {
  for (let r = 0; r < rows; r++) if (cells[r] !== null) return tableType;
  return SQLNULL;
}
