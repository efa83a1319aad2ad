/**
 * What the evaluators share: the connection they judge (an observed group from the classified
 * database) and address helpers. Each evaluator parses a generated file the way its consumer
 * would read it and decides, independently of the generator's code, whether it lets a connection
 * through.
 */
import { parseAllDocuments } from 'yaml';
import { addressToBigInt, parseAddress } from '../../../src/net/ip.js';
import { parseCidr } from '../../../src/rules/cidr.js';
import type { ObservedGroup } from '../../../src/tighten/model.js';

export type Connection = Pick<ObservedGroup, 'proto' | 'port' | 'client' | 'server' | 'verdict' | 'connections'>;

/** allow / deny, or `ungoverned` when nothing in the file applies to either side (the default then allows). */
export type Decision = 'allow' | 'deny' | 'ungoverned' | 'unjudgeable';

export interface Address {
  family: 4 | 6;
  num: bigint;
}

export function address(text: string): Address {
  const parsed = parseAddress(text);
  if (!parsed) throw new Error(`evaluator: not an address: ${text}`);
  return { family: parsed.family, num: addressToBigInt(parsed.bytes, 0, parsed.family === 4 ? 4 : 16) };
}

/** An address, a CIDR or an `a-b` range as an inclusive interval. */
export function block(text: string): { family: 4 | 6; lo: bigint; hi: bigint } {
  const dash = text.indexOf('-');
  if (dash > 0) {
    const lo = address(text.slice(0, dash));
    return { family: lo.family, lo: lo.num, hi: address(text.slice(dash + 1)).num };
  }
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`evaluator: ${parsed.reason}`);
  return { family: parsed.block.family, lo: parsed.block.start, hi: parsed.block.end };
}

export function inBlock(text: string, ip: string | null): boolean {
  if (ip === null) return false;
  const b = block(text);
  const a = address(ip);
  return a.family === b.family && a.num >= b.lo && a.num <= b.hi;
}

/** The objects of a generated YAML stream, each of one of `kinds`: anything else is the evaluator's error. */
export function parseYamlObjects<T extends { kind: string }>(text: string, evaluator: string, kinds: readonly string[]): T[] {
  const docs = parseAllDocuments(text);
  for (const d of docs) if (d.errors.length > 0) throw new Error(`${evaluator} evaluator: ${d.errors[0]!.message}`);
  const values = docs.map((d) => d.toJS() as T | null).filter((v): v is T => v !== null);
  for (const v of values) if (!kinds.includes(v.kind)) throw new Error(`${evaluator} evaluator: kind ${v.kind}`);
  return values;
}

/** A stateful filter's decision from its two ends: the server's side letting the connection in, the client's letting it out (null: nothing there applies). */
export function bothEnds(ingress: boolean | null, egress: boolean | null): Decision {
  if (ingress === null && egress === null) return 'ungoverned';
  return ingress !== false && egress !== false ? 'allow' : 'deny';
}

export interface Tally {
  documented: { allow: number; deny: number; ungoverned: number; unjudgeable: number };
  unexpected: { allow: number; deny: number; ungoverned: number; unjudgeable: number };
  /** The connections judged wrongly: a documented one denied, an unexpected one allowed. */
  wrong: string[];
}

/** Judge every documented and unexpected connection; counts are connections, not groups. */
export function tally(connections: readonly Connection[], decide: (c: Connection) => Decision): Tally {
  const empty = (): Tally['documented'] => ({ allow: 0, deny: 0, ungoverned: 0, unjudgeable: 0 });
  const out: Tally = { documented: empty(), unexpected: empty(), wrong: [] };
  for (const c of connections) {
    if (c.verdict !== 'documented' && c.verdict !== 'unexpected') continue;
    const d = decide(c);
    out[c.verdict][d] += c.connections;
    const bad = c.verdict === 'documented' ? d === 'deny' : d === 'allow';
    if (bad) out.wrong.push(`${c.verdict} ${d}: ${c.proto} ${c.client.ip ?? '-'} (${c.client.endpoint}) -> ${c.server.ip ?? '-'}:${c.port} (${c.server.endpoint})`);
  }
  return out;
}
