/** Names through the whole capture ingest: DNS over UDP and TCP, TLS SNI, hostile names, tunnels. */
import { describe, expect, it } from 'vitest';
import { ConnTracker } from '../../../../src/ingest/conntrack.js';
import { decodePacket } from '../../../../src/ingest/pcap/decode/decode.js';
import { DecodedPacket } from '../../../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../../../src/ingest/pcap/decode/registry.js';
import { NameCollector } from '../../../../src/ingest/pcap/names/name-collector.js';
import { ethernet, ipv4, ipv6, tcp, TcpFlag, udp } from '../../../helpers/packet-builder.js';
import { vxlan } from '../decode/tunnel-builders.js';
import { withIngested } from '../ingest-frames.js';
import { a, aaaa, clientHello, cname, dnsMessage, dnsOverTcp } from './message-builders.js';

const client = '192.168.1.11';
const resolver = '10.0.0.53';
const T0 = 1_700_000_000;

function dnsUdp(message: Uint8Array, tsSec: number): { data: Uint8Array; tsSec: number } {
  return { data: ethernet(ipv4({ src: resolver, dst: client, proto: 17, payload: udp({ srcPort: 53, dstPort: 40000, payload: message }) })), tsSec };
}

/** A TCP segment of one direction of client:40001 ↔ server:port. */
function segment(fromClient: boolean, server: string, port: number, seq: number, payload: Uint8Array, flags: number = TcpFlag.ACK | TcpFlag.PSH): Uint8Array {
  const [src, dst, srcPort, dstPort] = fromClient ? [client, server, 40001, port] : [server, client, port, 40001];
  return ethernet(ipv4({ src, dst, proto: 6, payload: tcp({ srcPort, dstPort, seq, flags, payload }) }));
}

const NAMES = `SELECT address, name, evidence, epoch(first_seen)::INTEGER AS first, epoch(last_seen)::INTEGER AS last,
  connection_id, suspicious, times_seen FROM names ORDER BY evidence, name, address`;

describe('names from the capture', () => {
  it('records DNS answers over UDP once per address and name, with first and last sighting', async () => {
    const response = dnsMessage({ questions: ['icr.io'], answers: [cname('icr.io', 'icr.edge.example'), a('icr.edge.example', '169.63.104.236'), aaaa('icr.edge.example', '2606:4700::6810:84e5')] });
    const query = { data: ethernet(ipv4({ src: client, dst: resolver, proto: 17, payload: udp({ srcPort: 40000, dstPort: 53, payload: dnsMessage({ response: false, questions: ['icr.io'] }) }) })), tsSec: T0 };
    await withIngested([query, dnsUdp(response, T0 + 1), dnsUdp(response, T0 + 5)], async ({ report, query: q }) => {
      expect(report).toMatchObject({ recordsUsed: 3, connections: 1 });
      expect(await q(NAMES)).toEqual([
        { address: '169.63.104.236', name: 'icr.edge.example', evidence: 'dns', first: T0 + 1, last: T0 + 5, connection_id: 1, suspicious: false, times_seen: 2 },
        { address: '2606:4700::6810:84e5', name: 'icr.edge.example', evidence: 'dns', first: T0 + 1, last: T0 + 5, connection_id: 1, suspicious: false, times_seen: 2 },
        { address: '169.63.104.236', name: 'icr.io', evidence: 'dns', first: T0 + 1, last: T0 + 5, connection_id: 1, suspicious: false, times_seen: 2 },
        { address: '2606:4700::6810:84e5', name: 'icr.io', evidence: 'dns', first: T0 + 1, last: T0 + 5, connection_id: 1, suspicious: false, times_seen: 2 },
      ]);
    });
  });

  it('reads several DNS messages in one TCP segment and one message split over two', async () => {
    const one = dnsMessage({ id: 1, answers: [a('one.test', '192.0.2.1')] });
    const two = dnsMessage({ id: 2, answers: [a('two.test', '192.0.2.2')] });
    const three = dnsMessage({ id: 3, answers: [a('three.test', '192.0.2.3')] });
    const stream = dnsOverTcp(one, two, three);
    const cut = dnsOverTcp(one, two).length + 10;
    const frames = [
      segment(false, resolver, 53, 1000, stream.subarray(0, cut)),
      // A retransmission of the first segment changes nothing.
      segment(false, resolver, 53, 1000, stream.subarray(0, cut)),
      segment(false, resolver, 53, 1000 + cut, stream.subarray(cut)),
    ];
    await withIngested(frames, async ({ query }) => {
      expect((await query<{ name: string }>(NAMES)).map((r) => r.name)).toEqual(['one.test', 'three.test', 'two.test']);
    });
  });

  it('binds the SNI of a ClientHello to the address it was sent to, in one segment or reassembled', async () => {
    const server = '169.45.1.2';
    const small = clientHello({ sni: 'iam.cloud.ibm.com' });
    const large = clientHello({ sni: 'containers.cloud.ibm.com', paddingBefore: 1800 });
    const frames = [
      segment(true, server, 443, 1, small),
      ethernet(ipv6({ src: '2001:db8::1', dst: '2001:db8::443', proto: 6, payload: tcp({ srcPort: 50000, dstPort: 443, seq: 77, payload: clientHello({ sni: 'icr.io' }) }) })),
      segment(true, '169.45.9.9', 8443, 500, large.subarray(0, 1400)),
      segment(true, '169.45.9.9', 8443, 1900, large.subarray(1400)),
    ];
    await withIngested(frames, async ({ query }) => {
      const rows = await query<{ address: string; name: string; evidence: string; connection_id: number }>(NAMES);
      expect(rows.map((r) => [r.evidence, r.address, r.name, r.connection_id])).toEqual([
        ['sni', '169.45.9.9', 'containers.cloud.ibm.com', 3],
        ['sni', '169.45.1.2', 'iam.cloud.ibm.com', 1],
        ['sni', '2001:db8::443', 'icr.io', 2],
      ]);
    });
  });

  it('stores hostile names verbatim and flags them, ordinary ones not', async () => {
    const markup = '<img src=x onerror=alert(1)>';
    const control = 'evil\x1b[2J\x07\x00.example';
    const long = `${'a'.repeat(63)}.`.repeat(5) + 'example';
    const frames = [
      segment(true, '192.0.2.10', 443, 1, clientHello({ sni: markup })),
      segment(true, '192.0.2.11', 443, 1, clientHello({ sni: control })),
      segment(true, '192.0.2.12', 443, 1, clientHello({ sni: long })),
      segment(true, '192.0.2.13', 443, 1, clientHello({ sni: 'apigee.googleapis.com' })),
    ];
    await withIngested(frames, async ({ query }) => {
      const rows = await query<{ name: string; suspicious: boolean }>('SELECT name, suspicious FROM names ORDER BY address');
      expect(rows).toEqual([
        { name: markup, suspicious: true },
        { name: control, suspicious: true },
        { name: long, suspicious: true },
        { name: 'apigee.googleapis.com', suspicious: false },
      ]);
      expect(long.length).toBeGreaterThan(300);
    });
  });

  it('reads names inside tunnels and ties them to the inner connection', async () => {
    const inner = ethernet(ipv4({ src: '10.96.0.10', dst: '10.244.1.5', proto: 17, payload: udp({ srcPort: 53, dstPort: 33000, payload: dnsMessage({ answers: [a('apigee.googleapis.com', '142.250.1.1')] }) }) }));
    const frame = ethernet(ipv4({ src: '192.168.0.1', dst: '192.168.0.2', proto: 17, payload: udp({ srcPort: 40000, dstPort: 8472, payload: vxlan({ vni: 1, payload: inner }) }) }));
    await withIngested([frame], async ({ query }) => {
      expect(await query(`SELECT n.name, c.encapsulation FROM names n JOIN connections c ON c.id = n.connection_id`)).toEqual([{ name: 'apigee.googleapis.com', encapsulation: 'vxlan' }]);
    });
  });

  it('never throws on mutated DNS, DNS over TCP and ClientHello packets', () => {
    let seed = 99;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
    const bases = [
      dnsUdp(dnsMessage({ questions: ['a.test'], answers: [cname('a.test', 'b.test'), a('b.test', '192.0.2.1')] }), T0).data,
      segment(false, resolver, 53, 1, dnsOverTcp(dnsMessage({ answers: [a('x.test', '192.0.2.2')] }), dnsMessage({ answers: [aaaa('y.test', '2001:db8::2')] }))),
      segment(true, '192.0.2.9', 443, 1, clientHello({ sni: 'z.test', paddingBefore: 30 })),
    ];
    let id = 0;
    const tracker = new ConnTracker(() => {}, () => ++id);
    const collector = new NameCollector(() => {});
    const pkt = new DecodedPacket();
    for (let round = 0; round < 6000; round++) {
      const base = bases[round % bases.length]!;
      const frame = base.slice(0, 54 + (next() % (base.length - 53)));
      // Keep the link, IP and transport headers mostly intact so the payload parsers are reached.
      for (let flips = 1 + (next() % 4); flips > 0; flips--) frame[54 + (next() % (frame.length - 54))] = next();
      if (next() < 32) frame[next() % 54] = next();
      decodePacket(pkt, frame, 0, frame.length, LinkType.ETHERNET);
      if (pkt.ipVersion === 0 || pkt.anomaly !== 0) continue;
      const conn = tracker.add(pkt, round, pkt.ipLen);
      expect(() => collector.observe(pkt, conn, round)).not.toThrow();
    }
    expect(() => collector.flush()).not.toThrow();
  });
});
