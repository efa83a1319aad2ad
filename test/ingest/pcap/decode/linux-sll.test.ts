import { describe, expect, it } from 'vitest';
import { ANOMALY_NAMES } from '../../../../src/ingest/pcap/decode/anomalies.js';
import { decodePacket } from '../../../../src/ingest/pcap/decode/decode.js';
import { DecodedPacket } from '../../../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../../../src/ingest/pcap/decode/registry.js';
import { concat, ipv4, ipv6, llc, sll, tcp, TcpFlag, udp } from '../../../helpers/packet-builder.js';

const pkt = new DecodedPacket();

function decode(frame: Uint8Array): DecodedPacket {
  decodePacket(pkt, frame, 0, frame.length, LinkType.LINUX_SLL);
  return pkt;
}

describe('linux SLL (113)', () => {
  it('decodes IPv4 TCP after the 16-byte cooked header', () => {
    const frame = sll(ipv4({ proto: 6, payload: tcp({ srcPort: 50000, dstPort: 22, flags: TcpFlag.SYN | TcpFlag.ACK }) }), { packetType: 4 });
    expect(decode(frame)).toMatchObject({ etherType: 0x0800, ipVersion: 4, proto: 6, srcPort: 50000, dstPort: 22, tcpFlags: 0x12, anomaly: 0 });
    expect(pkt.srcOff).toBe(16 + 12);
  });

  it('decodes IPv6 from a tun device (ARPHRD_NONE)', () => {
    const frame = sll(ipv6({ proto: 17, payload: udp({ srcPort: 1000, dstPort: 2000 }) }), { arphrd: 0xfffe });
    expect(decode(frame)).toMatchObject({ ipVersion: 6, proto: 17, dstPort: 2000, anomaly: 0 });
  });

  it('follows a VLAN tag libpcap re-inserted after the header', () => {
    const ip = ipv4({ proto: 17, payload: udp({ srcPort: 1, dstPort: 2 }) });
    const frame = sll(concat(new Uint8Array([0x00, 0x33, 0x08, 0x00]), ip), { protocol: 0x8100 });
    expect(decode(frame)).toMatchObject({ vlan: 0x33, ipVersion: 4, dstPort: 2, anomaly: 0 });
  });

  it('treats LLC frames (protocol ETH_P_802_2) as non-IP', () => {
    expect(decode(sll(llc(0x42, 0x42, new Uint8Array(35)), { protocol: 0x0004 }))).toMatchObject({ ipVersion: 0, anomaly: 0 });
  });

  it('flags a record shorter than the cooked header', () => {
    expect(ANOMALY_NAMES[decode(new Uint8Array(15)).anomaly]).toBe('truncated_link_header');
  });
});
