import { describe, expect, it } from 'vitest';
import { ANOMALY_NAMES } from '../../../../src/ingest/pcap/decode/anomalies.js';
import { decodePacket } from '../../../../src/ingest/pcap/decode/decode.js';
import { Encapsulation } from '../../../../src/ingest/pcap/decode/encapsulation.js';
import { DecodedPacket } from '../../../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../../../src/ingest/pcap/decode/registry.js';
import { udpTunnelPorts } from '../../../../src/ingest/pcap/decode/udp-tunnel-ports.js';
import { formatIPv4 } from '../../../../src/net/ip.js';
import { ethernet, icmp, ipv4, ipv6, tcp, TcpFlag, udp } from '../../../helpers/packet-builder.js';
import { geneve, geneveOption, vxlan } from './tunnel-builders.js';

const pkt = new DecodedPacket();

function decode(frame: Uint8Array, packet = pkt, origlen?: number): DecodedPacket {
  decodePacket(packet, frame, 0, frame.length, LinkType.ETHERNET, origlen);
  return packet;
}

/** Pod-to-pod TCP inside an Ethernet frame, as an overlay carries it. */
const innerFrame = ethernet(ipv4({ src: '10.244.1.5', dst: '10.244.2.9', proto: 6, payload: tcp({ srcPort: 41000, dstPort: 8080, flags: TcpFlag.SYN }) }));

function overUdp(dstPort: number, payload: Uint8Array, srcPort = 51515): Uint8Array {
  return ethernet(ipv4({ src: '192.168.0.1', dst: '192.168.0.2', proto: 17, payload: udp({ srcPort, dstPort, payload }) }));
}

describe('vxlan', () => {
  it.each([4789, 8472])('opens VXLAN on UDP %i: the outer layer is kept, the inner one decoded', (port) => {
    const p = decode(overUdp(port, vxlan({ vni: 4096, payload: innerFrame })));
    expect(p.tunnelDepth).toBe(1);
    expect(p.outer[0]).toMatchObject({ ipVersion: 4, proto: 17, srcPort: 51515, dstPort: port, encapsulation: 0, ipLen: 20 + 8 + 8 + innerFrame.length });
    expect(formatIPv4(p.outer[0]!.buf, p.outer[0]!.srcOff)).toBe('192.168.0.1');
    expect(p).toMatchObject({ ipVersion: 4, proto: 6, srcPort: 41000, dstPort: 8080, tcpFlags: TcpFlag.SYN, encapsulation: Encapsulation.vxlan, tunnelId: 4096, anomaly: 0 });
    expect(formatIPv4(p.buf, p.srcOff)).toBe('10.244.1.5');
  });

  it('leaves other ports alone, and opens extra ports given with --vxlan-port', () => {
    const frame = overUdp(9999, vxlan({ vni: 1, payload: innerFrame }));
    expect(decode(frame)).toMatchObject({ tunnelDepth: 0, proto: 17, dstPort: 9999, anomaly: 0 });
    const configured = new DecodedPacket(udpTunnelPorts([9999]));
    expect(decode(frame, configured)).toMatchObject({ tunnelDepth: 1, proto: 6, tunnelId: 1 });
  });

  it('keeps the outer layer when the VXLAN header is short or lacks the I flag', () => {
    for (const payload of [new Uint8Array(5), vxlan({ vni: 7, flags: 0, payload: innerFrame })]) {
      const p = decode(overUdp(4789, payload));
      expect(ANOMALY_NAMES[p.anomaly]).toBe('truncated_tunnel_header');
      expect(p.tunnelDepth).toBe(1);
      expect(p.outer[0]).toMatchObject({ proto: 17, dstPort: 4789 });
      expect(p.ipVersion).toBe(0);
    }
  });

  it('keeps the outer layer when the inner packet is malformed', () => {
    const broken = innerFrame.slice(0, 14 + 10);
    const p = decode(overUdp(4789, vxlan({ vni: 7, payload: broken })));
    expect(ANOMALY_NAMES[p.anomaly]).toBe('truncated_IP');
    expect(p.tunnelDepth).toBe(1);
    expect(p.outer[0]).toMatchObject({ proto: 17, dstPort: 4789 });
  });

  it('stops quietly where the snaplen cut the tunnel header', () => {
    const frame = overUdp(4789, vxlan({ vni: 7, payload: innerFrame }));
    const cut = frame.subarray(0, 14 + 20 + 8 + 4);
    const p = new DecodedPacket();
    decodePacket(p, cut, 0, cut.length, LinkType.ETHERNET, frame.length);
    expect(p).toMatchObject({ anomaly: 0, tunnelDepth: 1, ipVersion: 0 });
  });

  it('carries non-IP inner frames (ARP) without an inner layer', () => {
    const arp = ethernet(new Uint8Array(28), { etherType: 0x0806 });
    expect(decode(overUdp(4789, vxlan({ vni: 7, payload: arp })))).toMatchObject({ anomaly: 0, tunnelDepth: 1, ipVersion: 0 });
  });

  it('does not open a fragment of a tunnel datagram', () => {
    const first = udp({ srcPort: 1, dstPort: 4789, payload: vxlan({ vni: 7, payload: innerFrame }) });
    const frame = ethernet(ipv4({ proto: 17, moreFragments: true, payload: first }));
    expect(decode(frame)).toMatchObject({ tunnelDepth: 0, isFragment: true, dstPort: 4789, anomaly: 0 });
  });
});

describe('geneve', () => {
  it('skips the options and reads the VNI and the inner Ethernet frame', () => {
    const options = new Uint8Array([...geneveOption(0x0102, 0x80, new Uint8Array(8)), ...geneveOption(0xffff, 1, new Uint8Array(4))]);
    const p = decode(overUdp(6081, geneve({ vni: 0xabcdef, options, payload: innerFrame })));
    expect(p).toMatchObject({ tunnelDepth: 1, proto: 6, dstPort: 8080, encapsulation: Encapsulation.geneve, tunnelId: 0xabcdef, anomaly: 0 });
    expect(p.outer[0]).toMatchObject({ proto: 17, dstPort: 6081 });
  });

  it('carries IP directly when the protocol type says so', () => {
    const inner = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', proto: 58, payload: icmp({ type: 128, id: 9 }) });
    const p = decode(overUdp(6081, geneve({ vni: 5, protocol: 0x86dd, payload: inner })));
    expect(p).toMatchObject({ tunnelDepth: 1, ipVersion: 6, proto: 58, icmpId: 9, anomaly: 0 });
  });

  it('flags an unknown version and options running past the datagram', () => {
    expect(ANOMALY_NAMES[decode(overUdp(6081, geneve({ vni: 5, version: 1, payload: innerFrame }))).anomaly]).toBe('truncated_tunnel_header');
    const header = geneve({ vni: 5, options: new Uint8Array(8), payload: new Uint8Array(0) }).slice(0, 12);
    expect(ANOMALY_NAMES[decode(overUdp(6081, header)).anomaly]).toBe('truncated_tunnel_header');
  });
});
