/**
 * The DNS captures of the shared corpus give the answers tshark shows for them
 * (`tshark -r FILE -T fields -e dns.resp.name -e dns.a -e dns.aaaa`). Runs when FLOWAUDIT_CORPUS is set.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../../../src/store/store.js';
import { pcapIngester } from '../../../../src/ingest/pcap/index.js';
import { corpusDir } from '../../../helpers/corpus.js';

const corpus = corpusDir();

/** www.tcpdump.org's answers and the glue of its two name servers, in both captures. */
const ANSWERS = [
  ['192.139.46.66', 'www.tcpdump.org'],
  ['198.199.88.104', 'www.tcpdump.org'],
  ['209.87.249.18', 'nic.sandelman.ca'],
  ['2600:3c03::f03c:91ff:fe96:e8ef', 'sns.cooperix.net'],
  ['2607:f0b0:f::babe:f00d', 'nic.sandelman.ca'],
  ['97.107.133.15', 'sns.cooperix.net'],
];

describe.skipIf(corpus === null)('DNS answers in the corpus captures (set FLOWAUDIT_CORPUS to run)', () => {
  it.each(['tcpdump_dns_udp.pcap', 'tcpdump_dns_tcp.pcap'])('%s', async (capture) => {
    const store = await Store.open(':memory:');
    try {
      await pcapIngester.ingest(store, join(corpus!, 'pcap', capture), {});
      const rows = await store.queryRows<{ address: string; name: string; evidence: string; suspicious: boolean; server_port: number }>(
        `SELECT n.address, n.name, n.evidence, n.suspicious, c.server_port FROM names n JOIN connections c ON c.id = n.connection_id ORDER BY n.address`,
      );
      expect(rows.map((r) => [r.address, r.name])).toEqual(ANSWERS);
      expect(rows.every((r) => r.evidence === 'dns' && !r.suspicious && r.server_port === 53)).toBe(true);
    } finally {
      store.close();
    }
  });
});
