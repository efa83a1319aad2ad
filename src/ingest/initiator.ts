/**
 * Which side started a connection, when the first packet seen does not say so by itself
 * (no SYN). The evidence names are stored in connections.initiator_evidence.
 */

export type InitiatorEvidence = 'syn' | 'syn-ack' | 'icmp-type' | 'port-heuristic' | 'first-packet';

/** ICMP/ICMPv6 types a client sends, and the reply type that answers each. */
const ICMP_REQUEST_TO_REPLY: ReadonlyMap<number, number> = new Map([
  [8, 0], // echo
  [13, 14], // timestamp
  [15, 16], // information
  [17, 18], // address mask
]);
const ICMPV6_REQUEST_TO_REPLY: ReadonlyMap<number, number> = new Map([
  [128, 129], // echo
  [133, 134], // router solicitation / advertisement
  [135, 136], // neighbour solicitation / advertisement
  [130, 131], // multicast listener query / report
]);
const ICMP_REPLY_TO_REQUEST = invert(ICMP_REQUEST_TO_REPLY);
const ICMPV6_REPLY_TO_REQUEST = invert(ICMPV6_REQUEST_TO_REPLY);

function invert(m: ReadonlyMap<number, number>): ReadonlyMap<number, number> {
  return new Map([...m].map(([a, b]) => [b, a]));
}

/** -1: this ICMP type is a reply (its receiver is the client); 1: a request; 0: neither. */
export function icmpRole(proto: number, type: number): -1 | 0 | 1 {
  const requests = proto === 1 ? ICMP_REQUEST_TO_REPLY : ICMPV6_REQUEST_TO_REPLY;
  const replies = proto === 1 ? ICMP_REPLY_TO_REQUEST : ICMPV6_REPLY_TO_REQUEST;
  if (requests.has(type)) return 1;
  if (replies.has(type)) return -1;
  return 0;
}

/** The request type a reply answers (so both directions share one connection); other types unchanged. */
export function icmpRequestType(proto: number, type: number): number {
  const replies = proto === 1 ? ICMP_REPLY_TO_REQUEST : ICMPV6_REPLY_TO_REQUEST;
  return replies.get(type) ?? type;
}

/**
 * Ports that name a service even above 1024 (API platforms and their dependencies), so a
 * connection caught mid-stream still gets its server right.
 */
const SERVICE_PORTS = new Set([
  1433, 1521, 2049, 2379, 2380, 3000, 3306, 3389, 4369, 5000, 5432, 5671, 5672, 6379, 6443, 7000, 7001, 7199, 8000, 8080, 8081,
  8443, 8438, 8472, 8888, 9042, 9090, 9092, 9093, 9160, 9200, 9300, 9443, 10250, 10255, 11211, 15017, 15021, 27017,
]);

/** Linux and IANA ephemeral ranges start at 32768 and 49152; below that a port is probably a service. */
function serviceRank(port: number): number {
  if (port < 1024) return 3;
  if (SERVICE_PORTS.has(port)) return 2;
  if (port < 32768) return 1;
  return 0;
}

/**
 * With no handshake to go by: does the port pair say the *destination* of the first packet is
 * the server (1), the source (-1), or nothing (0)?
 */
export function portHeuristic(srcPort: number, dstPort: number): -1 | 0 | 1 {
  const s = serviceRank(srcPort);
  const d = serviceRank(dstPort);
  if (d > s) return 1;
  if (s > d) return -1;
  return 0;
}
