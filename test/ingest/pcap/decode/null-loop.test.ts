import { describe, expect, it } from 'vitest';
import { ANOMALY_NAMES } from '../../../../src/ingest/pcap/decode/anomalies.js';
import { decodePacket } from '../../../../src/ingest/pcap/decode/decode.js';
import { DecodedPacket } from '../../../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../../../src/ingest/pcap/decode/registry.js';
import { ipv4, ipv6, loopHeader, nullHeader, tcp, udp } from '../../../helpers/packet-builder.js';

const pkt = new DecodedPacket();

function decode(frame: Uint8Array, linktype: number): DecodedPacket {
  decodePacket(pkt, frame, 0, frame.length, linktype);
  return pkt;
}

const v4 = ipv4({ proto: 6, payload: tcp({ srcPort: 50123, dstPort: 8080 }) });
const v6 = ipv6({ proto: 17, payload: udp({ srcPort: 443, dstPort: 60000 }) });

describe('NULL (0)', () => {
  it('reads AF_INET in either byte order', () => {
    for (const bigEndian of [false, true]) {
      expect(decode(nullHeader(v4, { bigEndian }), LinkType.NULL)).toMatchObject({ ipVersion: 4, dstPort: 8080, anomaly: 0 });
      expect(pkt.srcOff).toBe(4 + 12);
    }
  });

  it('reads every AF_INET6 value (Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30) in either byte order', () => {
    for (const family of [10, 24, 28, 30]) {
      for (const bigEndian of [false, true]) {
        expect(decode(nullHeader(v6, { family, bigEndian }), LinkType.NULL)).toMatchObject({ ipVersion: 6, dstPort: 60000, anomaly: 0 });
      }
    }
  });

  it('treats other address families as non-IP', () => {
    expect(decode(nullHeader(new Uint8Array(30), { family: 23 }), LinkType.NULL)).toMatchObject({ ipVersion: 0, anomaly: 0 });
  });

  it('flags a family that disagrees with the version nibble', () => {
    expect(ANOMALY_NAMES[decode(nullHeader(v6, { family: 2 }), LinkType.NULL).anomaly]).toBe('bad_IP_version');
  });

  it('flags a record shorter than the family field', () => {
    expect(ANOMALY_NAMES[decode(new Uint8Array(3), LinkType.NULL).anomaly]).toBe('truncated_link_header');
  });
});

describe('LOOP (108)', () => {
  it('reads the family big-endian', () => {
    expect(decode(loopHeader(v4), LinkType.LOOP)).toMatchObject({ ipVersion: 4, dstPort: 8080, anomaly: 0 });
    expect(decode(loopHeader(v6, 24), LinkType.LOOP)).toMatchObject({ ipVersion: 6, dstPort: 60000, anomaly: 0 });
  });

  it('does not guess the byte order', () => {
    expect(decode(nullHeader(v4), LinkType.LOOP)).toMatchObject({ ipVersion: 0, anomaly: 0 });
  });

  it('flags a record shorter than the family field', () => {
    expect(ANOMALY_NAMES[decode(new Uint8Array(2), LinkType.LOOP).anomaly]).toBe('truncated_link_header');
  });
});
