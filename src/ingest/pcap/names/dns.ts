/**
 * DNS responses (RFC 1035) → which names the resolver said an address has. A and AAAA records of
 * every section count (the additional section's glue is the same resolver's word); CNAME chains are
 * followed so an alias is bound to the addresses of its canonical name. Malformed messages never
 * throw: parsing stops, and the records read before the fault are kept.
 */
import { formatIPv4, formatIPv6 } from '../../../net/ip.js';
import { latin1 } from './name-text.js';

export interface DnsAddressAnswer {
  /** The name as it appeared (owner of the A/AAAA record, or an alias leading to it). */
  name: string;
  /** Canonical text address. */
  address: string;
  /** A label of the name held a '.' byte: the text reads as a different name. */
  dotInLabel: boolean;
}

const HEADER_LEN = 12;
const RESPONSE_FLAG = 0x80;
/** Opcode 0 (QUERY) only: updates and notifies do not say what a name resolves to. */
const OPCODE_MASK = 0x78;
const TYPE_A = 1;
const TYPE_CNAME = 5;
const TYPE_AAAA = 28;
const CLASS_IN = 1;
/** Decoded names longer than this are malformed (a wire name is at most 255 bytes; compression can fake more). */
const MAX_NAME_CHARS = 1024;
const DOT = 0x2e;
/** CNAME hops followed from an alias to its canonical name. */
const MAX_CHAIN = 16;

/** Fast check for the hot path: a DNS response to a query (QR set, opcode 0) starts at `off`. */
export function isDnsResponse(buf: Uint8Array, off: number, end: number): boolean {
  return end - off >= HEADER_LEN && (buf[off + 2] & (RESPONSE_FLAG | OPCODE_MASK)) === RESPONSE_FLAG;
}

/** A name read from a message: its text, where the record continues, and whether a label held a dot. */
interface ReadName {
  text: string;
  next: number;
  dotInLabel: boolean;
}

/** The text of the name being read, one byte per character with dots between labels (reused: names are read one at a time). */
const nameBytes = new Uint8Array(MAX_NAME_CHARS + 1);

/**
 * The name at `at` in the message buf[msg, end), following compression pointers. Each pointer
 * must point before the previous one (so a loop cannot form) and the text is bounded. Null when
 * malformed.
 */
export function readName(buf: Uint8Array, msg: number, end: number, at: number): ReadName | null {
  let length = 0;
  let next = -1;
  let dotInLabel = false;
  let pointerLimit = at;
  for (;;) {
    if (at >= end) return null;
    const len = buf[at];
    if (len === 0) {
      if (next < 0) next = at + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (at + 1 >= end) return null;
      const target = msg + (((len & 0x3f) << 8) | buf[at + 1]);
      if (target >= pointerLimit) return null;
      if (next < 0) next = at + 2;
      pointerLimit = target;
      at = target;
      continue;
    }
    // 0x40 and 0x80 prefixes are extended label types (RFC 6891), none of which name hosts.
    if ((len & 0xc0) !== 0 || at + 1 + len > end || length + len + 1 > MAX_NAME_CHARS + 1) return null;
    if (length > 0) nameBytes[length++] = DOT;
    for (let i = at + 1; i <= at + len; i++) {
      const c = buf[i];
      if (c === DOT) dotInLabel = true;
      nameBytes[length++] = c;
    }
    at += 1 + len;
  }
  return { text: latin1(nameBytes, 0, length), next, dotInLabel };
}

/** Where the name at `at` ends in its record (after its root label or first pointer); -1 when malformed. */
function skipName(buf: Uint8Array, at: number, end: number): number {
  while (at < end) {
    const len = buf[at];
    if (len === 0) return at + 1;
    if ((len & 0xc0) === 0xc0) return at + 2 <= end ? at + 2 : -1;
    if ((len & 0xc0) !== 0) return -1;
    at += 1 + len;
  }
  return -1;
}

/** Address answers of the DNS response in buf[off, end); empty for queries and other messages. */
export function dnsAddressAnswers(buf: Uint8Array, off: number, end: number): DnsAddressAnswer[] {
  if (!isDnsResponse(buf, off, end)) return [];
  const questions = (buf[off + 4] << 8) | buf[off + 5];
  const records = ((buf[off + 6] << 8) | buf[off + 7]) + ((buf[off + 8] << 8) | buf[off + 9]) + ((buf[off + 10] << 8) | buf[off + 11]);
  let at = off + HEADER_LEN;
  for (let q = 0; q < questions; q++) {
    at = skipName(buf, at, end);
    if (at < 0 || at + 4 > end) return [];
    at += 4;
  }
  const addresses: { owner: ReadName; address: string }[] = [];
  /** CNAME targets (lower case) → the aliases pointing at them; most responses have none. */
  let aliases: Map<string, ReadName[]> | null = null;
  // Records of one name usually repeat the same compression pointer: decode it once.
  let lastOwnerKey = -1;
  let lastOwner: ReadName | null = null;
  for (let r = 0; r < records; r++) {
    const ownerAt = at;
    const p = skipName(buf, at, end);
    if (p < 0 || p + 10 > end) break;
    const type = (buf[p] << 8) | buf[p + 1];
    const klass = (buf[p + 2] << 8) | buf[p + 3];
    const length = (buf[p + 8] << 8) | buf[p + 9];
    const data = p + 10;
    if (data + length > end) break;
    at = data + length;
    const isAddress = (type === TYPE_A && length === 4) || (type === TYPE_AAAA && length === 16);
    if (klass !== CLASS_IN || (!isAddress && type !== TYPE_CNAME)) continue;
    const ownerKey = (buf[ownerAt] & 0xc0) === 0xc0 ? ((buf[ownerAt] & 0x3f) << 8) | buf[ownerAt + 1] : 0x10000 + ownerAt - off;
    if (ownerKey !== lastOwnerKey) {
      lastOwnerKey = ownerKey;
      lastOwner = readName(buf, off, end, ownerAt);
    }
    const owner = lastOwner;
    if (owner === null || owner.text === '') continue;
    if (isAddress) {
      addresses.push({ owner, address: type === TYPE_A ? formatIPv4(buf, data) : formatIPv6(buf, data) });
      continue;
    }
    const target = readName(buf, off, data + length, data);
    if (target === null) continue;
    aliases ??= new Map();
    const key = target.text.toLowerCase();
    const list = aliases.get(key);
    if (list) list.push(owner);
    else aliases.set(key, [owner]);
  }
  const answers: DnsAddressAnswer[] = [];
  for (const { owner, address } of addresses) {
    const names = aliases === null ? [owner] : namesLeadingTo(owner, aliases);
    for (const name of names) answers.push({ name: name.text, address, dotInLabel: name.dotInLabel });
  }
  return answers;
}

/** `owner` and every alias whose CNAME chain reaches it, within MAX_CHAIN hops. */
function namesLeadingTo(owner: ReadName, aliases: ReadonlyMap<string, ReadName[]>): ReadName[] {
  const found = [owner];
  const seen = new Set([owner.text.toLowerCase()]);
  let level = [owner];
  for (let hop = 0; hop < MAX_CHAIN && level.length > 0; hop++) {
    const nextLevel: ReadName[] = [];
    for (const name of level) {
      for (const alias of aliases.get(name.text.toLowerCase()) ?? []) {
        const key = alias.text.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        found.push(alias);
        nextLevel.push(alias);
      }
    }
    level = nextLevel;
  }
  return found;
}
