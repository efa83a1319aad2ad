/**
 * The `vpc_lines` table (line, text, event_ms, stream): records as text with their position, for
 * the exact path. Filled from a file read line by line here (when DuckDB's CSV reader cannot give
 * line numbers for what it found wrong), from CloudWatch events, or from the CSV reader's rejects.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';

export async function createLinesTable(conn: DuckDBConnection): Promise<void> {
  await conn.run('CREATE OR REPLACE TEMP TABLE vpc_lines (line BIGINT, text VARCHAR, event_ms BIGINT, stream VARCHAR)');
}

/** One record of a CloudWatch log group or subscription payload. */
export interface LogEvent {
  message: string;
  timestampMs: number | null;
  stream: string | null;
}

/** Appends lines or events, numbering them from 1. */
export class LinesAppender {
  private count = 0;

  private constructor(private readonly appender: DuckDBAppender) {}

  static async open(conn: DuckDBConnection): Promise<LinesAppender> {
    await createLinesTable(conn);
    return new LinesAppender(await conn.createAppender('vpc_lines', 'main', 'temp'));
  }

  get appended(): number {
    return this.count;
  }

  appendLine(text: string): void {
    this.append(text, null, null);
  }

  appendEvent(event: LogEvent): void {
    this.append(event.message, event.timestampMs, event.stream);
  }

  private append(text: string, timestampMs: number | null, stream: string | null): void {
    const a = this.appender;
    a.appendBigInt(BigInt(++this.count));
    a.appendVarchar(text);
    if (timestampMs === null) a.appendNull();
    else a.appendBigInt(BigInt(Math.trunc(timestampMs)));
    if (stream === null) a.appendNull();
    else a.appendVarchar(stream);
    a.endRow();
  }

  close(): void {
    this.appender.closeSync();
  }
}

/** Every line of a (possibly gzipped) text file; invalid UTF-8 becomes U+FFFD, so no line is lost. */
export async function loadFileLines(conn: DuckDBConnection, path: string, gzip: boolean): Promise<void> {
  const lines = await LinesAppender.open(conn);
  try {
    const file = createReadStream(path);
    const input = gzip ? file.pipe(createGunzip()) : file;
    file.on('error', (err) => input.destroy(err));
    for await (const line of createInterface({ input, crlfDelay: Infinity })) lines.appendLine(line);
  } finally {
    lines.close();
  }
}
