/**
 * A progress line on stderr — only when stderr is a terminal, never in pipes, logs or CI.
 */
export interface Progress {
  update(done: number, total: number | null): void;
  done(): void;
}

const NO_PROGRESS: Progress = { update() {}, done() {} };

export function progressFor(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return NO_PROGRESS;
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      const mib = (done / 1048576).toFixed(1);
      const text =
        total && total > 0
          ? `${bar(done / total)} ${Math.min(100, Math.floor((100 * done) / total))}% ${mib} MiB ${label}`
          : `${mib} MiB ${label}`;
      stream.write(`\r${text.slice(0, (stream.columns ?? 80) - 1)}\x1b[K`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}

function bar(fraction: number): string {
  const width = 24;
  const full = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}
