import { describe, expect, it } from 'vitest';
import type { AnomalyName } from '../../../../src/ingest/pcap/decode/anomalies.js';
import { ANOMALY_NAMES } from '../../../../src/ingest/pcap/decode/anomalies.js';
import { decodePacket } from '../../../../src/ingest/pcap/decode/decode.js';
import { DecodedPacket } from '../../../../src/ingest/pcap/decode/packet.js';
import { MAX_IPV6_EXT_HEADERS } from '../../../../src/ingest/pcap/decode/ipv6.js';
import { LinkType } from '../../../../src/ingest/pcap/decode/registry.js';
import {
  concat,
  ethernet,
  icmp,
  ipv4,
  ipv6,
  nullHeader,
  sll,
  sll2,
  tcp,
  TcpFlag,
  udp,
} from '../../../helpers/packet-builder.js';
import { erspanIII, geneve, gre, vxlan } from './tunnel-builders.js';

const pkt = new DecodedPacket();

describe('decodePacket', () => {
  it('flags a link type it has no decoder for', () => {
    const frame = ethernet(ipv4({ proto: 17, payload: udp({ srcPort: 1, dstPort: 2 }) }));
    decodePacket(pkt, frame, 0, frame.length, 147);
    expect(ANOMALY_NAMES[pkt.anomaly]).toBe('unknown_link_type');
    expect(pkt.ipVersion).toBe(0);
  });

  it('decodes a record in the middle of a larger buffer', () => {
    const frame = ethernet(ipv4({ proto: 6, payload: tcp({ srcPort: 1234, dstPort: 80 }) }));
    const buf = concat(new Uint8Array(100).fill(0xee), frame, new Uint8Array(50).fill(0xee));
    decodePacket(pkt, buf, 100, frame.length, LinkType.ETHERNET);
    expect(pkt).toMatchObject({ buf, end: 100 + frame.length, ipVersion: 4, srcOff: 100 + 26, srcPort: 1234, dstPort: 80, anomaly: 0 });
  });

  it('leaves nothing of the previous packet behind', () => {
    const tagged = ethernet(ipv6({ proto: 6, extHeaders: [{ type: 44, moreFragments: true }], payload: tcp({ srcPort: 1, dstPort: 2, flags: TcpFlag.SYN }) }), { vlans: [{ id: 5 }] });
    decodePacket(pkt, tagged, 0, tagged.length, LinkType.ETHERNET);
    expect(pkt).toMatchObject({ vlan: 5, isFragment: true, tcpFlags: TcpFlag.SYN });
    const arp = ethernet(new Uint8Array(28), { etherType: 0x0806 });
    decodePacket(pkt, arp, 0, arp.length, LinkType.ETHERNET);
    expect(pkt).toMatchObject({ vlan: -1, etherType: 0x0806, ipVersion: 0, proto: 0, srcPort: 0, dstPort: 0, hasPorts: false, tcpFlags: 0, isFragment: false, icmpId: -1, payloadLen: 0, ipLen: 0, anomaly: 0 });
  });

  it('trusts the captured bytes when origlen claims fewer', () => {
    const packet = ipv4({ proto: 17, payload: udp({ srcPort: 1, dstPort: 2, payload: new Uint8Array(20) }) });
    decodePacket(pkt, packet, 0, packet.length, LinkType.RAW, 10);
    expect(pkt).toMatchObject({ wireEnd: packet.length, payloadLen: 20, anomaly: 0 });
  });

  const v4udp = ipv4({ proto: 17, payload: udp({ srcPort: 1, dstPort: 2 }) });
  const anomalyCases: [AnomalyName, Uint8Array, number][] = [
    ['truncated_link_header', new Uint8Array(10), LinkType.ETHERNET],
    ['unknown_link_type', v4udp, 9999],
    ['excessive_vlan_tags', ethernet(v4udp, { vlans: Array.from({ length: 9 }, () => ({ id: 1 })) }), LinkType.ETHERNET],
    ['truncated_IP', sll(v4udp.subarray(0, 19), { protocol: 0x0800 }), LinkType.LINUX_SLL],
    ['bad_IP_header_len', ipv4({ proto: 17, ihl: 3 }), LinkType.RAW],
    ['bad_IP_version', sll2(v4udp, { protocol: 0x86dd }), LinkType.LINUX_SLL2],
    ['truncated_IPv6_ext_header', ipv6({ proto: 17, extHeaders: [{ type: 0 }], payloadLength: 4 }), LinkType.RAW],
    ['excessive_IPv6_ext_headers', ipv6({ proto: 59, extHeaders: Array.from({ length: MAX_IPV6_EXT_HEADERS + 1 }, () => ({ type: 60 as const })) }), LinkType.RAW],
    ['bad_TCP_header_len', ipv4({ proto: 6, payload: tcp({ srcPort: 1, dstPort: 2, dataOffset: 15 }) }), LinkType.RAW],
    ['truncated_header', nullHeader(ipv4({ proto: 1, payload: icmp({ type: 8 }).subarray(0, 4) })), LinkType.NULL],
    ['bad_UDP_length', ipv4({ proto: 17, payload: udp({ srcPort: 1, dstPort: 2, length: 200 }) }), LinkType.IPV4],
    ['excessively_small_fragment', ipv4({ proto: 17, moreFragments: true, payload: new Uint8Array(4) }), LinkType.RAW],
  ];

  it.each(anomalyCases)('emits %s', (name, frame, linktype) => {
    decodePacket(pkt, frame, 0, frame.length, linktype);
    expect(ANOMALY_NAMES[pkt.anomaly]).toBe(name);
  });

  it('never throws and only reports named anomalies on random bytes', () => {
    let seed = 0x2545f491;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
    const valid = [
      ethernet(ipv6({ proto: 6, extHeaders: [{ type: 0 }, { type: 44 }], payload: tcp({ srcPort: 1, dstPort: 2 }) }), { vlans: [{ id: 3 }] }),
      sll(ipv4({ proto: 17, options: new Uint8Array(8), payload: udp({ srcPort: 1, dstPort: 2 }) })),
      // Tunnels: VXLAN carrying Geneve, GRE with every optional field carrying ERSPAN III, IP in IP.
      ethernet(ipv4({ proto: 17, payload: udp({ srcPort: 1, dstPort: 4789, payload: vxlan({ vni: 1, payload: ethernet(ipv6({ proto: 17, payload: udp({ srcPort: 1, dstPort: 6081, payload: geneve({ vni: 2, protocol: 0x0800, options: new Uint8Array(8), payload: ipv4({ proto: 6, payload: tcp({ srcPort: 1, dstPort: 2 }) }) }) }) })) }) }) })),
      ipv4({ proto: 47, payload: gre({ protocol: 0x22eb, checksum: true, key: 1, sequence: 2, routing: [new Uint8Array(8)], payload: erspanIII({ session: 1, platformSubheader: true, payload: ethernet(ipv4({ proto: 4, payload: ipv4({ proto: 1, payload: icmp({ type: 8 }) }) })) }) }) }),
    ];
    const linktypes = Object.values(LinkType);
    for (let round = 0; round < 20000; round++) {
      const base = valid[round % valid.length];
      const frame = base.slice(0, 1 + (next() % base.length));
      for (let flips = next() % 6; flips > 0; flips--) frame[next() % frame.length] = next();
      const origlen = frame.length + (next() & 1 ? next() * 256 : 0);
      expect(() => decodePacket(pkt, frame, 0, frame.length, linktypes[round % linktypes.length], origlen)).not.toThrow();
      expect(pkt.anomaly).toBeLessThan(ANOMALY_NAMES.length);
    }
  });
});
