import { describe, expect, it } from 'vitest';
import { ANOMALY_NAMES } from '../../../../src/ingest/pcap/decode/anomalies.js';
import { decodePacket } from '../../../../src/ingest/pcap/decode/decode.js';
import { MAX_IPV6_EXT_HEADERS } from '../../../../src/ingest/pcap/decode/ipv6.js';
import { DecodedPacket } from '../../../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../../../src/ingest/pcap/decode/registry.js';
import type { Ipv6ExtHeader } from '../../../helpers/packet-builder.js';
import { ethernet, ipv6, ipv6Address, tcp, TcpFlag, udp } from '../../../helpers/packet-builder.js';

const pkt = new DecodedPacket();

/** Decodes an Ethernet frame; `origlen` is the record's wire length when the capture cut it. */
function decode(frame: Uint8Array, origlen?: number): DecodedPacket {
  decodePacket(pkt, frame, 0, frame.length, LinkType.ETHERNET, origlen);
  return pkt;
}

function anomaly(frame: Uint8Array, origlen?: number): string {
  return ANOMALY_NAMES[decode(frame, origlen).anomaly];
}

const testPacket = udp({ srcPort: 12345, dstPort: 54321, payload: new TextEncoder().encode('TestPacket') });

/** Hop-by-hop, then routing, fragment and destination options repeated, like libpcap's ipv6_ext_headers.pcap. */
function longChain(count: number): Ipv6ExtHeader[] {
  const cycle: Ipv6ExtHeader[] = [{ type: 43 }, { type: 44 }, { type: 60 }];
  return [{ type: 0 }, ...Array.from({ length: count - 1 }, (_, i) => cycle[i % 3])];
}

describe('ipv6', () => {
  it('points at the addresses and sets protocol and lengths', () => {
    const frame = ethernet(ipv6({ src: '2001:db8::1', dst: 'fe80::2', proto: 17, payload: testPacket }));
    expect(decode(frame)).toMatchObject({ ipVersion: 6, proto: 17, ipLen: 58, payloadLen: 10, srcPort: 12345, dstPort: 54321, anomaly: 0 });
    expect(frame.slice(pkt.srcOff, pkt.srcOff + 16)).toEqual(ipv6Address('2001:db8::1'));
    expect(frame.slice(pkt.dstOff, pkt.dstOff + 16)).toEqual(ipv6Address('fe80::2'));
  });

  it('follows a chain of every extension header type to UDP', () => {
    const chain: Ipv6ExtHeader[] = [
      { type: 0 },
      { type: 60 },
      { type: 43 },
      { type: 44 },
      { type: 51 },
      { type: 135 },
      { type: 139 },
      { type: 140 },
      { type: 60, body: new Uint8Array(14) },
    ];
    const frame = ethernet(ipv6({ proto: 17, extHeaders: chain, payload: testPacket }));
    const chainLen = frame.length - 14 - 40 - testPacket.length;
    expect(decode(frame)).toMatchObject({ proto: 17, srcPort: 12345, dstPort: 54321, payloadLen: 10, payloadOff: 14 + 40 + chainLen + 8, anomaly: 0 });
    // Offset 0 without "more fragments" is an atomic fragment, a whole datagram.
    expect(pkt.isFragment).toBe(false);
  });

  it(`follows ${MAX_IPV6_EXT_HEADERS} extension headers`, () => {
    expect(decode(ethernet(ipv6({ proto: 17, extHeaders: longChain(MAX_IPV6_EXT_HEADERS), payload: testPacket })))).toMatchObject({
      proto: 17,
      dstPort: 54321,
      anomaly: 0,
    });
  });

  it('stops a chain longer than the bound with an anomaly', () => {
    const frame = ethernet(ipv6({ proto: 17, extHeaders: longChain(MAX_IPV6_EXT_HEADERS + 10), payload: testPacket }));
    expect(anomaly(frame)).toBe('excessive_IPv6_ext_headers');
    expect(pkt.hasPorts).toBe(false);
  });

  it('reads ports from the first fragment only', () => {
    const whole = udp({ srcPort: 5000, dstPort: 6000, payload: new Uint8Array(2000) });
    const first = ethernet(ipv6({ proto: 17, extHeaders: [{ type: 44, moreFragments: true, id: 3 }], payload: whole.subarray(0, 1232) }));
    const last = ethernet(ipv6({ proto: 17, extHeaders: [{ type: 60 }, { type: 44, fragmentOffset: 1232, id: 3 }], payload: whole.subarray(1232) }));
    expect(decode(first)).toMatchObject({ isFragment: true, hasPorts: true, srcPort: 5000, dstPort: 6000, payloadLen: 1224, anomaly: 0 });
    expect(decode(last)).toMatchObject({ isFragment: true, hasPorts: false, proto: 17, srcPort: 0, payloadLen: 776, ipLen: 40 + 16 + 776, anomaly: 0 });
  });

  it('reads the length of a jumbogram from the Jumbo Payload option', () => {
    const segment = tcp({ srcPort: 41851, dstPort: 43913, flags: TcpFlag.ACK | TcpFlag.PSH, payload: new Uint8Array(80000) });
    const frame = ethernet(ipv6({ proto: 6, jumbo: true, payload: segment }));
    expect(decode(frame)).toMatchObject({ proto: 6, dstPort: 43913, ipLen: 40 + 8 + 20 + 80000, payloadLen: 80000, anomaly: 0 });
  });

  it('counts a snaplen-truncated jumbogram at its wire length (as in tcpdump\u2019s bigtcp capture)', () => {
    const jumboLen = 80040;
    const frame = ethernet(ipv6({ proto: 6, jumbo: jumboLen, payload: tcp({ srcPort: 41851, dstPort: 43913, options: new Uint8Array(12) }) }));
    expect(decode(frame, 14 + 40 + jumboLen)).toMatchObject({ ipLen: 80080, payloadLen: 80000, dstPort: 43913, anomaly: 0 });
    expect(anomaly(frame, 14 + 40 + jumboLen - 1)).toBe('truncated_IP');
  });

  it('takes the length from the record when payload length is 0 without a jumbo option', () => {
    const frame = ethernet(ipv6({ proto: 17, payload: testPacket, payloadLength: 0 }));
    expect(decode(frame)).toMatchObject({ ipLen: 58, payloadLen: 10, anomaly: 0 });
  });

  it('treats no-next-header, ESP and other protocols (tunnels aside) as port-less', () => {
    for (const proto of [59, 50, 89, 103]) {
      expect(decode(ethernet(ipv6({ proto, payload: new Uint8Array(16) })))).toMatchObject({ proto, hasPorts: false, payloadLen: 16, anomaly: 0 });
    }
  });

  it('counts the wire length of a snaplen-truncated datagram without an anomaly', () => {
    const frame = ethernet(ipv6({ proto: 17, extHeaders: [{ type: 0 }], payload: udp({ srcPort: 1, dstPort: 2, payload: new Uint8Array(1000) }) }));
    expect(decode(frame.subarray(0, 128), frame.length)).toMatchObject({ ipLen: 1056, payloadLen: 1000, dstPort: 2, anomaly: 0 });
  });

  it('flags a payload length beyond the record\u2019s original length', () => {
    expect(anomaly(ethernet(ipv6({ proto: 17, payload: testPacket, payloadLength: 100 })))).toBe('truncated_IP');
  });

  it('flags a header shorter than 40 bytes as captured', () => {
    expect(anomaly(ethernet(ipv6({ proto: 59 })).subarray(0, 14 + 39))).toBe('truncated_IP');
  });

  it('flags a version nibble other than 6', () => {
    expect(anomaly(ethernet(ipv6({ proto: 59, version: 4 }), { etherType: 0x86dd }))).toBe('bad_IP_version');
  });

  it('flags an extension header that runs past the captured bytes or the payload length', () => {
    const chain = ethernet(ipv6({ proto: 17, extHeaders: [{ type: 0 }, { type: 60, body: new Uint8Array(30) }], payload: testPacket }));
    expect(anomaly(chain.subarray(0, 14 + 40 + 4), chain.length)).toBe('truncated_IPv6_ext_header');
    expect(anomaly(chain.subarray(0, 14 + 40 + 8 + 16), chain.length)).toBe('truncated_IPv6_ext_header');
    const overlong = ethernet(ipv6({ proto: 17, extHeaders: [{ type: 60, body: new Uint8Array(30) }], payload: testPacket, payloadLength: 16 }));
    expect(anomaly(overlong)).toBe('truncated_IPv6_ext_header');
  });
});
