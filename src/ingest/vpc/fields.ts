/**
 * The VPC and Transit Gateway flow-log field catalogue (versions 2 to 8), and the field list of one
 * input: from its header line, from --log-format, or the default version 2 format.
 *
 * Each field has a storage type chosen so that DuckDB's CSV reader itself rejects a value out of
 * range (a port above 65535, a negative byte count, an action other than ACCEPT or REJECT) with
 * the line number; and a role saying where
 * it ends up: a connections column, the details JSON, or a counter summed into the details JSON.
 */
import { ConfigError } from '../../errors.js';

export type FieldType =
  | 'text'
  | 'port'
  | 'protocol'
  | 'count'
  | 'unix_seconds'
  | 'tcp_flags'
  | 'traffic_path'
  | 'action'
  | 'log_status'
  | 'flow_direction';

/** core: read by the pairing itself or stored in its own column; detail/counter: kept in `details`. */
export type FieldRole = 'core' | 'detail' | 'counter';

export interface FieldSpec {
  type: FieldType;
  role: FieldRole;
}

const core = (type: FieldType = 'text'): FieldSpec => ({ type, role: 'core' });
const detail: FieldSpec = { type: 'text', role: 'detail' };
const counter: FieldSpec = { type: 'count', role: 'counter' };

/** Every field AWS documents for VPC flow logs (v2-v8) and Transit Gateway flow logs. */
export const FIELD_CATALOGUE: ReadonlyMap<string, FieldSpec> = new Map<string, FieldSpec>([
  // version 2: the default format
  ['version', core()],
  ['account-id', core()],
  ['interface-id', core()],
  ['srcaddr', core()],
  ['dstaddr', core()],
  ['srcport', core('port')],
  ['dstport', core('port')],
  ['protocol', core('protocol')],
  ['packets', core('count')],
  ['bytes', core('count')],
  ['start', core('unix_seconds')],
  ['end', core('unix_seconds')],
  ['action', core('action')],
  ['log-status', core('log_status')],
  // version 3
  ['vpc-id', core()],
  ['subnet-id', core()],
  ['instance-id', core()],
  ['tcp-flags', core('tcp_flags')],
  ['type', detail],
  ['pkt-srcaddr', core()],
  ['pkt-dstaddr', core()],
  // version 4
  ['region', core()],
  ['az-id', core()],
  ['sublocation-type', detail],
  ['sublocation-id', detail],
  // version 5
  ['pkt-src-aws-service', detail],
  ['pkt-dst-aws-service', detail],
  ['flow-direction', core('flow_direction')],
  ['traffic-path', core('traffic_path')],
  // version 7: ECS
  ['ecs-cluster-arn', detail],
  ['ecs-cluster-name', detail],
  ['ecs-container-instance-arn', detail],
  ['ecs-container-instance-id', detail],
  ['ecs-container-id', detail],
  ['ecs-second-container-id', detail],
  ['ecs-service-name', detail],
  ['ecs-task-definition-arn', detail],
  ['ecs-task-arn', detail],
  ['ecs-task-id', detail],
  // version 8
  ['reject-reason', detail],
  // Transit Gateway flow logs (version 6)
  ['resource-type', detail],
  ['tgw-id', detail],
  ['tgw-attachment-id', detail],
  ['tgw-src-vpc-account-id', detail],
  ['tgw-dst-vpc-account-id', detail],
  ['tgw-src-vpc-id', detail],
  ['tgw-dst-vpc-id', detail],
  ['tgw-src-subnet-id', detail],
  ['tgw-dst-subnet-id', detail],
  ['tgw-src-eni', detail],
  ['tgw-dst-eni', detail],
  ['tgw-src-az-id', detail],
  ['tgw-dst-az-id', detail],
  ['tgw-pair-attachment-id', detail],
  ['packets-lost-no-route', counter],
  ['packets-lost-blackhole', counter],
  ['packets-lost-mtu-exceeded', counter],
  ['packets-lost-ttl-expired', counter],
]);

/** The default format: version 2's 14 fields, in this order. */
export const DEFAULT_FORMAT: readonly string[] = [
  'version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport',
  'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status',
];

/** A field AWS may add later: kept as text in `details`. */
const UNKNOWN_FIELD: FieldSpec = detail;

const FIELD_NAME = /^[a-z][a-z0-9-]*$/;

export function fieldSpec(name: string): FieldSpec {
  return FIELD_CATALOGUE.get(name) ?? UNKNOWN_FIELD;
}

/** DuckDB type a field is read as. */
export function sqlType(type: FieldType): string {
  switch (type) {
    case 'text':
      return 'VARCHAR';
    case 'port':
      return 'USMALLINT';
    case 'protocol':
    case 'traffic_path':
      return 'UTINYINT';
    case 'count':
      return 'UBIGINT';
    case 'unix_seconds':
      return 'UINTEGER';
    case 'tcp_flags':
      return 'USMALLINT';
    case 'action':
      return "ENUM('ACCEPT', 'REJECT')";
    case 'log_status':
      return "ENUM('OK', 'NODATA', 'SKIPDATA')";
    case 'flow_direction':
      return "ENUM('ingress', 'egress')";
  }
}

/** The fields of one input, in record order. */
export class FieldList {
  private readonly set: ReadonlySet<string>;

  constructor(readonly names: readonly string[]) {
    this.set = new Set(names);
  }

  has(name: string): boolean {
    return this.set.has(name);
  }

  /** Fields of a role, in record order. */
  withRole(role: FieldRole): string[] {
    return this.names.filter((n) => fieldSpec(n).role === role);
  }

  /** The text AWS would write as the header line. */
  toString(): string {
    return this.names.join(' ');
  }

  /**
   * What keeps records of this format from becoming connections, or null. A format without
   * addresses has nothing to pair; one without times cannot place a connection (CloudWatch events
   * carry their own timestamp, so `eventTimes` relaxes the second rule).
   */
  missingEssentials(eventTimes: boolean): string | null {
    const missing: string[] = [];
    if (!this.has('srcaddr') && !this.has('pkt-srcaddr')) missing.push('${srcaddr}');
    if (!this.has('dstaddr') && !this.has('pkt-dstaddr')) missing.push('${dstaddr}');
    if (!eventTimes && !this.has('start') && !this.has('end')) missing.push('${start} or ${end}');
    return missing.length === 0 ? null : `the flow-log format has no ${missing.join(', ')}`;
  }
}

/** What the user should know about connections made from this format. */
export function formatWarnings(fields: FieldList): string[] {
  const warnings: string[] = [];
  if (!fields.has('protocol')) {
    warnings.push('the flow-log format has no ${protocol}: connections are stored with proto 0 and "protocol-unknown" in details');
  }
  if (!fields.has('srcport') || !fields.has('dstport')) warnings.push('the flow-log format has no ${srcport}/${dstport}: ports are left empty');
  return warnings;
}

/** Tokens of a header line, or null when the line is not one (every token a field name, most of them known). */
export function parseHeaderLine(line: string): FieldList | null {
  const tokens = line.replace(/^\uFEFF/, '').trim().split(/\s+/);
  if (!tokens.every((t) => FIELD_NAME.test(t))) return null;
  if (new Set(tokens).size !== tokens.length) return null;
  const known = tokens.filter((t) => FIELD_CATALOGUE.has(t)).length;
  if (known < 3 || known * 2 < tokens.length) return null;
  return new FieldList(tokens);
}

/** `--log-format`: AWS's own syntax (`${version} ${srcaddr} ...`) or bare names. */
export function parseLogFormat(format: string): FieldList {
  const tokens = format.trim().split(/\s+/).filter((t) => t !== '');
  const names = tokens.map((t) => t.replace(/^\$\{(.*)\}$/, '$1'));
  const bad = names.find((n) => !FIELD_NAME.test(n));
  if (names.length === 0 || bad !== undefined) {
    throw new ConfigError(
      `--log-format: '${bad ?? format}' is not a flow-log field`,
      "write the format as AWS shows it, e.g. '${version} ${account-id} ${interface-id} ${srcaddr} ...'",
    );
  }
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new ConfigError(`--log-format: field '${dup}' appears twice`, 'list each field once');
  return new FieldList(names);
}
