/** A tracked capture connection as a `connections` row. */
import type { Connection } from '../connection.js';
import type { ConnectionRow } from '../../store/input-writer.js';
import { datagramConnState, tcpConnState } from '../conn-state.js';
import { addressToBigInt, formatIPv4, formatIPv6 } from '../../net/ip.js';

export function captureConnectionRow(c: Connection): ConnectionRow {
  const len = c.family === 4 ? 4 : 16;
  const text = c.family === 4 ? formatIPv4 : formatIPv6;
  const isTcp = c.proto === 6;
  return {
    id: c.id,
    firstSeenMicros: c.firstTs,
    lastSeenMicros: c.lastTs,
    proto: c.proto,
    ipFamily: c.family,
    clientIp: text(c.clientAddr, 0),
    clientIpNum: addressToBigInt(c.clientAddr, 0, len),
    clientPort: c.clientPort,
    serverIp: text(c.serverAddr, 0),
    serverIpNum: addressToBigInt(c.serverAddr, 0, len),
    serverPort: c.serverPort,
    clientPackets: c.clientPackets,
    clientBytes: c.clientBytes,
    serverPackets: c.serverPackets,
    serverBytes: c.serverBytes,
    state: isTcp && c.clientPort !== null ? tcpConnState(c.clientSent, c.serverSent, c.firstRst) : datagramConnState(c.serverPackets),
    history: isTcp ? c.history : null,
    action: null,
    clientAction: null,
    serverAction: null,
    initiatorEvidence: c.evidence,
    encapsulation: c.tunnel?.encapsulation ?? null,
    tunnelId: c.tunnel?.tunnelId ?? null,
    outerConnectionId: c.tunnel?.outerConnectionId ?? null,
    vlan: c.vlan,
    numFlows: 1,
  };
}
