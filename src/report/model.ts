/**
 * The report every renderer reads: the JSON report (`flowaudit/report@1`, schemas/report.schema.json)
 * as TypeScript types. It is built from classified results only (src/report/load.ts), optionally
 * compared with a previous report (src/report/baseline.ts); renderers are pure functions of it.
 * Timestamps are ISO 8601 text in UTC; counts are plain numbers.
 */

export const REPORT_SCHEMA = 'flowaudit/report@1';

/** What classify decided for one connection. */
export type Verdict = 'documented' | 'unexpected' | 'denied' | 'unanswered';
export const VERDICT_LIST: readonly Verdict[] = ['documented', 'unexpected', 'denied', 'unanswered'];
/** The verdicts that make a finding (documented traffic is summed up per flow instead). */
export type FindingVerdict = Exclude<Verdict, 'documented'>;
export const FINDING_VERDICTS: readonly FindingVerdict[] = ['unexpected', 'denied', 'unanswered'];

/** What classify decided for one documented flow. */
export type FlowStatus = 'observed' | 'denied' | 'unanswered' | 'unobserved' | 'not_covered';
export const FLOW_STATUS_LIST: readonly FlowStatus[] = ['observed', 'denied', 'unanswered', 'unobserved', 'not_covered'];

/** A finding compared with the baseline: only in this run, only in the baseline, in both. */
export type Change = 'new' | 'gone' | 'unchanged';
export const CHANGE_LIST: readonly Change[] = ['new', 'gone', 'unchanged'];

export interface ReportInput {
  path: string;
  kind: string;
  records_read: number;
  records_used: number;
  records_rejected: number;
  connections: number;
  first_seen: string | null;
  last_seen: string | null;
}

export interface ReportSummary {
  /** Connections classified (flow-log rows standing for several count once per row). */
  connections: number;
  documented: number;
  unexpected: number;
  denied: number;
  unanswered: number;
  /** Documented flows by status. */
  flows: Record<FlowStatus, number>;
}

export interface ReportFlow {
  /** `<pack>/<rule id>`. */
  id: string;
  title: string;
  /** Endpoints as the rule writes them: inventory names, `any`, CIDRs, host names. */
  from: string[];
  to: string[];
  /** one-way | both-ways */
  direction: string;
  protocols: string[];
  /** Resolved server ports ('443', '30000-32767'); [] for any port. */
  ports: string[];
  /** required | optional | when <condition> */
  requirement: string;
  security: string[];
  status: FlowStatus;
  /** Connections matching it, whatever their verdict. */
  connections: number;
  first_seen: string | null;
  last_seen: string | null;
  citation: string;
  document_url: string | null;
  /** Why it has this status, in words. */
  reason: string;
  /** Baseline only: its status in the baseline (null: the baseline did not have this flow). */
  previous_status?: FlowStatus | null;
}

/** What findings and traffic rows are grouped by (besides the verdict), and what they add up. */
export interface PairTotals {
  /** Lower-case protocol name (tcp, udp, icmp, ...) or the IANA number as text. */
  proto: string;
  /** null for aggregated flow-log rows that name workloads, not addresses. */
  client_ip: string | null;
  server_ip: string | null;
  /** ICMP: the code (the type is the client port); null for port-less protocols. */
  server_port: number | null;
  /** Inventory endpoint names, or null when no endpoint holds the side. */
  client_endpoint: string | null;
  server_endpoint: string | null;
  connections: number;
  packets: number;
  bytes: number;
}

export interface ReportFinding extends PairTotals {
  verdict: FindingVerdict;
  /** Names seen for the addresses (DNS answers, TLS SNI, flow-log metadata), verbatim: renderers escape them. */
  client_names: string[];
  server_names: string[];
  first_seen: string | null;
  last_seen: string | null;
  /** Flow ids matched ([] when unexpected). */
  flows: string[];
  /** How the client side was decided (connections.initiator_evidence values). */
  evidence: string[];
  /** Baseline only. */
  change?: Change;
}

/** One row of the flow-log views users know from Athena's predefined queries. */
export interface TrafficPair extends PairTotals {
  verdict: Verdict;
}

export interface TopTalker {
  ip: string;
  endpoint: string | null;
  /** Bytes sent plus received, over every connection it took part in. */
  bytes: number;
  packets: number;
  connections: number;
}

/**
 * A scan, as Zeek's scan policy counts them: one client reaching many ports of one server (port
 * scan) or one port of many servers (address scan), whatever the verdicts.
 */
export interface ScanReport {
  kind: 'port' | 'address';
  proto: string;
  client_ip: string;
  client_endpoint: string | null;
  /** Port scans: the server scanned; address scans: null. */
  server_ip: string | null;
  server_endpoint: string | null;
  /** Address scans: the port; port scans: null. */
  server_port: number | null;
  /** Distinct ports (port scan) or servers (address scan) reached. */
  targets: number;
  connections: number;
  /** Of those: refused (REJ, RSTOS0, RSTRH) or never answered (S0, SH, or no server packets). */
  refused_or_unanswered: number;
  first_seen: string | null;
  last_seen: string | null;
}

export interface ReportTraffic {
  /** Port and address scans, most targets first. */
  scans: ScanReport[];
  /** Connections a flow log recorded as REJECT / deny, grouped like findings, most connections first. */
  rejected: TrafficPair[];
  /** Connections to SSH (22), telnet (23) and RDP (3389), whatever their verdict. */
  admin_ports: TrafficPair[];
  /** Addresses by bytes sent and received. */
  top_talkers: TopTalker[];
  /** Client-server pairs by bytes. */
  top_pairs: TrafficPair[];
}

export interface ReportBaseline {
  /** The previous DuckDB file or JSON report, as given. */
  path: string;
  generated_at: string | null;
  findings: Record<Change, number>;
  /** Flows whose status differs from the baseline's. */
  flows_changed: number;
}

export interface ReportClassification {
  inventory: string;
  packs: string[];
  classified_at: string | null;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  generated_at: string;
  classification: ReportClassification;
  inputs: ReportInput[];
  summary: ReportSummary;
  flows: ReportFlow[];
  findings: ReportFinding[];
  traffic: ReportTraffic;
  baseline?: ReportBaseline;
}

/** What every renderer is given besides the report. */
export interface RenderOptions {
  /** ANSI colour (table only): on a TTY without NO_COLOR. */
  color: boolean;
}
