/**
 * DNS messages (RFC 1035) and TLS ClientHellos (RFC 8446, RFC 6066) for tests, built from their
 * parts. Names are given as text or as raw bytes (for hostile ones); nothing is validated.
 */
import { concat, ipv4Address, ipv6Address } from '../../../helpers/packet-builder.js';

function u16(n: number): Uint8Array {
  return new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
}

/** A name as uncompressed labels; a label given as bytes is taken as it is. */
export function dnsName(labels: string | (string | Uint8Array)[]): Uint8Array {
  const parts = typeof labels === 'string' ? (labels === '' ? [] : labels.split('.')) : labels;
  const bytes = parts.map((l) => (typeof l === 'string' ? Uint8Array.from(Buffer.from(l, 'latin1')) : l));
  return concat(...bytes.map((b) => concat(new Uint8Array([b.length]), b)), new Uint8Array([0]));
}

/** A compression pointer to `offset` in the message, optionally after some labels. */
export function pointer(offset: number, labels: string[] = []): Uint8Array {
  return concat(...labels.map((l) => concat(new Uint8Array([l.length]), Uint8Array.from(Buffer.from(l, 'latin1')))), u16(0xc000 | offset));
}

export interface ResourceRecord {
  /** Owner name: text, or already encoded bytes (labels, pointers). */
  name: string | Uint8Array;
  type: number;
  data: Uint8Array;
  klass?: number;
}

export const a = (name: string | Uint8Array, address: string): ResourceRecord => ({ name, type: 1, data: ipv4Address(address) });
export const aaaa = (name: string | Uint8Array, address: string): ResourceRecord => ({ name, type: 28, data: ipv6Address(address) });
export const cname = (name: string | Uint8Array, target: string | Uint8Array): ResourceRecord => ({ name, type: 5, data: typeof target === 'string' ? dnsName(target) : target });

function record(r: ResourceRecord): Uint8Array {
  const owner = typeof r.name === 'string' ? dnsName(r.name) : r.name;
  return concat(owner, u16(r.type), u16(r.klass ?? 1), new Uint8Array([0, 0, 0x0e, 0x10]), u16(r.data.length), r.data);
}

export interface DnsMessageOptions {
  id?: number;
  response?: boolean;
  /** Question names (type A, class IN). */
  questions?: (string | Uint8Array)[];
  answers?: ResourceRecord[];
  authority?: ResourceRecord[];
  additional?: ResourceRecord[];
  /** Overrides the flags word (QR, opcode, ...). */
  flags?: number;
}

/** A DNS message; a response (QR, RD, RA set) unless `response` is false. */
export function dnsMessage(o: DnsMessageOptions): Uint8Array {
  const questions = (o.questions ?? []).map((q) => concat(typeof q === 'string' ? dnsName(q) : q, u16(1), u16(1)));
  const sections = [o.answers ?? [], o.authority ?? [], o.additional ?? []];
  const flags = o.flags ?? (o.response === false ? 0x0100 : 0x8180);
  const header = concat(u16(o.id ?? 0x1234), u16(flags), u16(questions.length), ...sections.map((s) => u16(s.length)));
  return concat(header, ...questions, ...sections.flat().map(record));
}

/** DNS over TCP: each message prefixed with its length. */
export function dnsOverTcp(...messages: Uint8Array[]): Uint8Array {
  return concat(...messages.map((m) => concat(u16(m.length), m)));
}

export interface ClientHelloOptions {
  /** host_name of the server_name extension (bytes for hostile ones); no extension when undefined. */
  sni?: string | Uint8Array;
  /** Bytes of a filler extension placed before server_name (a large key share, say). */
  paddingBefore?: number;
  sessionIdLength?: number;
}

/** A TLS 1.3-style ClientHello in one handshake record. */
export function clientHello(o: ClientHelloOptions = {}): Uint8Array {
  const ext = (type: number, data: Uint8Array): Uint8Array => concat(u16(type), u16(data.length), data);
  const extensions: Uint8Array[] = [];
  if (o.paddingBefore !== undefined) extensions.push(ext(0x0015, new Uint8Array(o.paddingBefore)));
  if (o.sni !== undefined) {
    const name = typeof o.sni === 'string' ? Uint8Array.from(Buffer.from(o.sni, 'latin1')) : o.sni;
    const entry = concat(new Uint8Array([0]), u16(name.length), name);
    extensions.push(ext(0x0000, concat(u16(entry.length), entry)));
  }
  extensions.push(ext(0x002b, new Uint8Array([2, 3, 4])));
  const extensionBytes = concat(...extensions);
  const sessionId = new Uint8Array(o.sessionIdLength ?? 32).fill(0x5a);
  const body = concat(
    u16(0x0303),
    new Uint8Array(32).fill(0x11),
    new Uint8Array([sessionId.length]),
    sessionId,
    concat(u16(4), u16(0x1301), u16(0x1302)),
    new Uint8Array([1, 0]),
    u16(extensionBytes.length),
    extensionBytes,
  );
  const handshake = concat(new Uint8Array([1, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]), body);
  return concat(new Uint8Array([0x16, 0x03, 0x01]), u16(handshake.length), handshake);
}
