/**
 * Records parsed in TypeScript (Goldmane, Whisker) into the staging table, through an appender,
 * so that they are paired and written by the same SQL as flows.log.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { STAGE } from './stage.js';
import type { ReporterView } from './stage.js';

export interface StagedEndpoint {
  /** Address text as the source wrote it; null when aggregated away (Goldmane never has one). */
  ip: string | null;
  port: number | null;
  namespace: string | null;
  /** Pod, workload, host endpoint or network-set name; aggregated names end in '*'. */
  name: string | null;
  /** "k=v" labels as the source lists them. */
  labels: string[] | null;
  /** wep | hep | ns | net */
  type: string | null;
}

export interface StagedFlow {
  startSeconds: number;
  endSeconds: number;
  proto: number;
  reporter: 'src' | 'dst';
  action: string;
  src: StagedEndpoint;
  dst: StagedEndpoint;
  /** Into the reporting endpoint. */
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsOut: number;
  numFlows: number;
  /** In the stored form: `{"enforced": [hit, ...], "pending": [...]}`. */
  policies: Record<string, unknown> | null;
  view: ReporterView;
}

export class StageAppender {
  private constructor(private readonly appender: DuckDBAppender) {}

  static async open(conn: DuckDBConnection): Promise<StageAppender> {
    return new StageAppender(await conn.createAppender(STAGE, 'main', 'temp'));
  }

  append(f: StagedFlow): void {
    const a = this.appender;
    a.appendBigInt(BigInt(f.startSeconds));
    a.appendBigInt(BigInt(f.endSeconds));
    a.appendSmallInt(f.proto);
    a.appendVarchar(f.reporter);
    a.appendVarchar(f.action);
    appendEndpoint(a, f.src);
    appendEndpoint(a, f.dst);
    a.appendNull(); // dst_domains: these sources name no domains
    a.appendBigInt(BigInt(f.bytesIn));
    a.appendBigInt(BigInt(f.bytesOut));
    a.appendBigInt(BigInt(f.packetsIn));
    a.appendBigInt(BigInt(f.packetsOut));
    a.appendBigInt(BigInt(f.numFlows));
    appendText(a, f.policies === null ? null : JSON.stringify(f.policies));
    a.appendVarchar(JSON.stringify(f.view));
    a.appendNull(); // problem: records with one are rejected before they are staged
    a.appendNull();
    a.endRow();
  }

  close(): void {
    this.appender.closeSync();
  }
}

function appendEndpoint(a: DuckDBAppender, e: StagedEndpoint): void {
  appendText(a, e.ip);
  if (e.port === null) a.appendNull();
  else a.appendInteger(e.port);
  appendText(a, e.namespace);
  appendText(a, e.name);
  appendText(a, e.labels === null ? null : JSON.stringify(e.labels));
  appendText(a, e.type);
}

function appendText(a: DuckDBAppender, v: string | null): void {
  if (v === null) a.appendNull();
  else a.appendVarchar(v);
}
