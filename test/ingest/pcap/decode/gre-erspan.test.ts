import { describe, expect, it } from 'vitest';
import { ANOMALY_NAMES } from '../../../../src/ingest/pcap/decode/anomalies.js';
import { decodePacket } from '../../../../src/ingest/pcap/decode/decode.js';
import { Encapsulation } from '../../../../src/ingest/pcap/decode/encapsulation.js';
import { DecodedPacket, MAX_TUNNEL_DEPTH } from '../../../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../../../src/ingest/pcap/decode/registry.js';
import { formatIPv4 } from '../../../../src/net/ip.js';
import { ethernet, icmp, ipv4, ipv6, udp } from '../../../helpers/packet-builder.js';
import { ciscoMetadata, erspanII, erspanIII, gre, vxlan } from './tunnel-builders.js';

const pkt = new DecodedPacket();

function decode(packet: Uint8Array): DecodedPacket {
  decodePacket(pkt, packet, 0, packet.length, LinkType.RAW);
  return pkt;
}

const innerV4 = ipv4({ src: '172.16.0.1', dst: '172.16.0.2', proto: 1, payload: icmp({ type: 8, id: 3 }) });
const innerV6 = ipv6({ src: '2001:db8::a', dst: '2001:db8::b', proto: 17, payload: udp({ srcPort: 5000, dstPort: 53 }) });
const innerFrame = ethernet(ipv4({ src: '10.1.1.1', dst: '224.0.0.2', proto: 17, payload: udp({ srcPort: 1985, dstPort: 1985 }) }), { vlans: [{ id: 30 }] });

function overGre(payload: Uint8Array): Uint8Array {
  return ipv4({ src: '198.51.100.1', dst: '198.51.100.2', proto: 47, payload });
}

describe('ip in ip', () => {
  it('opens IPv4 in IPv4 (protocol 4) as ipip', () => {
    const p = decode(ipv4({ src: '192.0.2.1', dst: '192.0.2.2', proto: 4, payload: innerV4 }));
    expect(p).toMatchObject({ tunnelDepth: 1, ipVersion: 4, proto: 1, icmpId: 3, encapsulation: Encapsulation.ipip, tunnelId: -1, anomaly: 0 });
    expect(p.outer[0]).toMatchObject({ ipVersion: 4, proto: 4, hasPorts: false, ipLen: 20 + innerV4.length });
  });

  it('opens IPv6 in IPv4 (protocol 41) as 6in4, and IPv6 in IPv6 as ipip', () => {
    expect(decode(ipv4({ proto: 41, payload: innerV6 }))).toMatchObject({ tunnelDepth: 1, ipVersion: 6, dstPort: 53, encapsulation: Encapsulation['6in4'] });
    expect(decode(ipv6({ proto: 41, payload: innerV6 }))).toMatchObject({ tunnelDepth: 1, ipVersion: 6, encapsulation: Encapsulation.ipip });
    expect(decode(ipv6({ proto: 4, payload: innerV4 }))).toMatchObject({ tunnelDepth: 1, ipVersion: 4, encapsulation: Encapsulation.ipip });
  });

  it('keeps the outer layer when the inner header is not the announced version', () => {
    const p = decode(ipv4({ proto: 4, payload: innerV6 }));
    expect(ANOMALY_NAMES[p.anomaly]).toBe('bad_IP_version');
    expect(p.tunnelDepth).toBe(1);
  });
});

describe('gre', () => {
  it('reads checksum, key and sequence fields and opens IPv4, IPv6 and Ethernet payloads', () => {
    expect(decode(overGre(gre({ protocol: 0x0800, payload: innerV4 })))).toMatchObject({ tunnelDepth: 1, proto: 1, encapsulation: Encapsulation.gre, tunnelId: -1, anomaly: 0 });
    expect(decode(overGre(gre({ protocol: 0x86dd, checksum: true, key: 0xfffffffe, sequence: 9, payload: innerV6 })))).toMatchObject({ ipVersion: 6, dstPort: 53, tunnelId: 0xfffffffe, anomaly: 0 });
    const p = decode(overGre(gre({ protocol: 0x6558, key: 77, payload: innerFrame })));
    expect(p).toMatchObject({ ipVersion: 4, proto: 17, dstPort: 1985, vlan: 30, tunnelId: 77, anomaly: 0 });
    expect(p.outer[0]).toMatchObject({ proto: 47, vlan: -1 });
  });

  it('skips RFC 1701 source route entries', () => {
    const route = new Uint8Array([0x08, 0x00, 0, 4, 10, 0, 0, 1]);
    expect(decode(overGre(gre({ protocol: 0x0800, routing: [route], payload: innerV4 })))).toMatchObject({ proto: 1, icmpId: 3, anomaly: 0 });
  });

  it('opens the Cisco MetaData header routers put between GRE and IP', () => {
    expect(decode(overGre(gre({ protocol: 0x8909, key: 40, payload: ciscoMetadata({ etherType: 0x0800, payload: innerV4 }) })))).toMatchObject({ tunnelDepth: 1, proto: 1, tunnelId: 40, anomaly: 0 });
  });

  it('recognises PPTP enhanced GRE (version 1) and leaves its PPP payload closed', () => {
    const ppp = new Uint8Array([0xff, 0x03, 0xc0, 0x21, 1, 0, 0, 4]);
    const p = decode(overGre(gre({ protocol: 0x880b, version: 1, key: (ppp.length << 16) | 0x1234, sequence: 1, ack: 0, payload: ppp })));
    expect(p).toMatchObject({ tunnelDepth: 1, ipVersion: 0, encapsulation: Encapsulation.gre, tunnelId: 0x1234, anomaly: 0 });
  });

  it('carries keepalives and non-IP payloads (CDP) without an inner layer', () => {
    expect(decode(overGre(gre({ protocol: 0, key: 40 })))).toMatchObject({ tunnelDepth: 1, ipVersion: 0, anomaly: 0 });
    expect(decode(overGre(gre({ protocol: 0x2000, payload: new Uint8Array(20) })))).toMatchObject({ tunnelDepth: 1, ipVersion: 0, anomaly: 0 });
  });

  it('flags unknown versions, PPTP without a key and headers cut short', () => {
    const cases = [
      gre({ protocol: 0x0800, version: 2, payload: innerV4 }),
      gre({ protocol: 0x880b, version: 1 }),
      gre({ protocol: 0x0800, key: 1, sequence: 2 }).slice(0, 10),
      new Uint8Array(3),
    ];
    for (const header of cases) {
      const p = decode(overGre(header));
      expect(ANOMALY_NAMES[p.anomaly]).toBe('truncated_tunnel_header');
      expect(p.outer[0]).toMatchObject({ proto: 47 });
    }
  });

  it('opens GRE inside GRE, each layer with its own addresses, outermost first', () => {
    const middle = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 47, payload: gre({ protocol: 0x0800, key: 2, payload: innerV4 }) });
    const p = decode(overGre(gre({ protocol: 0x0800, key: 1, payload: middle })));
    expect(p.tunnelDepth).toBe(2);
    expect(p.outer.slice(0, 2).map((l) => [formatIPv4(l.buf, l.srcOff), l.encapsulation, l.tunnelId])).toEqual([
      ['198.51.100.1', 0, -1],
      ['10.0.0.1', Encapsulation.gre, 1],
    ]);
    expect(p).toMatchObject({ proto: 1, encapsulation: Encapsulation.gre, tunnelId: 2 });
  });

  it(`opens at most ${MAX_TUNNEL_DEPTH} tunnels and keeps every layer up to there`, () => {
    let packet = innerV4;
    for (let i = 0; i < MAX_TUNNEL_DEPTH + 3; i++) packet = ipv4({ src: `10.0.0.${i + 1}`, dst: '10.9.9.9', proto: 4, payload: packet });
    const p = decode(packet);
    expect(ANOMALY_NAMES[p.anomaly]).toBe('excessive_tunnel_depth');
    expect(p.tunnelDepth).toBe(MAX_TUNNEL_DEPTH + 1);
    expect(p.outer.slice(0, p.tunnelDepth).every((l) => l.ipVersion === 4 && l.proto === 4)).toBe(true);
  });
});

describe('erspan', () => {
  it('opens type I (no sequence number, no ERSPAN header)', () => {
    expect(decode(overGre(gre({ protocol: 0x88be, payload: innerFrame })))).toMatchObject({ tunnelDepth: 1, dstPort: 1985, encapsulation: Encapsulation.erspan, tunnelId: -1, anomaly: 0 });
  });

  it('opens type II with its session id', () => {
    const p = decode(overGre(gre({ protocol: 0x88be, sequence: 5, payload: erspanII({ session: 0x3ff, vlan: 12, payload: innerFrame }) })));
    expect(p).toMatchObject({ tunnelDepth: 1, ipVersion: 4, dstPort: 1985, encapsulation: Encapsulation.erspan, tunnelId: 0x3ff, anomaly: 0 });
  });

  it('opens type III, Ethernet or bare IP, with or without the platform subheader', () => {
    expect(decode(overGre(gre({ protocol: 0x22eb, sequence: 1, payload: erspanIII({ session: 7, payload: innerFrame }) })))).toMatchObject({ dstPort: 1985, tunnelId: 7, anomaly: 0 });
    expect(decode(overGre(gre({ protocol: 0x22eb, sequence: 1, payload: erspanIII({ session: 8, platformSubheader: true, payload: innerFrame }) })))).toMatchObject({ dstPort: 1985, tunnelId: 8, anomaly: 0 });
    expect(decode(overGre(gre({ protocol: 0x22eb, sequence: 1, payload: erspanIII({ session: 9, frameType: 2, payload: innerV6 }) })))).toMatchObject({ ipVersion: 6, dstPort: 53, tunnelId: 9, anomaly: 0 });
  });

  it('flags an unknown ERSPAN version and a short header', () => {
    expect(ANOMALY_NAMES[decode(overGre(gre({ protocol: 0x88be, sequence: 1, payload: erspanII({ session: 1, version: 5, payload: innerFrame }) }))).anomaly]).toBe('truncated_tunnel_header');
    expect(ANOMALY_NAMES[decode(overGre(gre({ protocol: 0x22eb, sequence: 1, payload: new Uint8Array(9).fill(0x20) }))).anomaly]).toBe('truncated_tunnel_header');
  });

  it('opens VXLAN in GRE in ERSPAN-mirrored traffic (three levels)', () => {
    const vxlanPacket = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, payload: udp({ srcPort: 1, dstPort: 4789, payload: vxlan({ vni: 3, payload: innerFrame }) }) });
    const mirrored = ethernet(ipv4({ src: '10.0.0.5', dst: '10.0.0.6', proto: 47, payload: gre({ protocol: 0x0800, payload: vxlanPacket }) }));
    const p = decode(overGre(gre({ protocol: 0x88be, sequence: 1, payload: erspanII({ session: 4, payload: mirrored }) })));
    expect(p.tunnelDepth).toBe(3);
    expect(p.outer.slice(0, 3).map((l) => l.encapsulation)).toEqual([0, Encapsulation.erspan, Encapsulation.gre]);
    expect(p).toMatchObject({ encapsulation: Encapsulation.vxlan, tunnelId: 3, dstPort: 1985, anomaly: 0 });
  });
});
