import { describe, expect, it } from 'vitest';
import { ANOMALY_NAMES } from '../../../../src/ingest/pcap/decode/anomalies.js';
import { decodePacket } from '../../../../src/ingest/pcap/decode/decode.js';
import { DecodedPacket } from '../../../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../../../src/ingest/pcap/decode/registry.js';
import { icmp, icmpv6, ipv4, ipv6 } from '../../../helpers/packet-builder.js';

const pkt = new DecodedPacket();

function decode(frame: Uint8Array, linktype: number): DecodedPacket {
  decodePacket(pkt, frame, 0, frame.length, linktype);
  return pkt;
}

const v4 = ipv4({ proto: 1, payload: icmp({ type: 8, id: 77 }) });
const v6 = ipv6({ proto: 58, payload: icmpv6({ type: 128, id: 78 }) });

describe('raw IP (101, 228, 229)', () => {
  it('RAW takes the IP version from the first nibble', () => {
    expect(decode(v4, LinkType.RAW)).toMatchObject({ ipVersion: 4, proto: 1, icmpId: 77, srcOff: 12, anomaly: 0 });
    expect(decode(v6, LinkType.RAW)).toMatchObject({ ipVersion: 6, proto: 58, icmpId: 78, srcOff: 8, anomaly: 0 });
  });

  it('RAW flags a version that is neither 4 nor 6', () => {
    expect(ANOMALY_NAMES[decode(ipv4({ proto: 1, version: 5 }), LinkType.RAW).anomaly]).toBe('bad_IP_version');
  });

  it('RAW flags an empty record', () => {
    expect(ANOMALY_NAMES[decode(new Uint8Array(0), LinkType.RAW).anomaly]).toBe('truncated_IP');
  });

  it('IPV4 and IPV6 decode their own version and flag the other one', () => {
    expect(decode(v4, LinkType.IPV4)).toMatchObject({ ipVersion: 4, anomaly: 0 });
    expect(decode(v6, LinkType.IPV6)).toMatchObject({ ipVersion: 6, anomaly: 0 });
    expect(ANOMALY_NAMES[decode(v6, LinkType.IPV4).anomaly]).toBe('bad_IP_version');
    expect(ANOMALY_NAMES[decode(v4, LinkType.IPV6).anomaly]).toBe('bad_IP_version');
  });
});
