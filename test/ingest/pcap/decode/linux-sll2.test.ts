import { describe, expect, it } from 'vitest';
import { ANOMALY_NAMES } from '../../../../src/ingest/pcap/decode/anomalies.js';
import { decodePacket } from '../../../../src/ingest/pcap/decode/decode.js';
import { DecodedPacket } from '../../../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../../../src/ingest/pcap/decode/registry.js';
import { ipv4, ipv6, sll2, tcp, udp } from '../../../helpers/packet-builder.js';

const pkt = new DecodedPacket();

function decode(frame: Uint8Array): DecodedPacket {
  decodePacket(pkt, frame, 0, frame.length, LinkType.LINUX_SLL2);
  return pkt;
}

describe('linux SLL2 (276)', () => {
  it('decodes IPv6 UDP after the 20-byte cooked header', () => {
    const frame = sll2(ipv6({ proto: 17, payload: udp({ srcPort: 4500, dstPort: 4790, payload: new Uint8Array(50) }) }), { ifindex: 7 });
    expect(decode(frame)).toMatchObject({ etherType: 0x86dd, ipVersion: 6, proto: 17, srcPort: 4500, dstPort: 4790, payloadLen: 50, anomaly: 0 });
    expect(pkt.srcOff).toBe(20 + 8);
  });

  it('decodes IPv4 TCP', () => {
    expect(decode(sll2(ipv4({ proto: 6, payload: tcp({ srcPort: 1, dstPort: 80 }) })))).toMatchObject({ ipVersion: 4, dstPort: 80, anomaly: 0 });
  });

  it('treats ARP as non-IP', () => {
    expect(decode(sll2(new Uint8Array(28), { protocol: 0x0806 }))).toMatchObject({ ipVersion: 0, etherType: 0x0806, anomaly: 0 });
  });

  it('flags a record shorter than the cooked header', () => {
    expect(ANOMALY_NAMES[decode(new Uint8Array(19)).anomaly]).toBe('truncated_link_header');
  });
});
