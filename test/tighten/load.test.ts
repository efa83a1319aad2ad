/**
 * What tighten reads from the database: nothing without a classify run; connections grouped with
 * their verdicts, aggregated rows counted by num_flows; connections ingested after the run counted
 * as not considered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { buildRuleSet } from '../../src/tighten/build.js';
import { headerLines } from '../../src/tighten/header.js';
import { loadTightenInput } from '../../src/tighten/load.js';
import { insertConnections, scratch } from '../classify/fixtures.js';
import { BUILD_OPTIONS, classifiedFixture } from './fixture.js';
import type { Classified } from './fixture.js';

let f: Classified;

beforeAll(async () => {
  f = await classifiedFixture();
});
afterAll(() => f.t.close());

describe('loadTightenInput', () => {
  it('refuses a database without a classify run, telling what to run', async () => {
    const t = await scratch('flowaudit-tighten-empty-');
    try {
      await expect(loadTightenInput(t.store, 'empty.duckdb')).rejects.toThrow(ConfigError);
      await expect(loadTightenInput(t.store, 'empty.duckdb')).rejects.toThrow(/no classification results/);
    } finally {
      t.close();
    }
  });

  it('groups the classified connections, aggregated rows by their num_flows, identities parsed', () => {
    const aggregated = f.input.groups.find((g) => g.client.ip === null)!;
    expect(aggregated).toMatchObject({
      verdict: 'documented',
      connections: 5,
      port: 3000,
      client: { family: null, num: null, endpoint: 'management', identity: { namespace: 'apic', labels: { 'app.kubernetes.io/component': 'management' } } },
    });
    const publicClient = f.input.groups.find((g) => g.client.ip === '203.0.113.10')!;
    expect(publicClient).toMatchObject({ verdict: 'documented', flows: ['apic-firewall/api-request'], connections: 3, client: { family: 4, num: 3405803786n, endpoint: 'public', identity: null } });
    expect(f.input.run).toMatchObject({ id: 1, packs: ['apic-firewall', 'apic-inter-subsystem'] });
    expect(f.input.flows.find((x) => x.flow === 'apic-firewall/analytics-dns')).toMatchObject({ status: 'not_covered' });
    expect(f.input.flowRows.some((r) => r.flow === 'apic-firewall/gateway-peering' && r.portLo === 16383 && r.client === 'inventory:gateway')).toBe(true);
  });

  it('counts connections ingested after the run as not considered, and says so', async () => {
    await insertConnections(f.t.store, [{ id: 1000, client: '10.10.5.9', server: '10.20.1.5', serverPort: 22 }]);
    const input = await loadTightenInput(f.t.store, f.db);
    expect(input.unclassified).toBe(1);
    expect(input.groups.some((g) => g.client.ip === '10.10.5.9')).toBe(false);
    const lines = headerLines(buildRuleSet(input, BUILD_OPTIONS), 'nftables', [], []);
    expect(lines).toContain('1 connection ingested after the classify run is not considered: run classify again.');
  });
});
