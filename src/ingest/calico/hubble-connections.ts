/**
 * Hubble flow events → connections. Hubble reports events (packets seen at an observation point,
 * thinned out by monitor aggregation), not connections and not byte counts, so:
 * - events of one protocol and address/port pair, either way round, make one connection; a new
 *   TCP SYN after a FIN or RST starts the next one, and a connection idle for IDLE_MICROS ends;
 * - the client is decided by the strongest evidence seen: TCP flags (SYN, SYN-ACK), then
 *   Hubble's `is_reply`, then the ICMP type, then the ports, then the first event's sender;
 * - packets each way are the most events any single vantage point (node + observation point) saw
 *   that way: a lower bound that does not count one packet twice for being traced twice. Bytes
 *   are unknown and stored as 0;
 * - the action is the verdict, the worst of each direction (DROPPED over AUDIT over FORWARDED ...).
 */
import type { ConnectionRow, K8sIdentity } from '../../store/input-writer.js';
import { icmpRole, portHeuristic } from '../initiator.js';
import type { HubbleEndpoint, HubbleFlow } from './hubble-event.js';

type Evidence = 'tcp-flags' | 'is_reply' | 'icmp-type' | 'port-heuristic' | 'first-packet';

const EVIDENCE_RANK: Readonly<Record<Evidence, number>> = { 'tcp-flags': 4, is_reply: 3, 'icmp-type': 2, 'port-heuristic': 1, 'first-packet': 0 };

/** Worse verdicts win a direction's action. */
const VERDICT_RANK: Readonly<Record<string, number>> = {
  DROPPED: 7, ERROR: 6, AUDIT: 5, FORWARDED: 4, REDIRECTED: 3, TRANSLATED: 2, TRACED: 1, VERDICT_UNKNOWN: 0,
};

export const IDLE_MICROS = 5 * 60 * 1e6;
/** Sets kept in details are capped: a long connection seen on many nodes stays one small row. */
const DETAIL_VALUES_MAX = 16;

/** Per direction of a connection: A→B is index 0, B→A index 1 (A is the first event's sender). */
class Direction {
  readonly eventsByVantage = new Map<string, number>();
  verdict: string | null = null;

  add(flow: HubbleFlow): void {
    this.eventsByVantage.set(flow.vantage, (this.eventsByVantage.get(flow.vantage) ?? 0) + 1);
    if (this.verdict === null || (VERDICT_RANK[flow.verdict] ?? 0) > (VERDICT_RANK[this.verdict] ?? 0)) this.verdict = flow.verdict;
  }

  get packets(): number {
    let max = 0;
    for (const n of this.eventsByVantage.values()) max = Math.max(max, n);
    return max;
  }
}

export class HubbleConnection {
  /** true: A (the first event's sender) is the client. */
  private aIsClient = true;
  private evidence: Evidence = 'first-packet';
  private readonly dirs = [new Direction(), new Direction()] as const;
  first: number;
  last: number;
  closing = false;
  private readonly nodes = new Set<string>();
  private readonly dropReasons = new Set<string>();

  constructor(
    readonly id: number,
    private a: HubbleEndpoint,
    private b: HubbleEndpoint,
    readonly proto: number,
    readonly ipFamily: 4 | 6,
    first: HubbleFlow,
  ) {
    this.first = first.micros;
    this.last = first.micros;
    this.icmp = first.icmp;
  }

  /** ICMP type and code that stand for the ports: the request's once one is seen, else the first event's. */
  private icmp: HubbleFlow['icmp'];
  private icmpRequestSeen = false;

  /** Whether the event's sender is endpoint A. */
  isFromA(flow: HubbleFlow): boolean {
    return flow.src.ip === this.a.ip && flow.src.port === this.a.port;
  }

  add(flow: HubbleFlow): void {
    const fromA = this.isFromA(flow);
    this.dirs[fromA ? 0 : 1].add(flow);
    this.first = Math.min(this.first, flow.micros);
    this.last = Math.max(this.last, flow.micros);
    if (fromA) this.a = richer(this.a, flow.src);
    else this.b = richer(this.b, flow.src);
    if (fromA) this.b = richer(this.b, flow.dst);
    else this.a = richer(this.a, flow.dst);
    if (flow.node !== null && this.nodes.size < DETAIL_VALUES_MAX) this.nodes.add(flow.node);
    if (flow.dropReason !== null && this.dropReasons.size < DETAIL_VALUES_MAX) this.dropReasons.add(flow.dropReason);
    if (flow.tcp?.fin || flow.tcp?.rst) this.closing = true;
    if (flow.icmp !== null && !this.icmpRequestSeen && icmpRole(this.proto, flow.icmp.type) === 1) {
      this.icmp = flow.icmp;
      this.icmpRequestSeen = true;
    }
    const senderIsClient = clientEvidence(flow);
    if (senderIsClient !== null && EVIDENCE_RANK[senderIsClient.evidence] > EVIDENCE_RANK[this.evidence]) {
      this.evidence = senderIsClient.evidence;
      this.aIsClient = senderIsClient.senderIsClient === fromA;
    }
  }

  /** The connection row, client and server decided. */
  toRow(): ConnectionRow {
    if (EVIDENCE_RANK[this.evidence] < EVIDENCE_RANK['port-heuristic'] && this.a.port !== null && this.b.port !== null) {
      // No flag or reply bit said it: a service port on one side does.
      const h = portHeuristic(this.a.port, this.b.port);
      if (h !== 0) {
        this.evidence = 'port-heuristic';
        this.aIsClient = h === 1;
      }
    }
    const [client, server] = this.aIsClient ? [this.a, this.b] : [this.b, this.a];
    const [up, down] = this.aIsClient ? [this.dirs[0], this.dirs[1]] : [this.dirs[1], this.dirs[0]];
    const worst = [up.verdict, down.verdict].filter((v): v is string => v !== null).sort((x, y) => (VERDICT_RANK[y] ?? 0) - (VERDICT_RANK[x] ?? 0))[0]!;
    return {
      id: this.id,
      firstSeenMicros: this.first,
      lastSeenMicros: this.last,
      proto: this.proto,
      ipFamily: this.ipFamily,
      clientIp: client.ip,
      clientIpNum: client.ipNum,
      clientPort: this.icmp === null ? client.port : this.icmp.type,
      serverIp: server.ip,
      serverIpNum: server.ipNum,
      serverPort: this.icmp === null ? server.port : this.icmp.code,
      clientPackets: up.packets,
      clientBytes: 0,
      serverPackets: down.packets,
      serverBytes: 0,
      state: null,
      history: null,
      action: worst,
      clientAction: up.verdict,
      serverAction: down.verdict,
      initiatorEvidence: this.evidence,
      encapsulation: null,
      tunnelId: null,
      outerConnectionId: null,
      vlan: null,
      numFlows: 1,
      client: identity(client),
      server: identity(server),
      details: {
        hubble: {
          nodes: [...this.nodes],
          drop_reasons: [...this.dropReasons],
          client: { identity: client.identity, workload: client.workload },
          server: { identity: server.identity, workload: server.workload },
          counts: 'packets: the most events one vantage point saw each way; bytes: not reported by Hubble',
        },
      },
    };
  }
}

/** Who the event's sender is, when the event says it. */
function clientEvidence(flow: HubbleFlow): { senderIsClient: boolean; evidence: Evidence } | null {
  if (flow.tcp?.syn) return { senderIsClient: !flow.tcp.ack, evidence: 'tcp-flags' };
  if (flow.isReply !== null) return { senderIsClient: !flow.isReply, evidence: 'is_reply' };
  if (flow.icmp !== null) {
    const role = icmpRole(flow.proto, flow.icmp.type);
    if (role !== 0) return { senderIsClient: role === 1, evidence: 'icmp-type' };
  }
  return null;
}

/** Keep what is known of an endpoint: an event from a node that knows the pod beats one that does not. */
function richer(known: HubbleEndpoint, seen: HubbleEndpoint): HubbleEndpoint {
  const score = (e: HubbleEndpoint): number => (e.podName !== null ? 2 : 0) + (e.labels !== null ? 1 : 0);
  return score(seen) > score(known) ? { ...seen, port: known.port } : known;
}

function identity(e: HubbleEndpoint): K8sIdentity {
  return { namespace: e.namespace, name: e.podName, labels: e.labels, endpointType: e.endpointType };
}
