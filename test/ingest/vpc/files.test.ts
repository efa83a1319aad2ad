import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import { Store } from '../../../src/store/store.js';
import { vpcIngester, sniffVpc } from '../../../src/ingest/vpc/index.js';
import { InputFormatError } from '../../../src/errors.js';
import type { FlowauditError } from '../../../src/errors.js';
import { REJECT_ROWS_PER_REASON } from '../../../src/store/input-writer.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flowaudit-vpc-files-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const V2 = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const ok = (i: number) => `2 111122223333 eni-0a1b2c3d 10.0.1.${i} 10.0.2.9 ${40000 + i} 443 6 3 180 1700000000 1700000060 ACCEPT OK`;

async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(':memory:');
  try {
    return await work(store);
  } finally {
    store.close();
  }
}

const rejects = (store: Store) =>
  store.queryRows<{ location: string; line: number; reason: string; excerpt: string; count: number }>(
    'SELECT location, line::INTEGER AS line, reason, excerpt, count::INTEGER AS count FROM rejects ORDER BY line',
  );

describe('VPC flow-log files', () => {
  it('rejects bad lines with their line numbers, splits runs of whitespace, and ingests the rest', async () => {
    const path = file('mixed.log', [
      V2, // 1
      ok(1), // 2
      '2  111122223333   eni-0a1b2c3d 10.0.1.2 10.0.2.9 40002 443 6 3 180 1700000000 1700000060 ACCEPT OK', // 3: runs of spaces
      ok(3).replace(/ /g, '\t'), // 4: tabs
      '2 111122223333 eni-0a1b2c3d 10.0.1.4 10.0.2.9 70000 443 6 3 180 1700000000 1700000060 ACCEPT OK', // 5: port out of range
      '2 111122223333 eni-0a1b2c3d 10.0.1.5 10.0.2.9 40005 443 6 3 180', // 6: cut short
      '', // 7: blank, not a record
      V2, // 8: a repeated header, not a record
      '2 111122223333 eni-0a1b2c3d 10.0.1.9 10.0.2.9 40009 443 6 3 180 1700000000 1700000060 MAYBE OK', // 9: unknown action
      ok(10), // 10
    ].join('\r\n'));
    await withStore(async (store) => {
      const report = await vpcIngester.ingest(store, path, {});
      expect(report).toMatchObject({ kind: 'vpc', recordsRead: 7, recordsUsed: 4, recordsRejected: 3, connections: 4, duplicateOf: null });
      expect(await rejects(store)).toEqual([
        { location: 'line 5', line: 5, reason: 'bad_srcport', excerpt: expect.stringContaining('70000') as string, count: 1 },
        { location: 'line 6', line: 6, reason: 'bad_field_count', excerpt: expect.stringContaining('40005 443 6 3 180') as string, count: 1 },
        { location: 'line 9', line: 9, reason: 'bad_action', excerpt: expect.stringContaining('MAYBE') as string, count: 1 },
      ]);
      const [source] = await store.queryRows('SELECT records_read::INTEGER AS r, records_used::INTEGER AS u, records_rejected::INTEGER AS j, format_detail FROM sources');
      expect(source).toMatchObject({ r: 7, u: 4, j: 3, format_detail: expect.stringContaining('csv-reader') as string });
    });
  });

  it('reads the file line by line when a record the CSV reader took has an address that is not one', async () => {
    const path = file('bad-address.log', [V2, ok(1), ok(2).replace('10.0.1.2', '10.0.1.300'), ok(3), '2 111122223333 eni-0a1b2c3d - 10.0.2.9 1 2 6 1 1 1700000000 1700000060 ACCEPT OK'].join('\n'));
    await withStore(async (store) => {
      const report = await vpcIngester.ingest(store, path, {});
      expect(report).toMatchObject({ recordsRead: 4, recordsUsed: 2, recordsRejected: 2, connections: 2 });
      expect((await rejects(store)).map((r) => [r.line, r.reason])).toEqual([[3, 'bad_srcaddr'], [5, 'missing_srcaddr']]);
      expect(await store.queryRows('SELECT format_detail FROM sources')).toEqual([{ format_detail: expect.stringContaining('line-by-line') as string }]);
    });
  });

  it('detects gzip by content, whatever the name, and takes a re-ingest of the same bytes as a duplicate', async () => {
    const text = [V2, ok(1), ok(2), '2 111122223333 eni-0a1b2c3d - - - - - - - 1700000000 1700000060 - NODATA'].join('\n');
    const path = file('flows.txt', gzipSync(text));
    await withStore(async (store) => {
      const first = await vpcIngester.ingest(store, path, {});
      expect(first).toMatchObject({ recordsRead: 3, recordsUsed: 3, connections: 2, gaps: 1 });
      expect(await store.queryRows("SELECT kind, interface_id, epoch(start_time)::BIGINT AS s, epoch(end_time)::BIGINT AS e FROM gaps")).toEqual([
        { kind: 'nodata', interface_id: 'eni-0a1b2c3d', s: 1700000000n, e: 1700000060n },
      ]);
      expect(await store.queryRows('SELECT format_detail FROM sources')).toEqual([{ format_detail: expect.stringMatching(/^gzip; header/) as string }]);
      const again = await vpcIngester.ingest(store, file('copy.log.gz', gzipSync(text)), {});
      expect(again.duplicateOf).toEqual({ id: 1, path });
      expect(await store.queryRows('SELECT count(*)::INTEGER AS n FROM connections')).toEqual([{ n: 2 }]);
    });
  });

  it('reads a header-less file with --log-format, in any field order, and one of the default format without it', async () => {
    const format = '${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${bytes} ${packets} ${interface-id} ${action}';
    const path = file('custom.log', '10.0.3.1 10.0.3.2 50000 5432 6 1700000000 1700000060 900 9 eni-db ACCEPT\n');
    const head = Buffer.from('10.0.3.1 10.0.3.2 50000 5432 6 1700000000 1700000060 900 9 eni-db ACCEPT\n');
    expect(vpcIngester.sniff(head, head.toString())).toBe(false);
    expect(sniffVpc(head, head.toString(), { logFormat: format })).toBe(true);
    const headerless = file('headerless.log', `${ok(7)}\n`);
    await withStore(async (store) => {
      expect(await vpcIngester.ingest(store, path, { logFormat: format })).toMatchObject({ recordsUsed: 1, connections: 1 });
      expect(await vpcIngester.ingest(store, headerless, {})).toMatchObject({ recordsUsed: 1, connections: 1 });
      expect(await store.queryRows('SELECT client_ip, server_port, client_bytes::INTEGER AS b, interface_id FROM connections ORDER BY 1')).toEqual([
        { client_ip: '10.0.1.7', server_port: 443, b: 180, interface_id: 'eni-0a1b2c3d' },
        { client_ip: '10.0.3.1', server_port: 5432, b: 900, interface_id: 'eni-db' },
      ]);
      expect(await store.queryRows('SELECT options FROM sources ORDER BY id')).toEqual([
        { options: JSON.stringify({ logFormat: format.replace(/[${}]/g, '') }) },
        { options: null },
      ]);
    });
  });

  it("reads standard input ('-') through a spooled copy, hashed as given", async () => {
    const original = Object.getOwnPropertyDescriptor(process, 'stdin')!;
    Object.defineProperty(process, 'stdin', { value: Readable.from([Buffer.from(`${V2}\n${ok(1)}\n`)]), configurable: true });
    try {
      await withStore(async (store) => {
        expect(await vpcIngester.ingest(store, '-', {})).toMatchObject({ path: '-', recordsUsed: 1, connections: 1 });
        expect(await store.queryRows('SELECT path, size_bytes::INTEGER AS size FROM sources')).toEqual([{ path: '-', size: V2.length + ok(1).length + 2 }]);
      });
    } finally {
      Object.defineProperty(process, 'stdin', original);
    }
  });

  it('stops with one line naming the file and what to do when it is not a flow log', async () => {
    const path = file('notes.txt', 'hello world\nthis is not a flow log\n');
    await withStore(async (store) => {
      const err = await vpcIngester.ingest(store, path, {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputFormatError);
      expect((err as FlowauditError).toLine()).toMatch(/^.*notes\.txt@byte 0: line 1 is neither a flow-log header .* — for a file without a header line, give its format with --log-format/);
      const short = await vpcIngester.ingest(store, path, { logFormat: '${version} ${srcaddr} ${dstaddr}' }).catch((e: unknown) => e);
      expect((short as FlowauditError).message).toBe('line 1 has 2 fields, --log-format lists 3');
      const noAddresses = file('no-addresses.log', 'version account-id interface-id log-status\n2 1 eni-a OK\n');
      const missing = await vpcIngester.ingest(store, noAddresses, {}).catch((e: unknown) => e);
      expect((missing as FlowauditError).message).toBe('the flow-log format has no ${srcaddr}, ${dstaddr}, ${start} or ${end}');
      expect(await store.queryRows('SELECT count(*)::INTEGER AS n FROM sources')).toEqual([{ n: 0 }]);
    });
  });

  it('sums rejects past the per-reason cap into one row, so records read still adds up', async () => {
    const bad = Array.from({ length: REJECT_ROWS_PER_REASON + 5 }, (_, i) => `2 1 eni-x 10.0.0.1 10.0.0.2 99999 1 6 1 1 1700000000 1700000001 ACCEPT OK ${i}`);
    const path = file('many-bad.log', [V2, ok(1), ...bad].join('\n'));
    await withStore(async (store) => {
      const report = await vpcIngester.ingest(store, path, {});
      expect(report).toMatchObject({ recordsRead: REJECT_ROWS_PER_REASON + 6, recordsUsed: 1, recordsRejected: REJECT_ROWS_PER_REASON + 5 });
      const [summary] = await store.queryRows('SELECT count(*)::INTEGER AS rows, sum(count)::INTEGER AS records, max(count)::INTEGER AS biggest FROM rejects');
      expect(summary).toEqual({ rows: REJECT_ROWS_PER_REASON + 1, records: REJECT_ROWS_PER_REASON + 5, biggest: 5 });
    });
  });

  it('reads Parquet flow logs (column names with underscores) and rejects bad rows by row number', async () => {
    const path = join(dir, 'flows.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    await conn.run(`COPY (SELECT * FROM (VALUES
        (5, '111122223333', 'eni-p', '10.0.4.1', '10.0.4.2', '40001', 443, 6, 3::BIGINT, 300::BIGINT, 1700000000::BIGINT, 1700000060::BIGINT, 'ACCEPT', 'OK', 'egress'),
        (5, '111122223333', 'eni-p', '10.0.4.3', '10.0.4.2', 'x', 443, 6, 3, 300, 1700000000, 1700000060, 'ACCEPT', 'OK', 'egress'))
      AS t(version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, "end", action, log_status, flow_direction))
      TO '${path}' (FORMAT parquet)`);
    conn.closeSync();
    instance.closeSync();
    const head = Buffer.from('PAR1');
    expect(vpcIngester.sniff(Buffer.alloc(64 * 1024, head), '')).toBe(true);
    await withStore(async (store) => {
      const report = await vpcIngester.ingest(store, path, {});
      expect(report).toMatchObject({ kind: 'vpc-parquet', recordsRead: 2, recordsUsed: 1, recordsRejected: 1, connections: 1 });
      expect((await rejects(store)).map((r) => [r.location, r.reason])).toEqual([['row 2', 'bad_srcport']]);
      expect(await store.queryRows('SELECT client_ip, flow_direction, interface_id FROM connections')).toEqual([
        { client_ip: '10.0.4.1', flow_direction: 'egress', interface_id: 'eni-p' },
      ]);
    });
  });

  it('ingests saved CloudWatch subscription payloads: back-to-back objects, gzipped, control messages skipped', async () => {
    const payload = (events: string[]) =>
      JSON.stringify({
        messageType: 'DATA_MESSAGE', owner: '111122223333', logGroup: '/vpc/flows', logStream: 'eni-0cw-all',
        logEvents: events.map((message, i) => ({ id: String(i), timestamp: 1700000000000 + i, message })),
      });
    const content = [
      JSON.stringify({ messageType: 'CONTROL_MESSAGE', logEvents: [{ id: 'c', timestamp: 0, message: 'CWL CONTROL MESSAGE: Checking health of destination' }] }),
      payload([ok(1), ok(2)]),
      payload(['2 111122223333 eni-0a1b2c3d 10.0.1.3 10.0.2.9 40003 443 6 3 180 1700000000 1700000060 ACCEPT']),
    ].join('');
    const path = file('payloads.json.gz', gzipSync(content));
    const head = Buffer.from(content.slice(0, 200));
    expect(vpcIngester.sniff(head, head.toString())).toBe(true);
    await withStore(async (store) => {
      const report = await vpcIngester.ingest(store, path, {});
      expect(report).toMatchObject({ kind: 'vpc-cloudwatch', recordsRead: 3, recordsUsed: 2, recordsRejected: 1, connections: 2 });
      expect((await rejects(store)).map((r) => [r.location, r.reason])).toEqual([['event 3', 'bad_field_count']]);
    });
  });
});
