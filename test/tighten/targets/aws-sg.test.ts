/**
 * The AWS security group target over the classified fixture, in both formats: the evaluator
 * applies the CLI calls (or the Terraform rules, read by a small HCL parser) to groups as AWS
 * creates them and proves every documented connection with addresses passes and every unexpected
 * one touching a governed endpoint does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRuleSet } from '../../../src/tighten/build.js';
import type { RuleSet } from '../../../src/tighten/model.js';
import { awsSgTarget, sgDescription } from '../../../src/tighten/targets/aws-sg.js';
import { decideSg, parseCliJson, parseHcl, parseTerraform } from '../evaluators/aws-sg.js';
import { tally } from '../evaluators/common.js';
import { BUILD_OPTIONS, classifiedFixture, KEEP_UNOBSERVED } from '../fixture.js';
import type { Classified } from '../fixture.js';

let f: Classified;
let ruleSet: RuleSet;
const SG = { gateway: 'sg-0123456789abcdef0' };

beforeAll(async () => {
  f = await classifiedFixture();
  ruleSet = buildRuleSet(f.input, BUILD_OPTIONS);
});
afterAll(() => f.t.close());

const governed = (): string[] => ruleSet.endpoints.filter((e) => e.governed).map((e) => e.name!);
const EXPECTED = {
  documented: { allow: 38, deny: 0, ungoverned: 0, unjudgeable: 5 },
  unexpected: { allow: 0, deny: 5, ungoverned: 1, unjudgeable: 0 },
};

describe('aws-sg target', () => {
  it('cli: the calls admit all 38 documented connections with addresses and deny the 5 unexpected ones touching a group', () => {
    const text = awsSgTarget(ruleSet, { comparison: [], format: 'cli', sg: SG });
    const sgs = parseCliJson(text);
    const result = tally(f.input.groups, (c) => decideSg(sgs, c));
    expect(result.wrong).toEqual([]);
    expect({ documented: result.documented, unexpected: result.unexpected }).toEqual(EXPECTED);
    expect(sgs.groupOf.get('gateway')).toBe('sg-0123456789abcdef0');
    expect(sgs.groupOf.get('portal')).toBe('${SG_PORTAL}');
  });

  it('cli: JSON inputs shaped for --cli-input-json, a Description on every range, the header kept in the document', () => {
    const doc = JSON.parse(awsSgTarget(ruleSet, { comparison: [], format: 'cli', sg: SG })) as {
      flowaudit: string[];
      calls: { command: string; input: { GroupId: string; IpPermissions: { IpProtocol: string; IpRanges?: { Description?: string }[] }[] } }[];
    };
    expect(doc.flowaudit[0]).toBe('flowaudit tighten --target aws-sg --aws-format cli');
    for (const call of doc.calls) {
      expect(Object.keys(call.input).sort()).toEqual(['GroupId', 'IpPermissions']);
      if (!call.command.startsWith('authorize')) continue;
      for (const p of call.input.IpPermissions) for (const r of p.IpRanges ?? []) expect(r.Description).toMatch(/^flowaudit \S+ [\w./=, -]+$/);
    }
    expect(doc.calls.filter((c) => c.command === 'revoke-security-group-egress')).toHaveLength(governed().length);
  });

  it('terraform: the rules admit and deny the same', () => {
    const text = awsSgTarget(ruleSet, { comparison: [], format: 'terraform', sg: SG });
    const groupOf = new Map(governed().map((e) => [e, e === 'gateway' ? SG.gateway : `var.sg_${e}`]));
    const sgs = parseTerraform(text, groupOf);
    const result = tally(f.input.groups, (c) => decideSg(sgs, c));
    expect(result.wrong).toEqual([]);
    expect({ documented: result.documented, unexpected: result.unexpected }).toEqual(EXPECTED);
    const blocks = parseHcl(text);
    expect(blocks.filter((b) => b.type === 'variable').map((b) => b.labels[0])).toEqual(['sg_analytics', 'sg_management', 'sg_portal', 'sg_protected']);
    expect(blocks.find((b) => b.body.description === 'flowaudit gateway/ingress-1 apic-firewall/gateway-peering=3')?.body).toMatchObject({
      type: 'ingress',
      security_group_id: 'sg-0123456789abcdef0',
      protocol: 'tcp',
      from_port: 16380,
      to_port: 16381,
      cidr_blocks: ['10.20.1.5/32'],
    });
  });

  it('with --keep-unobserved: still sound', () => {
    const kept = awsSgTarget(buildRuleSet(f.input, KEEP_UNOBSERVED), { comparison: [], format: 'cli', sg: SG });
    const sgs = parseCliJson(kept);
    const result = tally(f.input.groups, (c) => decideSg(sgs, c));
    expect([result.wrong, result.documented.deny, result.unexpected.allow]).toEqual([[], 0, 0]);
  });

  it('keeps descriptions within what AWS accepts', () => {
    expect(sgDescription('flows — a "quoted" <b> x')).toBe('flows a quoted b x');
    expect(sgDescription('x'.repeat(300))).toHaveLength(255);
  });
});
