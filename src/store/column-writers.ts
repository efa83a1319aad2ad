/**
 * Column writers for ChunkAppender: one column of buffered cells into a data chunk's vector.
 * Fixed-width types are laid out in a scratch buffer with typed arrays and copied into the vector
 * in one native call, NULLs as one validity-mask copy; strings take one native call each. The
 * library's own vectors would make a BigInt (and a DuckDB value object) of every BIGINT and
 * TIMESTAMP cell, which cost a capture ingest more than its connection tracking.
 */
import duckdb from '@duckdb/node-bindings';
import { DuckDBTypeId, DuckDBVector, mapValue } from '@duckdb/node-api';
import type { DuckDBDataChunk, DuckDBType } from '@duckdb/node-api';

/**
 * One value, by the table column's type: BIGINT and TIMESTAMP (microseconds) take numbers,
 * UHUGEINT a bigint or a safe integer, MAP(VARCHAR, VARCHAR) a record, the other types their
 * JavaScript value (number, string, boolean).
 */
export type Cell = number | string | boolean | bigint | Readonly<Record<string, string>> | null;

export type ColumnWriter = (chunk: DuckDBDataChunk, column: number, cells: readonly Cell[], rows: number) => void;

/** The most rows one data chunk carries (DuckDB's vector size). */
export const CHUNK_ROWS = DuckDBVector.standardSize();
const TWO_32 = 4294967296;

// One scratch buffer serves every column in turn: a column is copied into its vector before the next is laid out.
const scratch = new ArrayBuffer(CHUNK_ROWS * 16);
const u8 = new Uint8Array(scratch);
const i8 = new Int8Array(scratch);
const i16 = new Int16Array(scratch);
const i32 = new Int32Array(scratch);
const u32 = new Uint32Array(scratch);
const f64 = new Float64Array(scratch);
const u64 = new BigUint64Array(scratch);
const validity = new Uint8Array(CHUNK_ROWS / 8);

/** How one non-NULL cell is laid out at row `r` of the scratch buffer. */
type Put = (r: number, cell: Cell) => void;

function putInt64(r: number, cell: Cell): void {
  const v = cell as number;
  if (!Number.isSafeInteger(v)) throw new Error(`${String(cell)} is not an integer`);
  const hi = Math.floor(v / TWO_32);
  u32[2 * r] = v - hi * TWO_32;
  i32[2 * r + 1] = hi;
}

function putTimestamp(r: number, cell: Cell): void {
  putInt64(r, Math.floor(cell as number));
}

function putUhugeint(r: number, cell: Cell): void {
  if (typeof cell === 'bigint') {
    u64[2 * r] = BigInt.asUintN(64, cell);
    u64[2 * r + 1] = BigInt.asUintN(64, cell >> 64n);
    return;
  }
  putInt64(2 * r, cell);
  u32[4 * r + 2] = 0;
  u32[4 * r + 3] = 0;
}

const FIXED: Partial<Record<DuckDBTypeId, { width: number; put: Put }>> = {
  [DuckDBTypeId.BOOLEAN]: { width: 1, put: (r, c) => (u8[r] = c ? 1 : 0) },
  [DuckDBTypeId.TINYINT]: { width: 1, put: (r, c) => (i8[r] = c as number) },
  [DuckDBTypeId.SMALLINT]: { width: 2, put: (r, c) => (i16[r] = c as number) },
  [DuckDBTypeId.INTEGER]: { width: 4, put: (r, c) => (i32[r] = c as number) },
  [DuckDBTypeId.BIGINT]: { width: 8, put: putInt64 },
  [DuckDBTypeId.DOUBLE]: { width: 8, put: (r, c) => (f64[r] = c as number) },
  [DuckDBTypeId.TIMESTAMP]: { width: 8, put: putTimestamp },
  [DuckDBTypeId.UHUGEINT]: { width: 16, put: putUhugeint },
};

/** The writer for a column of `tableType`. */
export function columnWriter(tableType: DuckDBType): ColumnWriter {
  const id = tableType.typeId;
  const fixed = FIXED[id];
  if (fixed) return fixedWidth(fixed.width, fixed.put);
  if (id === DuckDBTypeId.VARCHAR) return varchar;
  if (id === DuckDBTypeId.MAP) return generic((cell) => mapValue(Object.entries(cell as Record<string, string>).map(([key, value]) => ({ key, value }))));
  throw new Error(`no column writer for ${tableType.toString()}`);
}

function fixedWidth(width: number, put: Put): ColumnWriter {
  return (chunk, column, cells, rows) => {
    const vector = duckdb.data_chunk_get_vector(chunk.chunk, column);
    let nulls = false;
    for (let r = 0; r < rows; r++) {
      const cell = cells[r]!;
      if (cell === null) nulls = true;
      else put(r, cell);
    }
    duckdb.copy_data_to_vector(vector, 0, scratch, 0, rows * width);
    if (nulls) writeValidity(vector, cells, rows);
  };
}

function varchar(chunk: DuckDBDataChunk, column: number, cells: readonly Cell[], rows: number): void {
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, column);
  let nulls = false;
  for (let r = 0; r < rows; r++) {
    const cell = cells[r]!;
    if (cell === null) nulls = true;
    else duckdb.vector_assign_string_element(vector, r, cell as string);
  }
  if (nulls) writeValidity(vector, cells, rows);
}

/** Through the library's vector, for the rare types without a writer here (MAP). */
function generic(toValue: (cell: Cell) => ReturnType<typeof mapValue>): ColumnWriter {
  return (chunk, column, cells, rows) => {
    const vector = chunk.getColumnVector(column);
    for (let r = 0; r < rows; r++) {
      const cell = cells[r]!;
      vector.setItem(r, cell === null ? null : toValue(cell));
    }
    vector.flush();
  };
}

/** The NULLs of a column as the vector's validity mask (bit r set: row r is valid). */
function writeValidity(vector: duckdb.Vector, cells: readonly Cell[], rows: number): void {
  const bytes = Math.ceil(rows / 64) * 8;
  validity.fill(0xff, 0, bytes);
  for (let r = 0; r < rows; r++) if (cells[r] === null) validity[r >> 3]! &= ~(1 << (r & 7));
  duckdb.vector_ensure_validity_writable(vector);
  duckdb.copy_data_to_vector_validity(vector, 0, validity.buffer, 0, bytes);
}
