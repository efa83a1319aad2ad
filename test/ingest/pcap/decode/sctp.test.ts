import { describe, expect, it } from 'vitest';
import { ANOMALY_NAMES } from '../../../../src/ingest/pcap/decode/anomalies.js';
import { decodePacket } from '../../../../src/ingest/pcap/decode/decode.js';
import { DecodedPacket } from '../../../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../../../src/ingest/pcap/decode/registry.js';
import { ipv4, ipv6, sctp } from '../../../helpers/packet-builder.js';

const pkt = new DecodedPacket();

function decode(packet: Uint8Array): DecodedPacket {
  decodePacket(pkt, packet, 0, packet.length, LinkType.RAW);
  return pkt;
}

describe('sctp', () => {
  it('reads ports from the common header; the chunks are the payload', () => {
    const init = sctp({ srcPort: 36412, dstPort: 38412, verificationTag: 0, chunks: new Uint8Array(20) });
    expect(decode(ipv4({ proto: 132, payload: init }))).toMatchObject({ proto: 132, srcPort: 36412, dstPort: 38412, hasPorts: true, payloadLen: 20, payloadOff: 32, anomaly: 0 });
    expect(decode(ipv6({ proto: 132, payload: init }))).toMatchObject({ proto: 132, srcPort: 36412, dstPort: 38412, payloadLen: 20, anomaly: 0 });
  });

  it('flags a packet shorter than the common header', () => {
    expect(ANOMALY_NAMES[decode(ipv4({ proto: 132, payload: sctp({ srcPort: 1, dstPort: 2 }).subarray(0, 10) })).anomaly]).toBe('truncated_header');
  });
});
