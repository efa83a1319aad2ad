/**
 * Pairing, in SQL: flow-log records (one direction seen on one interface) become connections.
 *
 * Step 1 (`observedSql`) groups records by endpoint pair and recording interface: what each
 * interface saw, both directions. Step 2 (`insertConnectionsSql`) merges the interfaces of one
 * endpoint pair. The same packets cross the client's and the server's interface, so each
 * direction's counters come from the interface that saw the most of it, never a sum over
 * interfaces. Then the client is decided by evidence, in order:
 *
 *  1. tcp-flags: the direction with SYN (2) and no ACK is the client's, the one with SYN-ACK (18) the server's;
 *  2. flow-direction: only one direction was recorded, by an interface that says which side it
 *     owns: its sender got no answer (rejected, or not answered), so the sender started it;
 *  3. port-heuristic: a well-known port (< 1024) or else a registered one (< 32768) is the
 *     server's when the other is not; two registered ports: the lower is the server's;
 *  4. first-packet: the direction whose first record started earlier (or the only direction recorded);
 *  5. unknown: nothing decides; endpoint a (first in the pairing's own order) is called the client.
 *
 * A flow log carries no connection identity, so all records of one endpoint pair in one input
 * make one connection (a client port reused within the same input merges).
 */
import type { FieldList } from './fields.js';
import { BIT } from './records.js';
import { ident, literal } from './sql.js';

/** Catalogue fields that describe the recording interface; each has its connections column. */
const INTERFACE_FIELDS: readonly string[] = ['interface-id', 'vpc-id', 'subnet-id', 'instance-id', 'account-id', 'region', 'az-id', 'traffic-path'];

const hasServiceNames = (fields: FieldList) => fields.has('pkt-src-aws-service') || fields.has('pkt-dst-aws-service');
const hasInterfaceAddress = (fields: FieldList) => ['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr'].every((f) => fields.has(f));

/**
 * The recording interface is `observer`: interface-id, else tgw-attachment-id (Transit Gateway
 * logs), else the ENI a CloudWatch log stream is named after. Without tgw-attachment-id in the
 * format it is the network interface itself, and interface_id need not be kept apart.
 */
const interfaceIsObserver = (fields: FieldList) => !fields.has('tgw-attachment-id');

/** Per-interface fields kept by step 1. */
const keptInterfaceFields = (fields: FieldList) =>
  INTERFACE_FIELDS.filter((f) => fields.has(f) && !(f === 'interface-id' && interfaceIsObserver(fields)));

/** Step 1: SELECT over normalised records (see records.ts), one row per endpoint pair and interface, or per gap window. */
export function observedSql(fields: FieldList, normalized: string): string {
  const perInterface = keptInterfaceFields(fields).map((f) =>
    // traffic-path is only written on egress records: max() skips the others' NULL.
    f === 'traffic-path' ? `max(${ident(f)}) AS ${ident(f)}` : `any_value(${ident(f)}) AS ${ident(f)}`,
  );
  const details = fields.withRole('detail').map((f) => `any_value(${ident(f)}) AS ${ident(f)}`);
  const counters = fields.withRole('counter').map((f) => `sum(${ident(f)}) AS ${ident(f)}`);
  const extra = [...perInterface, ...details, ...counters];
  if (hasInterfaceAddress(fields)) extra.push('any_value(interface_address) AS interface_address');
  if (hasServiceNames(fields)) {
    const service = (dir: 'src' | 'dst') => (fields.has(`pkt-${dir}-aws-service`) ? ident(`pkt-${dir}-aws-service`) : 'NULL');
    extra.push(`any_value(CASE WHEN fwd THEN ${service('src')} ELSE ${service('dst')} END) AS a_service`);
    extra.push(`any_value(CASE WHEN fwd THEN ${service('dst')} ELSE ${service('src')} END) AS b_service`);
  }
  return `
    SELECT kind, proto, a_hash, a_port, b_hash, b_port, hash(observer) AS observer_hash, CASE WHEN kind <> 0 THEN t_first END AS gap_start,
      any_value(a_ip) AS a_ip, any_value(b_ip) AS b_ip, any_value(observer) AS observer, count(*) AS records,
      sum(CASE WHEN fwd THEN packets END) AS f_packets, sum(CASE WHEN fwd THEN bytes END) AS f_bytes,
      sum(CASE WHEN fwd THEN NULL ELSE packets END) AS r_packets, sum(CASE WHEN fwd THEN NULL ELSE bytes END) AS r_bytes,
      min(CASE WHEN fwd THEN t_first END) AS f_first, min(CASE WHEN fwd THEN NULL ELSE t_first END) AS r_first,
      min(t_first) AS t_first, max(t_last) AS t_last, bit_or(bits) AS bits
      ${extra.map((e) => `, ${e}`).join('')}
    FROM (${normalized})
    GROUP BY kind, proto, a_hash, a_port, b_hash, b_port, observer_hash, gap_start`;
}

/** The struct of what one interface recorded that the connection row keeps (interface columns, details). */
function interfaceStruct(fields: FieldList): string {
  const members = ['observer', ...keptInterfaceFields(fields), ...fields.withRole('detail')];
  if (hasInterfaceAddress(fields)) members.push('interface_address');
  return `{${members.map((m) => `${literal(m)}: ${ident(m)}`).join(', ')}}`;
}

/**
 * The details JSON of a connection: the chosen interface's extra fields, counters summed over
 * interfaces; null values left out, NULL when nothing is left.
 */
function detailsSql(fields: FieldList): string {
  const unknownProtocol = `CASE WHEN proto IS NULL THEN '{"protocol-unknown":true}'::JSON END`;
  if (fields.withRole('detail').length + fields.withRole('counter').length === 0 && !hasInterfaceAddress(fields)) return unknownProtocol;
  const entries = fields.withRole('detail').map((f) => `{'k': ${literal(f)}, 'v': to_json(meta.${ident(f)})}`);
  entries.push(...fields.withRole('counter').map((f) => `{'k': ${literal(f)}, 'v': to_json(${ident(f)})}`));
  // Where pkt-srcaddr/pkt-dstaddr differ, srcaddr/dstaddr name the interface itself (NAT gateway, secondary IPs).
  if (hasInterfaceAddress(fields)) entries.push(`{'k': 'interface-address', 'v': to_json(meta.interface_address)}`);
  entries.push(`{'k': 'protocol-unknown', 'v': CASE WHEN proto IS NULL THEN to_json(true) END}`);
  return `nullif(to_json(map_from_entries(list_filter([${entries.join(', ')}], e -> e.v IS NOT NULL AND e.v::VARCHAR <> 'null'))), '{}'::JSON)`;
}

const has = (bit: number) => `(bits & ${bit} <> 0)`;
const portRank = (p: string) => `CASE WHEN ${p} < 1024 THEN 0 WHEN ${p} < 32768 THEN 1 ELSE 2 END`;

/** The evidence that decides the client, per endpoint pair (see the module comment for the order). */
const EVIDENCE_SQL = `CASE
    WHEN proto = 6 AND tcp_client_a <> tcp_client_b THEN 'tcp-flags'
    WHEN ${has(BIT.ownsA | BIT.ownsB)} AND one_way THEN 'flow-direction'
    WHEN a_port IS NOT NULL AND b_port IS NOT NULL AND a_port <> b_port
      AND NOT (${portRank('a_port')} = 2 AND ${portRank('b_port')} = 2) THEN 'port-heuristic'
    WHEN one_way OR f_first <> r_first THEN 'first-packet'
    ELSE 'unknown' END`;

const CLIENT_IS_A_SQL = `CASE evidence
    WHEN 'tcp-flags' THEN tcp_client_a
    WHEN 'flow-direction' THEN ${has(BIT.fwdSeen)}
    WHEN 'port-heuristic' THEN ${portRank('a_port')} > ${portRank('b_port')}
      OR (${portRank('a_port')} = ${portRank('b_port')} AND a_port > b_port)
    WHEN 'first-packet' THEN f_first IS NOT NULL AND (r_first IS NULL OR f_first < r_first)
    ELSE true END`;

const actionOf = (accept: number, reject: number) => `CASE WHEN ${has(accept)} THEN 'ACCEPT' WHEN ${has(reject)} THEN 'REJECT' END`;

/** The connections columns vpc_pairs holds, in order (all but id and source_id). */
const PAIR_COLUMNS = `first_seen, last_seen, proto, ip_family, client_ip, client_ip_num, client_port,
  server_ip, server_ip_num, server_port, client_packets, client_bytes, server_packets, server_bytes,
  action, client_action, server_action, initiator_evidence, num_flows,
  interface_id, vpc_id, subnet_id, instance_id, account_id, region, az_id, flow_direction, traffic_path, details`;

/** Step 2: CREATE the `vpc_pairs` table, one connection per row, from `vpc_observed` and `vpc_addr`. */
export function createPairsSql(fields: FieldList): string {
  const struct = interfaceStruct(fields);
  const byOwner = fields.has('flow-direction');
  const ownerAggregates = byOwner
    ? `, arg_min(${struct}, coalesce(observer, '')) FILTER (${has(BIT.ownsA)}) AS meta_a,
         arg_min(${struct}, coalesce(observer, '')) FILTER (${has(BIT.ownsB)}) AS meta_b`
    : '';
  // The client's own interface describes the connection best; then the server's; then any.
  const chosenMeta = byOwner
    ? `coalesce(CASE WHEN client_is_a THEN meta_a ELSE meta_b END, CASE WHEN client_is_a THEN meta_b ELSE meta_a END, meta_any)`
    : 'meta_any';
  const flowDirection = byOwner
    ? `CASE WHEN (CASE WHEN client_is_a THEN meta_a ELSE meta_b END) IS NOT NULL THEN 'egress'
        WHEN (CASE WHEN client_is_a THEN meta_b ELSE meta_a END) IS NOT NULL THEN 'ingress' END`
    : 'NULL';
  const counters = fields.withRole('counter').map((f) => `, sum(${ident(f)}) AS ${ident(f)}`).join('');
  const column = (f: string) =>
    f === 'interface-id' && interfaceIsObserver(fields) ? 'meta.observer' : fields.has(f) ? `meta.${ident(f)}` : 'NULL';
  const side = (aExpr: string, bExpr: string, client: boolean) =>
    client ? `CASE WHEN client_is_a THEN ${aExpr} ELSE ${bExpr} END` : `CASE WHEN client_is_a THEN ${bExpr} ELSE ${aExpr} END`;
  return `
    CREATE OR REPLACE TEMP TABLE vpc_pairs (${PAIR_COLUMNS}) AS
    WITH pairs AS (
      SELECT proto, a_hash, a_port, b_hash, b_port,
        max(f_packets) AS f_packets, max(f_bytes) AS f_bytes, max(r_packets) AS r_packets, max(r_bytes) AS r_bytes,
        min(f_first) AS f_first, min(r_first) AS r_first, min(t_first) AS t_first, max(t_last) AS t_last,
        bit_or(bits) AS bits, arg_min(${struct}, coalesce(observer, '')) AS meta_any ${ownerAggregates} ${counters}
      FROM vpc_observed WHERE kind = 0
      GROUP BY proto, a_hash, a_port, b_hash, b_port
    ), evidence AS (
      SELECT *, ${EVIDENCE_SQL} AS evidence FROM (
        SELECT *,
          (${has(BIT.fwdSyn)} AND NOT ${has(BIT.fwdSynAck)}) OR (${has(BIT.revSynAck)} AND NOT ${has(BIT.revSyn)}) AS tcp_client_a,
          (${has(BIT.revSyn)} AND NOT ${has(BIT.revSynAck)}) OR (${has(BIT.fwdSynAck)} AND NOT ${has(BIT.fwdSyn)}) AS tcp_client_b,
          ${has(BIT.fwdSeen)} <> ${has(BIT.revSeen)} AS one_way
        FROM pairs)
    ), decided AS (
      SELECT *, ${chosenMeta} AS meta, ${flowDirection} AS flow_direction FROM (
        SELECT *, ${CLIENT_IS_A_SQL} AS client_is_a FROM evidence)
    )
    SELECT make_timestamp(t_first::BIGINT * 1000000), make_timestamp(t_last::BIGINT * 1000000),
      coalesce(proto, 0), c.family, c.canonical, c.num, ${side('a_port', 'b_port', true)},
      s.canonical, s.num, ${side('a_port', 'b_port', false)},
      coalesce(${side('f_packets', 'r_packets', true)}, 0), coalesce(${side('f_bytes', 'r_bytes', true)}, 0),
      coalesce(${side('f_packets', 'r_packets', false)}, 0), coalesce(${side('f_bytes', 'r_bytes', false)}, 0),
      CASE WHEN ${has(BIT.fwdAccept | BIT.revAccept)} THEN 'ACCEPT' WHEN ${has(BIT.fwdReject | BIT.revReject)} THEN 'REJECT' END,
      ${side(actionOf(BIT.fwdAccept, BIT.fwdReject), actionOf(BIT.revAccept, BIT.revReject), true)},
      ${side(actionOf(BIT.fwdAccept, BIT.fwdReject), actionOf(BIT.revAccept, BIT.revReject), false)},
      evidence, 1,
      ${column('interface-id')}, ${column('vpc-id')}, ${column('subnet-id')}, ${column('instance-id')},
      ${column('account-id')}, ${column('region')}, ${column('az-id')}, flow_direction, ${column('traffic-path')},
      ${detailsSql(fields)}
    FROM decided
    JOIN vpc_addr c ON c.addr_hash = ${side('a_hash', 'b_hash', true)}
    JOIN vpc_addr s ON s.addr_hash = ${side('a_hash', 'b_hash', false)}`;
}

/**
 * Step 3: vpc_pairs into connections with ids from `firstId`. The ids come from the table's dense
 * rowid: numbering with row_number() would make the whole insert single-threaded.
 */
export function insertConnectionsSql(sourceId: number, firstId: number): string {
  return `INSERT INTO connections (id, source_id, ${PAIR_COLUMNS}) SELECT ${firstId} + rowid, ${sourceId}, * FROM vpc_pairs`;
}

/** NODATA and SKIPDATA windows: where the log could not see. */
export function insertGapsSql(sourceId: number): string {
  return `
    INSERT INTO gaps (source_id, kind, interface_id, start_time, end_time, byte_offset, detail)
    SELECT ${sourceId}, CASE kind WHEN 1 THEN 'nodata' ELSE 'skipdata' END, observer,
      make_timestamp(t_first::BIGINT * 1000000), make_timestamp(t_last::BIGINT * 1000000), NULL,
      CASE WHEN records > 1 THEN records || ' records' END
    FROM vpc_observed WHERE kind <> 0`;
}

/** pkt-src-aws-service / pkt-dst-aws-service name the AWS service behind an address. */
export function insertNamesSql(fields: FieldList, sourceId: number): string | null {
  if (!hasServiceNames(fields)) return null;
  return `
    INSERT INTO names (source_id, address, name, evidence, first_seen, last_seen, connection_id, suspicious, times_seen)
    SELECT ${sourceId}, m.canonical, service, 'flowlog', make_timestamp(min(t_first)::BIGINT * 1000000),
      make_timestamp(max(t_last)::BIGINT * 1000000), NULL, NOT regexp_full_match(service, '[A-Z0-9_]{1,64}'), sum(records)
    FROM (
      SELECT a_ip AS ip, a_service AS service, t_first, t_last, records FROM vpc_observed WHERE kind = 0 AND a_service IS NOT NULL
      UNION ALL
      SELECT b_ip, b_service, t_first, t_last, records FROM vpc_observed WHERE kind = 0 AND b_service IS NOT NULL
    ) JOIN vpc_addr m ON m.addr = ip
    GROUP BY m.canonical, service`;
}
