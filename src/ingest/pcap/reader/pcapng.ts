/**
 * pcapng files: a sequence of blocks (type u32, total length u32, body, total length again), in
 * one or more sections, each opened by a Section Header Block that sets its byte order.
 * https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html
 */
import { InputFormatError } from '../../../errors.js';
import { BIG_ENDIAN, LITTLE_ENDIAN, type ByteOrder } from './byte-order.js';
import { PCAPNG_SHB_TYPE } from './detect.js';
import { InterfaceTable } from './pcapng-interfaces.js';
import { walkOptions } from './pcapng-options.js';
import { HINT_NOT_A_CAPTURE, HINT_RESAVE, type RecordParser } from './record-parser.js';
import type { CaptureTally } from './tally.js';

export const BLOCK_IDB = 0x00000001;
export const BLOCK_PB = 0x00000002;
export const BLOCK_SPB = 0x00000003;
export const BLOCK_NRB = 0x00000004;
export const BLOCK_ISB = 0x00000005;
export const BLOCK_EPB = 0x00000006;
export const BLOCK_DSB = 0x0000000a;
export const BLOCK_CUSTOM_COPY = 0x00000bad;
export const BLOCK_CUSTOM_NOCOPY = 0x40000bad;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_MIN_BYTES = 12;
const SHB_MIN_BYTES = 28;
const IDB_MIN_BYTES = 20;
/** Type, length, interface id, timestamp (2 words), captured and original length, trailer. */
const EPB_MIN_BYTES = 32;
const SPB_MIN_BYTES = 16;
/**
 * Largest block accepted. A network frame is at most a few hundred KiB (BIG TCP); a larger length
 * is a corrupt field, and waiting for it would grow the working buffer for nothing.
 */
export const PCAPNG_MAX_BLOCK_BYTES = 16 * 1024 * 1024;

/** Streams the packets of a pcapng file into the tally's sink. */
export class PcapngParser implements RecordParser {
  stopped = false;
  private order: ByteOrder = LITTLE_ENDIAN;
  private readonly interfaces = new InterfaceTable();

  constructor(
    private readonly name: string,
    private readonly tally: CaptureTally,
  ) {}

  parse(buf: Uint8Array, start: number, end: number, fileOffset: number): number {
    const base = fileOffset - start;
    let u32 = this.order.u32;
    let off = start;
    // Every block is at least 12 bytes, enough to read an SHB's byte-order magic.
    while (end - off >= BLOCK_MIN_BYTES) {
      const type = u32(buf, off);
      if (type === PCAPNG_SHB_TYPE) {
        const consumed = this.sectionHeader(buf, off, end, base + off);
        if (consumed <= 0) return off;
        u32 = this.order.u32;
        off += consumed;
        continue;
      }
      const length = u32(buf, off + 4);
      if (length < BLOCK_MIN_BYTES || (length & 3) !== 0 || length > PCAPNG_MAX_BLOCK_BYTES) {
        this.corruptBlock(base + off, `block length ${length} is invalid (must be a multiple of 4 between ${BLOCK_MIN_BYTES} and ${PCAPNG_MAX_BLOCK_BYTES})`);
        return off;
      }
      if (end - off < length) break;
      const trailer = u32(buf, off + length - 4);
      if (trailer !== length) {
        this.corruptBlock(base + off, `block length ${length} does not match its trailing copy ${trailer}`);
        return off;
      }
      if (type === BLOCK_EPB) this.enhancedPacket(buf, off, length, base + off);
      else if (!this.otherBlock(type, buf, off, length, base + off)) return off;
      off += length;
    }
    return off;
  }

  private enhancedPacket(buf: Uint8Array, off: number, length: number, blockOffset: number): void {
    const u32 = this.order.u32;
    if (length < EPB_MIN_BYTES) {
      this.tally.badRecord(blockOffset, `enhanced packet block of ${length} bytes is shorter than ${EPB_MIN_BYTES}`);
      return;
    }
    const id = u32(buf, off + 8);
    const caplen = u32(buf, off + 20);
    if (caplen > length - EPB_MIN_BYTES) {
      this.tally.badRecord(blockOffset, `enhanced packet block of ${length} bytes cannot hold its ${caplen} captured bytes`);
    } else if (id >= this.interfaces.count) {
      this.undefinedInterface(blockOffset, 'enhanced packet block', id);
    } else {
      const ticks = u32(buf, off + 12) * 4294967296 + u32(buf, off + 16);
      this.deliver(buf, off + 28, caplen, u32(buf, off + 24), ticks, id);
    }
  }

  /** Handles every block but EPB and SHB; returns false when the file cannot be read further. */
  private otherBlock(type: number, buf: Uint8Array, off: number, length: number, blockOffset: number): boolean {
    const order = this.order;
    switch (type) {
      case BLOCK_IDB: {
        if (length < IDB_MIN_BYTES) {
          // Interface ids are positional: losing one would pin later packets on the wrong link.
          this.corruptBlock(blockOffset, `interface description block of ${length} bytes is shorter than ${IDB_MIN_BYTES}`);
          return false;
        }
        const overrun = this.interfaces.addFromBlock(buf, off + 8, off + length - 4, order);
        this.tally.linktypes.push(order.u16(buf, off + 8));
        if (overrun !== null) {
          this.tally.badRecord(
            blockOffset + (overrun.optionOff - off),
            `not enough data to handle option of length ${overrun.length} in an interface description block; options after it are ignored`,
          );
        }
        return true;
      }
      case BLOCK_SPB:
        this.simplePacket(buf, off, length, blockOffset);
        return true;
      case BLOCK_PB: {
        // Obsolete Packet Block: a 16-bit interface id and a drops count where EPB has a 32-bit id.
        if (length < EPB_MIN_BYTES) {
          this.tally.badRecord(blockOffset, `packet block of ${length} bytes is shorter than ${EPB_MIN_BYTES}`);
          return true;
        }
        const caplen = order.u32(buf, off + 20);
        const id = order.u16(buf, off + 8);
        if (caplen > length - EPB_MIN_BYTES) {
          this.tally.badRecord(blockOffset, `packet block of ${length} bytes cannot hold its ${caplen} captured bytes`);
        } else if (id >= this.interfaces.count) {
          this.undefinedInterface(blockOffset, 'packet block', id);
        } else {
          const ticks = order.u32(buf, off + 12) * 4294967296 + order.u32(buf, off + 16);
          this.deliver(buf, off + 28, caplen, order.u32(buf, off + 24), ticks, id);
        }
        return true;
      }
      // Name resolution, statistics, decryption secrets, custom and unknown blocks carry no
      // packets; their length alone is enough to step over them.
      default:
        return true;
    }
  }

  /**
   * Simple Packet Block: interface 0, no timestamp, captured length implied by the block. The
   * packet gets the previous packet's timestamp (0 before any), and does not move the capture's
   * first/last timestamps.
   */
  private simplePacket(buf: Uint8Array, off: number, length: number, blockOffset: number): void {
    if (length < SPB_MIN_BYTES) {
      this.tally.badRecord(blockOffset, `simple packet block of ${length} bytes is shorter than ${SPB_MIN_BYTES}`);
      return;
    }
    const ifs = this.interfaces;
    if (ifs.count === 0) {
      this.undefinedInterface(blockOffset, 'simple packet block', 0);
      return;
    }
    const origlen = this.order.u32(buf, off + 8);
    const snaplen = ifs.snaplen[0];
    let caplen = Math.min(origlen, length - SPB_MIN_BYTES);
    if (snaplen !== 0 && snaplen < caplen) caplen = snaplen;
    const trim = caplen === origlen && caplen >= ifs.fcsBytes[0] ? ifs.fcsBytes[0] : 0;
    const tally = this.tally;
    tally.sink.packet(buf, off + 12, caplen - trim, origlen - trim, tally.lastTsMicros ?? 0, ifs.linktype[0], ifs.firstGlobalIndex);
    tally.packets++;
  }

  private deliver(buf: Uint8Array, dataOff: number, caplen: number, origlen: number, ticks: number, id: number): void {
    const ifs = this.interfaces;
    const tally = this.tally;
    const tsMicros = (ticks * ifs.tsMultiplier[id]) / ifs.tsDivisor[id] + ifs.tsOffsetMicros[id];
    const fcsBytes = ifs.fcsBytes[id];
    // The FCS is only present when the whole frame was captured.
    const trim = caplen === origlen && caplen >= fcsBytes ? fcsBytes : 0;
    tally.sink.packet(buf, dataOff, caplen - trim, origlen - trim, tsMicros, ifs.linktype[id], ifs.firstGlobalIndex + id);
    if (tally.firstTsMicros === null) tally.firstTsMicros = tsMicros;
    tally.lastTsMicros = tsMicros;
    tally.packets++;
  }

  private undefinedInterface(blockOffset: number, what: string, id: number): void {
    const count = this.interfaces.count;
    this.tally.badRecord(blockOffset, `${what} names interface ${id}, but this section describes ${count === 0 ? 'none' : `only ${count}`}`);
  }

  /**
   * Section Header Block at `buf[off]`: returns its length once it is complete and valid, 0 when
   * more bytes are needed, -1 when the file cannot be read further.
   */
  private sectionHeader(buf: Uint8Array, off: number, end: number, blockOffset: number): number {
    const magic = BIG_ENDIAN.u32(buf, off + 8);
    const order = sectionByteOrder(magic);
    if (order === null) {
      return this.corruptSection(blockOffset + 8, `section header byte-order magic is 0x${magic.toString(16).padStart(8, '0')}, not 0x1a2b3c4d in either byte order`);
    }
    const length = order.u32(buf, off + 4);
    if (length < SHB_MIN_BYTES || (length & 3) !== 0 || length > PCAPNG_MAX_BLOCK_BYTES) {
      return this.corruptSection(blockOffset + 4, `section header block length ${length} is invalid (must be a multiple of 4 between ${SHB_MIN_BYTES} and ${PCAPNG_MAX_BLOCK_BYTES})`);
    }
    if (end - off < length) return 0;
    const major = order.u16(buf, off + 12);
    const minor = order.u16(buf, off + 14);
    if (major !== 1 || (minor !== 0 && minor !== 2)) {
      return this.corruptSection(blockOffset + 12, `unknown SHB version ${major}.${minor} (pcapng readers accept section header versions 1.0 and 1.2)`);
    }
    const overrun = walkOptions(buf, off + 24, off + length - 4, order.u16, null);
    if (overrun !== null) {
      const optionOffset = blockOffset + (overrun.optionOff - off);
      const reason = `not enough data to handle option of length ${overrun.length} in the section header block`;
      if (this.tally.sections === 0) throw new InputFormatError(this.name, optionOffset, reason, HINT_RESAVE);
      // Section options are descriptive (hardware, OS, application): the section still reads.
      this.tally.badRecord(optionOffset, reason);
    }
    // Checked after version and options, in Wireshark's order, so both report the same fault first.
    const trailer = order.u32(buf, off + length - 4);
    if (trailer !== length) {
      return this.corruptSection(blockOffset + length - 4, `section header block length ${length} does not match its trailing copy ${trailer}`);
    }
    this.order = order;
    this.interfaces.reset(this.tally.linktypes.length);
    this.tally.sections++;
    return length;
  }

  /** A section header that cannot be read: fatal for the first, the end of the readable file later. */
  private corruptSection(byteOffset: number, reason: string): -1 {
    if (this.tally.sections === 0) throw new InputFormatError(this.name, byteOffset, reason, HINT_RESAVE);
    this.corruptBlock(byteOffset, reason);
    return -1;
  }

  /**
   * Block framing that cannot be trusted. Without a valid length the next block cannot be found,
   * so reading stops here: everything before is kept and the rest is reported as truncated.
   */
  private corruptBlock(byteOffset: number, reason: string): void {
    this.stopped = true;
    this.tally.truncated(byteOffset, `corrupt pcapng block: ${reason}; the rest of the file cannot be read`);
  }

  finish(buf: Uint8Array, start: number, end: number, fileOffset: number, cause: string | null): void {
    const remaining = end - start;
    if (this.tally.sections === 0) {
      throw new InputFormatError(
        this.name, fileOffset + remaining, `file ends after ${remaining} bytes, inside the first pcapng section header block`, HINT_NOT_A_CAPTURE,
      );
    }
    let reason: string;
    if (remaining === 0) {
      if (cause === null) return;
      reason = cause;
    } else if (remaining < BLOCK_MIN_BYTES) {
      reason = `file ends inside a block header (${remaining} bytes left)`;
    } else {
      const type = this.order.u32(buf, start);
      // A cut SHB announces its own byte order, maybe not the current section's.
      const order = type === PCAPNG_SHB_TYPE ? sectionByteOrder(BIG_ENDIAN.u32(buf, start + 8)) ?? this.order : this.order;
      reason = `file ends inside ${blockName(type)} (${remaining} of ${order.u32(buf, start + 4)} bytes)`;
    }
    if (remaining !== 0 && cause !== null) reason += `; ${cause}`;
    this.tally.truncated(fileOffset, reason);
  }
}

/** The byte order a section header's byte-order magic (read big-endian) announces, or null. */
function sectionByteOrder(magic: number): ByteOrder | null {
  if (magic === BYTE_ORDER_MAGIC) return BIG_ENDIAN;
  if (magic === 0x4d3c2b1a) return LITTLE_ENDIAN;
  return null;
}

function blockName(type: number): string {
  switch (type) {
    case PCAPNG_SHB_TYPE: return 'a section header block';
    case BLOCK_IDB: return 'an interface description block';
    case BLOCK_PB: return 'a packet block';
    case BLOCK_SPB: return 'a simple packet block';
    case BLOCK_NRB: return 'a name resolution block';
    case BLOCK_ISB: return 'an interface statistics block';
    case BLOCK_EPB: return 'an enhanced packet block';
    case BLOCK_DSB: return 'a decryption secrets block';
    case BLOCK_CUSTOM_COPY:
    case BLOCK_CUSTOM_NOCOPY: return 'a custom block';
    default: return `a block of type 0x${type.toString(16).padStart(8, '0')}`;
  }
}
