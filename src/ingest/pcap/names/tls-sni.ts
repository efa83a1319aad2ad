/**
 * The server_name extension (RFC 6066) of a TLS ClientHello (RFC 8446 section 4.1.2; TLS 1.0-1.2
 * have the same layout): the host name the client asked for, in clear text before any encryption.
 * Only a ClientHello in one TLS record is read; one fragmented over several records is skipped
 * (rare: a record holds 16 KiB). Encrypted ClientHello (ECH) hides the real name: the outer SNI
 * (the provider's) is what is found.
 */
import { latin1 } from './name-text.js';

const CONTENT_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 1;
const RECORD_HEADER_LEN = 5;
const HANDSHAKE_HEADER_LEN = 4;
/** TLSPlaintext.length is at most 2^14. */
const MAX_RECORD_LEN = 1 << 14;
const EXTENSION_SERVER_NAME = 0;
const NAME_TYPE_HOST_NAME = 0;
const RANDOM_LEN = 32;

export type ClientHelloSni =
  /** The ClientHello was read: `name` is its first host_name, null when it has none. */
  | { status: 'complete'; name: string | null }
  /** The ClientHello continues past `end`: `needed` bytes from its record header hold all of it. */
  | { status: 'incomplete'; needed: number }
  /** Not a ClientHello this reader handles (another record, a malformed or multi-record one). */
  | { status: 'not-client-hello' };

const NOT_CLIENT_HELLO: ClientHelloSni = { status: 'not-client-hello' };
const NO_NAME: ClientHelloSni = { status: 'complete', name: null };

/** Fast check for the hot path: buf[off, end) may start a TLS ClientHello record. */
export function startsTlsHandshake(buf: Uint8Array, off: number, end: number): boolean {
  return end - off > RECORD_HEADER_LEN && buf[off] === CONTENT_HANDSHAKE && buf[off + 1] === 3 && buf[off + RECORD_HEADER_LEN] === HANDSHAKE_CLIENT_HELLO;
}

/** The SNI of the ClientHello record starting at `off`. */
export function clientHelloSni(buf: Uint8Array, off: number, end: number): ClientHelloSni {
  if (!startsTlsHandshake(buf, off, end) || end - off < RECORD_HEADER_LEN + HANDSHAKE_HEADER_LEN) return NOT_CLIENT_HELLO;
  const recordLen = (buf[off + 3] << 8) | buf[off + 4];
  const helloLen = (buf[off + 6] << 16) | (buf[off + 7] << 8) | buf[off + 8];
  if (recordLen > MAX_RECORD_LEN || HANDSHAKE_HEADER_LEN + helloLen > recordLen) return NOT_CLIENT_HELLO;
  const helloEnd = off + RECORD_HEADER_LEN + HANDSHAKE_HEADER_LEN + helloLen;
  if (helloEnd > end) return { status: 'incomplete', needed: helloEnd - off };
  return serverName(buf, off + RECORD_HEADER_LEN + HANDSHAKE_HEADER_LEN, helloEnd);
}

/** Walks the ClientHello body buf[at, end) to the server_name extension. */
function serverName(buf: Uint8Array, at: number, end: number): ClientHelloSni {
  at += 2 + RANDOM_LEN; // legacy_version, random
  if (at >= end) return NOT_CLIENT_HELLO;
  at += 1 + buf[at]; // legacy_session_id
  if (at + 2 > end) return NOT_CLIENT_HELLO;
  at += 2 + ((buf[at] << 8) | buf[at + 1]); // cipher_suites
  if (at >= end) return NOT_CLIENT_HELLO;
  at += 1 + buf[at]; // legacy_compression_methods
  // SSL 3.0-era hellos may end here: no extensions, so no name.
  if (at === end) return NO_NAME;
  if (at + 2 > end) return NOT_CLIENT_HELLO;
  const extensionsEnd = at + 2 + ((buf[at] << 8) | buf[at + 1]);
  if (extensionsEnd > end) return NOT_CLIENT_HELLO;
  at += 2;
  while (at + 4 <= extensionsEnd) {
    const type = (buf[at] << 8) | buf[at + 1];
    const dataEnd = at + 4 + ((buf[at + 2] << 8) | buf[at + 3]);
    if (dataEnd > extensionsEnd) return NOT_CLIENT_HELLO;
    if (type === EXTENSION_SERVER_NAME) return hostName(buf, at + 4, dataEnd);
    at = dataEnd;
  }
  return NO_NAME;
}

/** The first host_name of a ServerNameList in buf[at, end). */
function hostName(buf: Uint8Array, at: number, end: number): ClientHelloSni {
  if (at + 2 > end) return NOT_CLIENT_HELLO;
  const listEnd = at + 2 + ((buf[at] << 8) | buf[at + 1]);
  if (listEnd > end) return NOT_CLIENT_HELLO;
  at += 2;
  while (at + 3 <= listEnd) {
    const nameEnd = at + 3 + ((buf[at + 1] << 8) | buf[at + 2]);
    if (nameEnd > listEnd) return NOT_CLIENT_HELLO;
    if (buf[at] === NAME_TYPE_HOST_NAME) return { status: 'complete', name: latin1(buf, at + 3, nameEnd) };
    at = nameEnd;
  }
  return NO_NAME;
}
