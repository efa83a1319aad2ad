/**
 * Calico Enterprise / Calico Cloud flows.log into the staging table with DuckDB's `read_json` and
 * an explicit column list: every field of Calico's flow-log data types, so nothing is guessed from
 * a sample.
 */
import { protocolNumberSql } from './protocols.js';
import { STAGE } from './stage.js';

/**
 * Calico's flow-log fields and the types they are read as. Lists and objects are read as JSON
 * text: cheaper for DuckDB than building lists, and label sets and policies are normalised once
 * per distinct value later. Ports are read as text so that a bad value is told apart from an
 * aggregated (null) one.
 */
const TCP_STATS = [
  'mean_send_congestion_window', 'min_send_congestion_window', 'mean_smooth_rtt', 'max_smooth_rtt', 'mean_min_rtt',
  'max_min_rtt', 'mean_mss', 'min_mss', 'total_retransmissions', 'lost_packets', 'unrecovered_to',
];

const FLOW_LOG_FIELDS: Readonly<Record<string, string>> = {
  start_time: 'BIGINT',
  end_time: 'BIGINT',
  host: 'VARCHAR',
  action: 'VARCHAR',
  reporter: 'VARCHAR',
  proto: 'VARCHAR',
  bytes_in: 'BIGINT',
  bytes_out: 'BIGINT',
  packets_in: 'BIGINT',
  packets_out: 'BIGINT',
  source_ip: 'VARCHAR',
  source_name: 'VARCHAR',
  source_name_aggr: 'VARCHAR',
  source_namespace: 'VARCHAR',
  source_port: 'VARCHAR',
  source_type: 'VARCHAR',
  source_labels: 'JSON',
  dest_ip: 'VARCHAR',
  dest_name: 'VARCHAR',
  dest_name_aggr: 'VARCHAR',
  dest_namespace: 'VARCHAR',
  dest_port: 'VARCHAR',
  dest_type: 'VARCHAR',
  dest_labels: 'JSON',
  dest_service_namespace: 'VARCHAR',
  dest_service_name: 'VARCHAR',
  dest_service_port: 'VARCHAR',
  dest_service_port_num: 'BIGINT',
  dest_domains: 'JSON',
  policies: 'JSON',
  num_flows: 'BIGINT',
  num_flows_started: 'BIGINT',
  num_flows_completed: 'BIGINT',
  http_requests_allowed_in: 'BIGINT',
  http_requests_denied_in: 'BIGINT',
  process_name: 'VARCHAR',
  process_id: 'VARCHAR',
  process_args: 'JSON',
  num_process_names: 'BIGINT',
  num_process_ids: 'BIGINT',
  num_process_args: 'BIGINT',
  original_source_ips: 'JSON',
  num_original_source_ips: 'BIGINT',
  nat_outgoing_ports: 'JSON',
  ...Object.fromEntries(TCP_STATS.map((t) => [`tcp_${t}`, 'BIGINT'])),
};

const READ_COLUMNS = `{${Object.entries(FLOW_LOG_FIELDS).map(([name, type]) => `'${name}': '${type}'`).join(', ')}}`;

/** The longest line read (DuckDB allots buffers of this size per reading thread); longer lines are rejected. */
const MAX_OBJECT_BYTES = 16 * 1024 * 1024;

/**
 * The reporter's view (ReporterView in stage.ts) of a flows.log record, as JSON text with only the
 * groups the record has: it is stored once or twice per connection, and most deployments enable
 * neither process information nor TCP statistics.
 */
const VIEW = `CAST('{' || concat_ws(',',
  '"host":' || to_json(host),
  CASE WHEN calico_text(dest_service_name) IS NOT NULL THEN '"dest_service":' || to_json({'namespace': calico_text(dest_service_namespace),
    'name': dest_service_name, 'port': calico_text(dest_service_port), 'port_num': dest_service_port_num}) END,
  CASE WHEN num_flows_started IS NOT NULL OR num_flows_completed IS NOT NULL
    THEN '"flows":' || to_json({'started': num_flows_started, 'completed': num_flows_completed}) END,
  CASE WHEN http_requests_allowed_in > 0 OR http_requests_denied_in > 0
    THEN '"http_requests":' || to_json({'allowed_in': http_requests_allowed_in, 'denied_in': http_requests_denied_in}) END,
  CASE WHEN calico_text(process_name) IS NOT NULL THEN '"process":' || to_json({'name': process_name, 'id': calico_text(process_id),
    'args': process_args, 'num_names': num_process_names, 'num_ids': num_process_ids, 'num_args': num_process_args}) END,
  CASE WHEN ${TCP_STATS.map((t) => `tcp_${t} IS NOT NULL`).join(' OR ')}
    THEN '"tcp":' || to_json({${TCP_STATS.map((t) => `'${t}': tcp_${t}`).join(', ')}}) END,
  CASE WHEN json_array_length(nat_outgoing_ports) > 0 THEN '"nat_outgoing_ports":' || nat_outgoing_ports END,
  CASE WHEN json_array_length(original_source_ips) > 0 THEN '"original_source_ips":' || original_source_ips END,
  CASE WHEN num_original_source_ips > 0 THEN '"num_original_source_ips":' || num_original_source_ips END
) || '}' AS JSON)`;

/** A port given as text: NULL when absent or aggregated, the number when valid, -1 when not a port. */
const port = (field: string): string =>
  `CASE WHEN calico_text(${field}) IS NULL THEN NULL ELSE coalesce(CASE WHEN TRY_CAST(${field} AS INTEGER) BETWEEN 0 AND 65535 THEN TRY_CAST(${field} AS INTEGER) END, -1) END`;

/** The endpoint's name: the pod (or host endpoint) name, else its aggregate ('nginx-86c57db685-*', 'pub', 'pvt'). */
const endpointName = (side: 'source' | 'dest'): string => `coalesce(calico_text(${side}_name), calico_text(${side}_name_aggr))`;

/**
 * The staging insert: `$1` is the file, `$2` DuckDB's compression name. Rows that cannot be used keep
 * a `problem`; the checks that need more than the record itself (addresses, strict JSON) come later.
 */
export const STAGE_FLOW_LOG_SQL = `
INSERT INTO ${STAGE} BY NAME
SELECT start_time AS start_s, end_time AS end_s, proto_num AS proto, reporter, action,
  calico_text(source_ip) AS src_ip, CASE WHEN src_port >= 0 THEN src_port END AS src_port,
  calico_text(source_namespace) AS src_namespace, ${endpointName('source')} AS src_name,
  source_labels AS src_labels, calico_text(source_type) AS src_type,
  calico_text(dest_ip) AS dst_ip, CASE WHEN dst_port >= 0 THEN dst_port END AS dst_port,
  calico_text(dest_namespace) AS dst_namespace, ${endpointName('dest')} AS dst_name,
  dest_labels AS dst_labels, calico_text(dest_type) AS dst_type,
  dest_domains AS dst_domains,
  coalesce(bytes_in, 0) AS bytes_in, coalesce(bytes_out, 0) AS bytes_out,
  coalesce(packets_in, 0) AS packets_in, coalesce(packets_out, 0) AS packets_out, coalesce(num_flows, 1) AS num_flows,
  policies,
  CASE WHEN problem IS NULL THEN ${VIEW} END AS view,
  problem,
  CASE problem
    WHEN 'bad_time' THEN format('start_time={} end_time={}', start_time, end_time)
    WHEN 'bad_action' THEN format('action={}', to_json(action))
    WHEN 'bad_reporter' THEN format('reporter={}', to_json(reporter))
    WHEN 'bad_proto' THEN format('proto={}', to_json(proto))
    WHEN 'bad_port' THEN format('source_port={} dest_port={}', to_json(source_port), to_json(dest_port))
  END AS problem_detail
FROM (
  SELECT *,
    CASE
      WHEN start_time IS NULL AND end_time IS NULL AND action IS NULL AND reporter IS NULL AND proto IS NULL THEN 'malformed_json'
      WHEN start_time IS NULL OR end_time IS NULL OR end_time < start_time THEN 'bad_time'
      WHEN action IS NULL OR action NOT IN ('allow', 'deny') THEN 'bad_action'
      WHEN reporter IS NULL OR reporter NOT IN ('src', 'dst') THEN 'bad_reporter'
      WHEN proto_num IS NULL THEN 'bad_proto'
      WHEN src_port = -1 OR dst_port = -1 THEN 'bad_port'
    END AS problem
  FROM (
    SELECT *, ${protocolNumberSql('proto')} AS proto_num,
      ${port('source_port')} AS src_port, ${port('dest_port')} AS dst_port
    FROM read_json($1, format = 'newline_delimited', columns = ${READ_COLUMNS}, ignore_errors = true,
      compression = $2, maximum_object_size = ${MAX_OBJECT_BYTES})
  )
)`;
