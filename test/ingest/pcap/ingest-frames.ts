/** Ingests hand-built frames as a capture file into an in-memory store, for tests of the whole pipeline. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcapIngester } from '../../../src/ingest/pcap/index.js';
import type { IngestOptions, InputReport } from '../../../src/ingest/types.js';
import { Store } from '../../../src/store/store.js';
import { writePcap } from '../../helpers/pcap-writer.js';
import type { PcapRecord } from '../../helpers/pcap-writer.js';

export interface Ingested {
  report: InputReport;
  /** Rows of a query, BIGINT columns as numbers. */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
}

/** Runs `body` over the store holding `frames` (Ethernet unless `linktype` says otherwise). */
export async function withIngested(
  frames: (Uint8Array | PcapRecord)[],
  body: (ingested: Ingested) => Promise<void>,
  options: IngestOptions & { linktype?: number } = {},
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowaudit-ingest-'));
  const path = join(dir, 'capture.pcap');
  writeFileSync(path, writePcap(frames.map((f) => (f instanceof Uint8Array ? { data: f } : f)), { linktype: options.linktype ?? 1 }));
  const store = await Store.open(':memory:');
  try {
    const report = await pcapIngester.ingest(store, path, options);
    await body({
      report,
      query: async <T,>(sql: string) =>
        (await store.queryRows<Record<string, unknown>>(sql)).map(
          (row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])) as T,
        ),
    });
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
