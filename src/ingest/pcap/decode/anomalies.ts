/**
 * Named anomalies ("weirds" in Zeek's vocabulary). A malformed layer never throws: the decoder
 * sets `DecodedPacket.anomaly` to one of these codes and the run goes on; the ingest counts
 * them per input in the `anomalies` table. Zeek's name is used where Zeek has one.
 */
export const ANOMALY_NAMES = [
  'none',
  /** The link-layer header is longer than the captured bytes. */
  'truncated_link_header',
  /** A link type this reader has no decoder for (the packet is counted, not decoded). */
  'unknown_link_type',
  /** More stacked VLAN tags than the decoder follows (8). */
  'excessive_vlan_tags',
  /** The IP header, or the datagram its length field announces, is cut short (Zeek: truncated_IP). */
  'truncated_IP',
  /** IPv4 IHL below 5 words or beyond the datagram (Zeek: bad_IP_header_len). */
  'bad_IP_header_len',
  /** The version nibble disagrees with the link layer's EtherType or address family. */
  'bad_IP_version',
  /** An IPv6 extension header runs past the captured bytes. */
  'truncated_IPv6_ext_header',
  /** More IPv6 extension headers than the decoder follows (the bound keeps hostile chains cheap). */
  'excessive_IPv6_ext_headers',
  /** TCP data offset below 5 words or beyond the segment (Zeek: bad_TCP_header_len). */
  'bad_TCP_header_len',
  /** A transport header (TCP, UDP, ICMP, SCTP) shorter than its fixed part (Zeek: truncated_header). */
  'truncated_header',
  /** UDP length field smaller than 8 or larger than the IP payload. */
  'bad_UDP_length',
  /** An IPv4 fragment whose data is too small to hold any transport header (Zeek: excessively_small_fragment). */
  'excessively_small_fragment',
  /** Fragments of one datagram overlap (Zeek: fragment_overlap). */
  'fragment_overlap',
  /** A tunnel header (VXLAN, Geneve, GRE, ERSPAN) cut short or malformed. */
  'truncated_tunnel_header',
  /** Tunnels nested deeper than the decoder follows. */
  'excessive_tunnel_depth',
] as const;

export type AnomalyName = (typeof ANOMALY_NAMES)[number];

/** Code of each anomaly, for the hot path (an index into ANOMALY_NAMES). */
export const Anomaly = Object.fromEntries(ANOMALY_NAMES.map((n, i) => [n, i])) as {
  readonly [K in AnomalyName]: number;
};

/** Per-input counters indexed by anomaly code. */
export function newAnomalyCounters(): Uint32Array {
  return new Uint32Array(ANOMALY_NAMES.length);
}
