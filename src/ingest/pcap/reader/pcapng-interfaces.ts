/**
 * The interfaces of the current pcapng section, as parallel arrays indexed by interface id so the
 * packet path reads numbers without allocating. Reset at every Section Header Block.
 */
import { i64, type ByteOrder } from './byte-order.js';
import { walkOptions, type OptionOverrun } from './pcapng-options.js';

const IF_TSRESOL = 9;
const IF_FCSLEN = 13;
const IF_TSOFFSET = 14;
/** Microsecond resolution, the default when an interface has no if_tsresol. */
const DEFAULT_TSRESOL = 6;

export class InterfaceTable {
  /** Interfaces described in this section; ids at or above it are undefined. */
  count = 0;
  /** Index in the capture-wide interface list (CaptureSummary.linktypes) of this section's interface 0. */
  firstGlobalIndex = 0;
  readonly linktype: number[] = [];
  /** 0 means no limit. */
  readonly snaplen: number[] = [];
  /** Timestamp in microseconds = ticks * tsMultiplier / tsDivisor + tsOffsetMicros. */
  readonly tsMultiplier: number[] = [];
  readonly tsDivisor: number[] = [];
  readonly tsOffsetMicros: number[] = [];
  /** Bytes of FCS ending each complete frame, 0 when none. */
  readonly fcsBytes: number[] = [];

  /** Starts a new section whose interfaces follow `firstGlobalIndex` earlier ones. */
  reset(firstGlobalIndex: number): void {
    this.count = 0;
    this.firstGlobalIndex = firstGlobalIndex;
  }

  /**
   * Adds the interface an IDB body describes: `buf[off, end)` from the link type to the end of the
   * options. Options read before an overrunning one still apply; the overrun is returned.
   */
  addFromBlock(buf: Uint8Array, off: number, end: number, order: ByteOrder): OptionOverrun | null {
    const id = this.count++;
    this.linktype[id] = order.u16(buf, off);
    this.snaplen[id] = order.u32(buf, off + 4);
    this.fcsBytes[id] = 0;
    this.tsOffsetMicros[id] = 0;
    this.setResolution(id, DEFAULT_TSRESOL);
    return walkOptions(buf, off + 8, end, order.u16, (code, valueOff, length) => {
      if (code === IF_TSRESOL && length >= 1) this.setResolution(id, buf[valueOff]);
      else if (code === IF_FCSLEN && length >= 1) this.fcsBytes[id] = buf[valueOff];
      else if (code === IF_TSOFFSET && length >= 8) this.tsOffsetMicros[id] = i64(order, buf, valueOff) * 1e6;
    });
  }

  /**
   * if_tsresol: the low 7 bits are a negative exponent of 10, or of 2 when the high bit is set.
   * Multiplier and divisor are kept apart so that powers of ten stay exact.
   */
  private setResolution(id: number, tsresol: number): void {
    const exponent = tsresol & 0x7f;
    if ((tsresol & 0x80) !== 0) {
      this.tsMultiplier[id] = 1e6;
      this.tsDivisor[id] = 2 ** exponent;
    } else if (exponent >= 6) {
      this.tsMultiplier[id] = 1;
      this.tsDivisor[id] = 10 ** (exponent - 6);
    } else {
      this.tsMultiplier[id] = 10 ** (6 - exponent);
      this.tsDivisor[id] = 1;
    }
  }
}
