/**
 * Port values as packs, inventories and `--param` write them: `443`, `20000-32767`, `80,443`, or a
 * YAML list of those. Protocol numbers for the names rules use.
 */
import type { PortRange, ProtocolName } from './types.js';

export type PortsParse = { ok: true; ranges: PortRange[] } | { ok: false; reason: string; hint: string };

const PORT_HINT = 'write a port (443), an inclusive range (20000-32767), or several separated by commas';

/** Parse one port or range written as text (`443`, `20000-32767`). */
export function parsePortText(text: string): PortsParse {
  const match = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(text);
  if (!match) return { ok: false, reason: `"${text}" is not a port or port range`, hint: PORT_HINT };
  const lo = Number(match[1]);
  const hi = match[2] === undefined ? lo : Number(match[2]);
  if (lo > 65535 || hi > 65535) return { ok: false, reason: `"${text}" is outside 0-65535`, hint: 'ports go from 0 to 65535' };
  if (lo > hi) return { ok: false, reason: `range "${text}" runs backwards`, hint: `write the low port first: ${hi}-${lo}` };
  return { ok: true, ranges: [{ lo, hi }] };
}

/** A param value from YAML (number, text, list) or from `--param NAME=VALUE` (text). */
export function parsePortValue(value: unknown): PortsParse {
  const items: unknown[] = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [value];
  if (items.length === 0) return { ok: false, reason: 'the value lists no port', hint: PORT_HINT };
  const ranges: PortRange[] = [];
  for (const item of items) {
    let parsed: PortsParse;
    if (typeof item === 'number' && Number.isInteger(item)) parsed = parsePortText(String(item));
    else if (typeof item === 'string') parsed = parsePortText(item);
    else parsed = { ok: false, reason: `${JSON.stringify(item)} is not a port`, hint: PORT_HINT };
    if (!parsed.ok) return parsed;
    ranges.push(...parsed.ranges);
  }
  return { ok: true, ranges };
}

export function formatPortRange(range: PortRange): string {
  return range.lo === range.hi ? String(range.lo) : `${range.lo}-${range.hi}`;
}

/** IANA protocol numbers; `any` has none (every protocol). */
export function protocolNumber(name: ProtocolName): number | null {
  switch (name) {
    case 'tcp':
      return 6;
    case 'udp':
      return 17;
    case 'sctp':
      return 132;
    case 'icmp':
      return 1;
    case 'icmpv6':
      return 58;
    case 'vrrp':
      return 112;
    case 'ipencap':
      return 4;
    case 'gre':
      return 47;
    case 'esp':
      return 50;
    case 'any':
      return null;
  }
}

/** Protocols whose connections have ports (ICMP keeps type/code in the port columns, but rules never filter on them). */
export function hasPorts(name: ProtocolName): boolean {
  return name === 'tcp' || name === 'udp' || name === 'sctp';
}
