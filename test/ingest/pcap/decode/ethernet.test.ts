import { describe, expect, it } from 'vitest';
import { ANOMALY_NAMES } from '../../../../src/ingest/pcap/decode/anomalies.js';
import { decodePacket } from '../../../../src/ingest/pcap/decode/decode.js';
import { DecodedPacket } from '../../../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../../../src/ingest/pcap/decode/registry.js';
import {
  concat,
  ethernet,
  ethernet8023,
  ipv4,
  ipv6,
  llc,
  llcSnap,
  tcp,
  TcpFlag,
  udp,
} from '../../../helpers/packet-builder.js';

const pkt = new DecodedPacket();

function decode(frame: Uint8Array): DecodedPacket {
  decodePacket(pkt, frame, 0, frame.length, LinkType.ETHERNET);
  return pkt;
}

const tcpSyn = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, payload: tcp({ srcPort: 40000, dstPort: 443, flags: TcpFlag.SYN }) });
const udpV6 = ipv6({ proto: 17, payload: udp({ srcPort: 5353, dstPort: 53, payload: new Uint8Array(12) }) });
const stpBpdu = new Uint8Array(35);

describe('ethernet', () => {
  it('decodes IPv4 and IPv6 behind an Ethernet II header', () => {
    expect(decode(ethernet(tcpSyn))).toMatchObject({ etherType: 0x0800, vlan: -1, ipVersion: 4, proto: 6, srcPort: 40000, dstPort: 443, anomaly: 0 });
    expect(pkt.srcOff).toBe(14 + 12);
    expect(decode(ethernet(udpV6))).toMatchObject({ etherType: 0x86dd, ipVersion: 6, proto: 17, srcPort: 5353, dstPort: 53, payloadLen: 12 });
  });

  it('keeps the VLAN id of an 802.1Q tag', () => {
    expect(decode(ethernet(tcpSyn, { vlans: [{ id: 42, priority: 5 }] }))).toMatchObject({ vlan: 42, ipVersion: 4, dstPort: 443, anomaly: 0 });
  });

  it('keeps the outer VLAN id of QinQ (802.1ad S-tag then 802.1Q C-tag)', () => {
    const frame = ethernet(udpV6, { vlans: [{ id: 100, tpid: 0x88a8 }, { id: 7 }] });
    expect(decode(frame)).toMatchObject({ vlan: 100, ipVersion: 6, dstPort: 53, anomaly: 0 });
    expect(pkt.srcOff).toBe(14 + 8 + 8);
  });

  it('follows the pre-standard 0x9100 outer tag', () => {
    expect(decode(ethernet(tcpSyn, { vlans: [{ id: 4094, tpid: 0x9100 }, { id: 1 }] }))).toMatchObject({ vlan: 4094, ipVersion: 4 });
  });

  it('follows 8 stacked tags and flags a ninth', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1 }));
    expect(decode(ethernet(tcpSyn, { vlans: tags(8) }))).toMatchObject({ vlan: 1, ipVersion: 4, anomaly: 0 });
    expect(ANOMALY_NAMES[decode(ethernet(tcpSyn, { vlans: tags(9) })).anomaly]).toBe('excessive_vlan_tags');
    expect(pkt.ipVersion).toBe(0);
  });

  it('flags a frame shorter than the Ethernet header or cut inside a VLAN tag', () => {
    expect(ANOMALY_NAMES[decode(new Uint8Array(13)).anomaly]).toBe('truncated_link_header');
    const tagged = ethernet(tcpSyn, { vlans: [{ id: 5 }, { id: 6 }] });
    expect(ANOMALY_NAMES[decode(tagged.subarray(0, 20)).anomaly]).toBe('truncated_link_header');
  });

  it('treats 802.3 length frames with LLC (spanning tree) as non-IP, not as an anomaly', () => {
    expect(decode(ethernet8023(llc(0x42, 0x42, stpBpdu)))).toMatchObject({ ipVersion: 0, etherType: 0, anomaly: 0 });
  });

  it('treats LLC/SNAP frames as non-IP even when SNAP names IPv4', () => {
    expect(decode(ethernet8023(llcSnap(0x0800, tcpSyn)))).toMatchObject({ ipVersion: 0, anomaly: 0 });
  });

  it('treats ARP and LLDP as non-IP but keeps their EtherType', () => {
    expect(decode(ethernet(new Uint8Array(28), { etherType: 0x0806 }))).toMatchObject({ ipVersion: 0, etherType: 0x0806, anomaly: 0 });
    expect(decode(ethernet(new Uint8Array(30), { etherType: 0x88cc, vlans: [{ id: 9 }] }))).toMatchObject({ ipVersion: 0, vlan: 9, anomaly: 0 });
  });

  it('treats an 802.3 frame inside a VLAN tag as non-IP and keeps the VLAN id', () => {
    const inner = llc(0x42, 0x42, stpBpdu);
    const frame = ethernet(inner, { etherType: inner.length, vlans: [{ id: 12 }] });
    expect(decode(frame)).toMatchObject({ ipVersion: 0, vlan: 12, anomaly: 0 });
  });

  it('ignores the padding of a minimum-size frame', () => {
    const ack = ipv4({ proto: 6, payload: tcp({ srcPort: 1, dstPort: 2, flags: TcpFlag.ACK }) });
    const padded = concat(ethernet(ack), new Uint8Array(6));
    expect(padded.length).toBe(60);
    expect(decode(padded)).toMatchObject({ ipLen: 40, payloadLen: 0, anomaly: 0 });
  });
});
