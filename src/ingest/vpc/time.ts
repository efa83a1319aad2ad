/** Time options (--since, --until): an ISO 8601 date or time, or a duration before now (30s, 90m, 24h, 7d, 2w). */
import { ConfigError } from '../../errors.js';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds since the Unix epoch. */
export function parseTime(text: string, nowMs: number, option: string): number {
  const relative = /^(\d+)([smhdw])$/.exec(text.trim());
  if (relative) return nowMs - Number(relative[1]) * UNIT_MS[relative[2]!]!;
  // Date.parse also takes loose forms ("March 7"); only ISO 8601 is documented and accepted.
  const ms = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(ms)) {
    throw new ConfigError(`${option}: '${text}' is not a time`, 'give an ISO 8601 time (2024-05-01T12:00:00Z) or a duration before now (90m, 24h, 7d)');
  }
  return ms;
}
