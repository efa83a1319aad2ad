import { describe, expect, it } from 'vitest';
import { ConnTracker } from '../../src/ingest/conntrack.js';
import type { Connection } from '../../src/ingest/connection.js';
import { FragmentTracker } from '../../src/ingest/fragments.js';
import { decodePacket } from '../../src/ingest/pcap/decode/decode.js';
import { DecodedPacket } from '../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../src/ingest/pcap/decode/registry.js';
import { ipv4, ipv6, udp } from '../helpers/packet-builder.js';

/** The IPv4 fragments of one UDP datagram, `size` data bytes each (the last takes the rest). */
function v4Fragments(o: { id?: number; src?: string; dst?: string; payloadLen?: number; size?: number } = {}): Uint8Array[] {
  const datagram = udp({ srcPort: 7001, dstPort: 7000, payload: new Uint8Array(o.payloadLen ?? 3000).fill(7) });
  const size = o.size ?? 1480;
  const frames: Uint8Array[] = [];
  for (let at = 0; at < datagram.length; at += size) {
    const end = Math.min(at + size, datagram.length);
    frames.push(ipv4({ src: o.src ?? '10.0.0.1', dst: o.dst ?? '10.0.0.2', proto: 17, id: o.id ?? 42, fragmentOffset: at, moreFragments: end < datagram.length, payload: datagram.subarray(at, end) }));
  }
  return frames;
}

/** Feeds packets as the capture ingest does (no tunnels): returns the connections and the used count. */
function ingest(packets: Uint8Array[], context = 0): { conns: Connection[]; used: number; fragments: FragmentTracker } {
  const conns: Connection[] = [];
  let id = 0;
  const tracker = new ConnTracker((c) => conns.push(c), () => ++id);
  const fragments = new FragmentTracker((c, fromClient, ts, bytes) => tracker.countInto(c, fromClient, ts, bytes));
  const pkt = new DecodedPacket();
  let used = 0;
  packets.forEach((bytes, i) => {
    decodePacket(pkt, bytes, 0, bytes.length, LinkType.RAW);
    expect(pkt.anomaly).toBe(0);
    if (pkt.isFragment && pkt.fragmentOffset > 0) {
      if (fragments.later(pkt, i, pkt.ipLen, i + 1, context)) used++;
      return;
    }
    const conn = tracker.add(pkt, i, pkt.ipLen, context);
    used++;
    if (pkt.isFragment) used += fragments.first(pkt, conn, i, context);
  });
  tracker.flushAll();
  return { conns, used, fragments };
}

const totalBytes = (frames: Uint8Array[]): number => frames.reduce((n, f) => n + f.length, 0);

describe('FragmentTracker', () => {
  it('counts every IPv4 fragment, bytes included, into the first fragment\u2019s connection', () => {
    const frames = v4Fragments();
    expect(frames).toHaveLength(3);
    const { conns, used, fragments } = ingest(frames);
    expect(conns).toHaveLength(1);
    expect(conns[0]).toMatchObject({ clientPort: 7001, serverPort: 7000, clientPackets: 3, clientBytes: totalBytes(frames) });
    expect(used).toBe(3);
    expect(fragments.finish()).toEqual([]);
    expect(fragments.overlaps).toBe(0);
  });

  it('attributes fragments that arrive before the first, and a middle one after the last', () => {
    const [first, middle, last] = v4Fragments();
    const { conns, used, fragments } = ingest([last!, first!, middle!]);
    expect(conns[0]!.clientPackets).toBe(3);
    expect(used).toBe(3);
    expect(fragments.finish()).toEqual([]);
  });

  it('counts IPv6 fragments the same way', () => {
    const datagram = udp({ srcPort: 5000, dstPort: 53, payload: new Uint8Array(2000) });
    const frames = [
      ipv6({ proto: 17, extHeaders: [{ type: 44, moreFragments: true, id: 9 }], payload: datagram.subarray(0, 1232) }),
      ipv6({ proto: 17, extHeaders: [{ type: 44, fragmentOffset: 1232, id: 9 }], payload: datagram.subarray(1232) }),
    ];
    const { conns, used } = ingest(frames);
    expect(conns).toHaveLength(1);
    expect(conns[0]).toMatchObject({ clientPackets: 2, serverPort: 53, clientBytes: totalBytes(frames) });
    expect(used).toBe(2);
  });

  it('counts overlapping fragments as an anomaly, not an exact duplicate, and still attributes them', () => {
    const frames = v4Fragments({ size: 1000 });
    const datagram = udp({ srcPort: 7001, dstPort: 7000, payload: new Uint8Array(3000).fill(7) });
    const overlapping = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, id: 42, fragmentOffset: 992, moreFragments: true, payload: datagram.subarray(992, 1992) });
    const { conns, used, fragments } = ingest([frames[0]!, frames[1]!, frames[1]!, overlapping, frames[2]!, frames[3]!]);
    expect(fragments.overlaps).toBe(1);
    expect(conns[0]!.clientPackets).toBe(6);
    expect(used).toBe(6);
  });

  it('reports fragments whose first fragment never came, unless already counted through a tunnel', () => {
    const [, middle, last] = v4Fragments();
    const pkt = new DecodedPacket();
    const fragments = new FragmentTracker(() => expect.unreachable('no fragment has a connection to count into'));
    decodePacket(pkt, middle!, 0, middle!.length, LinkType.RAW);
    expect(fragments.later(pkt, 1, pkt.ipLen, 7)).toBe(false);
    decodePacket(pkt, last!, 0, last!.length, LinkType.RAW);
    expect(fragments.later(pkt, 2, pkt.ipLen, 8, 5, true)).toBe(false);
    expect(fragments.finish()).toEqual([{ frame: 7, reason: 'fragment_without_first' }]);
  });

  it('keeps datagrams of different tunnel contexts apart', () => {
    const frames = v4Fragments();
    const conns: Connection[] = [];
    let id = 0;
    const tracker = new ConnTracker((c) => conns.push(c), () => ++id);
    const fragments = new FragmentTracker((c, fromClient, ts, bytes) => tracker.countInto(c, fromClient, ts, bytes));
    const pkt = new DecodedPacket();
    for (const context of [1, 2]) {
      decodePacket(pkt, frames[0]!, 0, frames[0]!.length, LinkType.RAW);
      fragments.first(pkt, tracker.add(pkt, 0, pkt.ipLen, context), 0, context);
    }
    decodePacket(pkt, frames[1]!, 0, frames[1]!.length, LinkType.RAW);
    expect(fragments.later(pkt, 1, pkt.ipLen, 3, 2)).toBe(true);
    tracker.flushAll();
    expect(conns.map((c) => c.clientPackets)).toEqual([1, 2]);
  });
});
