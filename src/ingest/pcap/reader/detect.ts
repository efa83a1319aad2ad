/**
 * Format detection by magic bytes only, never by file name: a `.pcap` may be pcapng, and a
 * capture may arrive on standard input or inside gzip.
 */

/** First four bytes of a classic pcap file, read big-endian, for each of the four variants. */
export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
export const PCAP_MAGIC_MICROS_SWAPPED = 0xd4c3b2a1;
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;
export const PCAP_MAGIC_NANOS_SWAPPED = 0x4d3cb2a1;
/** pcapng Section Header Block type; a palindrome, so it reads the same in both byte orders. */
export const PCAPNG_SHB_TYPE = 0x0a0d0d0a;

/** Bytes `sniffCapture` needs to tell every format apart. */
export const SNIFF_BYTES = 4;

export type CaptureFormat = 'pcap' | 'pcapng' | 'gzip';

/**
 * The format the first bytes of an input announce, or null when they match none (or are too few:
 * gzip needs 2 bytes, pcap and pcapng 4).
 */
export function sniffCapture(head: Uint8Array): CaptureFormat | null {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length < 4) return null;
  const magic = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
  switch (magic) {
    case PCAP_MAGIC_MICROS:
    case PCAP_MAGIC_MICROS_SWAPPED:
    case PCAP_MAGIC_NANOS:
    case PCAP_MAGIC_NANOS_SWAPPED:
      return 'pcap';
    case PCAPNG_SHB_TYPE:
      return 'pcapng';
    default:
      return null;
  }
}
