/**
 * Flow status and coverage (gaps), connection outcomes, and the life of a run: re-running replaces
 * the results, the verdicts view is a snapshot of the connections a run saw, a failed run keeps the
 * previous results. Rows are inserted by the tests themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/classify/classify.js';
import type { ClassifySummary } from '../../src/classify/classify.js';
import { ConfigError } from '../../src/errors.js';
import { insertConnections, insertGap, scratch, statusByFlow, verdictsById } from './fixtures.js';
import type { Scratch } from './fixtures.js';

const rule = (id: string, from: string, to: string, protocols: string, ports: string, direction = 'one-way', vague = ''): string => `
  - id: ${id}${vague === '' ? '' : `
    vague: ${vague}`}
    title: ${id}
    from: ${from}
    to: ${to}
    protocols: [${protocols}]
    ${ports === '' ? '' : `ports: [${ports}]`}
    direction: ${direction}
    requirement: required
    security: []
    citation: { section: Test, item: ${id} }`;

const PACK = `
pack: cov
title: Coverage test pack
document: { title: Coverage test, file: cov.txt }
params:
  cov.unknown_port:
    default: null
    description: A port the document never gives.
  cov.admin_port:
    default: 8443
    description: A configurable port.
rules:${[
  rule('a-to-b', 'a', 'b', 'tcp', '443'),
  rule('a-to-b-syslog', 'a', 'b', 'udp', '514'),
  rule('a-to-b-nodeports', 'a', 'b', 'tcp', '"30000-30100"'),
  rule('a-to-b-admin', 'a', 'b', 'tcp', '{ param: cov.admin_port }'),
  rule('a-to-b-vague', 'a', 'b', 'tcp', '{ param: cov.unknown_port }', 'one-way', 'The document gives no port.'),
  rule('a-to-c', 'a', 'c', 'tcp', '443'),
  rule('c-dns', 'c', 'any', 'udp', '53'),
  rule('d-dns', 'd', 'any', 'udp', '53'),
  rule('e-dns', 'e', 'any', 'udp', '53'),
  rule('f-dns', 'f', 'any', 'udp', '53'),
  rule('g-dns', 'g', 'any', 'udp', '53'),
  rule('h-dns', 'h', 'any', 'udp', '53'),
  rule('z-dns', 'z', 'any', 'udp', '53'),
  rule('nobody-dns', 'nobody', 'any', 'udp', '53'),
  rule('ping', 'any', 'any', 'icmp', ''),
  rule('peer', 'a', 'a', 'tcp', '7000', 'both-ways'),
].join('')}
`;

const INVENTORY = `
endpoints:
${['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'z'].map((n, i) => `  ${n}: { cidrs: [10.0.${i + 1}.0/24] }`).join('\n')}
`;

const ip = (endpoint: string, host = 5): string => `10.0.${'abcdefghz'.indexOf(endpoint) + 1}.${host}`;
const OUTSIDE = '192.0.2.9';

describe('coverage: gaps keep "never observed" honest', () => {
  let t: Scratch;
  let flows: Awaited<ReturnType<typeof statusByFlow>>;

  beforeAll(async () => {
    t = await scratch();
    await insertConnections(t.store, [
      { id: 1, client: ip('a'), server: ip('b'), at: 10 },
      // The capture (source 1) is cut short at 100 s: c shows up only after that.
      { id: 2, client: ip('c'), server: OUTSIDE, serverPort: 80, at: 100, duration: 1 },
      // g's connection began before the cut: it was seen.
      { id: 3, client: ip('g'), server: OUTSIDE, serverPort: 80, at: 95, duration: 10 },
      // Flow logs (source 2) skipped records on eni-1 from 0 to 1000 s, not on eni-2.
      { id: 4, client: ip('d'), server: OUTSIDE, serverPort: 80, at: 50, sourceId: 2, interfaceId: 'eni-1', state: null, action: 'ACCEPT' },
      { id: 5, client: ip('e'), server: OUTSIDE, serverPort: 80, at: 50, sourceId: 2, interfaceId: 'eni-2', state: null, action: 'ACCEPT' },
      // Another source at the same time as source 1's cut: its gaps are not source 1's.
      { id: 6, client: ip('f'), server: OUTSIDE, serverPort: 80, at: 120, sourceId: 3 },
      // A pcapng (source 4) dropped packets on eth1 from 200 to 300 s; its connections carry no interface.
      { id: 7, client: ip('h'), server: OUTSIDE, serverPort: 80, at: 250, sourceId: 4 },
    ]);
    await insertGap(t.store, 1, 'truncated_capture', 100, null);
    await insertGap(t.store, 2, 'skipdata', 0, 1000, 'eni-1');
    await insertGap(t.store, 4, 'capture_drops', 200, 300, 'eth1');
    await classify(t.store, { rules: [t.file('cov.yaml', PACK)], inventory: t.file('inventory.yaml', INVENTORY), params: {} });
    flows = await statusByFlow(t.store);
  });

  afterAll(() => t.close());

  it('observes what matched', () => {
    expect(flows['cov/a-to-b']).toEqual({ status: 'observed', connections: 1, reason: 'seen in documented connections' });
  });

  it('calls a flow unobserved when one of its endpoints was visible', () => {
    expect(flows['cov/a-to-c']).toEqual({ status: 'unobserved', connections: 0, reason: 'never seen, though the data covers a' });
    expect(flows['cov/peer']?.status).toBe('unobserved');
  });

  it('calls a flow not covered when its endpoints appear only inside a gap of their own source', () => {
    expect(flows['cov/c-dns']).toEqual({ status: 'not_covered', connections: 0, reason: 'the data cannot show it: c seen only inside gaps' });
    expect(flows['cov/d-dns']?.status).toBe('not_covered');
    expect(flows['cov/h-dns']?.reason).toBe('the data cannot show it: h seen only inside gaps');
  });

  it('counts a connection that only overlaps a gap, one on another interface, one of another source', () => {
    expect(flows['cov/g-dns']?.status).toBe('unobserved');
    expect(flows['cov/e-dns']?.status).toBe('unobserved');
    expect(flows['cov/f-dns']?.status).toBe('unobserved');
  });

  it('calls a flow not covered when no connection involves its endpoints', () => {
    expect(flows['cov/z-dns']).toEqual({ status: 'not_covered', connections: 0, reason: 'the data cannot show it: no connection involves z' });
  });

  it('says why a flow cannot match at all', () => {
    expect(flows['cov/a-to-b-vague']?.status).toBe('not_covered');
    expect(flows['cov/a-to-b-vague']?.reason).toMatch(/^cannot match a connection: param cov.unknown_port has no value/);
    expect(flows['cov/nobody-dns']?.reason).toMatch(/^cannot match a connection: endpoint nobody is not bound/);
  });

  it('lets any ↔ any count every connection outside the gaps as coverage', () => {
    expect(flows['cov/ping']).toEqual({ status: 'unobserved', connections: 0, reason: 'never seen, though the data holds connections' });
  });
});

describe('outcomes: denied and unanswered', () => {
  let t: Scratch;
  let verdicts: Awaited<ReturnType<typeof verdictsById>>;
  let flows: Awaited<ReturnType<typeof statusByFlow>>;
  let summary: ClassifySummary;

  beforeAll(async () => {
    t = await scratch();
    const ab = { client: ip('a'), server: ip('b') };
    await insertConnections(t.store, [
      { id: 1, ...ab, state: 'SF' },
      { id: 2, ...ab, state: 'S0', serverPackets: 0 },
      { id: 3, ...ab, state: 'RSTOS0', serverPackets: 0 },
      { id: 4, ...ab, state: 'SH', serverPackets: 0 },
      { id: 5, ...ab, state: 'REJ', serverPackets: 1 },
      { id: 6, ...ab, state: null, action: 'REJECT', sourceId: 2 },
      { id: 7, ...ab, state: null, action: 'deny', sourceId: 3 },
      { id: 8, ...ab, state: null, action: 'DROPPED', sourceId: 3 },
      { id: 9, ...ab, state: null, action: 'ACCEPT', serverPackets: 0, sourceId: 2, serverPort: 30050 },
      { id: 10, ...ab, state: null, action: 'ACCEPT', serverPackets: 4, sourceId: 2, serverPort: 30100 },
      { id: 11, ...ab, proto: 17, serverPort: 514, state: 'S0', serverPackets: 0 },
      { id: 12, ...ab, state: null, action: 'REJECT', serverPort: 8080, sourceId: 2 },
      { id: 13, ...ab, proto: 1, serverPort: 0, state: null },
      { id: 14, ...ab, serverPort: 8443 },
      { id: 15, ...ab, serverPort: 30101 },
    ]);
    await t.store.conn.run(`UPDATE connections SET client_action = 'ACCEPT', server_action = 'REJECT', action = 'ACCEPT', state = NULL WHERE id = 1`);
    summary = await classify(t.store, { rules: [t.file('cov.yaml', PACK)], inventory: t.file('inventory.yaml', INVENTORY), params: {} });
    verdicts = await verdictsById(t.store);
    flows = await statusByFlow(t.store);
  });

  afterAll(() => t.close());

  it('denies what a flow log rejected in either direction, or a capture saw refused', () => {
    for (const id of [1, 5, 6, 7, 8]) expect([id, verdicts[id]?.verdict]).toEqual([id, 'denied']);
  });

  it('calls TCP attempts nobody answered unanswered, captured or logged', () => {
    for (const id of [2, 3, 4, 9]) expect([id, verdicts[id]?.verdict]).toEqual([id, 'unanswered']);
  });

  it('never calls a datagram without a reply unanswered', () => {
    expect(verdicts[11]).toEqual({ verdict: 'documented', flows: ['cov/a-to-b-syslog'], client: 'a', server: 'b' });
  });

  it('keeps a rejected connection that matches no flow unexpected', () => {
    expect(verdicts[12]?.verdict).toBe('unexpected');
  });

  it('matches port ranges and params by their edges, and port-less protocols', () => {
    expect(verdicts[10]?.flows).toEqual(['cov/a-to-b-nodeports']);
    expect(verdicts[15]?.verdict).toBe('unexpected');
    expect(verdicts[14]?.flows).toEqual(['cov/a-to-b-admin']);
    expect(verdicts[13]?.flows).toEqual(['cov/ping']);
  });

  it('gives a flow that only got denied or unanswered connections that status', () => {
    expect(flows['cov/a-to-b']).toEqual({ status: 'denied', connections: 8, reason: 'seen only in denied or unanswered connections' });
    expect(flows['cov/a-to-b-nodeports']?.status).toBe('observed');
    expect(summary.verdicts).toEqual({ documented: 4, unexpected: 2, denied: 5, unanswered: 4 });
  });
});

describe('a run replaces the previous one', () => {
  let t: Scratch;
  let pack: string;
  let inventory: string;

  beforeAll(async () => {
    t = await scratch();
    pack = t.file('cov.yaml', PACK);
    inventory = t.file('inventory.yaml', INVENTORY);
    await insertConnections(t.store, [
      { id: 1, client: ip('a'), server: ip('b'), serverPort: 9443 },
      { id: 2, client: ip('a'), server: ip('b'), serverPort: 443 },
    ]);
  });

  afterAll(() => t.close());

  it('replaces verdicts and flow status, and logs every run', async () => {
    await classify(t.store, { rules: [pack], inventory, params: {} });
    expect((await verdictsById(t.store))[1]?.verdict).toBe('unexpected');
    await classify(t.store, { rules: [pack], inventory, params: { 'cov.admin_port': '9443' } });
    expect((await verdictsById(t.store))[1]).toEqual({ verdict: 'documented', flows: ['cov/a-to-b-admin'], client: 'a', server: 'b' });
    expect((await statusByFlow(t.store))['cov/a-to-b-admin']?.status).toBe('observed');
    const runs = await t.store.queryRows<{ id: number; params: string }>('SELECT id, params FROM classify_runs ORDER BY id');
    expect(runs.map((r) => r.id)).toEqual([1, 2]);
    expect(JSON.parse(runs[1]!.params)['cov.admin_port']).toEqual({ value: '9443', source: 'cli' });
    const [counts] = await t.store.queryRows<{ flows: bigint; keys: bigint; temp: bigint }>(
      `SELECT (SELECT count(*) FROM flow_status) AS flows, (SELECT sum(connections) FROM match_verdicts) AS keys,
        (SELECT count(*) FROM duckdb_tables() WHERE temporary) AS temp`,
    );
    expect(counts).toEqual({ flows: 16n, keys: 2n, temp: 0n });
  });

  it('gives connections ingested after a run no verdict until the next run', async () => {
    await insertConnections(t.store, [{ id: 3, client: ip('a'), server: ip('b'), serverPort: 443 }]);
    expect(Object.keys(await verdictsById(t.store))).toEqual(['1', '2']);
    await classify(t.store, { rules: [pack], inventory, params: {} });
    expect(Object.keys(await verdictsById(t.store))).toEqual(['1', '2', '3']);
  });

  it('keeps the previous results when a run fails', async () => {
    const before = await verdictsById(t.store);
    await expect(classify(t.store, { rules: [pack], inventory, params: { 'cov.nope': '1' } })).rejects.toBeInstanceOf(ConfigError);
    await expect(classify(t.store, { rules: [pack], inventory: t.file('bad.yaml', 'endpoints: { a: { cidrs: [10.0.0.1/8] } }\n'), params: {} })).rejects.toBeInstanceOf(ConfigError);
    expect(await verdictsById(t.store)).toEqual(before);
    const [runs] = await t.store.queryRows<{ n: bigint }>('SELECT count(*) AS n FROM classify_runs');
    expect(runs!.n).toBe(3n);
  });
});

describe('an empty store', () => {
  it('classifies nothing and covers no flow', async () => {
    const t = await scratch();
    try {
      const summary = await classify(t.store, { rules: [t.file('cov.yaml', PACK)], inventory: t.file('inventory.yaml', INVENTORY), params: {} });
      expect(summary.connections).toBe(0);
      expect(summary.flows).toEqual({ observed: 0, unobserved: 0, not_covered: 16, denied: 0, unanswered: 0 });
      expect(await verdictsById(t.store)).toEqual({});
    } finally {
      t.close();
    }
  });
});
