/**
 * Turning the PATH arguments into inputs: directories are walked (an S3 `AWSLogs/...` download
 * is a directory tree), every file's format is decided from its first bytes — decompressed when
 * gzipped — never from its name.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import type { Ingester, IngestOptions } from './types.js';
import { FlowauditError } from '../errors.js';

export const HEAD_BYTES = 64 * 1024;

export interface ResolvedInput {
  path: string;
  /** True when the path came from walking a directory (an unknown file there is skipped, not an error). */
  fromDirectory: boolean;
}

/** Expand directories (recursively, sorted, hidden entries skipped) into files. */
export async function resolveInputs(paths: string[]): Promise<ResolvedInput[]> {
  const out: ResolvedInput[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push({ path: p, fromDirectory: false });
      continue;
    }
    const info = await stat(p).catch(() => null);
    if (!info) throw new FlowauditError('no such file or directory', 'check the path', p);
    if (info.isDirectory()) {
      for (const f of await walk(p)) out.push({ path: f, fromDirectory: true });
    } else out.push({ path: p, fromDirectory: false });
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) files.push(...(await walk(full)));
    else if (e.isFile()) files.push(full);
  }
  return files;
}

/** The first bytes of a file, gunzipped when it is gzip (a partial gunzip: no need to read it all). */
export async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    return decompressHead(buf.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

export function decompressHead(raw: Uint8Array): Uint8Array {
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, HEAD_BYTES);
    } catch {
      return raw;
    }
  }
  return raw;
}

/** The ingester whose format the head is, or null. */
export function detectFormat(head: Uint8Array, ingesters: readonly Ingester[], options: IngestOptions): Ingester | null {
  const text = Buffer.from(head.buffer, head.byteOffset, head.length).toString('utf8');
  return ingesters.find((i) => i.sniff(head, text, options)) ?? null;
}
