import { describe, expect, it } from 'vitest';
import { decodePacket } from '../../../src/ingest/pcap/decode/decode.js';
import { DecodedPacket } from '../../../src/ingest/pcap/decode/packet.js';
import { LinkType } from '../../../src/ingest/pcap/decode/registry.js';
import { TunnelContexts } from '../../../src/ingest/pcap/tunnel-contexts.js';
import { ethernet, ipv4, ipv6, tcp, udp } from '../../helpers/packet-builder.js';
import { vxlan } from './decode/tunnel-builders.js';

const pkt = new DecodedPacket();
const inner = ethernet(ipv4({ src: '10.244.0.1', dst: '10.244.1.1', proto: 6, payload: tcp({ srcPort: 40000, dstPort: 80 }) }));

/** The context of the inner layer of a VXLAN packet between `src` and `dst` with VNI `vni`. */
function contextOf(contexts: TunnelContexts, src: string, dst: string, vni = 1, srcPort = 50000, parent = 0): number {
  const frame = ipv4({ src, dst, proto: 17, payload: udp({ srcPort, dstPort: 4789, payload: vxlan({ vni, payload: inner }) }) });
  decodePacket(pkt, frame, 0, frame.length, LinkType.RAW);
  expect(pkt.tunnelDepth).toBe(1);
  return contexts.contextOf(parent, pkt.outer[0]!, pkt);
}

describe('TunnelContexts', () => {
  it('gives both directions of a tunnel one context, whatever the outer source port and VNI', () => {
    const contexts = new TunnelContexts();
    const a = contextOf(contexts, '192.168.0.1', '192.168.0.2', 10, 40000);
    expect(a).toBeGreaterThan(0);
    expect(contextOf(contexts, '192.168.0.2', '192.168.0.1', 11, 51000)).toBe(a);
  });

  it('gives other node pairs, other kinds and other enclosing contexts their own', () => {
    const contexts = new TunnelContexts();
    const a = contextOf(contexts, '192.168.0.1', '192.168.0.2');
    const seen = new Set([a, contextOf(contexts, '192.168.0.1', '192.168.0.3'), contextOf(contexts, '192.168.0.1', '192.168.0.2', 1, 50000, 99)]);
    const v6 = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', proto: 4, payload: ipv4({ proto: 17, payload: udp({ srcPort: 1, dstPort: 2 }) }) });
    decodePacket(pkt, v6, 0, v6.length, LinkType.RAW);
    seen.add(contexts.contextOf(0, pkt.outer[0]!, pkt));
    expect(seen.size).toBe(4);
  });

  it('stays exact while growing past its initial table and after starting over', () => {
    const contexts = new TunnelContexts();
    const first = new Map<string, number>();
    for (let i = 0; i < 70_000; i++) {
      const dst = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      const c = contextOf(contexts, '192.168.0.1', dst);
      if (i < 3000) first.set(dst, c);
      else if (i < 3010) expect(contextOf(contexts, dst, '192.168.0.1')).toBe(c);
    }
    expect(new Set(first.values()).size).toBe(3000);
  });
});
