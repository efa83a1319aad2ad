/**
 * Calico Enterprise / Calico Cloud flows.log (JSON lines, plain or gzip) into the store:
 * DuckDB's `read_json` stages every line while the same bytes stream through the strictness and
 * line-number scan; then checks and pairing of the two reporters (stageFlowLog), and in the
 * input's transaction rejects, connections and names (writeFlowLog).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { FlowauditError } from '../../errors.js';
import { REJECT_ROWS_PER_REASON } from '../../store/input-writer.js';
import type { InputWriter, RejectRow } from '../../store/input-writer.js';
import type { IngestOptions } from '../types.js';
import { FlowLogScanner } from './flowlog-scan.js';
import type { FlowLogScan } from './flowlog-scan.js';
import { STAGE_FLOW_LOG_SQL } from './flowlog-sql.js';
import { LineSplitter, streamInput } from './input.js';
import type { FlowInput } from './input.js';
import { excerpt, jsonErrorReason } from './json-text.js';
import { createStage, dropStage, numberStagedRecords } from './stage.js';
import { collectRejects } from './stage-checks.js';
import { insertStagedConnections, pairStagedRecords } from './stage-connections.js';
import type { ShapeOutcome } from './outcome.js';

/**
 * What DuckDB may hold in memory while a flows.log is staged and paired; past it, the staging
 * table and the joins spill to DuckDB's temporary directory. The design's budget is a peak RSS
 * under 3 GB for a 7 GB file, and the staging table alone is about half the file's size. The
 * store runs with DuckDB's default limit, which releaseFlowLog restores.
 */
const STAGING_MEMORY_LIMIT = '2GB';

/** A flows.log staged and paired in temporary tables, not yet written. */
export interface StagedFlowLog {
  scan: FlowLogScan;
  records: number;
  sha256: string;
  warnings: string[];
}

/**
 * Stage and pair a flows.log in temporary tables only. It runs before the input's transaction
 * begins: DuckDB scans tables made inside the running transaction at about half speed (see
 * vpc/transaction.ts), and nothing persistent is written here. releaseFlowLog must follow.
 */
export async function stageFlowLog(conn: DuckDBConnection, input: FlowInput, options: IngestOptions): Promise<StagedFlowLog> {
  await conn.run(`SET memory_limit = '${STAGING_MEMORY_LIMIT}'`);
  await createStage(conn);
  const scanner = new FlowLogScanner();
  const total = input.gzip ? null : input.sizeBytes;
  let done = 0;
  const staging = conn.run(STAGE_FLOW_LOG_SQL, [input.filePath, input.gzip ? 'gzip' : 'uncompressed']).then(
    () => null,
    (err: unknown) => err,
  );
  let streamed;
  try {
    streamed = await streamInput(input, (chunk) => {
      scanner.push(chunk);
      done += chunk.length;
      options.progress?.(done, total);
    });
  } finally {
    // The connection is busy until DuckDB is done, whatever happened here.
    await staging;
  }
  const stagingError = await staging;
  if (stagingError !== null) {
    if (streamed.gzipError !== null) throw new FlowauditError(streamed.gzipError, 'decompress what is readable (zcat) and ingest that', input.displayPath);
    throw new FlowauditError(`DuckDB could not read the flow log: ${firstLine(stagingError)}`, 'check that the file is Calico flow-log JSON lines', input.displayPath);
  }
  const scan = scanner.end();

  const warnings: string[] = [];
  const records = await numberStagedRecords(conn);
  if (records !== scan.records) {
    warnings.push(`${input.displayPath}: DuckDB read ${records} records but the file has ${scan.records} non-blank lines; reject line numbers may be off`);
  }
  await collectRejects(conn, scan.trailingCommas.map((t) => ({ ord: t.ordinal, reason: 'trailing_comma', detail: t.excerpt, line: t.line, byteOffset: t.byteOffset })));
  await pairStagedRecords(conn);
  return { scan, records, sha256: streamed.sha256, warnings };
}

/** Write a staged flows.log (rejects, connections, names) in the writer's transaction. */
export async function writeFlowLog(writer: InputWriter, input: FlowInput, staged: StagedFlowLog): Promise<ShapeOutcome> {
  const rejected = await writeRejects(writer, input, staged.scan);
  const span = await insertStagedConnections(writer.sql, writer.sourceId, writer.allocateConnectionIds(staged.records));
  writer.addSqlConnections(span.connections);
  return {
    kind: 'calico',
    formatDetail: input.gzip ? 'json lines, gzip' : 'json lines',
    sha256: staged.sha256,
    recordsRead: staged.records,
    recordsRejected: rejected,
    nonIpRecords: 0,
    firstSeenMicros: span.firstSeenMicros,
    lastSeenMicros: span.lastSeenMicros,
    gaps: 0,
    warnings: staged.warnings,
  };
}

/** Drop the staging tables and give DuckDB its default memory limit back, whatever happened. */
export async function releaseFlowLog(conn: DuckDBConnection): Promise<void> {
  try {
    await dropStage(conn);
  } finally {
    await conn.run('RESET memory_limit');
  }
}

interface StagedReject {
  ord: number;
  reason: string;
  detail: string | null;
  line: number | null;
  byte_offset: number | null;
}

/**
 * Every rejected record into `rejects`: up to the per-reason row cap individually (with its line),
 * the rest of a reason as one summed row. Lines DuckDB could not parse are read again for their text.
 */
async function writeRejects(writer: InputWriter, input: FlowInput, scan: FlowLogScan): Promise<number> {
  const totals = (await writer.sql.runAndReadAll(`SELECT reason, count(*)::DOUBLE AS n FROM calico_rejects GROUP BY reason`))
    .getRowObjectsJS() as { reason: string; n: number }[];
  if (totals.length === 0) return 0;
  const rows = (await writer.sql.runAndReadAll(`SELECT ord::DOUBLE AS ord, reason, detail, line::DOUBLE AS line, byte_offset::DOUBLE AS byte_offset
    FROM calico_rejects QUALIFY row_number() OVER (PARTITION BY reason ORDER BY ord) <= ${REJECT_ROWS_PER_REASON} ORDER BY ord`))
    .getRowObjectsJS() as unknown as StagedReject[];
  const lineOf = ordinalToLine(scan.blankLines);
  const out: RejectRow[] = rows.map((r) => ({ line: r.line ?? lineOf(r.ord), byteOffset: r.byte_offset, reason: r.reason, excerpt: r.detail }));
  // Past the cap a reason's records are summed into one row, which the writer makes of an extra reject.
  const overflow: RejectRow[] = [];
  for (const t of totals) {
    const first = out.find((r) => r.reason === t.reason);
    if (first && t.n > REJECT_ROWS_PER_REASON) overflow.push({ ...first, count: t.n - REJECT_ROWS_PER_REASON });
  }
  await describeUnparsed(input, out);
  for (const r of [...out, ...overflow]) writer.appendReject(r);
  return totals.reduce((sum, t) => sum + t.n, 0);
}

/**
 * A function from ordinal (0-based, non-blank lines) to line number; it must be called with
 * ascending ordinals, as it walks the blank lines once.
 */
function ordinalToLine(blankLines: readonly number[]): (ord: number) => number {
  let skipped = 0;
  return (ord) => {
    let line = ord + 1 + skipped;
    while (skipped < blankLines.length && blankLines[skipped]! <= line) {
      skipped++;
      line++;
    }
    return line;
  };
}

/**
 * Lines DuckDB returned empty: read their text for the excerpt and name what is wrong with them —
 * not JSON (or a trailing comma), or JSON without any flow-log field.
 */
async function describeUnparsed(input: FlowInput, rejects: RejectRow[]): Promise<void> {
  const wanted = new Map<number, RejectRow>();
  for (const r of rejects) if (r.reason === 'malformed_json' && r.excerpt === null && r.line !== null) wanted.set(r.line, r);
  if (wanted.size === 0) return;
  const splitter = new LineSplitter((line, lineNo, byteOffset) => {
    const r = wanted.get(lineNo);
    if (!r) return;
    const text = line.toString('utf8').trim();
    r.excerpt = excerpt(text);
    r.byteOffset = byteOffset;
    r.reason = isJson(text) ? 'not_a_flow_record' : jsonErrorReason(text);
  });
  await streamInput(input, (chunk) => splitter.push(chunk));
  splitter.end();
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}
