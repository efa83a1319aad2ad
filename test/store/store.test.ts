import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import type { ConnectionRow, SourceSummary } from '../../src/store/input-writer.js';
import { REJECT_ROWS_PER_REASON } from '../../src/store/input-writer.js';
import { MIGRATIONS } from '../../src/store/migrations.js';

const dirs: string[] = [];
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowaudit-store-'));
  dirs.push(dir);
  return join(dir, 'test.duckdb');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function connection(id: number): ConnectionRow {
  return {
    id, firstSeenMicros: 1_700_000_000_000_000, lastSeenMicros: 1_700_000_001_500_000, proto: 6, ipFamily: 4,
    clientIp: '10.0.0.1', clientIpNum: 0x0a000001n, clientPort: 40000, serverIp: '10.0.0.2', serverIpNum: 0x0a000002n,
    serverPort: 443, clientPackets: 3, clientBytes: 180, serverPackets: 2, serverBytes: 120, state: 'SF', history: 'ShAdDaFf',
    action: null, clientAction: null, serverAction: null, initiatorEvidence: 'syn', encapsulation: null, tunnelId: null,
    outerConnectionId: null, vlan: 7, numFlows: 1,
    client: { namespace: 'apic', name: 'gw-0', labels: { app: 'gateway' }, endpointType: 'wep' },
  };
}

const summary = (sha: string | null): SourceSummary => ({
  formatDetail: null, sizeBytes: 10, sha256: sha, recordsRead: 5, recordsUsed: 5, recordsRejected: 0, nonIpRecords: 0,
  firstSeenMicros: 1_700_000_000_000_000, lastSeenMicros: 1_700_000_001_500_000,
});

describe('Store', () => {
  it('creates the documented tables by migration, once', async () => {
    const path = tempDb();
    const s1 = await Store.open(path);
    s1.close();
    const s2 = await Store.open(path);
    const tables = (await s2.queryRows<{ name: string }>('SELECT table_name AS name FROM information_schema.tables ORDER BY 1')).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['anomalies', 'connections', 'gaps', 'names', 'rejects', 'schema_migrations', 'sources']));
    expect(await s2.queryRows('SELECT version FROM schema_migrations')).toHaveLength(MIGRATIONS.length);
    s2.close();
  });

  it('keeps connections without a key index but with its NOT NULLs, column order and default (migration 4)', async () => {
    const store = await Store.open(tempDb());
    const constraints = await store.queryRows<{ t: string; cols: string[] }>(
      "SELECT constraint_type AS t, constraint_column_names AS cols FROM duckdb_constraints() WHERE table_name = 'connections' ORDER BY 1, 2",
    );
    expect(constraints.some((c) => c.t === 'PRIMARY KEY' || c.t === 'UNIQUE')).toBe(false);
    const notNull = constraints.filter((c) => c.t === 'NOT NULL').map((c) => c.cols[0]);
    expect(notNull.sort()).toEqual(['client_bytes', 'client_packets', 'first_seen', 'id', 'initiator_evidence', 'last_seen', 'num_flows', 'proto', 'server_bytes', 'server_packets', 'source_id']);
    const columns = await store.queryRows<{ name: string; dflt: string | null }>(
      "SELECT column_name AS name, column_default AS dflt FROM information_schema.columns WHERE table_name = 'connections' ORDER BY ordinal_position",
    );
    expect(columns.slice(0, 5).map((c) => c.name)).toEqual(['id', 'source_id', 'first_seen', 'last_seen', 'proto']);
    expect(columns.at(-1)!.name).toBe('details');
    expect(columns.find((c) => c.name === 'num_flows')!.dflt).toBe('1');
    store.close();
  });

  it('commits an input with its connections, labels and integer addresses', async () => {
    const store = await Store.open(tempDb());
    const w = await store.beginInput({ path: 'a.pcap', kind: 'pcap' });
    w.appendConnection(connection(w.allocateConnectionId()));
    w.appendReject({ byteOffset: 24, line: null, reason: 'truncated_IP', excerpt: null });
    w.appendGap({ kind: 'truncated_capture', interfaceId: null, startMicros: 1, endMicros: null, byteOffset: 99, detail: 'cut' });
    const r = await w.finish(summary('abc'));
    expect(r).toEqual({ committed: true, sourceId: 1, connections: 1 });
    const [c] = await store.queryRows<Record<string, unknown>>(
      `SELECT client_ip, client_ip_num::VARCHAR AS n, client_labels['app'] AS app, state, vlan, source_id FROM connections`,
    );
    expect(c).toEqual({ client_ip: '10.0.0.1', n: '167772161', app: 'gateway', state: 'SF', vlan: 7, source_id: 1 });
    expect(await store.queryRows('SELECT location, reason FROM rejects')).toEqual([{ location: 'byte 24', reason: 'truncated_IP' }]);
    store.close();
  });

  it('rolls back a duplicate input (same sha256) and an aborted one', async () => {
    const store = await Store.open(tempDb());
    const w1 = await store.beginInput({ path: 'a.pcap', kind: 'pcap' });
    w1.appendConnection(connection(w1.allocateConnectionId()));
    await w1.finish(summary('same'));
    const w2 = await store.beginInput({ path: 'copy.pcap', kind: 'pcap' });
    w2.appendConnection(connection(w2.allocateConnectionId()));
    expect(await w2.finish(summary('same'))).toEqual({ committed: false, duplicateOf: { id: 1, path: 'a.pcap' } });
    const w3 = await store.beginInput({ path: 'b.pcap', kind: 'pcap' });
    w3.appendConnection(connection(w3.allocateConnectionId()));
    await w3.abort();
    expect(await store.queryRows('SELECT count(*)::INTEGER AS n FROM connections')).toEqual([{ n: 1 }]);
    expect(await store.queryRows('SELECT count(*)::INTEGER AS n FROM sources')).toEqual([{ n: 1 }]);
    store.close();
  });

  it('caps reject rows per reason and sums the rest into one row', async () => {
    const store = await Store.open(tempDb());
    const w = await store.beginInput({ path: 'bad.pcap', kind: 'pcap' });
    for (let i = 0; i < REJECT_ROWS_PER_REASON + 5; i++) w.appendReject({ byteOffset: i, line: null, reason: 'truncated_IP', excerpt: null });
    await w.finish(summary(null));
    const [r] = await store.queryRows<{ rows: number; total: number }>('SELECT count(*)::INTEGER AS rows, sum(count)::INTEGER AS total FROM rejects');
    expect(r).toEqual({ rows: REJECT_ROWS_PER_REASON + 1, total: REJECT_ROWS_PER_REASON + 5 });
    store.close();
  });
});
