import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store } from '../../../src/store/store.js';
import { calicoIngester } from '../../../src/ingest/calico/index.js';
import { readHead } from '../../../src/ingest/inputs.js';
import { corpusDir } from '../../helpers/corpus.js';

/** The shared corpus's calico/ folder: from FLOWAUDIT_CORPUS, else beside the repository. Runs only if it exists. */
const corpus = corpusDir() ?? fileURLToPath(new URL('../../../../shared/corpus', import.meta.url));
const calicoDir = join(corpus, 'calico');
const files = existsSync(calicoDir) ? walk(calicoDir) : [];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

describe.skipIf(files.length === 0)('shared corpus: calico/', () => {
  let work = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'flowaudit-calico-corpus-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each(files)('%s: every record read is used or rejected', async (file) => {
    const head = await readHead(file);
    if (!calicoIngester.sniff(head, Buffer.from(head).toString('utf8'))) return; // licences, notes, expected results
    const store = await Store.open(join(work, `${readdirSync(work).length}.duckdb`));
    try {
      const report = await calicoIngester.ingest(store, file, {});
      expect(report.recordsRead).toBe(report.recordsUsed + report.recordsRejected);
      const [counts] = await store.queryRows<{ rejects: number }>('SELECT coalesce(sum(count), 0)::INTEGER AS rejects FROM rejects');
      expect(counts!.rejects).toBe(report.recordsRejected);
      // Hubble's exporter files may hold only agent and node events; the other shapes are all flows.
      if (report.recordsUsed > 0 && report.kind !== 'hubble') expect(report.connections).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  });
});
