import { describe, expect, it } from 'vitest';
import { ANOMALY_NAMES } from '../../../../src/ingest/pcap/decode/anomalies.js';
import { decodePacket } from '../../../../src/ingest/pcap/decode/decode.js';
import { DecodedPacket } from '../../../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../../../src/ingest/pcap/decode/registry.js';
import { icmp, icmpv6, ipv4, ipv6 } from '../../../helpers/packet-builder.js';

const pkt = new DecodedPacket();

function decode(packet: Uint8Array): DecodedPacket {
  decodePacket(pkt, packet, 0, packet.length, LinkType.RAW);
  return pkt;
}

describe('icmp', () => {
  it('puts type and code in the ports and keeps the echo identifier', () => {
    const request = ipv4({ proto: 1, payload: icmp({ type: 8, id: 0x1234, seq: 1, payload: new Uint8Array(56) }) });
    expect(decode(request)).toMatchObject({ proto: 1, srcPort: 8, dstPort: 0, hasPorts: true, icmpId: 0x1234, payloadLen: 64, anomaly: 0 });
    const reply = ipv4({ proto: 1, payload: icmp({ type: 0, id: 0x1234, seq: 1 }) });
    expect(decode(reply)).toMatchObject({ srcPort: 0, dstPort: 0, icmpId: 0x1234 });
  });

  it('keeps the identifier of timestamp, information and address mask queries', () => {
    for (const type of [13, 14, 15, 16, 17, 18]) {
      expect(decode(ipv4({ proto: 1, payload: icmp({ type, id: 99 }) }))).toMatchObject({ srcPort: type, icmpId: 99 });
    }
  });

  it('has no identifier for error messages', () => {
    const portUnreachable = ipv4({ proto: 1, payload: icmp({ type: 3, code: 3, payload: new Uint8Array(28) }) });
    expect(decode(portUnreachable)).toMatchObject({ srcPort: 3, dstPort: 3, icmpId: -1, payloadLen: 36, anomaly: 0 });
  });

  it('does the same for ICMPv6', () => {
    expect(decode(ipv6({ proto: 58, payload: icmpv6({ type: 128, id: 7 }) }))).toMatchObject({ proto: 58, srcPort: 128, dstPort: 0, icmpId: 7 });
    expect(decode(ipv6({ proto: 58, payload: icmpv6({ type: 129, id: 7 }) }))).toMatchObject({ srcPort: 129, icmpId: 7 });
    const neighborSolicitation = icmpv6({ type: 135, payload: new Uint8Array(16) });
    expect(decode(ipv6({ proto: 58, payload: neighborSolicitation }))).toMatchObject({ srcPort: 135, dstPort: 0, icmpId: -1, payloadLen: 24 });
    const hopLimitExceeded = icmpv6({ type: 3, code: 0, payload: new Uint8Array(48) });
    expect(decode(ipv6({ proto: 58, payload: hopLimitExceeded }))).toMatchObject({ srcPort: 3, dstPort: 0, icmpId: -1 });
  });

  it('flags a message shorter than 8 bytes', () => {
    expect(ANOMALY_NAMES[decode(ipv4({ proto: 1, payload: new Uint8Array([8, 0, 0, 0]) })).anomaly]).toBe('truncated_header');
    expect(ANOMALY_NAMES[decode(ipv6({ proto: 58, payload: new Uint8Array([128, 0]) })).anomaly]).toBe('truncated_header');
    expect(pkt.hasPorts).toBe(false);
  });
});
