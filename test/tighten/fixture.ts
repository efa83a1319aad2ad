/**
 * A classified API Connect-like deployment for the tighten tests, built with the classify test
 * helpers: connections inserted as any source would leave them (captures without pod identity,
 * flow logs with it, one aggregated row without addresses), the shipped apic packs, and an
 * inventory of its own. Comments say what each connection is for; the interesting ones:
 *
 * - protected operators at 10.10.5.1-.3 and .5-.7 would merge into 10.10.5.0/29, but 10.10.5.4
 *   made an unexpected connection to the gateway: merging has to stop around it;
 * - public clients 203.0.113.10-.13 would merge into 203.0.113.8/29, but .14 made an unexpected one;
 * - gateway peering on 16380, 16381 and 16383 (the inventory lists them) would merge into
 *   16380-16383, but a gateway used 16382 unexpectedly;
 * - 198.51.100.50 → 192.0.2.1 touches no governed endpoint at all.
 */
import { join } from 'node:path';
import { classify } from '../../src/classify/classify.js';
import { packageRoot } from '../../src/rules/package-root.js';
import type { BuildOptions } from '../../src/tighten/build.js';
import { loadTightenInput } from '../../src/tighten/load.js';
import type { TightenInput } from '../../src/tighten/load.js';
import { insertAggregated, insertConnections, scratch } from '../classify/fixtures.js';
import type { Scratch, TestConnection } from '../classify/fixtures.js';

/** What the tests build with unless they say otherwise: the CLI's defaults, written out so a changed default does not move the expected rules. */
export const BUILD_OPTIONS: BuildOptions = { keepUnobserved: false, minFill: 50, endpoints: null };
export const KEEP_UNOBSERVED: BuildOptions = { ...BUILD_OPTIONS, keepUnobserved: true };

export const RULES = [join(packageRoot(), 'rules', 'apic-firewall.yaml'), join(packageRoot(), 'rules', 'apic-inter-subsystem.yaml')];

export const INVENTORY = `
endpoints:
  public: { cidrs: [0.0.0.0/0, "::/0"] }
  protected: { cidrs: [10.10.0.0/16] }
  gateway:
    cidrs: [10.20.1.0/24, "fd00:20:1::/64"]
    k8s: { namespace: apic, labels: { app.kubernetes.io/component: gateway } }
  management:
    cidrs: [10.20.2.0/24, "fd00:20:2::/64"]
    k8s: { namespace: apic, labels: { app.kubernetes.io/component: management } }
  portal: { cidrs: [10.20.3.0/24] }
  analytics: { cidrs: [10.20.4.0/24] }
params:
  apic.gateway_peer_port: [16380, 16381, 16383]
`;

const mgmtPod = (hash: string): { namespace: string; labels: Record<string, string> } => ({
  namespace: 'apic',
  labels: { 'app.kubernetes.io/component': 'management', 'pod-template-hash': hash },
});
const gwPod = { namespace: 'apic', labels: { 'app.kubernetes.io/component': 'gateway', 'pod-template-hash': '7f9c' } };

type Conn = Omit<TestConnection, 'id'>;

/** Each connection `times` times (separate rows, as separate connections would be). */
function times(n: number, c: Conn): Conn[] {
  return Array.from({ length: n }, () => c);
}

export const DOCUMENTED: Conn[] = [
  // api-request: public clients → gateway:443.
  ...['203.0.113.10', '203.0.113.11', '203.0.113.12', '203.0.113.13'].flatMap((client) => times(3, { client, server: '10.20.1.5' })),
  { client: '203.0.113.12', server: '10.20.1.6' },
  { client: '198.51.100.7', server: '10.20.1.5' },
  // datapower-administration: protected operators → gateway:22, and one to the web GUI (9090).
  ...['10.10.5.1', '10.10.5.2', '10.10.5.3', '10.10.5.5', '10.10.5.6', '10.10.5.7'].map((client): Conn => ({ client, server: '10.20.1.5', serverPort: 22 })),
  { client: '10.10.5.1', server: '10.20.1.6', serverPort: 9090 },
  // api-manager & co: an operator → management:443.
  ...times(4, { client: '10.10.7.20', server: '10.20.2.10' }),
  // management-gateway-configuration from the flow logs: pods by identity, pod addresses outside the inventory CIDRs.
  ...times(2, { client: '10.244.2.10', clientIdentity: mgmtPod('5d8b'), server: '10.244.1.5', serverIdentity: gwPod, serverPort: 3000 }),
  { client: '10.244.2.11', clientIdentity: mgmtPod('6e9c'), server: '10.244.1.5', serverIdentity: gwPod, serverPort: 3000 },
  // gateway-peering between the gateway servers.
  ...[16380, 16381, 16383].map((serverPort): Conn => ({ client: '10.20.1.5', server: '10.20.1.6', serverPort })),
  // gateway-to-analytics.
  { client: '10.20.1.5', server: '10.20.4.10' },
  { client: '10.20.1.5', server: '10.20.4.11' },
  // management ↔ portal.
  { client: '10.20.2.10', server: '10.20.3.7' },
  { client: '10.20.3.7', server: '10.20.2.10' },
  // management's DNS and analytics' NTP (common-dns, common-ntp: to any).
  { client: '10.20.2.10', server: '10.99.0.53', serverPort: 53, proto: 17 },
  { client: '10.20.4.10', server: '10.99.0.123', serverPort: 123, proto: 17 },
  // IPv6: management → gateway:443.
  { client: 'fd00:20:2::10', server: 'fd00:20:1::5' },
];

export const UNEXPECTED: Conn[] = [
  { client: '10.10.5.4', server: '10.20.1.5', serverPort: 8443 }, // inside the gap of the protected operators
  { client: '203.0.113.14', server: '10.20.1.5', serverPort: 8080 }, // inside the gap of the public clients
  { client: '10.20.1.5', server: '10.20.1.6', serverPort: 16382 }, // inside the gap of the peering ports
  { client: '10.20.3.7', server: '10.20.1.5', serverPort: 5000 }, // portal → gateway:5000: no flow
  { client: '10.244.2.10', clientIdentity: mgmtPod('5d8b'), server: '10.20.4.10', serverPort: 9200 }, // management pod → analytics:9200
  { client: '198.51.100.50', server: '192.0.2.1', serverPort: 80 }, // public → public: no governed endpoint
];

export const OTHER: Conn[] = [
  { client: '10.20.3.8', server: '10.20.2.10', action: 'REJECT', serverPackets: 0 }, // portal → management, denied
  { client: '10.20.1.5', server: '10.20.4.12', state: 'S0', serverPackets: 0 }, // gateway → analytics, unanswered
];

/** NetworkPolicies in force for --current: too open in places (8080, 9200), too closed in others (peering, DNS, IPv6). */
export const CURRENT = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: gateway-current, namespace: apic }
spec:
  podSelector: { matchLabels: { app.kubernetes.io/component: gateway } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ ipBlock: { cidr: 0.0.0.0/0 } }]
      ports: [{ port: 443 }, { port: 22 }, { port: 8080 }]
    - from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: apic } } }]
      ports: [{ port: 3000 }]
    - ports: [{ port: 9999 }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: management-current, namespace: apic }
spec:
  podSelector: { matchLabels: { app.kubernetes.io/component: management } }
  policyTypes: [Ingress, Egress]
  ingress:
    - from: [{ ipBlock: { cidr: 10.0.0.0/8 } }]
      ports: [{ port: 443 }]
  egress:
    - to: [{ ipBlock: { cidr: 10.0.0.0/8 } }]
      ports: [{ port: 443 }, { port: 3000 }, { port: 9200 }]
`;

export interface Classified {
  t: Scratch;
  db: string;
  inventory: string;
  input: TightenInput;
}

/** The fixture, classified (with `drop` connections left out, to see merging without them). */
export async function classifiedFixture(options: { drop?: (c: Conn) => boolean } = {}): Promise<Classified> {
  const t = await scratch('flowaudit-tighten-');
  const rows = [...DOCUMENTED, ...UNEXPECTED, ...OTHER].filter((c) => !(options.drop?.(c) ?? false)).map((c, i) => ({ ...c, id: i + 1 }));
  await insertConnections(t.store, rows);
  // An aggregated Calico row: management pods → gateway pods:3000, five connections, no addresses.
  await insertAggregated(t.store, {
    id: rows.length + 1,
    serverPort: 3000,
    client: { namespace: 'apic', labels: { 'app.kubernetes.io/component': 'management' } },
    server: { namespace: 'apic', labels: { 'app.kubernetes.io/component': 'gateway' } },
  });
  const inventory = t.file('inventory.yaml', INVENTORY);
  await classify(t.store, { rules: RULES, inventory, params: {} });
  const db = join(t.dir, 'test.duckdb');
  return { t, db, inventory, input: await loadTightenInput(t.store, db) };
}
