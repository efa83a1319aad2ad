/**
 * Tunnelled captures of the shared corpus against tshark: both layers are recorded, and summed
 * per conversation they give exactly the frames tshark lists (tshark counts a frame in the
 * conversation of every layer it decodes, as we count a packet in the connection of every layer).
 * tshark leaves VXLAN on 8472 undecoded, so that capture's expectations are its own outer
 * conversations plus the inner ones of the same packets on 4789. Runs when FLOWAUDIT_CORPUS is set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../../src/store/store.js';
import { pcapIngester } from '../../../src/ingest/pcap/index.js';
import { canonicalAddress } from '../../../src/net/ip.js';
import { corpusDir } from '../../helpers/corpus.js';

interface Conversation {
  proto: 'tcp' | 'udp';
  a: string;
  b: string;
  frames: number;
}

interface IpConversation {
  a: string;
  b: string;
  frames: number;
}

interface Expected {
  packets: number;
  conversations: Conversation[];
  ip_conversations: IpConversation[];
}

interface Row {
  id: number;
  proto: number;
  client_ip: string;
  client_port: number | null;
  server_ip: string;
  server_port: number | null;
  packets: number;
  encapsulation: string | null;
  tunnel_id: number | null;
  outer_connection_id: number | null;
}

const corpus = corpusDir();

function expected(capture: string): Expected {
  return JSON.parse(readFileSync(join(corpus!, 'pcap', 'expected', `${capture}.json`), 'utf8')) as Expected;
}

/** tshark writes `address:port`; IPv6 addresses are split at the last colon. */
function endpoint(text: string): string {
  const at = text.lastIndexOf(':');
  return `${canonicalAddress(text.slice(0, at))}:${text.slice(at + 1)}`;
}

const pairKey = (a: string, b: string): string => [a, b].sort().join(' ');

function add(map: Map<string, number>, key: string, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

/** tshark's frames per TCP/UDP conversation and per IP address pair (rows of reused ports summed). */
function theirs(e: Pick<Expected, 'conversations' | 'ip_conversations'>): { transport: Map<string, number>; ip: Map<string, number> } {
  const transport = new Map<string, number>();
  const ip = new Map<string, number>();
  for (const c of e.conversations) add(transport, `${c.proto} ${pairKey(endpoint(c.a), endpoint(c.b))}`, c.frames);
  for (const c of e.ip_conversations) add(ip, pairKey(canonicalAddress(c.a)!, canonicalAddress(c.b)!), c.frames);
  return { transport, ip };
}

function ours(rows: Row[]): { transport: Map<string, number>; ip: Map<string, number> } {
  const transport = new Map<string, number>();
  const ip = new Map<string, number>();
  for (const r of rows) {
    add(ip, pairKey(r.client_ip, r.server_ip), r.packets);
    if (r.proto === 6 || r.proto === 17) {
      add(transport, `${r.proto === 6 ? 'tcp' : 'udp'} ${pairKey(`${r.client_ip}:${r.client_port}`, `${r.server_ip}:${r.server_port}`)}`, r.packets);
    }
  }
  return { transport, ip };
}

/** The 8472 capture as tshark would list it decoded: its outer conversations and 4789's inner ones. */
function expected8472(): Expected {
  const outer = expected('tcpdump_vxlan_port_8472.pcap');
  const same = expected('tcpdump_vxlan_4789.pcap');
  const outerPairs = new Set(outer.ip_conversations.map((c) => pairKey(c.a, c.b)));
  return {
    packets: outer.packets,
    conversations: [...outer.conversations, ...same.conversations.filter((c) => !c.a.endsWith(':4789') && !c.b.endsWith(':4789'))],
    ip_conversations: [...outer.ip_conversations, ...same.ip_conversations.filter((c) => !outerPairs.has(pairKey(c.a, c.b)))],
  };
}

const CASES: { capture: string; encapsulation: string; expected: () => Expected }[] = [
  { capture: 'tcpdump_vxlan_4789.pcap', encapsulation: 'vxlan', expected: () => expected('tcpdump_vxlan_4789.pcap') },
  { capture: 'tcpdump_vxlan_port_8472.pcap', encapsulation: 'vxlan', expected: expected8472 },
  { capture: 'tcpdump_geneve_6081.pcap', encapsulation: 'geneve', expected: () => expected('tcpdump_geneve_6081.pcap') },
  { capture: 'tcpdump_various_gre.pcap', encapsulation: 'gre', expected: () => expected('tcpdump_various_gre.pcap') },
  { capture: 'tcpdump_erspan_type_ii_2.pcap', encapsulation: 'erspan', expected: () => expected('tcpdump_erspan_type_ii_2.pcap') },
];

describe.skipIf(corpus === null)('tunnelled captures against tshark (corpus; set FLOWAUDIT_CORPUS to run)', () => {
  for (const c of CASES) {
    it(`${c.capture}: outer and inner conversations, frame for frame`, async () => {
      const want = c.expected();
      const store = await Store.open(':memory:');
      try {
        const report = await pcapIngester.ingest(store, join(corpus!, 'pcap', c.capture), {});
        expect(report).toMatchObject({ recordsRead: want.packets, recordsUsed: want.packets, recordsRejected: 0, anomalies: 0 });
        const rows = (
          await store.queryRows<Row>(
            `SELECT id, proto, client_ip, client_port, server_ip, server_port, (client_packets + server_packets)::INTEGER AS packets,
                    encapsulation, tunnel_id::INTEGER AS tunnel_id, outer_connection_id::INTEGER AS outer_connection_id
             FROM connections ORDER BY id`,
          )
        ).map((r) => ({ ...r, id: Number(r.id) }));
        const got = ours(rows);
        const their = theirs(want);
        expect(Object.fromEntries(got.transport)).toEqual(Object.fromEntries(their.transport));
        expect(Object.fromEntries(got.ip)).toEqual(Object.fromEntries(their.ip));

        const ids = new Set(rows.map((r) => r.id));
        const inner = rows.filter((r) => r.outer_connection_id !== null);
        expect(inner.length).toBeGreaterThan(0);
        for (const r of inner) {
          expect(ids.has(r.outer_connection_id!)).toBe(true);
          expect(r.encapsulation).toBe(c.encapsulation);
        }
        for (const r of rows.filter((row) => row.outer_connection_id === null)) expect(r.encapsulation).toBeNull();
      } finally {
        store.close();
      }
    });
  }

  it('tcpdump_afs_ipv4_udp_fragments.pcap: every IPv4 fragment counted in its connection, as in tshark\'s IP conversations', async () => {
    const capture = 'tcpdump_afs_ipv4_udp_fragments.pcap';
    const store = await Store.open(':memory:');
    try {
      const report = await pcapIngester.ingest(store, join(corpus!, 'pcap', capture), {});
      expect(report).toMatchObject({ recordsRejected: 0, anomalies: 0 });
      const rows = await store.queryRows<Row>('SELECT proto, client_ip, server_ip, (client_packets + server_packets)::INTEGER AS packets FROM connections');
      expect(Object.fromEntries(ours(rows).ip)).toEqual(Object.fromEntries(theirs(expected(capture)).ip));
    } finally {
      store.close();
    }
  });

  it('tcpdump_vxlan_4789.pcap: the VNI, and one inner echo conversation although each direction used its own outer UDP port', async () => {
    const store = await Store.open(':memory:');
    try {
      await pcapIngester.ingest(store, join(corpus!, 'pcap', 'tcpdump_vxlan_4789.pcap'), {});
      const rows = await store.queryRows<Record<string, unknown>>(
        `SELECT client_ip, server_ip, client_packets::INTEGER AS cp, server_packets::INTEGER AS sp, state, tunnel_id::INTEGER AS vni
         FROM connections WHERE encapsulation = 'vxlan'`,
      );
      expect(rows).toEqual([{ client_ip: '192.168.203.3', server_ip: '192.168.203.5', cp: 4, sp: 4, state: 'SF', vni: 100 }]);
    } finally {
      store.close();
    }
  });
});
