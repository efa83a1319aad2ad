/**
 * Rule packs, inventories and their compiled form. A pack is one vendor document: every flow it
 * describes is one rule. An inventory binds the packs' endpoint names to real addresses. The
 * compiled form is flat rows the DuckDB classifier loads as a table and the in-memory matcher reads.
 */

/** Where something is in a YAML file (1-based line and column). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** One problem found in a rule pack, inventory or NetworkPolicy. */
export interface Diagnostic extends SourceLocation {
  message: string;
  hint: string;
}

/** A rule endpoint as written in a pack: `any`, a CIDR or address, a host name, or an endpoint name. */
export type EndpointRef =
  | { kind: 'any' }
  | { kind: 'cidr'; cidr: CidrBlock }
  | { kind: 'host'; host: string }
  | { kind: 'name'; name: string };

/** An IPv4 or IPv6 block as the unsigned-integer interval the store's `*_ip_num` columns compare with. */
export interface CidrBlock {
  /** As written, normalised (`10.0.0.0/8`, `fd00::/64`). */
  text: string;
  family: 4 | 6;
  prefix: number;
  start: bigint;
  end: bigint;
}

/** A Kubernetes label selector requirement (NetworkPolicy `matchExpressions`). */
export interface LabelExpression {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

/**
 * Pods by the identity flow logs carry: namespace name and pod labels. `namespace` null means any
 * namespace; a selector only matches a side that has a Kubernetes identity at all.
 */
export interface K8sSelector {
  namespace: string | null;
  labels: Record<string, string>;
  expressions: LabelExpression[];
}

/** What an endpoint name stands for: an inventory entry, or a pack's own default (e.g. IKS region IPs). */
export interface EndpointBinding {
  name: string;
  cidrs: CidrBlock[];
  /** Addresses carved out of `cidrs` (NetworkPolicy `ipBlock.except`). */
  except: CidrBlock[];
  k8s: K8sSelector[];
  /** Matched only through names evidence in the data (DNS answers, TLS SNI, flow-log metadata). */
  hosts: string[];
  description: string | null;
  location: SourceLocation;
}

/** A port spec as written: one port, an inclusive range, or a named param. */
export type PortSpec =
  | { kind: 'single'; port: number }
  | { kind: 'range'; lo: number; hi: number }
  | { kind: 'param'; param: string };

/** The ports of a rule: `any` port, or a list of specs. Port-less protocols (VRRP, IPEncap) have none. */
export type RulePorts = { kind: 'any' } | { kind: 'list'; specs: PortSpec[] } | { kind: 'none' };

export type Requirement =
  | { kind: 'required' }
  | { kind: 'optional' }
  | { kind: 'conditional'; condition: string };

export type Direction = 'one-way' | 'both-ways';

/** Security the document names for a flow; `none` where it says none is needed or allowed. */
export type Security = 'none' | 'tls' | 'tls-1.2' | 'mtls' | 'ssh' | 'jwt' | 'oauth2';

/** A protocol by name as rules write it; `any` is every protocol. */
export type ProtocolName = 'tcp' | 'udp' | 'sctp' | 'icmp' | 'icmpv6' | 'vrrp' | 'ipencap' | 'gre' | 'esp' | 'any';

/** Where in the document a rule comes from. */
export interface Citation {
  /** Heading, anchor or table caption. */
  section: string;
  /** 1-based row of a table. */
  row: number | null;
  /** Numbered step (`3`, `1.2`). */
  step: string | null;
  /** A bullet or definition term. */
  item: string | null;
}

export interface Rule {
  id: string;
  title: string;
  from: EndpointRef[];
  to: EndpointRef[];
  protocols: ProtocolName[];
  ports: RulePorts;
  direction: Direction;
  requirement: Requirement;
  security: Security[];
  citations: Citation[];
  /** Set when the document leaves the flow unclear: then the rule has ports only through params without defaults. */
  vague: string | null;
  notes: string | null;
  location: SourceLocation;
}

/** A port value: what a param default, an inventory param or `--param` gives. */
export type PortRange = { lo: number; hi: number };

export interface ParamDecl {
  name: string;
  /** Null: the document gives no value; a rule using it stays unbound until one is supplied. */
  defaultValue: PortRange[] | null;
  description: string;
  location: SourceLocation;
}

export interface DocumentRef {
  title: string;
  file: string;
  vendor: string | null;
  url: string | null;
}

export type PackSource = 'pack' | 'network-policy';

export interface RulePack {
  id: string;
  title: string;
  source: PackSource;
  document: DocumentRef;
  params: ParamDecl[];
  /** The pack's own endpoint bindings, used where the inventory does not bind the name. */
  endpoints: EndpointBinding[];
  rules: Rule[];
  file: string;
  /** Where the pack is named (`pack:`, or a NetworkPolicy's metadata.name). */
  location: SourceLocation;
}

export interface LoadedRules {
  packs: RulePack[];
  /** Every param any pack declares, by name (packs sharing a name must agree on its default). */
  params: Map<string, ParamDecl>;
  files: string[];
}

export interface Inventory {
  file: string;
  endpoints: EndpointBinding[];
  /** Raw values, resolved against the packs' declarations at compile time. */
  params: Map<string, { value: PortRange[]; location: SourceLocation }>;
}

export type CompiledSideKind = 'any' | 'cidr' | 'host' | 'k8s';

/**
 * One side of a compiled row. `cidr` sides are address intervals (not always CIDR-aligned: a more
 * specific inventory CIDR or an `except` is carved out), compared with the store's `*_ip_num`.
 */
export interface CompiledSide {
  endpoint: string;
  kind: CompiledSideKind;
  /** Where the binding comes from: the rule itself, the pack's own endpoint data, or the inventory. */
  origin: 'rule' | 'pack' | 'inventory';
  family: 4 | 6 | null;
  lo: bigint | null;
  hi: bigint | null;
  host: string | null;
  namespace: string | null;
  labels: Record<string, string> | null;
  expressions: LabelExpression[] | null;
}

/**
 * One row per rule × direction × endpoint binding × protocol × port range. `forward` rows have the
 * rule's `from` as client; `both-ways` rules add `reverse` rows. Null proto: any protocol; null
 * ports: any port (or a port-less protocol).
 */
export interface CompiledRow {
  flow: string;
  direction: 'forward' | 'reverse';
  client: CompiledSide;
  server: CompiledSide;
  proto: number | null;
  port_lo: number | null;
  port_hi: number | null;
}

/** One per rule: what reports list as a documented flow, and why it has no rows when it has none. */
export interface CompiledFlow {
  flow: string;
  pack: string;
  rule: Rule;
  document: DocumentRef;
  /** Resolved ports as text (`443`, `20000-32767`); empty for any port, port-less protocols or no value. */
  ports: string[];
  /** Whether the flow has rows, i.e. can match a connection at all. */
  bound: boolean;
  /** What keeps (part of) the rule from matching: a param without a value, an endpoint name nothing binds. */
  unresolved: string[];
}

/**
 * An inventory endpoint's Kubernetes selector. A connection side whose identity matches one belongs
 * to that endpoint: its address then counts for no other inventory endpoint (identity beats address).
 */
export interface CompiledIdentity {
  endpoint: string;
  namespace: string | null;
  labels: Record<string, string>;
  expressions: LabelExpression[];
}

export interface CompiledRules {
  rows: CompiledRow[];
  flows: CompiledFlow[];
  identities: CompiledIdentity[];
}
