/** Tunnels through the whole capture ingest: a connection per layer, and the counting rules. */
import { describe, expect, it } from 'vitest';
import { ethernet, ipv4, tcp, TcpFlag, udp } from '../../helpers/packet-builder.js';
import { gre, vxlan } from './decode/tunnel-builders.js';
import { withIngested } from './ingest-frames.js';

const podSyn = ethernet(ipv4({ src: '10.244.1.5', dst: '10.244.2.9', proto: 6, payload: tcp({ srcPort: 41000, dstPort: 8080, flags: TcpFlag.SYN }) }));
const podSynAck = ethernet(ipv4({ src: '10.244.2.9', dst: '10.244.1.5', proto: 6, payload: tcp({ srcPort: 8080, dstPort: 41000, flags: TcpFlag.SYN | TcpFlag.ACK }) }));

function vxlanFrame(src: string, dst: string, srcPort: number, inner: Uint8Array, dstPort = 4789): Uint8Array {
  return ethernet(ipv4({ src, dst, proto: 17, payload: udp({ srcPort, dstPort, payload: vxlan({ vni: 4096, payload: inner }) }) }));
}

const CONNECTIONS = `SELECT id, proto, client_ip, client_port, server_ip, server_port, client_packets, server_packets, client_bytes,
  state, encapsulation, tunnel_id, outer_connection_id FROM connections ORDER BY id`;

describe('tunnelled traffic in the capture ingest', () => {
  it('records the node-to-node connections and the pod-to-pod one inside them', async () => {
    const frames = [vxlanFrame('192.168.0.1', '192.168.0.2', 40001, podSyn), vxlanFrame('192.168.0.2', '192.168.0.1', 51234, podSynAck)];
    await withIngested(frames, async ({ report, query }) => {
      expect(report).toMatchObject({ recordsRead: 2, recordsUsed: 2, recordsRejected: 0, connections: 3, anomalies: 0 });
      const rows = await query(CONNECTIONS);
      expect(rows).toEqual([
        { id: 1, proto: 17, client_ip: '192.168.0.1', client_port: 40001, server_ip: '192.168.0.2', server_port: 4789, client_packets: 1, server_packets: 0, client_bytes: frames[0]!.length - 14, state: 'S0', encapsulation: null, tunnel_id: null, outer_connection_id: null },
        { id: 2, proto: 6, client_ip: '10.244.1.5', client_port: 41000, server_ip: '10.244.2.9', server_port: 8080, client_packets: 1, server_packets: 1, client_bytes: podSyn.length - 14, state: 'S1', encapsulation: 'vxlan', tunnel_id: 4096, outer_connection_id: 1 },
        { id: 3, proto: 17, client_ip: '192.168.0.2', client_port: 51234, server_ip: '192.168.0.1', server_port: 4789, client_packets: 1, server_packets: 0, client_bytes: frames[1]!.length - 14, state: 'S0', encapsulation: null, tunnel_id: null, outer_connection_id: null },
      ]);
    });
  });

  it('keeps the outer connection of a packet whose inner layer is malformed: used, with the anomaly counted', async () => {
    const broken = podSyn.slice(0, 14 + 12);
    await withIngested([vxlanFrame('192.168.0.1', '192.168.0.2', 40001, broken)], async ({ report, query }) => {
      expect(report).toMatchObject({ recordsRead: 1, recordsUsed: 1, recordsRejected: 0, connections: 1, anomalies: 1 });
      expect(await query('SELECT name, count FROM anomalies')).toEqual([{ name: 'truncated_IP', count: 1 }]);
      expect(await query('SELECT count(*) AS n FROM rejects')).toEqual([{ n: 0 }]);
    });
  });

  it('opens the UDP ports given as vxlanPorts and records them in the source options', async () => {
    await withIngested([vxlanFrame('192.168.0.1', '192.168.0.2', 40001, podSyn, 9999)], async ({ report, query }) => {
      expect(report.connections).toBe(2);
      expect(await query('SELECT options FROM sources')).toEqual([{ options: '{"vxlan_ports":[9999]}' }]);
    }, { vxlanPorts: [9999] });
  });

  it('attributes fragments of an inner datagram to the inner connection', async () => {
    const datagram = udp({ srcPort: 5353, dstPort: 53, payload: new Uint8Array(2000) });
    const fragments = [
      ipv4({ src: '10.1.0.1', dst: '10.1.0.2', proto: 17, id: 7, moreFragments: true, payload: datagram.subarray(0, 1200) }),
      ipv4({ src: '10.1.0.1', dst: '10.1.0.2', proto: 17, id: 7, fragmentOffset: 1200, payload: datagram.subarray(1200) }),
    ];
    const frames = [...fragments].reverse().map((inner) => ethernet(ipv4({ src: '172.16.0.1', dst: '172.16.0.2', proto: 47, payload: gre({ protocol: 0x0800, key: 5, payload: inner }) })));
    await withIngested(frames, async ({ report, query }) => {
      expect(report).toMatchObject({ recordsRead: 2, recordsUsed: 2, recordsRejected: 0, connections: 2 });
      const inner = await query<{ client_packets: number; client_bytes: number; server_port: number }>(`SELECT client_packets, client_bytes, server_port FROM connections WHERE encapsulation = 'gre'`);
      expect(inner).toEqual([{ client_packets: 2, client_bytes: fragments[0]!.length + fragments[1]!.length, server_port: 53 }]);
    });
  });
});
