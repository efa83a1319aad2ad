/**
 * Protocol names as Kubernetes flow logs write them (Calico: lower-case names or numbers; Goldmane:
 * "tcp", "udp", ...) turned into IANA numbers, in TypeScript and as a SQL expression.
 */

const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  icmp: 1,
  igmp: 2,
  ipip: 4,
  ipencap: 4,
  tcp: 6,
  egp: 8,
  udp: 17,
  ipv6: 41,
  gre: 47,
  esp: 50,
  ah: 51,
  icmp6: 58,
  icmpv6: 58,
  'ipv6-icmp': 58,
  ospf: 89,
  pim: 103,
  vrrp: 112,
  sctp: 132,
  udplite: 136,
};

/** The IANA number of a protocol given by name (any case) or as a decimal number; null when unknown. */
export function protocolNumber(text: string | number): number | null {
  if (typeof text === 'number') return Number.isInteger(text) && text >= 0 && text <= 255 ? text : null;
  const t = text.trim().toLowerCase();
  const named = PROTOCOL_NUMBERS[t];
  if (named !== undefined) return named;
  if (!/^\d{1,3}$/.test(t)) return null;
  const n = Number(t);
  return n <= 255 ? n : null;
}

/** The same mapping as a DuckDB expression over the VARCHAR expression `expr` (NULL when unknown). */
export function protocolNumberSql(expr: string): string {
  const cases = Object.entries(PROTOCOL_NUMBERS)
    .map(([name, n]) => `WHEN '${name}' THEN ${n}`)
    .join(' ');
  const t = `lower(trim(${expr}))`;
  const general = `CASE ${t} ${cases} ELSE CASE WHEN regexp_full_match(${t}, '[0-9]{1,3}') AND ${t}::INTEGER <= 255 THEN ${t}::SMALLINT END END`;
  // Flow logs write the common protocols in lower case: those skip the lower(trim()) of every row.
  return `(CASE ${expr} WHEN 'tcp' THEN 6 WHEN 'udp' THEN 17 WHEN 'icmp' THEN 1 ELSE ${general} END)::SMALLINT`;
}
