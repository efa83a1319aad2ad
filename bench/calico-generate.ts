/**
 * A deterministic Calico Enterprise flows.log for the benchmark. Each line has the fields of the
 * example line in Calico's flow-log documentation (aggregation level 0: one 5-tuple per line, the
 * three policy lists, HTTP counters, original source addresses, host), plus the destination
 * service fields that lines to a Kubernetes service carry; process information and TCP
 * statistics are off, as they are by default. 300-second export windows. Nine flows in ten stay
 * inside the cluster and are reported twice (by the source's node and by the destination's, as
 * Calico does); one in ten leaves it and is reported by the source only. Written once per line
 * count, then reused.
 */
import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface GeneratedFlowLog {
  path: string;
  lines: number;
  bytes: number;
  reused: boolean;
}

const WINDOW_SECONDS = 300;
const START = 1_700_000_000;
const CLIENT_PODS = 5000;
const SERVER_PODS = 3000;
const NAMESPACES = 40;
const NODES = 50;

export async function ensureFlowLog(dir: string, lines: number): Promise<GeneratedFlowLog> {
  const path = join(dir, `calico-flows-${lines}.log`);
  if (existsSync(path)) return { path, lines, bytes: statSync(path).size, reused: true };
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  const flowsPerWindow = Math.max(1, Math.ceil(lines / 2 / 96));
  let written = 0;
  let batch: string[] = [];
  for (let flow = 0; written < lines; flow++) {
    const external = flow % 10 === 9;
    for (const reporter of external ? ['src'] : ['src', 'dst']) {
      if (written === lines) break;
      batch.push(JSON.stringify(flowLogLine(flow, reporter as 'src' | 'dst', external, Math.floor(flow / flowsPerWindow))));
      written++;
    }
    if (batch.length >= 10_000) {
      if (!out.write(`${batch.join('\n')}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      batch = [];
    }
  }
  if (batch.length > 0) out.write(`${batch.join('\n')}\n`);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  renameSync(partial, path);
  return { path, lines, bytes: statSync(path).size, reused: false };
}

function flowLogLine(flow: number, reporter: 'src' | 'dst', external: boolean, window: number): Record<string, unknown> {
  const client = flow % CLIENT_PODS;
  const server = (flow * 7) % SERVER_PODS;
  const start = START + window * WINDOW_SECONDS;
  const denied = flow % 23 === 0;
  const policy = denied ? `0|default|ns-${server % NAMESPACES}/default.default-deny|deny|-1` : `0|default|ns-${server % NAMESPACES}/default.allow-clients|allow|0`;
  const bytes = 400 + ((flow * 37) % 90_000);
  const toServer = Math.floor(bytes / 3);
  return {
    start_time: start,
    end_time: start + WINDOW_SECONDS,
    source_ip: `10.${(client >> 8) & 255}.${client & 255}.${1 + (client % 250)}`,
    source_name: `client-${client}-5d8f7c9b4-q2x7k`,
    source_name_aggr: `client-${client}-5d8f7c9b4-*`,
    source_namespace: `ns-${client % NAMESPACES}`,
    source_port: 32768 + (Math.floor(flow / CLIENT_PODS) % 28_000),
    source_type: 'wep',
    source_labels: { labels: ['pod-template-hash=5d8f7c9b4', `app=client-${client}`, 'tier=frontend'] },
    dest_ip: external ? `203.0.${(flow >> 8) & 255}.${flow & 255}` : `10.200.${(server >> 8) & 255}.${server & 255}`,
    dest_name: external ? '-' : `server-${server}-7c9d6f5b8-zx4mn`,
    dest_name_aggr: external ? 'pub' : `server-${server}-7c9d6f5b8-*`,
    dest_namespace: external ? '-' : `ns-${server % NAMESPACES}`,
    dest_service_namespace: external ? '-' : `ns-${server % NAMESPACES}`,
    dest_service_name: external ? '-' : `server-${server}`,
    dest_service_port: external ? '-' : 'http',
    dest_service_port_num: external ? null : 80,
    dest_port: external ? 443 : 8080,
    dest_type: external ? 'net' : 'wep',
    dest_labels: external ? null : { labels: ['pod-template-hash=7c9d6f5b8', `app=server-${server}`] },
    dest_domains: external ? [`api-${flow % 97}.example.com`] : null,
    proto: 'tcp',
    action: denied ? 'deny' : 'allow',
    reporter,
    policies: { all_policies: [policy], enforced_policies: [policy], pending_policies: [policy] },
    bytes_in: reporter === 'src' ? bytes - toServer : toServer,
    bytes_out: reporter === 'src' ? toServer : bytes - toServer,
    num_flows: 1,
    num_flows_started: 1,
    num_flows_completed: 1,
    packets_in: reporter === 'src' ? 6 : 5,
    packets_out: reporter === 'src' ? 5 : 6,
    http_requests_allowed_in: 0,
    http_requests_denied_in: 0,
    original_source_ips: null,
    num_original_source_ips: 0,
    host: `node-${reporter === 'src' ? client % NODES : server % NODES}`,
    '@timestamp': (start + WINDOW_SECONDS) * 1000,
  };
}
