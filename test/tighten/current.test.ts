/**
 * --current: NetworkPolicies in force, read by the project's own NetworkPolicy import, held against
 * the classified fixture and the tightened rule set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { buildRuleSet } from '../../src/tighten/build.js';
import { compareWithCurrent, formatComparison, loadCurrentPolicy } from '../../src/tighten/current.js';
import type { Comparison } from '../../src/tighten/current.js';
import type { ObservedGroup } from '../../src/tighten/model.js';
import { BUILD_OPTIONS, classifiedFixture, CURRENT } from './fixture.js';
import type { Classified } from './fixture.js';

let f: Classified;
let comparison: Comparison;

beforeAll(async () => {
  f = await classifiedFixture();
  const current = await loadCurrentPolicy(f.t.file('current.yaml', CURRENT));
  comparison = compareWithCurrent(current, buildRuleSet(f.input, BUILD_OPTIONS), f.input.groups);
});
afterAll(() => f.t.close());

const describeGroup = (g: ObservedGroup): string => `${g.verdict} ${g.client.ip ?? '-'} -> ${g.server.ip ?? '-'}:${g.port}`;

describe('--current', () => {
  it('(a) lists the rules that allowed nothing observed', () => {
    expect(comparison.unused.map((u) => u.flow)).toEqual(['networkpolicy.apic.gateway-current/ingress-3-tcp']);
  });

  it('(b) lists the observed connections it denies, documented ones included', () => {
    expect(comparison.denied.map(describeGroup).sort()).toEqual([
      'documented 10.10.5.1 -> 10.20.1.6:9090',
      'documented 10.20.1.5 -> 10.20.1.6:16380',
      'documented 10.20.1.5 -> 10.20.1.6:16381',
      'documented 10.20.1.5 -> 10.20.1.6:16383',
      'documented 10.20.2.10 -> 10.99.0.53:53',
      'documented fd00:20:2::10 -> fd00:20:1::5:443',
      'unexpected 10.10.5.4 -> 10.20.1.5:8443',
      'unexpected 10.20.1.5 -> 10.20.1.6:16382',
      'unexpected 10.20.3.7 -> 10.20.1.5:5000',
    ]);
  });

  it('(c) lists what the tightened rules would break: no documented connection', () => {
    expect(comparison.broken.map(describeGroup).sort()).toEqual([
      'denied 10.20.3.8 -> 10.20.2.10:443',
      'unanswered 10.20.1.5 -> 10.20.4.12:443',
      'unexpected 10.244.2.10 -> 10.20.4.10:9200',
      'unexpected 203.0.113.14 -> 10.20.1.5:8080',
    ]);
    expect(comparison.unjudged).toBe(5);
    // Gateway pods are isolated for ingress only, and analytics has no pods: that attempt is outside the policies' reach.
    expect(comparison.brokenOutsideReach.map(describeGroup)).toEqual(['unanswered 10.20.1.5 -> 10.20.4.12:443']);
  });

  it('reads as a section for the header', () => {
    const text = formatComparison(comparison).join('\n');
    expect(text).toMatch(/^Compared with the current policy .*current\.yaml:\n\(a\) its rules that allowed nothing observed: 1\n {4}networkpolicy\.apic\.gateway-current\/ingress-3-tcp: Ingress rule 3/);
    expect(text).toMatch(/\(b\) observed connections it denies: 9 \(6 documented, 3 unexpected\)/);
    expect(text).toMatch(/\(c\) .*: 4 \(1 denied, 1 unanswered, 2 unexpected\)\n {4}no documented connection: unexpected traffic, and attempts that never worked \(denied or unanswered\)\.\n {4}1 of them have no pod the current policy selects/);
  });

  it('refuses what is not a NetworkPolicy, with where and why', async () => {
    const bad = f.t.file('bad.yaml', 'endpoints: { a: { cidrs: [10.0.0.0/8] } }\n');
    await expect(loadCurrentPolicy(bad)).rejects.toThrow(ConfigError);
    await expect(loadCurrentPolicy(bad)).rejects.toThrow(/not a Kubernetes NetworkPolicy/);
    await expect(loadCurrentPolicy(f.t.file('nope.yaml', 'kind: NetworkPolicy\napiVersion: networking.k8s.io/v1\nmetadata: { name: x }\nspec: { podSelector: {}, bogus: 1 }\n'))).rejects.toThrow(/unknown NetworkPolicy field "bogus"/);
    await expect(loadCurrentPolicy(`${f.t.dir}/missing.yaml`)).rejects.toThrow(/cannot read the file: no such file/);
  });
});
