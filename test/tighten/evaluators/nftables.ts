/**
 * An nftables evaluator for the rulesets flowaudit emits: a small parser of the statements it
 * writes (named interval sets; chains with a policy; rules made of ip/ip6 saddr/daddr @set,
 * tcp/udp/sctp dport @set, meta l4proto, ct state, iif/oif "lo", icmpv6 type, accept, comment)
 * and a first-match walk of a chain for a connection's first packet. Anything else in a rule is
 * an error: the evaluator must understand every statement it is asked to judge.
 */
import { inBlock } from './common.js';
import type { Connection, Decision } from './common.js';

interface NftSet {
  type: string;
  elements: string[];
}

type Match =
  | { kind: 'addr'; family: 4 | 6; field: 'saddr' | 'daddr'; set: string }
  | { kind: 'dport'; proto: number; set: string }
  | { kind: 'l4proto'; proto: number }
  | { kind: 'established' }
  | { kind: 'loopback' }
  | { kind: 'icmpv6-type' };

interface NftRule {
  matches: Match[];
  text: string;
}

export interface NftRuleset {
  sets: Map<string, NftSet>;
  chains: Map<string, { policy: 'accept' | 'drop'; rules: NftRule[] }>;
}

const PROTOS: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, icmp: 1, 'ipv6-icmp': 58 };

export function parseNft(text: string): NftRuleset {
  const lines = text.split('\n').map((l) => l.replace(/^\s+/, '')).filter((l) => l !== '' && !l.startsWith('#'));
  const sets = new Map<string, NftSet>();
  const chains: NftRuleset['chains'] = new Map();
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const set = /^set (\w+) \{$/.exec(line);
    const chain = /^chain (\w+) \{$/.exec(line);
    if (set) {
      const body: string[] = [];
      while (lines[++i] !== '}') body.push(lines[i]!);
      const type = body.find((b) => b.startsWith('type '))!.slice(5);
      const elements = /^elements = \{ (.*) \}$/.exec(body.find((b) => b.startsWith('elements')) ?? '')?.[1]?.split(', ') ?? [];
      sets.set(set[1]!, { type, elements });
    } else if (chain) {
      const head = lines[++i]!;
      const policy = /policy (accept|drop);/.exec(head)?.[1] as 'accept' | 'drop';
      const rules: NftRule[] = [];
      while (lines[++i] !== '}') rules.push(parseRule(lines[i]!));
      chains.set(chain[1]!, { policy, rules });
    }
    i++;
  }
  return { sets, chains };
}

function parseRule(line: string): NftRule {
  const body = line.replace(/ comment "[^"]*"$/, '');
  if (!body.endsWith(' accept')) throw new Error(`nft evaluator: not an accept rule: ${line}`);
  const tokens = body.slice(0, -' accept'.length).replace(/\{ [^}]* \}/g, (m) => m.replace(/ /g, '')).split(' ');
  const matches: Match[] = [];
  for (let t = 0; t < tokens.length; t += 2) {
    const [a, b] = [tokens[t]!, tokens[t + 1]];
    if ((a === 'ip' || a === 'ip6') && (b === 'saddr' || b === 'daddr')) {
      matches.push({ kind: 'addr', family: a === 'ip' ? 4 : 6, field: b, set: tokens[t + 2]!.slice(1) });
      t++;
    } else if ((a === 'tcp' || a === 'udp' || a === 'sctp') && b === 'dport') {
      matches.push({ kind: 'dport', proto: PROTOS[a]!, set: tokens[t + 2]!.slice(1) });
      t++;
    } else if (a === 'meta' && b === 'l4proto') {
      const name = tokens[t + 2]!;
      matches.push({ kind: 'l4proto', proto: PROTOS[name] ?? Number(name) });
      t++;
    } else if (a === 'ct' && b === 'state') {
      matches.push({ kind: 'established' });
      t++;
    } else if ((a === 'iif' || a === 'oif') && b === '"lo"') {
      matches.push({ kind: 'loopback' });
    } else if (a === 'icmpv6' && b === 'type') {
      matches.push({ kind: 'icmpv6-type' });
      t++;
    } else {
      throw new Error(`nft evaluator: cannot read "${a} ${b ?? ''}" in: ${line}`);
    }
  }
  return { matches, text: line };
}

function inSet(ruleset: NftRuleset, name: string, value: string | number | null): boolean {
  const set = ruleset.sets.get(name);
  if (!set) throw new Error(`nft evaluator: undeclared set @${name}`);
  if (value === null) return false;
  if (set.type === 'inet_service') {
    return set.elements.some((e) => {
      const [lo, hi] = e.split('-').map(Number);
      return Number(value) >= lo! && Number(value) <= (hi ?? lo!);
    });
  }
  return set.elements.some((e) => inBlock(e, String(value)));
}

const isLoopback = (ip: string | null): boolean => ip !== null && (inBlock('127.0.0.0/8', ip) || ip === '::1');

/** The verdict of one chain for the first packet of the connection; 'unjudgeable' when a rule needs what the data lacks. */
function chainVerdict(ruleset: NftRuleset, chainName: string, c: Connection): 'accept' | 'drop' | 'unjudgeable' {
  const chain = ruleset.chains.get(chainName);
  if (!chain) throw new Error(`nft evaluator: no chain ${chainName}`);
  const family = c.client.family;
  for (const rule of chain.rules) {
    let matched = true;
    for (const m of rule.matches) {
      switch (m.kind) {
        case 'addr':
          matched = family === m.family && inSet(ruleset, m.set, m.field === 'saddr' ? c.client.ip : c.server.ip);
          break;
        case 'dport':
          matched = c.proto === m.proto && inSet(ruleset, m.set, c.port);
          break;
        case 'l4proto':
          matched = c.proto === m.proto;
          break;
        case 'established':
          matched = false; // a connection's first packet is state new
          break;
        case 'loopback':
          matched = isLoopback(c.client.ip) && isLoopback(c.server.ip);
          break;
        case 'icmpv6-type':
          // The ICMP type is the client port, which the classified groups do not carry.
          if (c.proto === 58) return 'unjudgeable';
          matched = false;
          break;
      }
      if (!matched) break;
    }
    if (matched) return 'accept';
  }
  return chain.policy;
}

/** A firewall between the zones: the forward chain sees every connection. */
export function decideForward(ruleset: NftRuleset, c: Connection): Decision {
  if (c.client.ip === null || c.server.ip === null) return 'unjudgeable';
  const v = chainVerdict(ruleset, 'forward', c);
  return v === 'unjudgeable' ? v : v === 'accept' ? 'allow' : 'deny';
}

/**
 * The ruleset on every host for which `deployed` holds: the server's input chain and the client's
 * output chain must both accept.
 */
export function decideHosts(ruleset: NftRuleset, c: Connection, deployed: (ip: string) => boolean): Decision {
  if (c.client.ip === null || c.server.ip === null) return 'unjudgeable';
  const sides = [
    { on: deployed(c.server.ip), chain: 'input' },
    { on: deployed(c.client.ip), chain: 'output' },
  ].filter((s) => s.on);
  if (sides.length === 0) return 'ungoverned';
  const verdicts = sides.map((s) => chainVerdict(ruleset, s.chain, c));
  if (verdicts.includes('unjudgeable')) return 'unjudgeable';
  return verdicts.every((v) => v === 'accept') ? 'allow' : 'deny';
}

/** Whether the address is in the set (for tests that look at what a set holds). */
export function setHolds(ruleset: NftRuleset, name: string, value: string | number): boolean {
  return inSet(ruleset, name, value);
}
