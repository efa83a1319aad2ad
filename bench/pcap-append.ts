/**
 * `npm run bench -- pcap --appender [--flows N]`: the store side of a capture ingest on its own,
 * in one process: building `connections` rows from tracked connections, then writing them in one
 * transaction row by row (the appender calls InputWriter made before chunk-appender.ts, kept here
 * as the baseline) and through InputWriter (in data chunks). Each round uses fresh in-memory
 * databases, alternating the order; the tables are compared, so the numbers are for identical output.
 */
import { DuckDBTimestampValue, MAP, VARCHAR, mapValue } from '@duckdb/node-api';
import type { DuckDBAppender } from '@duckdb/node-api';
import { Store } from '../src/store/store.js';
import type { ConnectionRow, K8sIdentity, SourceSummary } from '../src/store/input-writer.js';
import { Connection } from '../src/ingest/connection.js';
import { captureConnectionRow } from '../src/ingest/pcap/connection-row.js';

const ROUNDS = 5;
/** The id Store gives the first input, which the baseline writes too. */
const SOURCE_ID = 1;
const EMPTY_SUMMARY: SourceSummary = {
  formatDetail: null, sizeBytes: null, sha256: null, recordsRead: 0, recordsUsed: 0, recordsRejected: 0, nonIpRecords: 0,
  firstSeenMicros: null, lastSeenMicros: null,
};

type Way = 'rows' | 'chunks';

/** How long the baseline's COMMIT took, each round: the part of both times that is not appending. */
const commitMs: number[] = [];

export async function runAppendBench(flows: number): Promise<void> {
  const connections = syntheticConnections(flows);
  const rowTimes: number[] = [];
  let rows: ConnectionRow[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    rows = connections.map(captureConnectionRow);
    rowTimes.push(performance.now() - started);
  }
  log(`${flows} connections → rows (captureConnectionRow): ${summary(rowTimes)}`);

  const times: Record<Way, number[]> = { rows: [], chunks: [] };
  const digests = new Set<string>();
  for (let round = 0; round < ROUNDS; round++) {
    const order: Way[] = round % 2 === 0 ? ['rows', 'chunks'] : ['chunks', 'rows'];
    for (const way of order) {
      const { ms, digest } = await appendAll(rows, way);
      times[way].push(ms);
      digests.add(digest);
    }
  }
  log(`rows → committed table, row by row: ${summary(times.rows)}`);
  log(`rows → committed table, in chunks:  ${summary(times.chunks)}`);
  log(`  (the COMMIT alone, row by row: ${summary(commitMs)})`);
  log(digests.size === 1 ? 'tables identical' : `TABLES DIFFER: ${[...digests].join(' ')}`);
  if (digests.size !== 1) process.exitCode = 1;
}

/** Write `rows` one way into a fresh database; the time runs from the first row to the commit. */
async function appendAll(rows: readonly ConnectionRow[], way: Way): Promise<{ ms: number; digest: string }> {
  const store = await Store.open(':memory:');
  try {
    let ms: number;
    if (way === 'rows') {
      await store.conn.run('BEGIN TRANSACTION');
      const appender = await store.conn.createAppender('connections');
      const started = performance.now();
      for (const row of rows) appendRowByRow(appender, row);
      appender.closeSync();
      const committing = performance.now();
      await store.conn.run('COMMIT');
      commitMs.push(performance.now() - committing);
      ms = performance.now() - started;
    } else {
      const writer = await store.beginInput({ path: 'bench', kind: 'pcap' });
      const started = performance.now();
      for (const row of rows) writer.appendConnection(row);
      await writer.finish(EMPTY_SUMMARY);
      ms = performance.now() - started;
    }
    const [result] = await store.queryRows<{ digest: string }>(
      `SELECT md5(string_agg(c::VARCHAR, '|' ORDER BY id)) AS digest FROM connections c`,
    );
    return { ms, digest: result!.digest };
  } finally {
    store.close();
  }
}

/**
 * Connections in the proportions the synthetic capture (bench/pcap-generate.ts) ingests to: 60%
 * TCP, 30% UDP, 10% ICMP, a fifth IPv6, a tenth on a VLAN, about 1% in tunnels.
 */
function syntheticConnections(count: number): Connection[] {
  let seed = 1;
  const random = (): number => ((seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
  const out: Connection[] = [];
  for (let i = 0; i < count; i++) {
    const v6 = random() < 0.2;
    const r = random();
    const proto = r < 0.6 ? 6 : r < 0.9 ? 17 : v6 ? 58 : 1;
    const addr = (): Uint8Array => Uint8Array.from({ length: v6 ? 16 : 4 }, (_, k) => (k === 0 ? (v6 ? 0x20 : 10) : Math.floor(random() * 256)));
    const tunnel = proto === 6 && random() < 0.02 ? { encapsulation: 'vxlan' as const, tunnelId: 42, outerConnectionId: i } : null;
    const first = 1_700_000_000_000_000 + i * 1_000;
    const c = new Connection(i + 1, proto, v6 ? 6 : 4, addr(), addr(), 1024 + Math.floor(random() * 60_000), proto === 6 ? 443 : 53,
      random() < 0.1 ? 100 : null, proto === 6 ? 'syn' : 'port-heuristic', first, tunnel);
    // What the tracker settles into a flushed connection: one packet each way.
    c.clientPackets = 1;
    c.clientBytes = 60 + Math.floor(random() * 1_400);
    c.serverPackets = 1;
    c.serverBytes = 60 + Math.floor(random() * 20_000);
    c.lastTs = first + 400_000;
    if (proto === 6) {
      c.history = 'ShADdFf';
      c.clientSent = 0b1111;
      c.serverSent = 0b1111;
    }
    out.push(c);
  }
  return out;
}

const LABELS_TYPE = MAP(VARCHAR, VARCHAR);
const ts = (micros: number): DuckDBTimestampValue => new DuckDBTimestampValue(BigInt(Math.floor(micros)));

/** The baseline: one appender call per value, as InputWriter.appendConnection did (same code). */
function appendRowByRow(a: DuckDBAppender, c: ConnectionRow): void {
  a.appendBigInt(BigInt(c.id));
  a.appendInteger(SOURCE_ID);
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
function appendIdentity(a: DuckDBAppender, id: K8sIdentity | undefined): void {
  appendTextOrNull(a, id?.namespace ?? null);
  appendTextOrNull(a, id?.name ?? null);
  if (id?.labels) a.appendValue(mapValue(Object.entries(id.labels).map(([key, value]) => ({ key, value }))), LABELS_TYPE);
  else a.appendNull();
  appendTextOrNull(a, id?.endpointType ?? null);
}

/** Best and median of the rounds, in ms. */
function summary(ms: number[]): string {
  const sorted = [...ms].sort((x, y) => x - y);
  return `best ${sorted[0]!.toFixed(0)} ms, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms (${ms.length} rounds)`;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}
