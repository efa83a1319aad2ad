/**
 * UDP tunnels are recognised by their destination port alone: the source port is a hash of the
 * inner flow (RFC 7348 section 5), so both directions of a tunnel use the well-known port as
 * destination. The table is one byte per port so the per-packet check is one array load.
 */

/** Which UDP tunnel a port carries; 0 for none. Indexes UDP_TUNNEL_DECODERS in registry.ts. */
export const UdpTunnel = {
  none: 0,
  vxlan: 1,
  geneve: 2,
} as const;

/** IANA's VXLAN port (RFC 7348) and the Linux kernel's older default, which Flannel keeps. */
export const DEFAULT_VXLAN_PORTS: readonly number[] = [4789, 8472];
/** IANA's Geneve port (RFC 8926). */
export const GENEVE_PORT = 6081;

/** The port table: VXLAN on the default ports and `extraVxlanPorts`, Geneve on 6081 (unless given as VXLAN). */
export function udpTunnelPorts(extraVxlanPorts: readonly number[]): Uint8Array {
  const table = new Uint8Array(65536);
  table[GENEVE_PORT] = UdpTunnel.geneve;
  for (const port of [...DEFAULT_VXLAN_PORTS, ...extraVxlanPorts]) table[port] = UdpTunnel.vxlan;
  return table;
}
