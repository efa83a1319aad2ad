/**
 * SHA-256 of an input computed on a worker thread. Hashing runs at about 1.1 GB/s on one core —
 * as long as the rest of a capture ingest when done inline — so it runs on a second core and the
 * digest is collected at the end.
 * - FileHash: a regular file is read by the worker itself, so the ingest's own thread spends
 *   nothing on it, not even a copy.
 * - BackgroundHash: a stream (standard input) is seen once, so its bytes are copied to the worker.
 *   Copies travel in a small pool of buffers that the worker hands back, so memory stays flat
 *   (transferred buffers left to the worker's garbage collector pile up by hundreds of megabytes),
 *   and at most MAX_IN_FLIGHT bytes wait for it.
 */
import { Worker } from 'node:worker_threads';

// A CommonJS script: `eval: true` workers are scripts, and this keeps the worker free of our build.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const hash = require('node:crypto').createHash('sha256');
parentPort.on('message', (m) => {
  if (m === 'digest') return parentPort.postMessage(hash.digest('hex'));
  hash.update(new Uint8Array(m.buffer, 0, m.length));
  parentPort.postMessage(m, [m.buffer]);
});
`;

/** Reads `workerData.size` bytes of `workerData.path` (fewer if it ends sooner) and posts the digest. */
const FILE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const hash = require('node:crypto').createHash('sha256');
const fd = openSync(workerData.path, 'r');
const buffer = Buffer.allocUnsafe(64 * 1024);
try {
  for (let left = workerData.size; left > 0; ) {
    const n = readSync(fd, buffer, 0, Math.min(buffer.length, left), null);
    if (n === 0) break;
    hash.update(buffer.subarray(0, n));
    left -= n;
  }
} finally {
  closeSync(fd);
}
parentPort.postMessage(hash.digest('hex'));
`;

/** What the capture reader needs of either hash. */
export interface InputHash {
  /** The bytes read next (ignored by FileHash, which reads the file itself). */
  update(bytes: Uint8Array): Promise<void>;
  digest(): Promise<string>;
  abandon(): Promise<void>;
}

/** The SHA-256 of the first `size` bytes of a regular file, computed while the caller reads it too. */
export class FileHash implements InputHash {
  private readonly worker: Worker;
  private readonly hex: Promise<string>;

  constructor(path: string, size: number) {
    this.worker = new Worker(FILE_WORKER_SOURCE, { eval: true, workerData: { path, size } });
    this.hex = new Promise<string>((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
    });
    // Until digest() is asked for, a failure is only remembered.
    this.hex.catch(() => undefined);
  }

  update(): Promise<void> {
    return Promise.resolve();
  }

  async digest(): Promise<string> {
    try {
      return await this.hex;
    } finally {
      await this.worker.terminate();
    }
  }

  async abandon(): Promise<void> {
    await this.worker.terminate();
  }
}

const POOL_BUFFER_BYTES = 1024 * 1024;
const MAX_IN_FLIGHT = 8 * POOL_BUFFER_BYTES;

interface Slice {
  buffer: ArrayBuffer;
  length: number;
}

export class BackgroundHash implements InputHash {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  private readonly free: ArrayBuffer[] = [];
  /** The buffer being filled; small updates (stdin, tests) are gathered before a post. */
  private current: Uint8Array | null = null;
  private currentLength = 0;
  private failed: Error | null = null;
  private inFlight = 0;
  private drained: (() => void) | null = null;
  private digestReady: ((hex: string) => void) | null = null;

  constructor() {
    this.worker.on('error', (err) => {
      this.failed = err;
      this.drained?.();
    });
    this.worker.on('message', (m: Slice | string) => {
      if (typeof m === 'string') {
        this.digestReady?.(m);
        return;
      }
      this.inFlight -= m.length;
      this.free.push(m.buffer);
      if (this.drained && this.inFlight <= MAX_IN_FLIGHT / 2) {
        this.drained();
        this.drained = null;
      }
    });
  }

  /** Hash these bytes next. They are copied, so the caller may reuse its buffer at once. */
  async update(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      if (this.failed) throw this.failed;
      this.current ??= new Uint8Array(this.free.pop() ?? new ArrayBuffer(POOL_BUFFER_BYTES));
      const take = Math.min(POOL_BUFFER_BYTES - this.currentLength, bytes.length - at);
      this.current.set(bytes.subarray(at, at + take), this.currentLength);
      this.currentLength += take;
      at += take;
      if (this.currentLength === POOL_BUFFER_BYTES) this.post();
      if (this.inFlight > MAX_IN_FLIGHT) await new Promise<void>((resolve) => (this.drained = resolve));
    }
  }

  private post(): void {
    if (!this.current || this.currentLength === 0) return;
    const slice: Slice = { buffer: this.current.buffer as ArrayBuffer, length: this.currentLength };
    this.worker.postMessage(slice, [slice.buffer]);
    this.inFlight += this.currentLength;
    this.current = null;
    this.currentLength = 0;
  }

  /** The hex digest of everything updated so far; the worker ends. */
  async digest(): Promise<string> {
    if (this.failed) throw this.failed;
    this.post();
    const hex = new Promise<string>((resolve) => (this.digestReady = resolve));
    this.worker.postMessage('digest');
    try {
      return await hex;
    } finally {
      await this.worker.terminate();
    }
  }

  /** Stop without a digest (the input was abandoned). */
  async abandon(): Promise<void> {
    await this.worker.terminate();
  }
}
