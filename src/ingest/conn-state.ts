/**
 * Zeek's conn_state and history vocabulary, derived from what each side of a TCP connection sent.
 * Kept apart from the tracker so the rules are readable and testable on their own.
 */

/** Bits of what one side sent. */
export const Sent = {
  SYN: 1, // SYN without ACK
  SYNACK: 2,
  FIN: 4,
  RST: 8,
  DATA: 16, // a packet with payload
  ACK: 32, // a pure ACK
} as const;

/** Zeek conn_state, the vocabulary the connections.state column uses. */
export type ConnState = 'S0' | 'S1' | 'SF' | 'REJ' | 'S2' | 'S3' | 'RSTO' | 'RSTR' | 'RSTOS0' | 'RSTRH' | 'SH' | 'SHR' | 'OTH';

/**
 * Zeek's rules: a handshake (client SYN answered by the server's SYN-ACK) makes a connection
 * established; what each side did after decides how it ended. `firstRst` says who reset first.
 */
export function tcpConnState(client: number, server: number, firstRst: 'client' | 'server' | null): ConnState {
  const clientSyn = (client & Sent.SYN) !== 0;
  const serverSynAck = (server & Sent.SYNACK) !== 0;
  if (clientSyn && serverSynAck) {
    if (firstRst === 'client') return 'RSTO';
    if (firstRst === 'server') return 'RSTR';
    const clientFin = (client & Sent.FIN) !== 0;
    const serverFin = (server & Sent.FIN) !== 0;
    if (clientFin && serverFin) return 'SF';
    if (clientFin) return 'S2';
    if (serverFin) return 'S3';
    return 'S1';
  }
  if (clientSyn) {
    if (server & Sent.RST) return 'REJ';
    if (client & Sent.RST) return 'RSTOS0';
    if (client & Sent.FIN) return 'SH';
    if (server === 0) return 'S0';
    return 'OTH';
  }
  if (serverSynAck) {
    if (server & Sent.RST) return 'RSTRH';
    if (server & Sent.FIN) return 'SHR';
  }
  return 'OTH';
}

/** Non-TCP: Zeek reports S0 when only the client spoke and SF when both did. */
export function datagramConnState(serverPackets: number): ConnState {
  return serverPackets > 0 ? 'SF' : 'S0';
}

/** Zeek's TCP history letters, in the order history codes (tcpHistoryIndex) number them. */
export const HISTORY_LETTERS = 'SHADFRQ';

/**
 * The history letter a TCP segment adds, as its index in HISTORY_LETTERS (upper case for the
 * client, lower for the server when written out), or -1 when the segment adds none.
 */
export function tcpHistoryIndex(flags: number, payloadLen: number): number {
  const syn = (flags & 0x02) !== 0;
  const ack = (flags & 0x10) !== 0;
  if (syn && (flags & 0x05) !== 0) return 6; // Q: SYN together with FIN or RST, inconsistent flags
  if (syn) return ack ? 1 : 0; // H, S
  if (flags & 0x04) return 5; // R
  if (flags & 0x01) return 4; // F
  if (payloadLen > 0) return 3; // D
  if (ack) return 2; // A
  return -1;
}

/** What a segment says one side sent (a Sent bitmask). */
export function tcpSentBits(flags: number, payloadLen: number): number {
  let bits = 0;
  if (flags & 0x02) bits |= flags & 0x10 ? Sent.SYNACK : Sent.SYN;
  if (flags & 0x01) bits |= Sent.FIN;
  if (flags & 0x04) bits |= Sent.RST;
  if (payloadLen > 0) bits |= Sent.DATA;
  else if (flags & 0x10) bits |= Sent.ACK;
  return bits;
}
