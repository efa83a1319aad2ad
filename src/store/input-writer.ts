/**
 * Writes one input inside its own transaction, with DuckDB appenders (bulk, not row-by-row
 * INSERT). `finish` decides: a duplicate of an earlier input rolls everything back; otherwise the
 * sources row is written with its final counts and the transaction commits.
 */
import { DuckDBTimestampValue, MAP, VARCHAR, mapValue } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';

export interface SourceMeta {
  path: string;
  kind: string;
  options?: Record<string, unknown>;
}

/** Final facts about an input, known once it has been read. */
export interface SourceSummary {
  kind?: string;
  formatDetail: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  recordsRead: number;
  recordsUsed: number;
  recordsRejected: number;
  nonIpRecords: number;
  firstSeenMicros: number | null;
  lastSeenMicros: number | null;
}

/** One row of `connections` (see migrations.ts for what each column means). */
export interface ConnectionRow {
  id: number;
  firstSeenMicros: number;
  lastSeenMicros: number;
  proto: number;
  ipFamily: 4 | 6;
  clientIp: string;
  clientIpNum: bigint;
  clientPort: number | null;
  serverIp: string;
  serverIpNum: bigint;
  serverPort: number | null;
  clientPackets: number;
  clientBytes: number;
  serverPackets: number;
  serverBytes: number;
  state: string | null;
  history: string | null;
  action: string | null;
  clientAction: string | null;
  serverAction: string | null;
  initiatorEvidence: string;
  encapsulation: string | null;
  tunnelId: number | null;
  outerConnectionId: number | null;
  vlan: number | null;
  numFlows: number;
  client?: K8sIdentity;
  server?: K8sIdentity;
  vpc?: VpcMeta;
  details?: Record<string, unknown> | null;
}

export interface K8sIdentity {
  namespace: string | null;
  name: string | null;
  labels: Record<string, string> | null;
  endpointType: string | null;
}

export interface VpcMeta {
  interfaceId: string | null;
  vpcId: string | null;
  subnetId: string | null;
  instanceId: string | null;
  accountId: string | null;
  region: string | null;
  azId: string | null;
  flowDirection: string | null;
  trafficPath: number | null;
}

export interface RejectRow {
  /** Capture frame number (1-based, as Wireshark counts): the location for packets. */
  frame?: number;
  byteOffset: number | null;
  line: number | null;
  reason: string;
  excerpt: string | null;
  count?: number;
}

export interface GapRow {
  kind: 'truncated_capture' | 'nodata' | 'skipdata' | 'packets_lost' | 'capture_drops';
  interfaceId: string | null;
  startMicros: number | null;
  endMicros: number | null;
  byteOffset: number | null;
  detail: string | null;
}

export interface NameRow {
  address: string;
  name: string;
  evidence: 'dns' | 'sni' | 'flowlog' | 'inventory';
  firstSeenMicros: number | null;
  lastSeenMicros: number | null;
  connectionId: number | null;
  suspicious: boolean;
  timesSeen: number;
}

/** Rejects past this many rows per reason are summed into one row, so a broken input cannot flood the table. */
export const REJECT_ROWS_PER_REASON = 10_000;

export type FinishResult = { committed: true; sourceId: number; connections: number } | { committed: false; duplicateOf: { id: number; path: string } };

const LABELS_TYPE = MAP(VARCHAR, VARCHAR);

const ts = (micros: number): DuckDBTimestampValue => new DuckDBTimestampValue(BigInt(Math.floor(micros)));

export class InputWriter {
  private connectionCount = 0;
  private readonly rejectRowsByReason = new Map<string, number>();
  private readonly overflowRejects = new Map<string, { count: number; first: RejectRow }>();

  private constructor(
    private readonly conn: DuckDBConnection,
    readonly sourceId: number,
    private nextConnectionId: number,
    private readonly meta: SourceMeta,
    private readonly connAppender: DuckDBAppender,
    private readonly rejectAppender: DuckDBAppender,
    private readonly gapAppender: DuckDBAppender,
    private readonly nameAppender: DuckDBAppender,
  ) {}

  static async start(conn: DuckDBConnection, sourceId: number, firstConnectionId: number, meta: SourceMeta): Promise<InputWriter> {
    return new InputWriter(
      conn,
      sourceId,
      firstConnectionId,
      meta,
      await conn.createAppender('connections'),
      await conn.createAppender('rejects'),
      await conn.createAppender('gaps'),
      await conn.createAppender('names'),
    );
  }

  /** The connection this ingest may use: ids are allocated here so tunnels and names can point at them. */
  allocateConnectionId(): number {
    return this.nextConnectionId++;
  }

  /** Reserve `count` ids for connections written by SQL (INSERT ... SELECT); returns the first. */
  allocateConnectionIds(count: number): number {
    const first = this.nextConnectionId;
    this.nextConnectionId += count;
    return first;
  }

  /** The transaction's connection, for sources that write with SQL (read_csv / read_json into connections). */
  get sql(): DuckDBConnection {
    return this.conn;
  }

  /** Count rows written with SQL rather than `appendConnection`. */
  addSqlConnections(count: number): void {
    this.connectionCount += count;
  }

  appendConnection(c: ConnectionRow): void {
    const a = this.connAppender;
    a.appendBigInt(BigInt(c.id));
    a.appendInteger(this.sourceId);
    a.appendTimestamp(ts(c.firstSeenMicros));
    a.appendTimestamp(ts(c.lastSeenMicros));
    a.appendSmallInt(c.proto);
    a.appendTinyInt(c.ipFamily);
    a.appendVarchar(c.clientIp);
    a.appendUHugeInt(c.clientIpNum);
    appendIntOrNull(a, c.clientPort);
    a.appendVarchar(c.serverIp);
    a.appendUHugeInt(c.serverIpNum);
    appendIntOrNull(a, c.serverPort);
    a.appendBigInt(BigInt(c.clientPackets));
    a.appendBigInt(BigInt(c.clientBytes));
    a.appendBigInt(BigInt(c.serverPackets));
    a.appendBigInt(BigInt(c.serverBytes));
    appendTextOrNull(a, c.state);
    appendTextOrNull(a, c.history);
    appendTextOrNull(a, c.action);
    appendTextOrNull(a, c.clientAction);
    appendTextOrNull(a, c.serverAction);
    a.appendVarchar(c.initiatorEvidence);
    appendTextOrNull(a, c.encapsulation);
    appendBigOrNull(a, c.tunnelId);
    appendBigOrNull(a, c.outerConnectionId);
    appendIntOrNull(a, c.vlan);
    a.appendBigInt(BigInt(c.numFlows));
    appendIdentity(a, c.client);
    appendIdentity(a, c.server);
    const v = c.vpc;
    appendTextOrNull(a, v?.interfaceId ?? null);
    appendTextOrNull(a, v?.vpcId ?? null);
    appendTextOrNull(a, v?.subnetId ?? null);
    appendTextOrNull(a, v?.instanceId ?? null);
    appendTextOrNull(a, v?.accountId ?? null);
    appendTextOrNull(a, v?.region ?? null);
    appendTextOrNull(a, v?.azId ?? null);
    appendTextOrNull(a, v?.flowDirection ?? null);
    appendIntOrNull(a, v?.trafficPath ?? null);
    appendTextOrNull(a, c.details ? JSON.stringify(c.details) : null);
    a.endRow();
    this.connectionCount++;
  }

  appendReject(r: RejectRow): void {
    const seen = this.rejectRowsByReason.get(r.reason) ?? 0;
    if (seen >= REJECT_ROWS_PER_REASON) {
      const over = this.overflowRejects.get(r.reason);
      if (over) over.count += r.count ?? 1;
      else this.overflowRejects.set(r.reason, { count: r.count ?? 1, first: r });
      return;
    }
    this.rejectRowsByReason.set(r.reason, seen + 1);
    this.writeReject(r, r.count ?? 1, null);
  }

  private writeReject(r: RejectRow, count: number, note: string | null): void {
    const a = this.rejectAppender;
    a.appendInteger(this.sourceId);
    a.appendVarchar(rejectLocation(r));
    appendBigOrNull(a, r.byteOffset);
    appendBigOrNull(a, r.line);
    a.appendVarchar(r.reason);
    appendTextOrNull(a, note ?? r.excerpt);
    a.appendBigInt(BigInt(count));
    a.endRow();
  }

  appendGap(g: GapRow): void {
    const a = this.gapAppender;
    a.appendInteger(this.sourceId);
    a.appendVarchar(g.kind);
    appendTextOrNull(a, g.interfaceId);
    appendTsOrNull(a, g.startMicros);
    appendTsOrNull(a, g.endMicros);
    appendBigOrNull(a, g.byteOffset);
    appendTextOrNull(a, g.detail);
    a.endRow();
  }

  appendName(n: NameRow): void {
    const a = this.nameAppender;
    a.appendInteger(this.sourceId);
    a.appendVarchar(n.address);
    a.appendVarchar(n.name);
    a.appendVarchar(n.evidence);
    appendTsOrNull(a, n.firstSeenMicros);
    appendTsOrNull(a, n.lastSeenMicros);
    appendBigOrNull(a, n.connectionId);
    a.appendBoolean(n.suspicious);
    a.appendBigInt(BigInt(n.timesSeen));
    a.endRow();
  }

  /** Record anomaly counters (name → count); zero counts are left out. */
  async writeAnomalies(counts: ReadonlyMap<string, number>): Promise<void> {
    for (const [name, count] of counts) {
      if (count > 0) await this.conn.run('INSERT INTO anomalies VALUES ($1, $2, $3)', [this.sourceId, name, count]);
    }
  }

  /** Flush appenders, check for a duplicate input, write the sources row and commit (or roll back). */
  async finish(summary: SourceSummary): Promise<FinishResult> {
    for (const [reason, over] of this.overflowRejects) {
      this.writeReject(over.first, over.count, `${over.count} more '${reason}' records past the first ${REJECT_ROWS_PER_REASON}`);
    }
    this.closeAppenders();
    if (summary.sha256 !== null) {
      const reader = await this.conn.runAndReadAll('SELECT id, path FROM sources WHERE sha256 = $1 LIMIT 1', [summary.sha256]);
      const dup = reader.getRowObjectsJS()[0];
      if (dup) {
        await this.conn.run('ROLLBACK');
        return { committed: false, duplicateOf: { id: Number(dup.id), path: String(dup.path) } };
      }
    }
    await this.conn.run(
      `INSERT INTO sources VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
        make_timestamp($12::BIGINT), make_timestamp($13::BIGINT), now()::TIMESTAMP, $14)`,
      [
        this.sourceId,
        this.meta.path,
        summary.kind ?? this.meta.kind,
        summary.formatDetail,
        summary.sizeBytes,
        summary.sha256,
        summary.recordsRead,
        summary.recordsUsed,
        summary.recordsRejected,
        summary.nonIpRecords,
        this.connectionCount,
        summary.firstSeenMicros === null ? null : Math.floor(summary.firstSeenMicros),
        summary.lastSeenMicros === null ? null : Math.floor(summary.lastSeenMicros),
        this.meta.options ? JSON.stringify(this.meta.options) : null,
      ],
    );
    await this.conn.run('COMMIT');
    return { committed: true, sourceId: this.sourceId, connections: this.connectionCount };
  }

  /** Abandon the input: nothing of it stays in the database. */
  async abort(): Promise<void> {
    try {
      this.closeAppenders();
    } finally {
      await this.conn.run('ROLLBACK');
    }
  }

  private closed = false;
  private closeAppenders(): void {
    if (this.closed) return;
    this.closed = true;
    for (const a of [this.connAppender, this.rejectAppender, this.gapAppender, this.nameAppender]) a.closeSync();
  }
}

function rejectLocation(r: RejectRow): string {
  if (r.line !== null) return `line ${r.line}`;
  if (r.frame !== undefined) return r.byteOffset !== null ? `frame ${r.frame} (byte ${r.byteOffset})` : `frame ${r.frame}`;
  if (r.byteOffset !== null) return `byte ${r.byteOffset}`;
  return 'input';
}

function appendTextOrNull(a: DuckDBAppender, v: string | null): void {
  if (v === null) a.appendNull();
  else a.appendVarchar(v);
}
function appendIntOrNull(a: DuckDBAppender, v: number | null): void {
  if (v === null) a.appendNull();
  else a.appendInteger(v);
}
function appendBigOrNull(a: DuckDBAppender, v: number | null): void {
  if (v === null) a.appendNull();
  else a.appendBigInt(BigInt(v));
}
function appendTsOrNull(a: DuckDBAppender, micros: number | null): void {
  if (micros === null) a.appendNull();
  else a.appendTimestamp(ts(micros));
}
function appendIdentity(a: DuckDBAppender, id: K8sIdentity | undefined): void {
  appendTextOrNull(a, id?.namespace ?? null);
  appendTextOrNull(a, id?.name ?? null);
  if (id?.labels) a.appendValue(mapValue(Object.entries(id.labels).map(([key, value]) => ({ key, value }))), LABELS_TYPE);
  else a.appendNull();
  appendTextOrNull(a, id?.endpointType ?? null);
}
