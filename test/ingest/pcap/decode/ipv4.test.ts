import { describe, expect, it } from 'vitest';
import { ANOMALY_NAMES } from '../../../../src/ingest/pcap/decode/anomalies.js';
import { decodePacket } from '../../../../src/ingest/pcap/decode/decode.js';
import { DecodedPacket } from '../../../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../../../src/ingest/pcap/decode/registry.js';
import { ethernet, ipv4, ipv4Address, ipv6, tcp, udp } from '../../../helpers/packet-builder.js';

const pkt = new DecodedPacket();

/** Decodes an Ethernet frame; `origlen` is the record's wire length when the capture cut it. */
function decode(frame: Uint8Array, origlen?: number): DecodedPacket {
  decodePacket(pkt, frame, 0, frame.length, LinkType.ETHERNET, origlen);
  return pkt;
}

function anomaly(frame: Uint8Array, origlen?: number): string {
  return ANOMALY_NAMES[decode(frame, origlen).anomaly];
}

const dnsQuery = udp({ srcPort: 33000, dstPort: 53, payload: new Uint8Array(30) });

describe('ipv4', () => {
  it('points at the addresses and sets protocol and lengths', () => {
    const frame = ethernet(ipv4({ src: '10.1.2.3', dst: '172.16.0.9', proto: 17, payload: dnsQuery }));
    expect(decode(frame)).toMatchObject({ ipVersion: 4, proto: 17, ipLen: 58, payloadLen: 30, payloadOff: 14 + 20 + 8, isFragment: false });
    expect(frame.slice(pkt.srcOff, pkt.srcOff + 4)).toEqual(ipv4Address('10.1.2.3'));
    expect(frame.slice(pkt.dstOff, pkt.dstOff + 4)).toEqual(ipv4Address('172.16.0.9'));
  });

  it('skips options to reach the transport header', () => {
    const routerAlert = new Uint8Array([0x94, 0x04, 0x00, 0x00]);
    const recordRouteAndEnd = new Uint8Array([0x07, 39, 4, ...new Uint8Array(36), 0x00]);
    for (const options of [routerAlert, recordRouteAndEnd]) {
      const frame = ethernet(ipv4({ proto: 17, options, payload: dnsQuery }));
      expect(decode(frame)).toMatchObject({ srcPort: 33000, dstPort: 53, payloadLen: 30, ipLen: 20 + options.length + 38, anomaly: 0 });
    }
  });

  it('reads ports from the first fragment only', () => {
    const whole = udp({ srcPort: 7001, dstPort: 7000, payload: new Uint8Array(3000) });
    const first = ethernet(ipv4({ proto: 17, id: 9, moreFragments: true, payload: whole.subarray(0, 1480) }));
    const middle = ethernet(ipv4({ proto: 17, id: 9, moreFragments: true, fragmentOffset: 1480, payload: whole.subarray(1480, 2960) }));
    const last = ethernet(ipv4({ proto: 17, id: 9, fragmentOffset: 2960, payload: whole.subarray(2960) }));
    expect(decode(first)).toMatchObject({ isFragment: true, hasPorts: true, srcPort: 7001, dstPort: 7000, payloadLen: 1472, ipLen: 1500, anomaly: 0 });
    expect(decode(middle)).toMatchObject({ isFragment: true, hasPorts: false, proto: 17, srcPort: 0, dstPort: 0, payloadLen: 1480, anomaly: 0 });
    expect(decode(last)).toMatchObject({ isFragment: true, hasPorts: false, payloadLen: 48, ipLen: 68, anomaly: 0 });
  });

  it('does not call a datagram with only Don\u2019t Fragment set a fragment', () => {
    expect(decode(ethernet(ipv4({ proto: 17, dontFragment: true, payload: dnsQuery })))).toMatchObject({ isFragment: false, hasPorts: true });
  });

  it('treats other protocols (tunnels aside) as port-less with the IP payload as payload', () => {
    for (const proto of [50, 89, 103, 112]) {
      const frame = ethernet(ipv4({ proto, payload: new Uint8Array(24) }));
      expect(decode(frame)).toMatchObject({ ipVersion: 4, proto, hasPorts: false, srcPort: 0, dstPort: 0, payloadLen: 24, ipLen: 44, anomaly: 0 });
    }
  });

  it('counts the wire length of a snaplen-truncated datagram without an anomaly', () => {
    const frame = ethernet(ipv4({ proto: 6, payload: tcp({ srcPort: 443, dstPort: 50000, payload: new Uint8Array(1400) }) }));
    const captured = frame.subarray(0, 96);
    expect(decode(captured, frame.length)).toMatchObject({ ipLen: 1440, payloadLen: 1400, srcPort: 443, anomaly: 0 });
  });

  it('flags a total length beyond the record\u2019s original length', () => {
    const frame = ethernet(ipv4({ proto: 17, payload: dnsQuery, totalLength: 400 }));
    expect(anomaly(frame)).toBe('truncated_IP');
    expect(anomaly(frame.subarray(0, 60), 300)).toBe('truncated_IP');
  });

  it('flags a header shorter than 20 bytes as captured', () => {
    expect(anomaly(ethernet(ipv4({ proto: 17 })).subarray(0, 14 + 19))).toBe('truncated_IP');
  });

  it('flags an IHL below 5 words or beyond the total length', () => {
    expect(anomaly(ethernet(ipv4({ proto: 17, payload: dnsQuery, ihl: 4 })))).toBe('bad_IP_header_len');
    expect(anomaly(ethernet(ipv4({ proto: 17, payload: new Uint8Array(8), ihl: 15 })))).toBe('bad_IP_header_len');
    expect(anomaly(ethernet(ipv4({ proto: 17, payload: dnsQuery, totalLength: 16 })))).toBe('bad_IP_header_len');
  });

  it('flags an IPv6 header behind the IPv4 EtherType', () => {
    expect(anomaly(ethernet(ipv6({ proto: 59 }), { etherType: 0x0800 }))).toBe('bad_IP_version');
    expect(pkt.ipVersion).toBe(0);
  });

  it('takes the length from the record when offload left the total length 0', () => {
    const frame = ethernet(ipv4({ proto: 6, totalLength: 0, payload: tcp({ srcPort: 1, dstPort: 2, payload: new Uint8Array(70000) }) }));
    expect(decode(frame)).toMatchObject({ ipLen: 70040, payloadLen: 70000, anomaly: 0 });
  });
});
