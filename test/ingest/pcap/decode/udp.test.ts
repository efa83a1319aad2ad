import { describe, expect, it } from 'vitest';
import { ANOMALY_NAMES } from '../../../../src/ingest/pcap/decode/anomalies.js';
import { decodePacket } from '../../../../src/ingest/pcap/decode/decode.js';
import { DecodedPacket } from '../../../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../../../src/ingest/pcap/decode/registry.js';
import { concat, ipv4, ipv6, udp } from '../../../helpers/packet-builder.js';

const pkt = new DecodedPacket();

/** Decodes a raw IPv4/IPv6 packet; `origlen` is the record's wire length when the capture cut it. */
function decode(packet: Uint8Array, origlen?: number): DecodedPacket {
  decodePacket(pkt, packet, 0, packet.length, LinkType.RAW, origlen);
  return pkt;
}

function anomaly(packet: Uint8Array): string {
  return ANOMALY_NAMES[decode(packet).anomaly];
}

describe('udp', () => {
  it('reads ports and the payload over IPv4 and IPv6', () => {
    const datagram = udp({ srcPort: 53, dstPort: 40000, payload: new Uint8Array(100) });
    expect(decode(ipv4({ proto: 17, payload: datagram }))).toMatchObject({ srcPort: 53, dstPort: 40000, hasPorts: true, payloadLen: 100, payloadOff: 28, anomaly: 0 });
    expect(decode(ipv6({ proto: 17, payload: datagram }))).toMatchObject({ srcPort: 53, dstPort: 40000, payloadLen: 100, payloadOff: 48, anomaly: 0 });
  });

  it('counts the payload by the IP length when the UDP length is shorter', () => {
    const datagram = concat(udp({ srcPort: 1, dstPort: 2, payload: new Uint8Array(10) }), new Uint8Array(4));
    expect(decode(ipv4({ proto: 17, payload: datagram }))).toMatchObject({ payloadLen: 14, anomaly: 0 });
  });

  it('flags a UDP length below 8 or beyond the IP payload', () => {
    expect(anomaly(ipv4({ proto: 17, payload: udp({ srcPort: 1, dstPort: 2, length: 7 }) }))).toBe('bad_UDP_length');
    expect(anomaly(ipv4({ proto: 17, payload: udp({ srcPort: 1, dstPort: 2, payload: new Uint8Array(4), length: 13 }) }))).toBe('bad_UDP_length');
    expect(anomaly(ipv6({ proto: 17, payload: udp({ srcPort: 1, dstPort: 2, length: 0 }) }))).toBe('bad_UDP_length');
  });

  it('accepts the whole datagram\u2019s UDP length in a first fragment', () => {
    const first = udp({ srcPort: 1, dstPort: 2, payload: new Uint8Array(3000) }).subarray(0, 1480);
    expect(decode(ipv4({ proto: 17, moreFragments: true, payload: first }))).toMatchObject({ dstPort: 2, payloadLen: 1472, anomaly: 0 });
  });

  it('accepts UDP length 0 in a jumbogram (RFC 2675)', () => {
    const datagram = udp({ srcPort: 1, dstPort: 2, payload: new Uint8Array(70000), length: 0 });
    expect(decode(ipv6({ proto: 17, jumbo: true, payload: datagram }))).toMatchObject({ dstPort: 2, payloadLen: 70000, ipLen: 40 + 8 + 70008, anomaly: 0 });
  });

  it('flags a datagram shorter than the header, or a first fragment too small for it', () => {
    const header = udp({ srcPort: 1, dstPort: 2 });
    expect(anomaly(ipv4({ proto: 17, payload: header.subarray(0, 6) }))).toBe('truncated_header');
    expect(anomaly(ipv4({ proto: 17, moreFragments: true, payload: header.subarray(0, 4) }))).toBe('excessively_small_fragment');
  });
});
