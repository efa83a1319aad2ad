/** Timestamps of the JSON flow sources as microseconds since the Unix epoch. */

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i;

/** An RFC 3339 time (protobuf JSON Timestamp: up to nanoseconds) as microseconds; null when it is not one. */
export function rfc3339Micros(text: string): number | null {
  const m = RFC3339.exec(text.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return null;
  const fraction = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return ms * 1000 + Number(fraction);
}
