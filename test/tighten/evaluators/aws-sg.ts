/**
 * A security group evaluator: the CLI input JSON applied call by call to groups that start as AWS
 * creates them (no ingress, all egress), or the Terraform rules read by a small HCL parser of the
 * constructs flowaudit writes (variable and resource blocks; string, number, list and var.NAME
 * values). Security groups are stateful: a connection passes when the server's group allows it in
 * and the client's group allows it out; a side in no group is not filtered.
 */
import { bothEnds, inBlock } from './common.js';
import type { Connection, Decision } from './common.js';

export interface SgPermission {
  protocol: string;
  from: number | null;
  to: number | null;
  cidrs: string[];
}

export interface SecurityGroups {
  /** Group id by endpoint name. */
  groupOf: Map<string, string>;
  groups: Map<string, { ingress: SgPermission[]; egress: SgPermission[] }>;
  /** Whether a group starts with AWS's default allow-all egress rule (the CLI calls revoke it themselves). */
  defaultEgress: boolean;
}

interface CliPermission {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: { CidrIp: string }[];
  Ipv6Ranges?: { CidrIpv6: string }[];
}

const ALL_EGRESS: SgPermission = { protocol: '-1', from: null, to: null, cidrs: ['0.0.0.0/0', '::/0'] };

function group(sgs: SecurityGroups, id: string): { ingress: SgPermission[]; egress: SgPermission[] } {
  let g = sgs.groups.get(id);
  if (!g) {
    g = { ingress: [], egress: sgs.defaultEgress ? [{ ...ALL_EGRESS }] : [] };
    sgs.groups.set(id, g);
  }
  return g;
}

export function parseCliJson(text: string): SecurityGroups {
  const doc = JSON.parse(text) as { calls: { command: string; endpoint: string; input: { GroupId: string; IpPermissions: CliPermission[] } }[] };
  const sgs: SecurityGroups = { groupOf: new Map(), groups: new Map(), defaultEgress: true };
  for (const call of doc.calls) {
    sgs.groupOf.set(call.endpoint, call.input.GroupId);
    const g = group(sgs, call.input.GroupId);
    const perms = call.input.IpPermissions.map(
      (p): SgPermission => ({
        protocol: p.IpProtocol,
        from: p.FromPort ?? null,
        to: p.ToPort ?? null,
        cidrs: [...(p.IpRanges ?? []).map((r) => r.CidrIp), ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6)],
      }),
    );
    switch (call.command) {
      case 'authorize-security-group-ingress':
        g.ingress.push(...perms);
        break;
      case 'authorize-security-group-egress':
        g.egress.push(...perms);
        break;
      case 'revoke-security-group-egress':
        for (const p of perms) {
          g.egress = g.egress.filter((e) => !(e.protocol === p.protocol && p.cidrs.every((c) => e.cidrs.includes(c))));
        }
        break;
      default:
        throw new Error(`sg evaluator: unknown command ${call.command}`);
    }
  }
  return sgs;
}

type HclValue = string | number | string[] | { ref: string };

/** The blocks of the HCL flowaudit writes: `TYPE "LABEL"... { key = value }`. */
export function parseHcl(text: string): { type: string; labels: string[]; body: Record<string, HclValue> }[] {
  const blocks: { type: string; labels: string[]; body: Record<string, HclValue> }[] = [];
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\w+)((?: "[^"]*")*) \{$/.exec(lines[i]!);
    if (!head) throw new Error(`hcl: cannot read: ${lines[i]}`);
    const labels = [...head[2]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    const body: Record<string, HclValue> = {};
    while (lines[++i] !== '}') {
      const attr = /^\s+(\w+)\s+= (.*)$/.exec(lines[i]!);
      if (!attr) throw new Error(`hcl: cannot read: ${lines[i]}`);
      body[attr[1]!] = hclValue(attr[2]!);
    }
    blocks.push({ type: head[1]!, labels, body });
  }
  return blocks;
}

function hclValue(text: string): HclValue {
  if (text.startsWith('"')) return (JSON.parse(text) as string).replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
  if (text.startsWith('[')) return (JSON.parse(text) as string[]).map((s) => s.replace(/\$\$\{/g, '${'));
  if (/^-?\d+$/.test(text)) return Number(text);
  if (/^[a-z_][\w.]*$/.test(text)) return { ref: text };
  throw new Error(`hcl: cannot read value ${text}`);
}

/**
 * Terraform rules; `groupOf` maps endpoints to the security_group_id expression (an id, or
 * `var.sg_NAME`). The groups start without the default egress rule, as the header tells the user
 * to make them.
 */
export function parseTerraform(text: string, groupOf: Map<string, string>): SecurityGroups {
  const sgs: SecurityGroups = { groupOf, groups: new Map(), defaultEgress: false };
  for (const b of parseHcl(text)) {
    if (b.type === 'variable') continue;
    if (b.type !== 'resource' || b.labels[0] !== 'aws_security_group_rule') throw new Error(`sg evaluator: unexpected block ${b.type} ${b.labels.join(' ')}`);
    const id = b.body.security_group_id!;
    const g = group(sgs, typeof id === 'object' && !Array.isArray(id) ? id.ref : String(id));
    const perm: SgPermission = {
      protocol: String(b.body.protocol),
      from: Number(b.body.from_port),
      to: Number(b.body.to_port),
      cidrs: [...((b.body.cidr_blocks as string[] | undefined) ?? []), ...((b.body.ipv6_cidr_blocks as string[] | undefined) ?? [])],
    };
    if (b.body.type === 'ingress') g.ingress.push(perm);
    else g.egress.push(perm);
  }
  return sgs;
}

function permits(p: SgPermission, c: Connection, peer: string): boolean {
  if (!p.cidrs.some((cidr) => inBlock(cidr, peer))) return false;
  switch (p.protocol) {
    case '-1':
      return true;
    case 'tcp':
    case 'udp':
      return c.proto === (p.protocol === 'tcp' ? 6 : 17) && c.port !== null && c.port >= p.from! && c.port <= p.to!;
    case 'icmp':
      return c.proto === 1;
    case 'icmpv6':
      return c.proto === 58;
    default:
      return c.proto === Number(p.protocol);
  }
}

export function decideSg(sgs: SecurityGroups, c: Connection): Decision {
  if (c.client.ip === null || c.server.ip === null) return 'unjudgeable';
  const serverGroup = c.server.endpoint === null ? undefined : sgs.groupOf.get(c.server.endpoint);
  const clientGroup = c.client.endpoint === null ? undefined : sgs.groupOf.get(c.client.endpoint);
  const inOk = serverGroup === undefined ? null : group(sgs, serverGroup).ingress.some((p) => permits(p, c, c.client.ip!));
  const outOk = clientGroup === undefined ? null : group(sgs, clientGroup).egress.some((p) => permits(p, c, c.server.ip!));
  return bothEnds(inOk, outOk);
}
