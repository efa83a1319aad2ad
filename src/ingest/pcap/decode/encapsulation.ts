/**
 * How a layer came out of a tunnel, stored in `connections.encapsulation`. Codes index
 * ENCAPSULATION_NAMES so the hot path keeps a small integer.
 */
export const ENCAPSULATION_NAMES = [
  'none',
  /** VXLAN (RFC 7348) on UDP 4789, 8472 or a port given with --vxlan-port. */
  'vxlan',
  /** Geneve (RFC 8926) on UDP 6081. */
  'geneve',
  /** IPv4 in IPv4 (protocol 4, Calico IPIP) and any IP in IPv6. */
  'ipip',
  /** GRE (protocol 47; RFC 2784, 2890), including Ethernet over GRE. */
  'gre',
  /** ERSPAN types I, II and III: mirrored frames over GRE. */
  'erspan',
  /** IPv6 in IPv4 (protocol 41: 6in4, 6to4, SIT). */
  '6in4',
] as const;

export type EncapsulationName = Exclude<(typeof ENCAPSULATION_NAMES)[number], 'none'>;

export const Encapsulation = Object.fromEntries(ENCAPSULATION_NAMES.map((n, i) => [n, i])) as {
  readonly [K in (typeof ENCAPSULATION_NAMES)[number]]: number;
};

/** The stored name of an encapsulation code; null for 0 (not tunnelled). */
export function encapsulationName(code: number): EncapsulationName | null {
  return code === 0 ? null : (ENCAPSULATION_NAMES[code] as EncapsulationName);
}
