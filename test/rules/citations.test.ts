/**
 * Every numbered row, step and item of each seed document that describes a flow is cited by at
 * least one rule. The lists below are transcribed from the seed documents; the ones that describe
 * no flow say why, so a reader can check nothing was skipped.
 */
import { describe, expect, it } from 'vitest';
import { loadRulePacks } from '../../src/rules/load.js';
import type { Citation } from '../../src/rules/types.js';

interface DocumentOutline {
  /** Locators of the rows, steps and items that describe a flow. */
  flows: string[];
  /** Locators that describe none, with the reason. */
  noFlow: Record<string, string>;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const rows = (section: string, from: number, to: number): string[] => range(from, to).map((n) => `${section} | row ${n}`);
const steps = (section: string, ...numbers: string[]): string[] => numbers.map((n) => `${section} | step ${n}`);
const items = (section: string, ...names: string[]): string[] => names.map((n) => `${section} | item ${n}`);

const JWT_SECTION = 'Support load-balancer TLS termination by disabling mTLS and enabling JWT security';
const GATEWAY_CLUSTER = 'Communications inside the Gateway cluster';

const OUTLINES: Record<string, DocumentOutline> = {
  'apic-firewall': {
    flows: [
      ...rows('Table 1', 1, 16),
      ...items('Table 2', '22', '53', '123', '443', '44135'),
      ...items('Table 3', 'Management Service', 'Developer Portal', 'Analytics: 161', 'Analytics: offload'),
      ...items('Table 3', ...['161', '162', '3000', '5550', '5554', '9022', '9090', '9443'].map((port) => `Gateway Server: ${port}`)),
      ...items(GATEWAY_CLUSTER, 'same port on all servers', 'synchronize invocation counts', 'reach all servers of the cluster', 'reach the platform API endpoint'),
    ],
    noFlow: {
      'Table 3 | item Analytics: non-clustered': 'says a non-clustered deployment needs no additional ports',
      [`${GATEWAY_CLUSTER} | item no traffic between clusters`]: 'says which traffic does not happen',
      'Ethernet interface usage | item separate interfaces': 'about interfaces on the appliance, not flows',
    },
  },
  'apigee-hybrid': {
    flows: [...rows('Internal Connections', 1, 13), ...rows('External Connections', 1, 13)],
    noFlow: {},
  },
  'iks-firewall': {
    flows: [
      ...steps('firewall_bx', '1', '2'),
      ...items('firewall_kubectl', 'master URL port range'),
      ...steps('firewall_kubectl', '6', '7'),
      ...steps('firewall_calicoctl', '1', '2', '3'),
      ...steps('firewall_outbound', '2', '3', '4', '6', '7'),
      ...['Monitoring', 'Sysdig', 'Logging', 'LogDNA'].map((name) => `firewall_outbound | step 5 | item ${name}`),
      ...steps('firewall_private', '1.1', '1.2', '2.1', '2.2'),
      ...['80, 443', '2049', '3260', '10250', '53'].map((port) => `firewall_private | step 3 | item ${port}`),
      ...items('firewall_inbound', 'NodePort service', 'Load balancer service', 'Ingress'),
    ],
    noFlow: {
      'firewall_kubectl | step 1': 'logs in to the CLI; covered by the ibmcloud flow',
      'firewall_kubectl | step 2': 'targets a resource group',
      'firewall_kubectl | step 3': 'selects a region',
      'firewall_kubectl | step 4': 'lists clusters',
      'firewall_kubectl | step 5': 'reads the master URL',
      'firewall_kubectl | step 8': 'repeats the steps for other clusters',
      'firewall_outbound | step 1': 'notes the worker nodes\' public addresses (the workers endpoint)',
      'firewall_private | step 4': 'points back to the public-network section',
    },
  },
  'http-sidecar': {
    flows: [
      'NetworkPolicy proxy-allow | item spec.ingress[0]',
      ...range(0, 4).map((i) => `NetworkPolicy proxy-allow | item spec.egress[0].ports[${i}]`),
      'NetworkPolicy proxy-allow | item API-specific network policy',
    ],
    noFlow: {},
  },
  'apic-inter-subsystem': {
    flows: [
      ...items(JWT_SECTION, 'management initiated communication', 'analytics ingestion', 'JWKS URL'),
      'Enabling mTLS on management to gateway communication | item mtlsValidateClient',
      'Management REST API CA certificate validation | item REST API requests',
    ],
    noFlow: {
      'Use services instead of routes (OpenShift) or ingresses (Kubernetes) | item in-cluster communication': 'chooses the path (ingress or service) of the flows above',
      'Certificates used to secure inter-subsystem communication | item certificates': 'about certificate management',
    },
  },
};

function locator(citation: Citation): string {
  const parts = [citation.section];
  if (citation.row !== null) parts.push(`row ${citation.row}`);
  if (citation.step !== null) parts.push(`step ${citation.step}`);
  if (citation.item !== null) parts.push(`item ${citation.item}`);
  return parts.join(' | ');
}

describe('seed document coverage', async () => {
  const loaded = await loadRulePacks([]);

  it('has an outline for every shipped pack', () => {
    expect(loaded.packs.map((p) => p.id).sort()).toEqual(Object.keys(OUTLINES).sort());
  });

  describe.each(Object.entries(OUTLINES))('%s', (packId, outline) => {
    const pack = loaded.packs.find((p) => p.id === packId)!;
    const cited = new Set(pack.rules.flatMap((rule) => rule.citations.map(locator)));

    it('cites every row, step and item that describes a flow', () => {
      expect(outline.flows.filter((key) => !cited.has(key))).toEqual([]);
    });

    it('cites only rows, steps and items of the outline that describe a flow', () => {
      const stray = [...cited].filter((key) => !outline.flows.includes(key));
      expect(stray.map((key) => (key in outline.noFlow ? `${key}: marked as no flow (${outline.noFlow[key]})` : `${key}: not in the outline`))).toEqual([]);
    });
  });
});
