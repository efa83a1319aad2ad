import { describe, it, expect } from 'vitest';
import { ConnRecords, KEY_WORDS } from '../../src/ingest/conn-records.js';
import { Connection } from '../../src/ingest/connection.js';
import { Sent } from '../../src/ingest/conn-state.js';

const SYN = 0x02, ACK = 0x10, FIN = 0x01, RST = 0x04, PSH = 0x08;

function keyOf(n: number, proto = 6): Uint32Array {
  const key = new Uint32Array(KEY_WORDS);
  key[0] = 4 | (proto << 8);
  key[1] = n;
  return key;
}

function settled(records: ConnRecords, index: number): Connection {
  const conn = new Connection(1, 6, 4, new Uint8Array(4), new Uint8Array(4), 1, 2, null, 'syn', 0);
  records.settle(index, conn);
  return conn;
}

describe('ConnRecords', () => {
  it('counts each side and keeps the latest timestamp', () => {
    const records = new ConnRecords();
    const r = records.allocate(keyOf(1), 7, true, 100);
    records.count(r, true, 150, 60);
    records.count(r, false, 120, 1500);
    records.count(r, true, 140, 40);
    const c = settled(records, r);
    expect([c.clientPackets, c.clientBytes, c.serverPackets, c.serverBytes, c.lastTs]).toEqual([2, 100, 1, 1500, 150]);
    expect([records.hash(r), records.proto(r), records.clientIsLow(r)]).toEqual([7, 6, true]);
  });

  it('writes the history in the order the letters first came, each once per direction', () => {
    const records = new ConnRecords();
    const r = records.allocate(keyOf(1), 0, false, 0);
    records.tcpSegment(r, true, SYN, 0);
    records.tcpSegment(r, false, SYN | ACK, 0);
    records.tcpSegment(r, true, ACK, 0);
    records.tcpSegment(r, true, ACK | PSH, 10);
    records.tcpSegment(r, false, ACK | PSH, 10);
    records.tcpSegment(r, true, ACK | PSH, 10);
    records.tcpSegment(r, false, ACK | FIN, 0);
    records.tcpSegment(r, true, ACK | FIN, 0);
    const c = settled(records, r);
    expect(c.history).toBe('ShADdfF');
    expect(records.closed(r)).toBe(true);
    expect(c.firstRst).toBeNull();
  });

  it('holds all fourteen history entries (both 4-bit order words)', () => {
    const records = new ConnRecords();
    const r = records.allocate(keyOf(1), 0, true, 0);
    const segments: [number, number][] = [[SYN, 0], [SYN | ACK, 0], [ACK, 0], [ACK, 5], [FIN, 0], [RST, 0], [SYN | FIN, 0]];
    for (const fromClient of [true, false]) for (const [flags, len] of segments) records.tcpSegment(r, fromClient, flags, len);
    expect(settled(records, r).history).toBe('SHADFRQshadfrq');
  });

  it('remembers who reset first, and what each side sent', () => {
    const records = new ConnRecords();
    const r = records.allocate(keyOf(1), 0, true, 0);
    records.tcpSegment(r, true, SYN, 0);
    expect(records.closed(r)).toBe(false);
    records.tcpSegment(r, false, RST | ACK, 0);
    records.tcpSegment(r, true, RST, 0);
    const c = settled(records, r);
    expect(c.firstRst).toBe('server');
    expect(records.closed(r)).toBe(true);
    expect(c.clientSent).toBe(Sent.SYN | Sent.RST);
    expect(c.serverSent).toBe(Sent.RST | Sent.ACK);
  });

  it('grows past its first buffer and hands released records out again, cleared', () => {
    const records = new ConnRecords(4);
    const indices = Array.from({ length: 1000 }, (_, n) => records.allocate(keyOf(n, 17), n, true, n));
    expect(new Set(indices).size).toBe(1000);
    expect(indices.every((r, n) => records.sameKey(r, keyOf(n, 17)) && records.lastTs(r) === n && records.proto(r) === 17)).toBe(true);
    records.count(indices[10]!, true, 5000, 99);
    records.release(indices[10]!);
    const again = records.allocate(keyOf(5000), 1, false, 7);
    expect(again).toBe(indices[10]);
    const c = settled(records, again);
    expect([c.clientPackets, c.clientBytes, c.lastTs, c.history]).toEqual([0, 0, 7, '']);
    expect(records.highWater).toBe(1000);
  });
});
