/**
 * Host-name and Kubernetes-selector matching in SQL, on rows this test inserts itself: names
 * evidence binds addresses to host endpoints (case, trailing dot and `*.` wildcards as the rules
 * layer defines them, suspicious names never); pod identities match selectors by namespace, labels
 * and In/NotIn/Exists/DoesNotExist expressions; and a pod's identity beats its address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/classify/classify.js';
import { insertAggregated, insertConnections, insertName, scratch, verdictsById } from './fixtures.js';
import type { Scratch } from './fixtures.js';

const PACK = `
pack: shop
title: A test shop
document: { title: Shop network requirements, file: shop.txt }
rules:
  - id: app-to-partner
    title: The app calls the partner API
    from: app
    to: "*.partner.example.com"
    protocols: [tcp]
    ports: [443]
    direction: one-way
    requirement: required
    security: [tls]
    citation: { section: Partners, row: 1 }
  - id: app-to-registry
    title: The app pulls images
    from: app
    to: registry.example.com
    protocols: [tcp]
    ports: [443]
    direction: one-way
    requirement: required
    security: [tls]
    citation: { section: Registry, row: 1 }
  - id: app-to-db
    title: The app queries the database
    from: app
    to: db
    protocols: [tcp]
    ports: [5432]
    direction: one-way
    requirement: required
    security: []
    citation: { section: Database, row: 1 }
  - id: monitor-to-app
    title: Monitoring scrapes the app
    from: monitor
    to: app
    protocols: [tcp]
    ports: [9090]
    direction: one-way
    requirement: required
    security: []
    citation: { section: Monitoring, row: 1 }
`;

const INVENTORY = `
endpoints:
  app:
    cidrs: [10.1.0.0/24]
    k8s: { namespace: shop, labels: { app: web }, expressions: [{ key: tier, operator: NotIn, values: [canary] }] }
  db:
    cidrs: [10.2.0.0/24]
    k8s: { namespace: shop, expressions: [{ key: app, operator: In, values: [postgres, pg] }, { key: replica, operator: DoesNotExist }] }
  monitor:
    k8s: { namespace: monitoring, expressions: [{ key: app, operator: Exists }] }
  partner:
    hosts: [api.partner.example.com]
`;

const web = { namespace: 'shop', labels: { app: 'web' } };

let t: Scratch;
let verdicts: Awaited<ReturnType<typeof verdictsById>>;

beforeAll(async () => {
  t = await scratch();
  await insertConnections(t.store, [
    // Names evidence.
    { id: 1, client: '10.1.0.5', server: '198.51.100.7' },
    { id: 2, client: '10.1.0.5', server: '198.51.100.8' },
    { id: 3, client: '10.1.0.5', server: '198.51.100.9' },
    { id: 4, client: '10.1.0.5', server: '198.51.100.10' },
    { id: 5, client: '10.1.0.5', server: '198.51.100.11' },
    // Pod identities.
    { id: 6, client: '10.1.0.9', clientIdentity: { namespace: 'shop', labels: { app: 'pg' } }, server: '10.2.0.3', serverPort: 5432 },
    { id: 7, client: '10.9.9.9', clientIdentity: web, server: '10.2.0.3', serverPort: 5432 },
    { id: 8, client: '10.9.9.10', clientIdentity: { namespace: 'shop', labels: { app: 'web', tier: 'canary' } }, server: '10.2.0.3', serverPort: 5432 },
    { id: 9, client: '10.9.9.11', clientIdentity: { namespace: 'shop', labels: { app: 'web', tier: 'stable' } }, server: '10.2.0.3', serverPort: 5432 },
    { id: 10, client: '10.5.5.5', clientIdentity: { namespace: 'monitoring', labels: { app: 'prometheus' } }, server: '10.1.0.5', serverPort: 9090 },
    { id: 11, client: '10.5.5.6', clientIdentity: { namespace: 'monitoring', labels: { team: 'sre' } }, server: '10.1.0.5', serverPort: 9090 },
    { id: 12, client: '10.1.0.5', server: '10.7.7.7', serverIdentity: { namespace: 'shop', labels: { app: 'postgres', replica: '1' } }, serverPort: 5432 },
    { id: 13, client: '10.1.0.5', server: '10.7.7.8', serverIdentity: { namespace: 'shop', labels: { app: 'postgres' } }, serverPort: 5432 },
    { id: 14, client: '10.9.9.12', clientIdentity: { namespace: 'other', labels: { app: 'web' } }, server: '10.2.0.3', serverPort: 5432 },
    { id: 15, client: '10.1.0.7', clientIdentity: { namespace: 'kube-system', labels: {} }, server: '10.2.0.3', serverPort: 5432 },
  ]);
  await insertAggregated(t.store, { id: 16, serverPort: 9090, client: { namespace: 'monitoring', labels: { app: 'prometheus' } }, server: web });
  await insertName(t.store, '198.51.100.7', 'API.Partner.Example.COM.');
  await insertName(t.store, '198.51.100.8', 'partner.example.com');
  await insertName(t.store, '198.51.100.9', 'evil.partner.example.com', { suspicious: true });
  await insertName(t.store, '198.51.100.10', 'registry.example.com', { evidence: 'sni' });
  await insertName(t.store, '198.51.100.11', 'registry.example.com.evil.net');
  await classify(t.store, { rules: [t.file('shop.yaml', PACK)], inventory: t.file('inventory.yaml', INVENTORY), params: {} });
  verdicts = await verdictsById(t.store);
});

afterAll(() => t.close());

describe('host names through names evidence', () => {
  it('matches a wildcard host case-insensitively, trailing dot and all, and names the inventory host endpoint', () => {
    expect(verdicts[1]).toEqual({ verdict: 'documented', flows: ['shop/app-to-partner'], client: 'app', server: 'partner' });
  });

  it('does not match a wildcard to its apex', () => {
    expect(verdicts[2]).toEqual({ verdict: 'unexpected', flows: [], client: 'app', server: null });
  });

  it('ignores suspicious names', () => {
    expect(verdicts[3]?.verdict).toBe('unexpected');
  });

  it('matches an exact host from TLS SNI, and only the exact host', () => {
    expect(verdicts[4]).toEqual({ verdict: 'documented', flows: ['shop/app-to-registry'], client: 'app', server: null });
    expect(verdicts[5]?.verdict).toBe('unexpected');
  });
});

describe('Kubernetes selectors', () => {
  it('lets a pod identity beat the address: a database pod on an app address is not the app', () => {
    expect(verdicts[6]).toEqual({ verdict: 'unexpected', flows: [], client: 'db', server: 'db' });
  });

  it('places an app pod by its identity wherever its address is', () => {
    expect(verdicts[7]).toEqual({ verdict: 'documented', flows: ['shop/app-to-db'], client: 'app', server: 'db' });
  });

  it('honours NotIn: a canary is not the app, another tier is', () => {
    expect(verdicts[8]).toEqual({ verdict: 'unexpected', flows: [], client: null, server: 'db' });
    expect(verdicts[9]?.flows).toEqual(['shop/app-to-db']);
  });

  it('honours Exists', () => {
    expect(verdicts[10]).toEqual({ verdict: 'documented', flows: ['shop/monitor-to-app'], client: 'monitor', server: 'app' });
    expect(verdicts[11]).toEqual({ verdict: 'unexpected', flows: [], client: null, server: 'app' });
  });

  it('honours In and DoesNotExist on the server side', () => {
    expect(verdicts[12]).toEqual({ verdict: 'unexpected', flows: [], client: 'app', server: null });
    expect(verdicts[13]).toEqual({ verdict: 'documented', flows: ['shop/app-to-db'], client: 'app', server: 'db' });
  });

  it('requires the namespace', () => {
    expect(verdicts[14]?.verdict).toBe('unexpected');
  });

  it('keeps the address when the identity matches no inventory selector', () => {
    expect(verdicts[15]).toEqual({ verdict: 'documented', flows: ['shop/app-to-db'], client: 'app', server: 'db' });
  });

  it('places an aggregated row without addresses by its identities alone', () => {
    expect(verdicts[16]).toEqual({ verdict: 'documented', flows: ['shop/monitor-to-app'], client: 'monitor', server: 'app' });
  });
});
