/**
 * Writes one input inside its own transaction, with DuckDB appenders fed a data chunk at a time
 * (chunk-appender.ts; bulk, not row-by-row INSERT). `finish` decides: a duplicate of an earlier
 * input rolls everything back; otherwise the sources row is written with its final counts and the
 * transaction commits.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ChunkAppender } from './chunk-appender.js';

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

export class InputWriter {
  private connectionCount = 0;
  private readonly rejectRowsByReason = new Map<string, number>();
  private readonly overflowRejects = new Map<string, { count: number; first: RejectRow }>();

  private constructor(
    private readonly conn: DuckDBConnection,
    readonly sourceId: number,
    private nextConnectionId: number,
    private readonly meta: SourceMeta,
    private readonly connAppender: ChunkAppender,
    private readonly rejectAppender: ChunkAppender,
    private readonly gapAppender: ChunkAppender,
    private readonly nameAppender: ChunkAppender,
  ) {}

  static async start(conn: DuckDBConnection, sourceId: number, firstConnectionId: number, meta: SourceMeta): Promise<InputWriter> {
    return new InputWriter(
      conn,
      sourceId,
      firstConnectionId,
      meta,
      await ChunkAppender.create(conn, 'connections'),
      await ChunkAppender.create(conn, 'rejects'),
      await ChunkAppender.create(conn, 'gaps'),
      await ChunkAppender.create(conn, 'names'),
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
    a.put(c.id);
    a.put(this.sourceId);
    a.put(c.firstSeenMicros);
    a.put(c.lastSeenMicros);
    a.put(c.proto);
    a.put(c.ipFamily);
    a.put(c.clientIp);
    a.put(c.clientIpNum);
    a.put(c.clientPort);
    a.put(c.serverIp);
    a.put(c.serverIpNum);
    a.put(c.serverPort);
    a.put(c.clientPackets);
    a.put(c.clientBytes);
    a.put(c.serverPackets);
    a.put(c.serverBytes);
    a.put(c.state);
    a.put(c.history);
    a.put(c.action);
    a.put(c.clientAction);
    a.put(c.serverAction);
    a.put(c.initiatorEvidence);
    a.put(c.encapsulation);
    a.put(c.tunnelId);
    a.put(c.outerConnectionId);
    a.put(c.vlan);
    a.put(c.numFlows);
    putIdentity(a, c.client);
    putIdentity(a, c.server);
    const v = c.vpc;
    a.put(v?.interfaceId ?? null);
    a.put(v?.vpcId ?? null);
    a.put(v?.subnetId ?? null);
    a.put(v?.instanceId ?? null);
    a.put(v?.accountId ?? null);
    a.put(v?.region ?? null);
    a.put(v?.azId ?? null);
    a.put(v?.flowDirection ?? null);
    a.put(v?.trafficPath ?? null);
    a.put(c.details ? JSON.stringify(c.details) : null);
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
    a.put(this.sourceId);
    a.put(rejectLocation(r));
    a.put(r.byteOffset);
    a.put(r.line);
    a.put(r.reason);
    a.put(note ?? r.excerpt);
    a.put(count);
    a.endRow();
  }

  appendGap(g: GapRow): void {
    const a = this.gapAppender;
    a.put(this.sourceId);
    a.put(g.kind);
    a.put(g.interfaceId);
    a.put(g.startMicros);
    a.put(g.endMicros);
    a.put(g.byteOffset);
    a.put(g.detail);
    a.endRow();
  }

  appendName(n: NameRow): void {
    const a = this.nameAppender;
    a.put(this.sourceId);
    a.put(n.address);
    a.put(n.name);
    a.put(n.evidence);
    a.put(n.firstSeenMicros);
    a.put(n.lastSeenMicros);
    a.put(n.connectionId);
    a.put(n.suspicious);
    a.put(n.timesSeen);
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
    this.closeAppenders(true);
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
      this.closeAppenders(false);
    } finally {
      await this.conn.run('ROLLBACK');
    }
  }

  private closed = false;
  /** Rows still buffered are appended, unless the transaction is to be rolled back anyway. */
  private closeAppenders(appendBuffered: boolean): void {
    if (this.closed) return;
    this.closed = true;
    for (const a of [this.connAppender, this.rejectAppender, this.gapAppender, this.nameAppender]) {
      if (appendBuffered) a.close();
      else a.discard();
    }
  }
}

function rejectLocation(r: RejectRow): string {
  if (r.line !== null) return `line ${r.line}`;
  if (r.frame !== undefined) return r.byteOffset !== null ? `frame ${r.frame} (byte ${r.byteOffset})` : `frame ${r.frame}`;
  if (r.byteOffset !== null) return `byte ${r.byteOffset}`;
  return 'input';
}

function putIdentity(a: ChunkAppender, id: K8sIdentity | undefined): void {
  a.put(id?.namespace ?? null);
  a.put(id?.name ?? null);
  a.put(id?.labels ?? null);
  a.put(id?.endpointType ?? null);
}
