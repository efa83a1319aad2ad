import { describe, expect, it } from 'vitest';
import { ANOMALY_NAMES } from '../../../../src/ingest/pcap/decode/anomalies.js';
import { decodePacket } from '../../../../src/ingest/pcap/decode/decode.js';
import { DecodedPacket } from '../../../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../../../src/ingest/pcap/decode/registry.js';
import { concat, ethernet, ipv4, ipv6, tcp, TcpFlag } from '../../../helpers/packet-builder.js';

const pkt = new DecodedPacket();

/** Decodes a raw IPv4/IPv6 packet; `origlen` is the record's wire length when the capture cut it. */
function decode(packet: Uint8Array, origlen?: number): DecodedPacket {
  decodePacket(pkt, packet, 0, packet.length, LinkType.RAW, origlen);
  return pkt;
}

function anomaly(packet: Uint8Array, origlen?: number): string {
  return ANOMALY_NAMES[decode(packet, origlen).anomaly];
}

describe('tcp', () => {
  it('reads ports and every flag', () => {
    const cases = [
      TcpFlag.SYN,
      TcpFlag.SYN | TcpFlag.ACK,
      TcpFlag.FIN | TcpFlag.PSH | TcpFlag.ACK,
      TcpFlag.RST,
      TcpFlag.URG | TcpFlag.ECE | TcpFlag.CWR | TcpFlag.SYN,
      0xff,
    ];
    for (const flags of cases) {
      expect(decode(ipv4({ proto: 6, payload: tcp({ srcPort: 51000, dstPort: 443, flags }) }))).toMatchObject({
        proto: 6,
        srcPort: 51000,
        dstPort: 443,
        hasPorts: true,
        tcpFlags: flags,
        anomaly: 0,
      });
    }
  });

  it('skips options to the payload', () => {
    const mssSackWscale = new Uint8Array([2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7]);
    const payload = new TextEncoder().encode('GET / HTTP/1.1\r\n');
    const packet = ipv6({ proto: 6, payload: tcp({ srcPort: 1, dstPort: 80, options: mssSackWscale, payload }) });
    expect(decode(packet)).toMatchObject({ payloadOff: 40 + 32, payloadLen: payload.length, ipLen: 40 + 32 + payload.length });
    expect(packet.slice(pkt.payloadOff, pkt.payloadOff + 3)).toEqual(payload.slice(0, 3));
  });

  it('counts payload by the IP length, not by the captured bytes', () => {
    const packet = ipv4({ proto: 6, payload: tcp({ srcPort: 1, dstPort: 2, payload: new Uint8Array(1000) }) });
    expect(decode(packet.subarray(0, 60), packet.length)).toMatchObject({ payloadLen: 1000, anomaly: 0 });
  });

  it('accepts options cut off by the snaplen: ports and flags are in the fixed part', () => {
    const packet = ipv4({ proto: 6, payload: tcp({ srcPort: 7, dstPort: 8, flags: TcpFlag.SYN, options: new Uint8Array(20) }) });
    expect(decode(packet.subarray(0, 44), packet.length)).toMatchObject({ srcPort: 7, dstPort: 8, tcpFlags: TcpFlag.SYN, payloadLen: 0, anomaly: 0 });
  });

  it('flags a data offset below 5 words or beyond the segment', () => {
    expect(anomaly(ipv4({ proto: 6, payload: tcp({ srcPort: 1, dstPort: 2, dataOffset: 4 }) }))).toBe('bad_TCP_header_len');
    expect(anomaly(ipv4({ proto: 6, payload: tcp({ srcPort: 1, dstPort: 2, dataOffset: 6 }) }))).toBe('bad_TCP_header_len');
    expect(pkt.hasPorts).toBe(false);
  });

  it('flags a segment shorter than the fixed header', () => {
    const short = tcp({ srcPort: 1, dstPort: 2 }).subarray(0, 12);
    expect(anomaly(ipv4({ proto: 6, payload: short }))).toBe('truncated_header');
    const full = ipv4({ proto: 6, payload: tcp({ srcPort: 1, dstPort: 2 }) });
    expect(anomaly(full.subarray(0, 30), full.length)).toBe('truncated_header');
  });

  it('flags a first fragment too small to hold the header', () => {
    const firstBytes = tcp({ srcPort: 1, dstPort: 2 }).subarray(0, 8);
    expect(anomaly(ipv4({ proto: 6, moreFragments: true, payload: firstBytes }))).toBe('excessively_small_fragment');
    const cutInOptions = tcp({ srcPort: 1, dstPort: 2, options: new Uint8Array(20) }).subarray(0, 24);
    expect(anomaly(ipv4({ proto: 6, moreFragments: true, payload: cutInOptions }))).toBe('excessively_small_fragment');
  });

  it('does not count Ethernet padding as payload', () => {
    const frame = concat(ethernet(ipv4({ proto: 6, payload: tcp({ srcPort: 1, dstPort: 2, flags: TcpFlag.RST }) })), new Uint8Array(6));
    decodePacket(pkt, frame, 0, frame.length, LinkType.ETHERNET);
    expect(pkt).toMatchObject({ tcpFlags: TcpFlag.RST, payloadLen: 0, anomaly: 0 });
  });
});
