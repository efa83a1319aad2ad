/** Lower-case names of the IANA protocol numbers reports show; any other number is shown as itself. */
const PROTOCOL_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'icmp'],
  [2, 'igmp'],
  [4, 'ipencap'],
  [6, 'tcp'],
  [17, 'udp'],
  [41, 'ipv6'],
  [47, 'gre'],
  [50, 'esp'],
  [51, 'ah'],
  [58, 'icmpv6'],
  [89, 'ospf'],
  [103, 'pim'],
  [112, 'vrrp'],
  [132, 'sctp'],
]);

/** `tcp` for 6; `253` for an unnamed number. */
export function protoName(proto: number): string {
  return PROTOCOL_NAMES.get(proto) ?? String(proto);
}

/** Protocol names whose server_port holds the ICMP code rather than a port. */
const ICMP_NAMES: ReadonlySet<string> = new Set(['icmp', 'icmpv6', 'ipv6-icmp']);

/** Whether a report's `proto` is ICMP (its server_port is then the code). */
export function isIcmpName(proto: string): boolean {
  return ICMP_NAMES.has(proto);
}
