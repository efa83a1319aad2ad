/**
 * Classic pcap (libpcap) files: a 24-byte file header, then records of a 16-byte header plus the
 * captured bytes. https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html
 */
import { InputFormatError } from '../../../errors.js';
import { BIG_ENDIAN, LITTLE_ENDIAN, type ByteOrder } from './byte-order.js';
import {
  PCAP_MAGIC_MICROS,
  PCAP_MAGIC_MICROS_SWAPPED,
  PCAP_MAGIC_NANOS,
  PCAP_MAGIC_NANOS_SWAPPED,
} from './detect.js';
import { HINT_NOT_A_CAPTURE, HINT_RESAVE, type RecordParser } from './record-parser.js';
import type { CaptureTally } from './tally.js';

export const PCAP_FILE_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;
/** Largest captured length accepted, as Wireshark's default maximum snapshot length. */
export const PCAP_MAX_CAPLEN = 262144;
/**
 * How far a record's captured length may exceed its original length. Some writers count an FCS
 * or a small pseudo-header in the captured length only; beyond that the header is not a record.
 */
export const PCAP_CAPLEN_SLACK = 64;

/** Bits 16-25 of the link-type field must be zero (libpcap LT_RESERVED1). */
const LINKTYPE_RESERVED_MASK = 0x03ff0000;
/** Bit 26: the FCS length in bits 28-31 is meaningful. */
const LINKTYPE_FCS_PRESENT = 0x04000000;

export interface PcapFileHeader {
  order: ByteOrder;
  /** Timestamps carry nanoseconds (magic a1b23c4d) instead of microseconds. */
  nanos: boolean;
  versionMajor: number;
  versionMinor: number;
  snaplen: number;
  linktype: number;
  /** Bytes of frame check sequence at the end of every complete frame, 0 when none. */
  fcsBytes: number;
}

/** Reads the file header at `buf[off, off + 24)`; throws InputFormatError when it cannot be used. */
export function parsePcapFileHeader(buf: Uint8Array, off: number, name: string): PcapFileHeader {
  const magic = BIG_ENDIAN.u32(buf, off);
  let order: ByteOrder;
  let nanos: boolean;
  switch (magic) {
    case PCAP_MAGIC_MICROS: order = BIG_ENDIAN; nanos = false; break;
    case PCAP_MAGIC_MICROS_SWAPPED: order = LITTLE_ENDIAN; nanos = false; break;
    case PCAP_MAGIC_NANOS: order = BIG_ENDIAN; nanos = true; break;
    case PCAP_MAGIC_NANOS_SWAPPED: order = LITTLE_ENDIAN; nanos = true; break;
    default:
      throw new InputFormatError(name, 0, `unknown pcap magic 0x${magic.toString(16).padStart(8, '0')}`, HINT_NOT_A_CAPTURE);
  }
  const versionMajor = order.u16(buf, off + 4);
  const versionMinor = order.u16(buf, off + 6);
  if (versionMajor !== 2) {
    throw new InputFormatError(
      name, 4, `pcap major version ${versionMajor} unsupported (file says ${versionMajor}.${versionMinor}, readers expect 2.x)`, HINT_RESAVE,
    );
  }
  const linktypeField = order.u32(buf, off + 20);
  const reserved = (linktypeField & LINKTYPE_RESERVED_MASK) >>> 0;
  if (reserved !== 0) {
    throw new InputFormatError(
      name, 20, `pcap network type reserved field not zero (0x${reserved.toString(16).padStart(8, '0')})`, HINT_RESAVE,
    );
  }
  const fcsBytes = (linktypeField & LINKTYPE_FCS_PRESENT) !== 0 ? (linktypeField >>> 28) * 2 : 0;
  return {
    order,
    nanos,
    versionMajor,
    versionMinor,
    snaplen: order.u32(buf, off + 16),
    linktype: linktypeField & 0xffff,
    fcsBytes,
  };
}

/** Streams the records of one classic pcap file into the tally's sink. */
export class PcapParser implements RecordParser {
  stopped = false;
  private header: PcapFileHeader | null = null;

  constructor(
    private readonly name: string,
    private readonly tally: CaptureTally,
  ) {}

  parse(buf: Uint8Array, start: number, end: number, fileOffset: number): number {
    let off = start;
    let header = this.header;
    if (header === null) {
      if (end - off < PCAP_FILE_HEADER_BYTES) return start;
      header = parsePcapFileHeader(buf, off, this.name);
      this.header = header;
      this.tally.sections = 1;
      this.tally.linktypes.push(header.linktype);
      off += PCAP_FILE_HEADER_BYTES;
    }
    const tally = this.tally;
    const sink = tally.sink;
    const u32 = header.order.u32;
    const fracPerMicro = header.nanos ? 1000 : 1;
    const fcsBytes = header.fcsBytes;
    const linktype = header.linktype;
    let packets = tally.packets;
    let lastTs = tally.lastTsMicros;
    while (end - off >= PCAP_RECORD_HEADER_BYTES) {
      const caplen = u32(buf, off + 8);
      const origlen = u32(buf, off + 12);
      if (caplen > PCAP_MAX_CAPLEN || caplen > origlen + PCAP_CAPLEN_SLACK) {
        tally.packets = packets;
        tally.lastTsMicros = lastTs;
        this.corruptRecord(fileOffset + (off - start), caplen, origlen);
        return off;
      }
      if (end - off - PCAP_RECORD_HEADER_BYTES < caplen) break;
      const tsMicros = u32(buf, off) * 1e6 + u32(buf, off + 4) / fracPerMicro;
      // The FCS is only present when the whole frame was captured.
      const trim = caplen === origlen && caplen >= fcsBytes ? fcsBytes : 0;
      sink.packet(buf, off + PCAP_RECORD_HEADER_BYTES, caplen - trim, origlen - trim, tsMicros, linktype, 0);
      if (packets === 0) tally.firstTsMicros = tsMicros;
      packets++;
      lastTs = tsMicros;
      off += PCAP_RECORD_HEADER_BYTES + caplen;
    }
    tally.packets = packets;
    tally.lastTsMicros = lastTs;
    return off;
  }

  /**
   * A record header that cannot be true. Classic pcap has no sync marker, so no later record can
   * be found reliably: stop here, keeping every record before it, and report the rest as a
   * truncated file. On the very first record the file header itself is suspect.
   */
  private corruptRecord(byteOffset: number, caplen: number, origlen: number): void {
    const why = caplen > PCAP_MAX_CAPLEN
      ? `captured length ${caplen} exceeds the maximum of ${PCAP_MAX_CAPLEN}`
      : `captured length ${caplen} exceeds the original length ${origlen}`;
    if (byteOffset === PCAP_FILE_HEADER_BYTES) {
      throw new InputFormatError(this.name, byteOffset, `first pcap record is corrupt: ${why}`, HINT_RESAVE);
    }
    this.stopped = true;
    this.tally.truncated(byteOffset, `corrupt pcap record header (${why}); the rest of the file cannot be read`);
  }

  finish(buf: Uint8Array, start: number, end: number, fileOffset: number, cause: string | null): void {
    const remaining = end - start;
    if (this.header === null) {
      throw new InputFormatError(
        this.name, fileOffset + remaining,
        `file ends after ${remaining} bytes, inside the ${PCAP_FILE_HEADER_BYTES}-byte pcap file header`, HINT_NOT_A_CAPTURE,
      );
    }
    let reason: string;
    if (remaining === 0) {
      if (cause === null) return;
      reason = cause;
    } else if (remaining < PCAP_RECORD_HEADER_BYTES) {
      reason = `file ends inside a record header (${remaining} of ${PCAP_RECORD_HEADER_BYTES} bytes)`;
    } else {
      const caplen = this.header.order.u32(buf, start + 8);
      reason = `file ends inside a packet record (${remaining - PCAP_RECORD_HEADER_BYTES} of ${caplen} captured bytes)`;
    }
    if (remaining !== 0 && cause !== null) reason += `; ${cause}`;
    this.tally.truncated(fileOffset, reason);
  }
}
