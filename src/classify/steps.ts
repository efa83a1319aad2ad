/**
 * The classifier is a list of generated SQL statements over the store's tables and the rule tables
 * (endpoint_bindings, selector_terms, address_segments, flow_rows, flow_status). Working tables are
 * TEMP tables named classify_*; the statements are plain joins, aggregates and integer arithmetic,
 * so the same list can be read, timed (bench/classify.ts) or ported to another engine.
 *
 * `classify` computes on staged copies of the rule tables, outside any transaction, then replaces
 * the documented tables in one transaction. DuckDB plans joins by table sizes, and tables written
 * inside an open transaction report none: computed there, two address tables of 100,000 rows look
 * empty and get cross-joined. Staged and committed, every working table has its real size.
 */

export interface SqlStep {
  /** What the step computes (also its timing label). */
  name: string;
  sql: string;
}

/** What the data holds that changes the SQL: parts with nothing to work on are left out. */
export interface DataShape {
  /** Some connection side carries a Kubernetes identity (a namespace). */
  identities: boolean;
  /** The gaps table has rows. */
  gaps: boolean;
  /** Some endpoint is bound by host name and the names table has rows. */
  hosts: boolean;
}

/** Where the steps read the rule tables from (and write flow_status's status columns). */
export interface RuleTableNames {
  bindings: string;
  terms: string;
  segments: string;
  flowRows: string;
  flowStatus: string;
}

/** The documented tables themselves: the steps as one would run them on another engine. */
export const DOCUMENTED_TABLES: RuleTableNames = {
  bindings: 'endpoint_bindings',
  terms: 'selector_terms',
  segments: 'address_segments',
  flowRows: 'flow_rows',
  flowStatus: 'flow_status',
};

/** The staged copies classify computes on. */
export const STAGED_TABLES: RuleTableNames = {
  bindings: 'classify_endpoint_bindings',
  terms: 'classify_selector_terms',
  segments: 'classify_address_segments',
  flowRows: 'classify_flow_rows',
  flowStatus: 'classify_flow_status',
};

/** The temp tables the steps create, dropped when classification ends. */
export const TEMP_TABLES: readonly string[] = [
  ...Object.values(STAGED_TABLES),
  'classify_seg_ep',
  'classify_addr_seg',
  'classify_addr_hosts',
  'classify_units',
  'classify_class_ep',
  'classify_addr',
  'classify_ident',
  'classify_ident_labels',
  'classify_ident_bindings',
  'classify_ident_class',
  'classify_ident_class_bindings',
  'classify_ports',
  'classify_port_ranges',
  'classify_sizes',
  'classify_gapped',
  'classify_keys',
  'classify_side_ep',
  'classify_side_name',
  'classify_key_flows',
  'classify_key_verdicts',
];
