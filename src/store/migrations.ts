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
];
