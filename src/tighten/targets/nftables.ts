/**
 * An nftables ruleset: one `table inet flowaudit` (replaced whole when loaded with `nft -f`), named
 * interval sets for each endpoint's addresses and each rule's peers and ports, and three chains
 * with policy drop:
 *
 * - input: ingress rules of the governed endpoints (`ip daddr @ep_NAME_v4` keeps a rule to its own
 *   endpoint's hosts, so one ruleset serves every governed host);
 * - output: egress rules of the governed endpoints;
 * - forward: the ingress rule of every documented connection, whatever its endpoints — for a
 *   firewall between the zones, which sees (and so can deny) every connection, governed or not.
 *
 * Host chains also accept loopback and IPv6 neighbour discovery: without them the host itself
 * breaks, and neither shows up as a documented flow.
 */
import { cidrText, formatPorts, hasPorts, protoName } from '../model.js';
import type { EndpointScope, Family, Interval, RuleSet, TightRule } from '../model.js';
import { hashComments, headerLines, ruleSummary } from '../header.js';
import { intervalToCidrs } from '../merge.js';
import { formatAddressNumber } from '../../net/ip.js';
import { formatPortRange } from '../../rules/ports.js';
import { slug } from './slug.js';

export interface NftablesOptions {
  comparison: string[];
}

const ND_TYPES = ['nd-neighbor-solicit', 'nd-neighbor-advert', 'nd-router-solicit', 'nd-router-advert'];

const ident = (name: string): string => slug(name, '_').slice(0, 40);
const V = (family: Family): string => (family === 4 ? 'v4' : 'v6');
const IP = (family: Family): string => (family === 4 ? 'ip' : 'ip6');
const ADDR_TYPE = (family: Family): string => (family === 4 ? 'ipv4_addr' : 'ipv6_addr');

/** nft comments hold at most 128 bytes, and no double quote. */
function nftComment(text: string): string {
  const clean = text.replace(/["\\\n]/g, ' ');
  return `comment "${Buffer.byteLength(clean) <= 128 ? clean : `${Buffer.from(clean).subarray(0, 124).toString('utf8').replace(/\uFFFD$/, '')}...`}"`;
}

function element(i: Interval): string {
  const cidrs = intervalToCidrs(i);
  return cidrs.length === 1 ? cidrText(cidrs[0]!) : `${formatAddressNumber(i.lo, i.family)}-${formatAddressNumber(i.hi, i.family)}`;
}

function set(name: string, type: string, elements: readonly string[]): string {
  return `\tset ${name} {\n\t\ttype ${type}\n\t\tflags interval\n\t\telements = { ${elements.join(', ')} }\n\t}\n`;
}

/** The protocol and port part of a rule, the same in every chain. */
function protoMatch(rule: TightRule, portSet: string | null): string {
  if (rule.proto === null) return '';
  const name = ({ 6: 'tcp', 17: 'udp', 132: 'sctp' } as Record<number, string>)[rule.proto];
  if (name !== undefined) return portSet !== null ? `${name} dport @${portSet} ` : `meta l4proto ${name} `;
  if (rule.proto === 1) return 'meta l4proto icmp ';
  if (rule.proto === 58) return 'meta l4proto ipv6-icmp ';
  return `meta l4proto ${rule.proto} `;
}

export function nftablesTarget(ruleSet: RuleSet, options: NftablesOptions): string {
  const notes: string[] = [];
  const governed = new Set(ruleSet.endpoints.filter((e) => e.governed).map((e) => e.name));
  const scopes = new Map(ruleSet.endpoints.map((e) => [e.name, e]));
  const sets: string[] = [];
  const declared = new Set<string>();
  const scopeSet = (scope: EndpointScope, family: Family): string | null => {
    const intervals = scope.intervals.filter((i) => i.family === family);
    if (intervals.length === 0) return null;
    const name = `ep_${scope.name === null ? 'unnamed' : ident(scope.name)}_${V(family)}`;
    if (!declared.has(name)) {
      declared.add(name);
      sets.push(set(name, ADDR_TYPE(family), intervals.map(element)));
    }
    return name;
  };

  const chains: Record<'input' | 'forward' | 'output', string[]> = { input: [], forward: [], output: [] };
  ruleSet.rules.forEach((rule, index) => {
    const n = index + 1;
    const inChains = (rule.direction === 'ingress' ? ['forward'] : []) as ('input' | 'forward' | 'output')[];
    if (governed.has(rule.endpoint)) inChains.unshift(rule.direction === 'ingress' ? 'input' : 'output');
    if (inChains.length === 0) return;
    if (!rule.peers.any && rule.peers.cidrs.length === 0) {
      notes.push(`${rule.id} not written: its peers are known by pod identity only, without addresses (${ruleSummary(rule)}).`);
      return;
    }
    let portSet: string | null = null;
    if (rule.ports !== null && hasPorts(rule.proto)) {
      portSet = `r${n}_port`;
      sets.push(set(portSet, 'inet_service', rule.ports.map(formatPortRange)));
    }
    const proto = protoMatch(rule, portSet);
    const lines: string[] = [];
    for (const family of [4, 6] as const) {
      if ((rule.proto === 1 && family === 6) || (rule.proto === 58 && family === 4)) continue;
      const local = scopeSet(scopes.get(rule.endpoint)!, family);
      const peers = rule.peers.cidrs.filter((c) => c.family === family);
      if (local === null || (!rule.peers.any && peers.length === 0)) continue;
      let peer = '';
      if (!rule.peers.any) {
        const name = `r${n}_peer_${V(family)}`;
        sets.push(set(name, ADDR_TYPE(family), peers.map(cidrText)));
        peer = `${IP(family)} ${rule.direction === 'ingress' ? 'saddr' : 'daddr'} @${name} `;
      }
      const localMatch = `${IP(family)} ${rule.direction === 'ingress' ? 'daddr' : 'saddr'} @${local} `;
      lines.push(`\t\t${peer}${localMatch}${proto}accept ${nftComment(`${rule.id}: ${rule.kept ? 'kept unobserved ' : ''}${rule.provenance.map((p) => p.flow).join(', ')}`)}`);
    }
    if (lines.length === 0) {
      notes.push(`${rule.id} not written: no address family has both its endpoint's addresses and its peers (${protoName(rule.proto)} ${formatPorts(rule.ports)}).`);
      return;
    }
    for (const chain of inChains) chains[chain].push(`\t\t# ${ruleSummary(rule)}`, ...lines);
  });

  const chain = (name: 'input' | 'forward' | 'output', hook: string, host: string[]): string =>
    [
      `\tchain ${name} {`,
      `\t\ttype filter hook ${hook} priority filter; policy drop;`,
      `\t\tct state established,related accept ${nftComment('replies and related traffic of allowed connections')}`,
      ...host,
      ...chains[name],
      '\t}',
      '',
    ].join('\n');
  const nd = `\t\ticmpv6 type { ${ND_TYPES.join(', ')} } accept ${nftComment('IPv6 neighbour discovery: the host needs it to reach anything')}`;
  notes.push('Chains input and output are for the hosts of the governed endpoints (the same ruleset on each), forward for a firewall between the zones.');
  const header = headerLines(ruleSet, 'nftables', notes, options.comparison);
  return [
    '#!/usr/sbin/nft -f',
    hashComments(header),
    '# Declaring the table first makes the delete work on a host that does not have it yet: the table is replaced whole.',
    'table inet flowaudit',
    'delete table inet flowaudit',
    'table inet flowaudit {',
    sets.join(''),
    chain('input', 'input', [`\t\tiif "lo" accept ${nftComment('loopback')}`, nd]),
    chain('forward', 'forward', []),
    chain('output', 'output', [`\t\toif "lo" accept ${nftComment('loopback')}`, nd]),
    '}',
    '',
  ].join('\n');
}
