import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackgroundHash, FileHash } from '../../src/ingest/background-hash.js';
import { fileChunks } from '../../src/ingest/file-chunks.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('BackgroundHash', () => {
  const data = new Uint8Array(3 * 1024 * 1024 + 12345).map((_, i) => (i * 7 + (i >> 9)) & 0xff);

  it('hashes large chunks like an inline hash, and leaves the caller’s buffer intact', async () => {
    const h = new BackgroundHash();
    const copy = data.slice();
    await h.update(copy);
    expect(copy).toEqual(data);
    expect(await h.digest()).toBe(sha(data));
  });

  it('gathers tiny updates without a message (or a buffer) each', async () => {
    const h = new BackgroundHash();
    const small = data.subarray(0, 20_000);
    for (let i = 0; i < small.length; i++) await h.update(small.subarray(i, i + 1));
    expect(await h.digest()).toBe(sha(small));
  });

  it('hashes nothing as the empty digest', async () => {
    expect(await new BackgroundHash().digest()).toBe(sha(new Uint8Array(0)));
  });
});

describe('FileHash', () => {
  const data = new Uint8Array(200_000).map((_, i) => (i * 13) & 0xff);

  it('hashes the first `size` bytes of the file on its own, while the file grows behind it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowaudit-hash-'));
    try {
      const path = join(dir, 'growing.pcap');
      writeFileSync(path, data);
      const h = new FileHash(path, data.length);
      appendFileSync(path, new Uint8Array(5000).fill(7));
      expect(await h.update()).toBeUndefined();
      expect(await h.digest()).toBe(sha(data));
      // What the reader streams stops at the same byte.
      let read = 0;
      for await (const chunk of fileChunks(path, 4096, data.length)) read += chunk.length;
      expect(read).toBe(data.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects the digest when the file cannot be read', async () => {
    const h = new FileHash(join(tmpdir(), 'flowaudit-no-such-file'), 10);
    await expect(h.digest()).rejects.toThrow(/ENOENT/);
  });
});
