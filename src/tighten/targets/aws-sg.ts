/**
 * AWS security group rules, one group per governed endpoint: `cli` is JSON whose `calls[].input`
 * are --cli-input-json documents for `aws ec2 authorize-security-group-ingress` / `-egress` (and
 * the revoke of the default allow-all egress rule, without which egress rules restrict nothing);
 * `terraform` is `aws_security_group_rule` resources. Group ids come from --sg ENDPOINT=sg-…,
 * else placeholders (`${SG_GATEWAY}` for envsubst, `var.sg_gateway`). Provenance goes in each
 * range's Description, within what AWS accepts there.
 */
import { cidrText, protoName } from '../model.js';
import type { RuleSet, TightRule } from '../model.js';
import { hashComments, headerLines, ruleSummary } from '../header.js';
import { slug } from './slug.js';

export type AwsFormat = 'cli' | 'terraform';

export interface AwsSgOptions {
  comparison: string[];
  format: AwsFormat;
  /** Security group id by endpoint name. */
  sg: Record<string, string>;
}

/** Rules (CIDRs) per group and direction AWS allows by default. */
const SG_RULE_QUOTA = 60;

interface Permission {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: { CidrIp: string; Description: string }[];
  Ipv6Ranges?: { CidrIpv6: string; Description: string }[];
}

const ident = (name: string): string => slug(name, '_');

/** Security group rule descriptions allow only these characters, up to 255 of them. */
export function sgDescription(text: string): string {
  const clean = text.replace(/[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g, ' ').replace(/ +/g, ' ').trim();
  return clean.length <= 255 ? clean : `${clean.slice(0, 252)}...`;
}

function description(rule: TightRule): string {
  const flows = rule.provenance.map((p) => `${p.flow}=${rule.kept ? 'unobserved' : p.connections}`).join(', ');
  return sgDescription(`flowaudit ${rule.id} ${flows}`);
}

function protocol(proto: number | null): string {
  if (proto === null) return '-1';
  return ({ 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6' } as Record<number, string>)[proto] ?? String(proto);
}

/** One permission per port range (a permission has one range); why not, when the rule cannot be written. */
function permissions(rule: TightRule): Permission[] | string {
  const cidrs = rule.peers.any ? ['0.0.0.0/0', '::/0'] : rule.peers.cidrs.map(cidrText);
  if (cidrs.length === 0) return 'its peers are known by pod identity only, without addresses';
  const text = description(rule);
  // Empty lists are left out: the input then reads as what it grants.
  const ranges: Pick<Permission, 'IpRanges' | 'Ipv6Ranges'> = {};
  const v4 = cidrs.filter((c) => !c.includes(':'));
  const v6 = cidrs.filter((c) => c.includes(':'));
  if (v4.length > 0) ranges.IpRanges = v4.map((CidrIp) => ({ CidrIp, Description: text }));
  if (v6.length > 0) ranges.Ipv6Ranges = v6.map((CidrIpv6) => ({ CidrIpv6, Description: text }));
  const IpProtocol = protocol(rule.proto);
  if (IpProtocol === 'tcp' || IpProtocol === 'udp') {
    return (rule.ports ?? [{ lo: 0, hi: 65535 }]).map((r) => ({ IpProtocol, FromPort: r.lo, ToPort: r.hi, ...ranges }));
  }
  if (IpProtocol === 'icmp' || IpProtocol === 'icmpv6') return [{ IpProtocol, FromPort: -1, ToPort: -1, ...ranges }];
  return [{ IpProtocol, ...ranges }];
}

interface Group {
  endpoint: string;
  groupId: string;
  ingress: Permission[];
  egress: Permission[];
  /** Rule summaries, for comments. */
  summaries: { rule: TightRule; permissions: Permission[] }[];
}

function groups(ruleSet: RuleSet, options: AwsSgOptions, notes: string[]): Group[] {
  const out: Group[] = [];
  for (const scope of ruleSet.endpoints.filter((e) => e.governed)) {
    const endpoint = scope.name!;
    const groupId = options.sg[endpoint] ?? (options.format === 'cli' ? `\${SG_${ident(endpoint).toUpperCase()}}` : `var.sg_${ident(endpoint)}`);
    const group: Group = { endpoint, groupId, ingress: [], egress: [], summaries: [] };
    for (const rule of ruleSet.rules.filter((r) => r.endpoint === endpoint)) {
      const made = permissions(rule);
      if (typeof made === 'string') {
        notes.push(`${rule.id} not written: ${made} (${ruleSummary(rule)}).`);
        continue;
      }
      if (rule.proto !== null && protocol(rule.proto) === String(rule.proto) && rule.ports !== null) {
        notes.push(`${rule.id}: security groups cannot filter the ports of ${protoName(rule.proto)}: its rule allows every port.`);
      }
      group[rule.direction].push(...made);
      group.summaries.push({ rule, permissions: made });
    }
    for (const direction of ['ingress', 'egress'] as const) {
      const size = group[direction].reduce((n, p) => n + (p.IpRanges?.length ?? 0) + (p.Ipv6Ranges?.length ?? 0), 0);
      if (size > SG_RULE_QUOTA) notes.push(`Endpoint ${endpoint}: ${size} ${direction} rules, above the default quota of ${SG_RULE_QUOTA} per group: raise the quota or use fewer, wider CIDRs (--min-fill).`);
    }
    out.push(group);
  }
  return out;
}

function cliOutput(header: string[], list: Group[]): string {
  const calls: unknown[] = [];
  for (const g of list) {
    if (g.ingress.length > 0) calls.push({ command: 'authorize-security-group-ingress', endpoint: g.endpoint, input: { GroupId: g.groupId, IpPermissions: g.ingress } });
    calls.push({
      command: 'revoke-security-group-egress',
      endpoint: g.endpoint,
      why: 'a new group allows all egress; these rules restrict egress only once that rule is gone (fails harmlessly if it already is)',
      input: { GroupId: g.groupId, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] },
    });
    if (g.egress.length > 0) calls.push({ command: 'authorize-security-group-egress', endpoint: g.endpoint, input: { GroupId: g.groupId, IpPermissions: g.egress } });
  }
  const usage = 'for each call: aws ec2 COMMAND --cli-input-json "$(jq -c \'.calls[N].input\' FILE)"';
  return `${JSON.stringify({ flowaudit: [...header, usage], calls }, null, 2)}\n`;
}

/** An HCL string literal: JSON escapes, and template sequences escaped so they stay literal. */
const hcl = (value: string): string => JSON.stringify(value).replace(/\$\{/g, '$$${').replace(/%\{/g, '%%{');

function terraformOutput(header: string[], list: Group[], options: AwsSgOptions): string {
  const parts: string[] = [hashComments(header)];
  for (const g of list) {
    if (options.sg[g.endpoint] === undefined) {
      parts.push(`variable "sg_${ident(g.endpoint)}" {\n  description = ${hcl(`security group of endpoint ${g.endpoint}`)}\n  type        = string\n}\n`);
    }
  }
  for (const g of list) {
    const groupRef = options.sg[g.endpoint] === undefined ? g.groupId : hcl(g.groupId);
    for (const { rule, permissions: perms } of g.summaries) {
      const text = description(rule);
      perms.forEach((p, i) => {
        const lines = [
          `# ${ruleSummary(rule)}`,
          `resource "aws_security_group_rule" "${ident(rule.id)}_${i + 1}" {`,
          `  type              = ${hcl(rule.direction)}`,
          `  security_group_id = ${groupRef}`,
          `  protocol          = ${hcl(p.IpProtocol)}`,
          `  from_port         = ${p.FromPort ?? 0}`,
          `  to_port           = ${p.ToPort ?? 0}`,
        ];
        if (p.IpRanges) lines.push(`  cidr_blocks       = [${p.IpRanges.map((r) => hcl(r.CidrIp)).join(', ')}]`);
        if (p.Ipv6Ranges) lines.push(`  ipv6_cidr_blocks  = [${p.Ipv6Ranges.map((r) => hcl(r.CidrIpv6)).join(', ')}]`);
        lines.push(`  description       = ${hcl(text)}`, '}', '');
        parts.push(lines.join('\n'));
      });
    }
  }
  return parts.join('\n');
}

export function awsSgTarget(ruleSet: RuleSet, options: AwsSgOptions): string {
  const notes: string[] = [];
  const list = groups(ruleSet, options, notes);
  const placeholders = list.filter((g) => options.sg[g.endpoint] === undefined).map((g) => g.endpoint);
  if (placeholders.length > 0) {
    notes.push(
      options.format === 'cli'
        ? `Group ids of ${placeholders.join(', ')} are placeholders (\${SG_NAME}): pass --sg ENDPOINT=sg-… or substitute them (envsubst).`
        : `Group ids of ${placeholders.join(', ')} are variables (var.sg_NAME): set them, or pass --sg ENDPOINT=sg-….`,
    );
  }
  if (options.format === 'terraform') {
    notes.push('A new group allows all egress: where the group is an aws_security_group resource, give it explicit egress (or none) so these egress rules restrict anything.');
  }
  const header = headerLines(ruleSet, `aws-sg --aws-format ${options.format}`, notes, options.comparison);
  return options.format === 'cli' ? cliOutput(header, list) : terraformOutput(header, list, options);
}
