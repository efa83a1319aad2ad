/**
 * The SQL classifier against the reference: for thousands of generated connections, the flows each
 * one matches in the verdicts view are exactly what src/rules/match.ts finds over compileRules'
 * own rows with the same packs, inventory and params. The inventory nests CIDRs across endpoints,
 * overlaps them within one, carves an except block, mixes IPv4 and IPv6, and binds endpoints by pod
 * selector (labels and expressions) and by host name; connection sides carry identities and names.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/classify/classify.js';
import { selectorMatches } from '../../src/rules/bindings.js';
import { compileRules, loadInventory, loadRulePacks, matchConnection } from '../../src/rules/index.js';
import type { ConnectionToMatch } from '../../src/rules/index.js';
import { Store } from '../../src/store/store.js';
import type { ConnectionRow, K8sIdentity } from '../../src/store/input-writer.js';
import { addressToBigInt, canonicalAddress, formatAddressNumber, parseAddress } from '../../src/net/ip.js';
import { mulberry32 } from '../../bench/seeded-random.js';

const INVENTORY = `
endpoints:
  public: { cidrs: [0.0.0.0/0, "::/0"] }
  protected: { cidrs: [10.10.0.0/16], except: [10.10.99.0/24] }
  gateway: { cidrs: [10.10.1.0/24, 10.20.1.0/24, "fd00:20:1::/64"] }
  management:
    cidrs: [10.20.2.0/24, "fd00:20:2::/64"]
    k8s: { namespace: apic, labels: { app.kubernetes.io/component: management } }
  portal: { cidrs: [10.20.3.0/24, 10.20.3.128/25] }
  analytics:
    cidrs: [10.20.4.0/24]
    k8s:
      namespace: apic
      expressions: [{ key: app, operator: In, values: [analytics, a7s] }, { key: legacy, operator: DoesNotExist }]
  workers: { cidrs: [10.176.0.0/16, 203.0.113.0/24] }
  load-balancer: { cidrs: [203.0.113.200/32] }
  mart: { k8s: { namespace: apigee, labels: { app: apigee-mart } } }
  cassandra: { k8s: [{ namespace: apigee, labels: { app: apigee-cassandra } }, { namespace: apigee-data, expressions: [{ key: role, operator: Exists }] }] }
  message-processor: { k8s: { namespace: apigee, labels: { app: apigee-runtime } } }
  synchronizer: { k8s: { namespace: apigee, labels: { app: apigee-synchronizer } } }
  istio-ingress:
    cidrs: [192.0.2.10/32]
    k8s: { namespace: istio-system, expressions: [{ key: app, operator: NotIn, values: [debug] }] }
  apigee-services: { cidrs: [198.51.100.0/24], hosts: ["*.apigee.example.com", "mgmt.example.org"] }
  cluster-pods: { cidrs: [172.30.0.0/16], k8s: {} }
params:
  apic.gateway_peer_port: 16380
  apic.platform_api_port: 2443
  apigee.backend_ports: [443, "8000-8100"]
`;

const IDENTITIES: (K8sIdentity | null)[] = [
  null,
  null,
  null,
  { namespace: 'apic', name: 'mgmt-0', labels: { 'app.kubernetes.io/component': 'management' }, endpointType: 'wep' },
  { namespace: 'apic', name: 'a7s-0', labels: { app: 'a7s' }, endpointType: 'wep' },
  { namespace: 'apic', name: 'a7s-1', labels: { app: 'analytics', legacy: 'yes' }, endpointType: 'wep' },
  { namespace: 'apigee', name: 'mart-0', labels: { app: 'apigee-mart', 'pod-template-hash': 'x' }, endpointType: 'wep' },
  { namespace: 'apigee', name: 'mp-0', labels: { app: 'apigee-runtime' }, endpointType: 'wep' },
  { namespace: 'apigee', name: 'sync-0', labels: { app: 'apigee-synchronizer' }, endpointType: 'wep' },
  { namespace: 'apigee', name: 'cass-1', labels: { app: 'apigee-cassandra' }, endpointType: 'wep' },
  { namespace: 'apigee-data', name: 'cass-0', labels: { role: 'seed' }, endpointType: 'wep' },
  { namespace: 'istio-system', name: 'ig-0', labels: { app: 'istio-ingressgateway' }, endpointType: 'wep' },
  { namespace: 'istio-system', name: 'dbg-0', labels: { app: 'debug' }, endpointType: 'wep' },
  { namespace: 'default', name: 'x', labels: null, endpointType: 'wep' },
];

const PROTOS = [6, 6, 6, 17, 17, 1, 58, 112, 4, 50, 132];

let dir: string;
let store: Store;
const expected = new Map<number, string[]>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowaudit-equivalence-'));
  const inventoryPath = join(dir, 'inventory.yaml');
  writeFileSync(inventoryPath, INVENTORY);
  const rules = await loadRulePacks([]);
  const inventory = await loadInventory(inventoryPath);
  const compiled = compileRules(rules, inventory, {});

  // Addresses at and around every interval edge the rules bind, and a few anywhere.
  const random = mulberry32(11);
  const addresses: { family: 4 | 6; num: bigint }[] = [];
  for (const row of compiled.rows) {
    for (const side of [row.client, row.server]) {
      if (side.kind !== 'cidr') continue;
      const family = side.family!;
      const max = family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
      for (const num of [side.lo!, side.hi!, side.lo! + (side.hi! - side.lo!) / 2n, side.lo! - 1n, side.hi! + 1n]) {
        if (num >= 0n && num <= max) addresses.push({ family, num });
      }
    }
  }
  for (let i = 0; i < 50; i++) addresses.push({ family: 4, num: BigInt(Math.floor(random() * 2 ** 32)) });
  const unique = [...new Map(addresses.map((a) => [`${a.family}/${a.num}`, a])).values()];
  const byFamily = { 4: unique.filter((a) => a.family === 4), 6: unique.filter((a) => a.family === 6) };

  // Names evidence: host bindings' names (wildcards filled in), case and a trailing dot, an apex a
  // wildcard must not match, and one suspicious name that must be ignored.
  const hostNames = [...new Set(compiled.rows.flatMap((r) => [r.client, r.server]).filter((s) => s.kind === 'host').map((s) => s.host!))]
    .flatMap((h) => (h.startsWith('*.') ? [`api${h.slice(1)}`, h.slice(2)] : [h.toUpperCase(), `${h}.`]));
  const named = new Map<string, { name: string; suspicious: boolean }[]>();
  for (const [i, name] of hostNames.entries()) {
    const a = byFamily[4][(i * 7) % byFamily[4].length]!;
    const text = formatAddressNumber(a.num, 4);
    named.set(text, [...(named.get(text) ?? []), { name, suspicious: i % 9 === 8 }]);
  }

  const ports = [...new Set(compiled.rows.flatMap((r) => (r.port_lo === null ? [] : [r.port_lo, r.port_hi!, r.port_lo - 1, r.port_hi! + 1])))].filter((p) => p >= 0 && p <= 65535);

  store = await Store.open(join(dir, 'test.duckdb'));
  const writer = await store.beginInput({ path: 'generated', kind: 'calico' });
  for (const [text, list] of named) {
    for (const n of list) {
      writer.appendName({ address: text, name: n.name, evidence: 'dns', firstSeenMicros: null, lastSeenMicros: null, connectionId: null, suspicious: n.suspicious, timesSeen: 1 });
    }
  }
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const namedAddresses = [...named.keys()].map((text) => ({ family: 4 as const, num: addressToBigInt(parseAddress(text)!.bytes, 0, 4) }));
  /** An address for a compiled side: inside its interval, named if it is a host, anywhere otherwise. */
  const addressFor = (side: (typeof compiled.rows)[number]['client'], family: 4 | 6): { family: 4 | 6; num: bigint } => {
    if (side.kind === 'cidr' && side.family === family) return { family, num: side.lo! + BigInt(Math.floor(random() * Number(side.hi! - side.lo! + 1n > 2n ** 40n ? 2n ** 40n : side.hi! - side.lo! + 1n))) };
    if (side.kind === 'host' && family === 4) return pick(namedAddresses);
    return pick(byFamily[family]);
  };
  const grouped = new Map<string, (typeof compiled.rows)[number][]>();
  for (const r of compiled.rows) grouped.set(r.flow, [...(grouped.get(r.flow) ?? []), r]);
  const rowsByFlow = [...grouped.values()];
  for (let i = 0; i < 4000; i++) {
    // Most connections start from a rule row of a flow picked evenly (then sometimes get a wrong protocol or port); the rest are random.
    const rule = random() < 0.7 ? pick(pick(rowsByFlow)) : null;
    const ruleFamily = rule && (rule.client.family ?? rule.server.family);
    const family: 4 | 6 = ruleFamily ?? (random() < 0.15 && byFamily[6].length > 0 ? 6 : 4);
    const client = rule ? addressFor(rule.client, family) : pick(byFamily[family]);
    const server = rule ? addressFor(rule.server, family) : pick(byFamily[family]);
    const perturb = random() < 0.2;
    const proto = rule?.proto != null && !perturb ? rule.proto : family === 6 && random() < 0.2 ? 58 : pick(PROTOS);
    const hasPorts = proto === 6 || proto === 17 || proto === 132;
    const rulePort = rule?.port_lo != null ? rule.port_lo + Math.floor(random() * (rule.port_hi! - rule.port_lo + 1)) : null;
    const serverPort = hasPorts ? (rulePort !== null && !perturb ? rulePort : random() < 0.8 ? pick(ports) : Math.floor(random() * 65536)) : proto === 1 || proto === 58 ? 0 : null;
    /** Half the time, an identity the rule side's selector takes (when it has one). */
    const identityFor = (side: (typeof compiled.rows)[number]['client'] | undefined): K8sIdentity | null => {
      const fitting = side?.kind === 'k8s' ? IDENTITIES.filter((i) => i?.namespace && selectorMatches(side, { namespace: i.namespace, labels: i.labels ?? {} })) : [];
      return fitting.length > 0 && random() < 0.5 ? pick(fitting) : pick(IDENTITIES);
    };
    const clientIdentity = identityFor(rule?.client);
    const serverIdentity = identityFor(rule?.server);
    const id = writer.allocateConnectionId();
    const row: ConnectionRow = {
      id, firstSeenMicros: 1_700_000_000_000_000 + i * 1_000_000, lastSeenMicros: 1_700_000_000_000_000 + i * 1_000_000 + 500_000,
      proto, ipFamily: family, clientIp: formatAddressNumber(client.num, family), clientIpNum: client.num, clientPort: hasPorts ? 40000 : null,
      serverIp: formatAddressNumber(server.num, family), serverIpNum: server.num, serverPort, clientPackets: 3, clientBytes: 300, serverPackets: 2,
      serverBytes: 200, state: null, history: null, action: 'allow', clientAction: null, serverAction: null, initiatorEvidence: 'reporter',
      encapsulation: null, tunnelId: null, outerConnectionId: null, vlan: null, numFlows: 1,
      ...(clientIdentity ? { client: clientIdentity } : {}),
      ...(serverIdentity ? { server: serverIdentity } : {}),
    };
    writer.appendConnection(row);
    const side = (ip: string, port: number | null, identity: K8sIdentity | null): ConnectionToMatch['client'] => ({
      ip,
      port,
      k8s: identity?.namespace ? { namespace: identity.namespace, labels: identity.labels ?? {} } : null,
      names: (named.get(ip) ?? []).filter((n) => !n.suspicious).map((n) => n.name),
    });
    expected.set(id, matchConnection(compiled, { proto, client: side(row.clientIp, row.clientPort, clientIdentity), server: side(row.serverIp, serverPort, serverIdentity) }));
  }
  await writer.finish({
    formatDetail: null, sizeBytes: null, sha256: null, recordsRead: 4000, recordsUsed: 4000, recordsRejected: 0, nonIpRecords: 0,
    firstSeenMicros: 1_700_000_000_000_000, lastSeenMicros: 1_700_004_000_000_000,
  });
  await classify(store, { rules: [], inventory: inventoryPath, params: {} });
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('classify matches the in-memory matcher', () => {
  it('finds exactly the same flows for every connection', async () => {
    const rows = await store.queryRows<{ connection_id: bigint; flows: string[]; verdict: string }>('SELECT connection_id, flows, verdict FROM verdicts ORDER BY connection_id');
    expect(rows).toHaveLength(expected.size);
    const mismatches = rows
      .map((r) => ({ id: Number(r.connection_id), sql: [...r.flows], memory: expected.get(Number(r.connection_id)) ?? ['(none)'] }))
      .filter((m) => JSON.stringify(m.sql) !== JSON.stringify(m.memory));
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The sample means something: plenty matched, plenty did not, and identities and names decided some.
    const matched = rows.filter((r) => r.flows.length > 0).length;
    expect(matched).toBeGreaterThan(400);
    expect(rows.length - matched).toBeGreaterThan(400);
    expect(rows.every((r) => (r.flows.length === 0) === (r.verdict === 'unexpected'))).toBe(true);
  });

  it('has matches that only a pod identity or names evidence explains', () => {
    const flows = [...expected.values()].flat();
    // mart and cassandra are bound by pod selectors only; synchronizer-to-iam's server by host names only.
    expect(flows.filter((f) => f === 'apigee-hybrid/mart-to-cassandra').length).toBeGreaterThan(0);
    expect(flows.filter((f) => f === 'apigee-hybrid/synchronizer-to-iam' || f === 'apigee-hybrid/mart-to-iam').length).toBeGreaterThan(0);
  });
});

// Keep the helpers honest: canonical text round-trips through the store's parser.
describe('address helpers', () => {
  it('formats addresses as the store does', () => {
    for (const text of ['10.20.1.5', 'fd00:20:1::5', '::1']) {
      const parsed = parseAddress(text)!;
      const num = addressToBigInt(parsed.bytes, 0, parsed.family === 4 ? 4 : 16);
      expect(formatAddressNumber(num, parsed.family)).toBe(canonicalAddress(text));
    }
  });
});
