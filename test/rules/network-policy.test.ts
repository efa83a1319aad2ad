/**
 * A Kubernetes NetworkPolicy as a rule source (`--rules policy.yaml`): detected by content, several
 * per file, with podSelector, namespaceSelector, ipBlock with except, ports with endPort, named
 * ports and policyTypes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/rules/compile.js';
import { loadRulePacks } from '../../src/rules/load.js';
import { matchConnection } from '../../src/rules/match.js';
import type { ConnectionToMatch } from '../../src/rules/match.js';
import { validate } from '../../src/rules/validate.js';

const dir = mkdtempSync(join(tmpdir(), 'flowaudit-np-'));
let counter = 0;
function file(text: string): string {
  const path = join(dir, `policy-${++counter}.yml`);
  writeFileSync(path, text);
  return path;
}

/** The seed document's example policy, with its indentation restored. */
const SIDECAR_POLICY = `kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata:
  name: proxy-allow
  labels:
    app: api
spec:
  podSelector:
    matchLabels:
      app: api
  ingress:
  - from:
    - namespaceSelector: {}
      podSelector: {}
    ports:
    - protocol: TCP
      port: 8080
  egress:
  - to:
    ports:
    - protocol: TCP
      port: 8438
    - protocol: TCP
      port: 443
    - protocol: TCP
      port: 8443
    - protocol: TCP
      port: 53
    - protocol: UDP
      port: 53
  policyTypes:
  - Ingress
  - Egress
`;

interface Pod {
  namespace: string;
  labels: Record<string, string>;
}

const API: Pod = { namespace: 'payments', labels: { app: 'api' } };
const OTHER_POD: Pod = { namespace: 'web', labels: { app: 'frontend' } };

function conn(proto: 'tcp' | 'udp', client: string, server: string, port: number, k8s: { client?: Pod; server?: Pod } = {}): ConnectionToMatch {
  return { proto: proto === 'tcp' ? 6 : 17, client: { ip: client, port: 40000, k8s: k8s.client ?? null }, server: { ip: server, port, k8s: k8s.server ?? null } };
}

describe('NetworkPolicy import', () => {
  it('turns the seed policy into one rule per direction and protocol', async () => {
    const loaded = await loadRulePacks([file(SIDECAR_POLICY)]);
    const [pack] = loaded.packs;
    expect(pack!.id).toBe('networkpolicy.proxy-allow');
    expect(pack!.source).toBe('network-policy');
    expect(pack!.rules.map((r) => `${r.id} ${r.protocols.join()} ${JSON.stringify(r.ports)}`)).toEqual([
      'ingress-1-tcp tcp {"kind":"list","specs":[{"kind":"single","port":8080}]}',
      'egress-1-tcp tcp {"kind":"list","specs":[{"kind":"single","port":8438},{"kind":"single","port":443},{"kind":"single","port":8443},{"kind":"single","port":53}]}',
      'egress-1-udp udp {"kind":"list","specs":[{"kind":"single","port":53}]}',
    ]);
    expect(pack!.rules[0]!.citations).toEqual([{ section: 'NetworkPolicy proxy-allow', row: null, step: null, item: 'spec.ingress[0]' }]);
  });

  it('matches the same connections as the http-sidecar pack written from the same document', async () => {
    const fromPolicy = compileRules(await loadRulePacks([file(SIDECAR_POLICY)]), null);
    const fromPack = compileRules(await loadRulePacks([join(import.meta.dirname, '../../rules/http-sidecar.yaml')]), null);
    const cases: [ConnectionToMatch, string, string][] = [
      [conn('tcp', '10.1.0.5', '10.1.0.9', 8080, { client: OTHER_POD, server: API }), 'ingress-1-tcp', 'ingress-8080'],
      [conn('tcp', '10.1.0.9', '10.9.0.1', 8438, { client: API }), 'egress-1-tcp', 'egress-control-plane'],
      [conn('tcp', '10.1.0.9', '10.9.0.1', 443, { client: API }), 'egress-1-tcp', 'egress-oauth-provider'],
      [conn('tcp', '10.1.0.9', '10.9.0.1', 8443, { client: API }), 'egress-1-tcp', 'egress-oauth-proxy'],
      [conn('udp', '10.1.0.9', '10.9.0.1', 53, { client: API }), 'egress-1-udp', 'egress-dns'],
    ];
    for (const [c, policyRule, packRule] of cases) {
      expect(matchConnection(fromPolicy, c)).toEqual([`networkpolicy.proxy-allow/${policyRule}`]);
      expect(matchConnection(fromPack, c)).toEqual([`http-sidecar/${packRule}`]);
    }
    for (const c of [conn('udp', '10.1.0.9', '10.9.0.1', 443, { client: API }), conn('tcp', '10.1.0.9', '10.9.0.1', 8080, { client: OTHER_POD }), conn('tcp', '10.1.0.5', '10.1.0.9', 8080, { server: API })]) {
      expect(matchConnection(fromPolicy, c)).toEqual([]);
      expect(matchConnection(fromPack, c)).toEqual([]);
    }
  });

  it('reads several policies from one multi-document file, with selectors, ipBlock except and endPort', async () => {
    const path = file(`${SIDECAR_POLICY}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db-access, namespace: data }
spec:
  podSelector:
    matchExpressions: [{ key: tier, operator: In, values: [db, cache] }]
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: payments } }
      podSelector: { matchLabels: { app: api } }
    - podSelector: { matchLabels: { role: admin } }
    ports:
    - { protocol: TCP, port: 5432 }
  egress:
  - to:
    - ipBlock: { cidr: 10.0.0.0/8, except: [10.9.0.0/16] }
    - ipBlock: { cidr: "fd00::/8" }
    ports:
    - { protocol: TCP, port: 30000, endPort: 30100 }
`);
    const loaded = await loadRulePacks([path]);
    expect(loaded.packs.map((p) => p.id)).toEqual(['networkpolicy.proxy-allow', 'networkpolicy.data.db-access']);
    const compiled = compileRules(loaded, null);
    const db: Pod = { namespace: 'data', labels: { tier: 'db' } };
    const matches = (c: ConnectionToMatch): string[] => matchConnection(compiled, c).filter((f) => f.startsWith('networkpolicy.data.'));
    expect(matches(conn('tcp', '10.1.0.9', '10.2.0.1', 5432, { client: API, server: db }))).toEqual(['networkpolicy.data.db-access/ingress-1-tcp']);
    // A podSelector alone selects pods in the policy's own namespace.
    expect(matches(conn('tcp', '10.1.0.9', '10.2.0.1', 5432, { client: { namespace: 'data', labels: { role: 'admin' } }, server: db }))).toHaveLength(1);
    expect(matches(conn('tcp', '10.1.0.9', '10.2.0.1', 5432, { client: { namespace: 'web', labels: { role: 'admin' } }, server: db }))).toEqual([]);
    expect(matches(conn('tcp', '10.1.0.9', '10.2.0.1', 5432, { client: API, server: { namespace: 'data', labels: { tier: 'web' } } }))).toEqual([]);
    // Egress: ipBlock with except, IPv6 block, port range from endPort.
    expect(matches(conn('tcp', '10.2.0.1', '10.3.0.1', 30050, { client: db }))).toEqual(['networkpolicy.data.db-access/egress-1-tcp']);
    expect(matches(conn('tcp', '10.2.0.1', '10.9.0.1', 30050, { client: db }))).toEqual([]);
    expect(matches(conn('tcp', '10.2.0.1', 'fd00::1', 30100, { client: db }))).toHaveLength(1);
    expect(matches(conn('tcp', '10.2.0.1', '10.3.0.1', 30101, { client: db }))).toEqual([]);
  });

  it('gives named ports a vague rule that matches only once the number is supplied', async () => {
    const path = file(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress:
  - ports: [{ port: http }, { protocol: TCP, port: 9090 }]
`);
    const loaded = await loadRulePacks([path]);
    const rules = loaded.packs[0]!.rules;
    expect(rules.map((r) => `${r.id}${r.vague ? ' (vague)' : ''}`)).toEqual(['ingress-1-tcp', 'ingress-1-tcp-named (vague)']);
    const web = { namespace: 'shop', labels: { app: 'web' } };
    const c = conn('tcp', '203.0.113.1', '10.1.0.2', 8080, { server: web });
    expect(matchConnection(compileRules(loaded, null), c)).toEqual([]);
    expect(matchConnection(compileRules(loaded, null, { 'networkpolicy.web.tcp-http': '8080' }), c)).toEqual(['networkpolicy.web/ingress-1-tcp-named']);
    // No ports at all: every port and protocol; no from: every peer.
    expect(matchConnection(compileRules(loaded, null), conn('tcp', '203.0.113.1', '10.1.0.2', 9090, { server: web }))).toEqual(['networkpolicy.web/ingress-1-tcp']);
  });

  it('leaves peers chosen by namespace labels unbound: flow logs carry namespace names only', async () => {
    const path = file(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: team }
spec:
  podSelector: {}
  ingress:
  - from: [{ namespaceSelector: { matchLabels: { team: blue } } }]
`);
    const compiled = compileRules(await loadRulePacks([path]), null);
    expect(compiled.flows[0]!.bound).toBe(false);
    expect(compiled.flows[0]!.unresolved[0]).toContain('endpoint team-ingress-1-peer-1 is not bound (namespaces selected by labels other than their name');
  });

  it('reports what Kubernetes would not accept, at file:line:column', async () => {
    const path = file(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: bad }
spec:
  podSelector: {}
  policyTypes: [Egress]
  ingress:
  - from: [{ ipBlock: { cidr: 10.0.0.1/8 } }]
  egress:
  - to: [{ podSelector: {}, ipBlock: { cidr: 10.0.0.0/8 } }]
    ports: [{ protocol: ICMP }, { port: 80, endPort: 70 }, { prot: TCP }]
`);
    const report = await validate([path]);
    expect(report.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      '7:3 spec.ingress has rules but policyTypes leaves out Ingress, so they have no effect',
      '10:10 a peer has ipBlock together with a selector',
      '11:25 protocol "ICMP" is not TCP, UDP or SCTP',
      '11:54 endPort 70 is not a port from 80 to 65535',
      '11:62 unknown NetworkPolicy field "prot"',
    ]);
  });
});
