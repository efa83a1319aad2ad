/**
 * The DuckDB file: opening it, migrating it, and one transaction per input.
 * Parsers never see this module; the ingest glue hands their output to an InputWriter.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { MIGRATIONS } from './migrations.js';
import { InputWriter } from './input-writer.js';
import type { SourceMeta } from './input-writer.js';
import { FlowauditError } from '../errors.js';

export class Store {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
    readonly path: string,
  ) {}

  /** Open (or create) the database at `path` (':memory:' for none) and bring its schema up to date. */
  static async open(path: string): Promise<Store> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (err) {
      const why = err instanceof Error ? err.message.split('\n')[0]! : String(err);
      throw new FlowauditError(
        `cannot open the database: ${why}`,
        'check the --db path; a DuckDB file can be open for writing by one process at a time',
        path,
      );
    }
    const conn = await instance.connect();
    const store = new Store(instance, conn, path);
    await store.migrate();
    return store;
  }

  /**
   * Open an existing database without writing to it (a baseline): no migrations run, so a file
   * from an older flowaudit must be brought up to date by any write command first.
   */
  static async openReadOnly(path: string): Promise<Store> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    } catch (err) {
      const why = err instanceof Error ? err.message.split('\n')[0]! : String(err);
      throw new FlowauditError(`cannot open the database read-only: ${why}`, 'check the path; it must be a flowaudit DuckDB file', path);
    }
    const store = new Store(instance, await instance.connect(), path);
    const [row] = await store
      .queryRows<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations')
      .catch(() => [{ version: null }]);
    const current = Math.max(...MIGRATIONS.map((m) => m.version));
    if (row?.version == null || Number(row.version) < current) {
      store.close();
      throw new FlowauditError(
        row?.version == null ? 'not a flowaudit database (no schema_migrations table)' : `the database has schema version ${row.version}, this flowaudit needs ${current}`,
        row?.version == null ? 'give a DuckDB file written by flowaudit, or a JSON report' : 'open it once with `flowaudit report --db FILE` to bring it up to date',
        path,
      );
    }
    return store;
  }

  private async migrate(): Promise<void> {
    await this.conn.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`);
    const applied = new Set(
      (await this.queryRows<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
    );
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await this.conn.run('BEGIN TRANSACTION');
      try {
        await this.conn.run(m.sql);
        await this.conn.run('INSERT INTO schema_migrations VALUES ($1, $2, now()::TIMESTAMP)', [m.version, m.description]);
        await this.conn.run('COMMIT');
      } catch (err) {
        await this.conn.run('ROLLBACK');
        throw err;
      }
    }
  }

  /** Rows as plain objects (BIGINT and friends become strings or numbers per DuckDB's JSON conversion). */
  async queryRows<T = Record<string, unknown>>(sql: string, params: (string | number | boolean | null)[] = []): Promise<T[]> {
    const reader = await this.conn.runAndReadAll(sql, params);
    return reader.getRowObjectsJS() as T[];
  }

  /** The source that already holds these exact bytes, if any. */
  async findSourceBySha256(sha256: string): Promise<{ id: number; path: string } | null> {
    const rows = await this.queryRows<{ id: number; path: string }>('SELECT id, path FROM sources WHERE sha256 = $1 LIMIT 1', [sha256]);
    return rows[0] ?? null;
  }

  /** Start one input: everything it writes is committed together or not at all. */
  async beginInput(meta: SourceMeta): Promise<InputWriter> {
    const [row] = await this.queryRows<{ sid: number; cid: bigint }>(
      'SELECT (SELECT coalesce(max(id), 0) + 1 FROM sources) AS sid, (SELECT coalesce(max(id), 0) + 1 FROM connections) AS cid',
    );
    await this.conn.run('BEGIN TRANSACTION');
    return InputWriter.start(this.conn, Number(row!.sid), Number(row!.cid), meta);
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
