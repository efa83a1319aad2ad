import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BackgroundHash } from '../../src/ingest/background-hash.js';

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
