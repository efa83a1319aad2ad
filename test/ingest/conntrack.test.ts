import { describe, it, expect } from 'vitest';
import { ConnTracker, DEFAULT_TRACKER_OPTIONS } from '../../src/ingest/conntrack.js';
import type { Connection } from '../../src/ingest/connection.js';
import { DecodedPacket } from '../../src/ingest/pcap/decode/packet.js';
import { formatIPv4 } from '../../src/net/ip.js';
import { Encapsulation } from '../../src/ingest/pcap/decode/encapsulation.js';
import { captureConnectionRow } from '../../src/ingest/pcap/connection-row.js';

const SYN = 0x02, ACK = 0x10, FIN = 0x01, RST = 0x04, PSH = 0x08;

/** A DecodedPacket as the decoders would leave it, addresses in a small buffer. */
function packet(proto: number, src: string, sport: number, dst: string, dport: number, flags = 0, payload = 0): DecodedPacket {
  const buf = new Uint8Array(8);
  src.split('.').forEach((o, i) => (buf[i] = Number(o)));
  dst.split('.').forEach((o, i) => (buf[4 + i] = Number(o)));
  const p = new DecodedPacket();
  p.reset(buf, 8);
  p.ipVersion = 4;
  p.srcOff = 0;
  p.dstOff = 4;
  p.proto = proto;
  p.srcPort = sport;
  p.dstPort = dport;
  p.hasPorts = true;
  p.tcpFlags = flags;
  p.payloadLen = payload;
  return p;
}

function tracker(options = DEFAULT_TRACKER_OPTIONS): { t: ConnTracker; flushed: Connection[] } {
  const flushed: Connection[] = [];
  let id = 0;
  return { t: new ConnTracker((c) => flushed.push(c), () => ++id, options), flushed };
}

describe('ConnTracker', () => {
  it('joins both directions of a TCP handshake into one connection with the SYN sender as client', () => {
    const { t, flushed } = tracker();
    t.add(packet(6, '10.0.0.1', 40000, '10.0.0.2', 443, SYN), 1, 60);
    t.add(packet(6, '10.0.0.2', 443, '10.0.0.1', 40000, SYN | ACK), 2, 60);
    t.add(packet(6, '10.0.0.1', 40000, '10.0.0.2', 443, ACK | PSH, 100), 3, 140);
    t.add(packet(6, '10.0.0.2', 443, '10.0.0.1', 40000, ACK | FIN), 4, 40);
    t.add(packet(6, '10.0.0.1', 40000, '10.0.0.2', 443, ACK | FIN), 5, 40);
    t.flushAll();
    expect(flushed).toHaveLength(1);
    const c = flushed[0]!;
    expect([formatIPv4(c.clientAddr, 0), c.clientPort, formatIPv4(c.serverAddr, 0), c.serverPort]).toEqual(['10.0.0.1', 40000, '10.0.0.2', 443]);
    expect([c.clientPackets, c.clientBytes, c.serverPackets, c.serverBytes]).toEqual([3, 240, 2, 100]);
    expect(c.evidence).toBe('syn');
    expect(c.history).toBe('ShDfF');
    expect([c.firstTs, c.lastTs]).toEqual([1, 5]);
  });

  it('decides the client from a SYN-ACK seen first, and from ports when no handshake is seen', () => {
    const { t, flushed } = tracker();
    t.add(packet(6, '10.0.0.2', 443, '10.0.0.1', 40000, SYN | ACK), 1, 60);
    t.add(packet(6, '192.168.1.9', 22, '192.168.1.5', 50123, ACK | PSH, 48), 2, 100);
    t.add(packet(17, '10.9.9.9', 53, '10.0.0.1', 33333), 3, 80);
    t.flushAll();
    const byServerPort = new Map(flushed.map((c) => [c.serverPort, c]));
    expect(byServerPort.get(443)!.evidence).toBe('syn-ack');
    expect(formatIPv4(byServerPort.get(443)!.clientAddr, 0)).toBe('10.0.0.1');
    expect(byServerPort.get(22)!.evidence).toBe('port-heuristic');
    expect(byServerPort.get(53)!.evidence).toBe('port-heuristic');
    expect(formatIPv4(byServerPort.get(53)!.clientAddr, 0)).toBe('10.0.0.1');
  });

  it('pairs ICMP echo and echo reply, with type and code as ports', () => {
    const { t, flushed } = tracker();
    t.add(packet(1, '10.0.0.1', 8, '10.0.0.2', 0), 1, 84);
    t.add(packet(1, '10.0.0.2', 0, '10.0.0.1', 0), 2, 84);
    t.flushAll();
    expect(flushed).toHaveLength(1);
    expect([flushed[0]!.clientPort, flushed[0]!.serverPort, flushed[0]!.serverPackets, flushed[0]!.evidence]).toEqual([8, 0, 1, 'icmp-type']);
  });

  it('starts a new connection when a closed tuple sees a new SYN (port reuse)', () => {
    const { t, flushed } = tracker();
    for (const ts of [1, 100]) {
      t.add(packet(6, '10.0.0.1', 40000, '10.0.0.2', 80, SYN), ts, 60);
      t.add(packet(6, '10.0.0.2', 80, '10.0.0.1', 40000, RST | ACK), ts + 1, 40);
    }
    t.flushAll();
    expect(flushed.map((c) => c.firstTs)).toEqual([1, 100]);
  });

  it('flushes idle connections as capture time advances, keeping memory bounded', () => {
    const { t, flushed } = tracker({ ...DEFAULT_TRACKER_OPTIONS, datagramTimeoutMicros: 1_000_000 });
    // 70k one-packet UDP flows, one per 100 ms of capture time: the sweep runs every 65536 packets.
    for (let i = 0; i < 70_000; i++) {
      t.add(packet(17, '10.0.0.1', 1024 + (i % 60000), `10.1.${(i >> 8) & 255}.${i & 255}`, 53), i * 100_000, 60);
    }
    expect(flushed.length).toBeGreaterThan(60_000);
    expect(t.active).toBeLessThan(10_000);
    t.flushAll();
    expect(flushed).toHaveLength(70_000);
    expect(new Set(flushed.map((c) => c.id)).size).toBe(70_000);
  });

  it('keeps finding every connection after many deletions (backward-shift delete)', () => {
    const { t, flushed } = tracker({ ...DEFAULT_TRACKER_OPTIONS, datagramTimeoutMicros: 5_000_000 });
    // Interleave long-lived flows with short ones that expire, then touch the long-lived ones again.
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 40_000; i++) t.add(packet(17, '10.0.0.1', 2000 + i, '10.0.0.3', 9999), round * 4_000_000 + i, 50);
      for (let i = 0; i < 200; i++) t.add(packet(17, '10.0.0.7', 40000 + i, '10.0.0.8', 7777), round * 4_000_000 + 40_000, 50);
    }
    t.flushAll();
    const longLived = flushed.filter((c) => c.serverPort === 7777);
    expect(longLived).toHaveLength(200);
    expect(longLived.every((c) => c.clientPackets === 4)).toBe(true);
  });

  it('records the tunnel a connection came out of, and keeps tunnel contexts apart', () => {
    const { t, flushed } = tracker();
    const outer = t.add(packet(17, '192.168.0.1', 50000, '192.168.0.2', 4789), 1, 100);
    const inner = packet(6, '10.244.0.1', 40000, '10.244.1.1', 80, SYN);
    inner.encapsulation = Encapsulation.vxlan;
    inner.tunnelId = 4096;
    const first = t.add(inner, 1, 60, 7, outer);
    expect(t.add(inner, 2, 60, 7, null)).toBe(first);
    expect(t.add(inner, 3, 60, 8, outer)).not.toBe(first);
    t.flushAll();
    expect(flushed.map((c) => c.tunnel)).toEqual([
      null,
      { encapsulation: 'vxlan', tunnelId: 4096, outerConnectionId: outer.id },
      { encapsulation: 'vxlan', tunnelId: 4096, outerConnectionId: outer.id },
    ]);
    expect(captureConnectionRow(flushed[1]!)).toMatchObject({ encapsulation: 'vxlan', tunnelId: 4096, outerConnectionId: outer.id, clientPackets: 2 });
    expect(captureConnectionRow(flushed[0]!)).toMatchObject({ encapsulation: null, tunnelId: null, outerConnectionId: null });
  });
});
