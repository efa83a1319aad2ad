/**
 * Names found in traffic are stored verbatim (the bytes as Latin-1 text, one character per byte,
 * so nothing is lost) and judged here: a name that could not be a host name is flagged so that
 * reports show it escaped and never treat it as trustworthy evidence.
 */

/** RFC 1035: at most 253 characters in text form. */
export const MAX_HOST_NAME_LENGTH = 253;

/** `<>"'\`&`: markup and quoting characters that have no place in a host name. */
const MARKUP = /[<>"'`&]/;

/**
 * Whether `name` is suspicious: longer than a host name can be, empty, or holding control bytes,
 * spaces, bytes outside ASCII (raw UTF-8 in a name is not how IDNs travel) or markup. `dotInLabel`:
 * a DNS label held a '.' byte, which makes the name read as a different one.
 */
export function isSuspiciousName(name: string, dotInLabel = false): boolean {
  if (dotInLabel || name.length === 0 || name.length > MAX_HOST_NAME_LENGTH || MARKUP.test(name)) return true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return true;
  }
  return false;
}

/** The bytes buf[off, end) as text, one character per byte. */
export function latin1(buf: Uint8Array, off: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + off, end - off).toString('latin1');
}
