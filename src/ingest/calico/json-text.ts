/**
 * Small helpers over JSON text and parsed JSON shared by the flow-log readers: the strictness
 * check DuckDB's lenient JSON reader does not make, reject excerpts, and field access that accepts
 * both the snake_case and the camelCase (protobuf JSON) spelling of a field.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The first of `names` present (not undefined) in `o`. */
export function pick(o: JsonObject, ...names: string[]): unknown {
  for (const n of names) {
    const v = o[n];
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Text, or null for anything else (including the empty string). */
export function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** An integer given as a JSON number or as decimal text (protobuf JSON writes int64 as text); null otherwise. */
export function integer(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null;
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) return Number(v);
  return null;
}

const JSON_SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * Whether the JSON text has a comma right before a closing bracket or brace, outside strings —
 * the mistake DuckDB's reader forgives and a strict parser does not (Calico's own documentation
 * example has one).
 */
export function hasTrailingComma(json: string): boolean {
  let inString = false;
  let lastSignificant = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (JSON_SPACE.has(c)) continue;
    if ((c === 0x5d || c === 0x7d) && lastSignificant === 0x2c) return true;
    if (c === 0x22) inString = true;
    lastSignificant = c;
  }
  return false;
}

/** Why a record that is not valid JSON was rejected: the trailing comma gets its own name. */
export function jsonErrorReason(json: string): 'trailing_comma' | 'malformed_json' {
  return hasTrailingComma(json) ? 'trailing_comma' : 'malformed_json';
}

const EXCERPT_CHARS = 120;

/** A short excerpt of a record for `rejects.excerpt`: control characters escaped, long text cut with '…'. */
export function excerpt(record: string): string {
  const cut = record.length > EXCERPT_CHARS ? `${record.slice(0, EXCERPT_CHARS)}…` : record;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\u0000-\u001f\u007f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
