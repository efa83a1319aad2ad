/**
 * Versioned schema migrations. Each entry runs once, in order, inside one transaction, and is
 * recorded in `schema_migrations`. Never edit a released migration: add a new one.
 *
 * Every column is documented here where it is defined and again in the README (the DuckDB file is
 * a user-facing interface). Timestamps are TIMESTAMP (UTC, microsecond precision).
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sources, connections, names, rejects, gaps, anomalies',
    sql: `
-- One row per input: a capture file, a flow-log file, or a CloudWatch log group and time window.
CREATE TABLE sources (
  id               INTEGER PRIMARY KEY,  -- referenced by every other table's source_id
  path             VARCHAR NOT NULL,     -- file path as given ('-' for stdin), or 'cloudwatch:GROUP'
  kind             VARCHAR NOT NULL,     -- pcap | pcapng | vpc | vpc-parquet | cloudwatch | calico | hubble ...
  format_detail    VARCHAR,              -- e.g. 'gzip', linktypes, flow-log field list
  size_bytes       BIGINT,               -- bytes read as stored (compressed size for .gz)
  sha256           VARCHAR,              -- of the bytes as stored; re-ingesting the same sha256 is a no-op
  records_read     BIGINT NOT NULL,      -- packets or log records read
  records_used     BIGINT NOT NULL,      -- records that went into connections (or were counted as non-IP frames)
  records_rejected BIGINT NOT NULL,      -- records that could not be used; each is counted in rejects
  non_ip_records   BIGINT NOT NULL,      -- captured frames without IP (ARP, STP, LLC): used, but in no connection
  connections      BIGINT NOT NULL,      -- rows this input added to connections
  first_seen       TIMESTAMP,            -- earliest record timestamp
  last_seen        TIMESTAMP,            -- latest record timestamp
  ingested_at      TIMESTAMP NOT NULL,   -- when the ingest committed
  options          VARCHAR               -- the ingest options that shaped the result (JSON text)
);

-- One row per observed connection, whatever the source. The client is the side that started it.
CREATE TABLE connections (
  id                  BIGINT PRIMARY KEY,
  source_id           INTEGER NOT NULL,   -- sources.id
  first_seen          TIMESTAMP NOT NULL, -- first packet or flow-log window start
  last_seen           TIMESTAMP NOT NULL, -- last packet or flow-log window end
  proto               SMALLINT NOT NULL,  -- IANA protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6, 132 sctp, ...)
  ip_family           TINYINT NOT NULL,   -- 4 or 6
  client_ip           VARCHAR NOT NULL,   -- canonical text (IPv4 dotted quad; IPv6 RFC 5952)
  client_ip_num       UHUGEINT NOT NULL,  -- the address as an unsigned integer (IPv4: 0..2^32-1), for CIDR matching
  client_port         INTEGER,            -- NULL for port-less protocols; ICMP: the type
  server_ip           VARCHAR NOT NULL,
  server_ip_num       UHUGEINT NOT NULL,
  server_port         INTEGER,            -- NULL for port-less protocols; ICMP: the code
  client_packets      BIGINT NOT NULL,    -- packets sent by the client
  client_bytes        BIGINT NOT NULL,    -- IP bytes sent by the client (flow logs: as the log reports)
  server_packets      BIGINT NOT NULL,
  server_bytes        BIGINT NOT NULL,
  state               VARCHAR,            -- Zeek conn_state (S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH); NULL for flow logs
  history             VARCHAR,            -- Zeek-style history letters (upper case: client, lower case: server)
  action              VARCHAR,            -- flow logs: ACCEPT/REJECT (VPC), allow/deny (Calico); NULL for captures
  client_action       VARCHAR,            -- flow logs: the action recorded on the client-to-server direction
  server_action       VARCHAR,            -- flow logs: the action recorded on the server-to-client direction
  initiator_evidence  VARCHAR NOT NULL,   -- how the client was decided: syn, syn-ack, icmp-type, tcp-flags, flow-direction, port-heuristic, first-packet, reporter
  encapsulation       VARCHAR,            -- vxlan | geneve | ipip | gre | erspan | 6in4; NULL when not tunnelled
  tunnel_id           BIGINT,             -- VXLAN/Geneve VNI or GRE key
  outer_connection_id BIGINT,             -- connections.id of the tunnel connection carrying this one
  vlan                INTEGER,            -- outer 802.1Q/802.1ad VLAN id
  num_flows           BIGINT NOT NULL DEFAULT 1, -- aggregated flow logs: connections this row stands for
  client_namespace    VARCHAR,            -- Kubernetes identity of each side, where the source has it
  client_name         VARCHAR,            -- pod or workload name (aggregated names keep their '*' suffix)
  client_labels       MAP(VARCHAR, VARCHAR),
  client_endpoint_type VARCHAR,           -- wep | hep | ns | net (Calico) or pod | host | world (Cilium)
  server_namespace    VARCHAR,
  server_name         VARCHAR,
  server_labels       MAP(VARCHAR, VARCHAR),
  server_endpoint_type VARCHAR,
  interface_id        VARCHAR,            -- VPC: network interface the records were captured on
  vpc_id              VARCHAR,
  subnet_id           VARCHAR,
  instance_id         VARCHAR,
  account_id          VARCHAR,            -- text: leading zeros matter
  region              VARCHAR,
  az_id               VARCHAR,
  flow_direction      VARCHAR,            -- VPC v5: ingress | egress (as seen by interface_id)
  traffic_path        INTEGER,            -- VPC v5: egress path code 1-8
  details             JSON                -- source-specific extras (ECS fields, policies, TGW fields, ...)
);

-- Address-to-name evidence found in the data (never a live lookup).
CREATE TABLE names (
  source_id     INTEGER NOT NULL,
  address       VARCHAR NOT NULL,   -- canonical text address the name pointed to
  name          VARCHAR NOT NULL,   -- stored verbatim, hostile or not
  evidence      VARCHAR NOT NULL,   -- dns | sni | flowlog | inventory
  first_seen    TIMESTAMP,
  last_seen     TIMESTAMP,
  connection_id BIGINT,             -- the connection that carried the evidence
  suspicious    BOOLEAN NOT NULL DEFAULT false, -- control bytes, markup or over-long: shown escaped, never trusted
  times_seen    BIGINT NOT NULL DEFAULT 1
);

-- Every input record that could not be used. records_read = records_used + records_rejected.
CREATE TABLE rejects (
  source_id   INTEGER NOT NULL,
  location    VARCHAR NOT NULL,   -- 'line N', 'frame N' (captures, numbered as Wireshark does), 'byte N' or 'event N'
  byte_offset BIGINT,
  line        BIGINT,
  reason      VARCHAR NOT NULL,   -- what was wrong, named (e.g. truncated_IP, bad_field_count)
  excerpt     VARCHAR,            -- a short, escaped excerpt of the record
  count       BIGINT NOT NULL DEFAULT 1 -- records this row stands for (rows past a per-reason cap are summed into one)
);

-- Where the data could not see: coverage holes that keep "never observed" honest.
CREATE TABLE gaps (
  source_id    INTEGER NOT NULL,
  kind         VARCHAR NOT NULL,  -- truncated_capture | nodata | skipdata | packets_lost | capture_drops
  interface_id VARCHAR,           -- flow-log interface or capture interface
  start_time   TIMESTAMP,         -- window the gap covers (truncated capture: from the last good packet on)
  end_time     TIMESTAMP,         -- NULL when open-ended
  byte_offset  BIGINT,            -- for captures: where the readable data stops
  detail       VARCHAR
);

-- Malformed traffic per input, by Zeek-style name. Counted, never fatal.
CREATE TABLE anomalies (
  source_id INTEGER NOT NULL,
  name      VARCHAR NOT NULL,
  count     BIGINT NOT NULL
);
`,
  },
  {
    version: 2,
    description: 'classification: classify_runs, endpoint_bindings, selector_terms, address_segments, flow_rows, address_classes, identity_classes, port_classes, match_verdicts, verdicts (view), flow_status',
    sql: `
-- One row per flowaudit classify run. The other classification tables hold the results of the
-- latest run only (the highest id): each run replaces them in one transaction.
CREATE TABLE classify_runs (
  id           INTEGER PRIMARY KEY,
  started_at   TIMESTAMP NOT NULL,
  finished_at  TIMESTAMP NOT NULL,
  inventory    VARCHAR NOT NULL,    -- inventory file as given
  rule_files   VARCHAR[] NOT NULL,  -- rule pack and NetworkPolicy files loaded
  packs        VARCHAR[] NOT NULL,  -- their pack ids
  params       JSON NOT NULL,       -- every declared param: {"NAME": {"value": "3000" | null, "source": "default" | "inventory" | "cli"}}
  connections  BIGINT NOT NULL,     -- connections classified (rows of connections)
  flows        INTEGER NOT NULL,    -- documented flows (rules) they were held against
  last_connection_id BIGINT,        -- the highest connections.id classified: connections ingested later have no verdict
  address_radix  BIGINT NOT NULL,   -- radixes of match_verdicts.match_key: highest address class + 1,
  identity_radix BIGINT NOT NULL,   -- highest identity class + 1,
  port_radix     BIGINT NOT NULL    -- highest port class + 2
);

-- What each endpoint of the rules stands for: one row per address interval, host name or pod selector.
CREATE TABLE endpoint_bindings (
  binding_id   INTEGER PRIMARY KEY,
  endpoint_key VARCHAR NOT NULL,  -- the endpoint as flow_rows names it: inventory:NAME, pack:PACK/NAME (the pack's own data), cidr:TEXT or host:NAME (written in a rule), any
  endpoint     VARCHAR NOT NULL,  -- the endpoint name, or the CIDR, host or 'any' a rule wrote
  origin       VARCHAR NOT NULL,  -- inventory | pack | rule
  kind         VARCHAR NOT NULL,  -- any | cidr | host | k8s
  family       TINYINT,           -- cidr: 4 or 6
  lo           UHUGEINT,          -- cidr: first address, as connections.*_ip_num. Inventory intervals are carved: an address in a longer prefix of another endpoint, or in an except block, is not in it
  hi           UHUGEINT,          -- cidr: last address
  host         VARCHAR,           -- host: lower-case name, or *.SUFFIX for any subdomain; matched through names evidence, never a live lookup
  namespace    VARCHAR,           -- k8s: the pod's namespace; NULL for any
  labels       JSON,              -- k8s: labels that must all be equal ({"key": "value"})
  expressions  JSON               -- k8s: NetworkPolicy matchExpressions ([{"key", "operator", "values"}])
);

-- The k8s bindings' selectors, one row per requirement: a label key: value is key In [value].
CREATE TABLE selector_terms (
  binding_id   INTEGER NOT NULL,    -- endpoint_bindings.binding_id (kind k8s); a selector without terms matches every pod of its namespace
  key          VARCHAR NOT NULL,    -- label key
  operator     VARCHAR NOT NULL,    -- In | NotIn | Exists | DoesNotExist
  label_values VARCHAR[] NOT NULL   -- In/NotIn: the values; [] otherwise
);

-- The address space cut into disjoint intervals, each held by one set of cidr bindings: an address
-- is placed with one ordered (ASOF) lookup. Addresses in no segment belong to no cidr binding.
CREATE TABLE address_segments (
  family   TINYINT NOT NULL,        -- 4 or 6
  lo       UHUGEINT NOT NULL,       -- first address
  hi       UHUGEINT NOT NULL,       -- last address
  bindings INTEGER[] NOT NULL       -- endpoint_bindings.binding_id of every cidr binding holding these addresses
);

-- The documented flows as the classifier joins them: one row per rule x direction x endpoint pair x
-- protocol x server port range.
CREATE TABLE flow_rows (
  flow            VARCHAR NOT NULL, -- <pack>/<rule id>
  direction       VARCHAR NOT NULL, -- forward: the rule's from is the client; reverse: its to (both-ways rules)
  proto           SMALLINT,         -- IANA number; NULL: any protocol
  port_lo         INTEGER,          -- server port range; NULL: any port (or a port-less protocol)
  port_hi         INTEGER,
  client_endpoint VARCHAR NOT NULL, -- endpoint_bindings.endpoint_key
  server_endpoint VARCHAR NOT NULL  -- endpoint_bindings.endpoint_key
);

-- The classes of every address in the classified connections: addresses in the same class belong to
-- the same endpoints (by address and by names evidence) and are alike to the rules.
CREATE TABLE address_classes (
  family   TINYINT NOT NULL,   -- 4 or 6
  ip_num   UHUGEINT NOT NULL,  -- as connections.*_ip_num
  addr_cls BIGINT NOT NULL     -- 0: no endpoint holds it; classes are numbered per run
);

-- The classes of the pod identities in the classified connections (empty when no source had any):
-- identities matching the same selectors are alike to the rules.
CREATE TABLE identity_classes (
  ident_key VARCHAR NOT NULL,  -- namespace, chr(31), labels as JSON text (to_json of the labels MAP)
  ident_cls BIGINT NOT NULL    -- 0: matches no selector
);

-- Server ports by class: the port ranges of flow_rows cut 0..65535 into pieces; each piece is a class.
CREATE TABLE port_classes (
  port     INTEGER NOT NULL,   -- 0..65535, and -1 for connections without a port (or one outside 0..65535)
  port_cls BIGINT NOT NULL     -- how many range boundaries lie at or below the port; -1 for port -1
);

-- One row per match key: connections alike in everything the rules and verdicts look at (client and
-- server address and identity classes, protocol, server port class, outcome) share one.
CREATE TABLE match_verdicts (
  match_key       BIGINT PRIMARY KEY, -- (((client side * sides + server side) * 256 + proto) * port radix + port class + 1) * 3 + outcome; a side is address class * identity radix + identity class; outcome 0 answered, 1 denied, 2 unanswered
  verdict         VARCHAR NOT NULL,   -- documented | unexpected (matches no flow) | denied (matches a flow, rejected) | unanswered (matches a flow, never answered)
  flows           VARCHAR[] NOT NULL, -- every flow it matches, sorted; [] when unexpected
  client_endpoint VARCHAR,            -- endpoint name of the client side (inventory by pod identity, then by address, then by names evidence; then a pack's own); NULL when none
  server_endpoint VARCHAR,            -- the same for the server side
  connections     BIGINT NOT NULL     -- connections with this key
);

-- One row per classified connection (connections.id up to classify_runs.last_connection_id): its
-- verdict, every flow it matches, its endpoints. Each classify run replaces this view with the query
-- that keys every connection as the run did (address_classes, identity_classes, port_classes, with
-- the run's radixes and last connection id written into it) and joins match_verdicts; until the
-- first run it is empty.
CREATE VIEW verdicts AS
SELECT CAST(NULL AS BIGINT) AS connection_id, CAST(NULL AS VARCHAR) AS verdict, CAST(NULL AS VARCHAR[]) AS flows,
  CAST(NULL AS VARCHAR) AS client_endpoint, CAST(NULL AS VARCHAR) AS server_endpoint
WHERE false;

-- One row per documented flow (rule) of the loaded packs.
CREATE TABLE flow_status (
  flow           VARCHAR PRIMARY KEY, -- <pack>/<rule id>
  pack           VARCHAR NOT NULL,
  rule_id        VARCHAR NOT NULL,
  title          VARCHAR NOT NULL,
  from_endpoints VARCHAR[] NOT NULL,  -- as the rule writes them: endpoint names, any, CIDRs, host names
  to_endpoints   VARCHAR[] NOT NULL,
  direction      VARCHAR NOT NULL,    -- one-way | both-ways (either side may start the connection)
  protocols      VARCHAR[] NOT NULL,  -- tcp, udp, icmp, ... or any
  ports          VARCHAR[] NOT NULL,  -- resolved server ports ('443', '30000-32767'); [] for any port, port-less protocols or no value
  requirement    VARCHAR NOT NULL,    -- required | optional | when <condition>
  security       VARCHAR[] NOT NULL,  -- tls, mtls, ssh, jwt, ... as the document names them
  status         VARCHAR NOT NULL,    -- observed | denied | unanswered | unobserved | not_covered
  connections    BIGINT NOT NULL,     -- connections matching it, whatever their verdict
  documented     BIGINT NOT NULL,     -- of those: verdict documented
  denied         BIGINT NOT NULL,     -- of those: verdict denied
  unanswered     BIGINT NOT NULL,     -- of those: verdict unanswered
  first_seen     TIMESTAMP,           -- earliest first_seen of a matching connection
  last_seen      TIMESTAMP,           -- latest last_seen of a matching connection
  citation       VARCHAR NOT NULL,    -- document file (title): section, row, step or item; several joined by '; '
  document_url   VARCHAR,
  vague          VARCHAR,             -- where the document leaves the flow unclear
  unresolved     VARCHAR[] NOT NULL,  -- what keeps (part of) it from matching: a param without a value, an endpoint nothing binds
  reason         VARCHAR NOT NULL     -- why it has this status, in words
);
`,
  },
  {
    version: 3,
    description: 'connections: aggregated flow-log rows may have no addresses',
    sql: `
-- Aggregated flow logs (Calico aggregation levels 2-3, Goldmane, Whisker) name workloads, not
-- addresses: such rows have NULL addresses and ip_family, and num_flows says how many
-- connections they stand for.
ALTER TABLE connections ALTER COLUMN ip_family DROP NOT NULL;
ALTER TABLE connections ALTER COLUMN client_ip DROP NOT NULL;
ALTER TABLE connections ALTER COLUMN client_ip_num DROP NOT NULL;
ALTER TABLE connections ALTER COLUMN server_ip DROP NOT NULL;
ALTER TABLE connections ALTER COLUMN server_ip_num DROP NOT NULL;
`,
  },
  {
    version: 4,
    description: 'connections: no primary key index',
    sql: `
-- connections.id stays unique (each input allocates its own range), but without the PRIMARY KEY
-- index: maintaining it doubled the cost of inserting millions of flow-log rows, and nothing
-- looks a connection up by id one at a time. DuckDB cannot drop a key in place, so the table is
-- rebuilt with the same columns, order, NOT NULLs and default.
CREATE TABLE connections_v4 AS FROM connections LIMIT 0;
ALTER TABLE connections_v4 ALTER COLUMN id SET NOT NULL;
ALTER TABLE connections_v4 ALTER COLUMN source_id SET NOT NULL;
ALTER TABLE connections_v4 ALTER COLUMN first_seen SET NOT NULL;
ALTER TABLE connections_v4 ALTER COLUMN last_seen SET NOT NULL;
ALTER TABLE connections_v4 ALTER COLUMN proto SET NOT NULL;
ALTER TABLE connections_v4 ALTER COLUMN client_packets SET NOT NULL;
ALTER TABLE connections_v4 ALTER COLUMN client_bytes SET NOT NULL;
ALTER TABLE connections_v4 ALTER COLUMN server_packets SET NOT NULL;
ALTER TABLE connections_v4 ALTER COLUMN server_bytes SET NOT NULL;
ALTER TABLE connections_v4 ALTER COLUMN initiator_evidence SET NOT NULL;
ALTER TABLE connections_v4 ALTER COLUMN num_flows SET NOT NULL;
ALTER TABLE connections_v4 ALTER COLUMN num_flows SET DEFAULT 1;
INSERT INTO connections_v4 FROM connections;
DROP TABLE connections;
ALTER TABLE connections_v4 RENAME TO connections;
`,
  },
];
