/**
 * Conntrack contexts for tunnelled layers. A tunnel is its kind, its two outer addresses in either
 * order, and the context of the layer it travels in; each distinct tunnel gets a number that goes
 * into the inner connections' keys, so inner tuples of different tunnels (clusters with
 * overlapping pod CIDRs) stay apart. Both directions of a connection must still meet, which rules
 * out two finer keys: the outer connection (VXLAN and Geneve pick the outer UDP source port per
 * flow and direction) and the tunnel id (OVN's Geneve VNI and asymmetric EVPN VXLAN differ per
 * direction; GRE may use one key each way). Inner connections of two tenants between the same
 * two nodes merge only if their addresses and ports are all equal.
 *
 * An open-addressing table over typed arrays: no allocation per packet.
 */
import type { DecodedPacket } from './decode/packet.js';

const KEY_WORDS = 10;
const INITIAL_CAPACITY = 1024;
/**
 * Tunnels remembered at once. Past that the table starts over with new numbers: memory stays
 * bounded, and a tunnel seen again later only splits its inner connections at that point.
 */
const MAX_TUNNELS = 1 << 16;

export class TunnelContexts {
  private slots = new Int32Array(INITIAL_CAPACITY);
  private keys = new Uint32Array((INITIAL_CAPACITY / 2) * KEY_WORDS);
  private contexts = new Uint32Array(INITIAL_CAPACITY / 2);
  private count = 0;
  private nextContext = 1;
  private readonly scratch = new Uint32Array(KEY_WORDS);

  /** The context of layer `inner`, which came out of a tunnel carried by `outer`; `parent` is `outer`'s own context. */
  contextOf(parent: number, outer: DecodedPacket, inner: DecodedPacket): number {
    this.fillKey(parent, outer, inner);
    const mask = this.slots.length - 1;
    let i = hashWords(this.scratch, 0) & mask;
    for (;;) {
      const v = this.slots[i]!;
      if (v === 0) break;
      if (this.sameKey(v - 1)) return this.contexts[v - 1]!;
      i = (i + 1) & mask;
    }
    return this.insert();
  }

  private fillKey(parent: number, outer: DecodedPacket, inner: DecodedPacket): void {
    const key = this.scratch;
    const words = outer.ipVersion === 4 ? 1 : 4;
    let cmp = 0;
    for (let w = 0; w < 4; w++) {
      const s = w < words ? addressWord(outer.buf, outer.srcOff + 4 * w) : 0;
      const d = w < words ? addressWord(outer.buf, outer.dstOff + 4 * w) : 0;
      key[2 + w] = s;
      key[6 + w] = d;
      if (cmp === 0 && s !== d) cmp = s < d ? -1 : 1;
    }
    // Both directions of the tunnel: the lower address first.
    if (cmp > 0) {
      for (let w = 2; w < 6; w++) {
        const t = key[w]!;
        key[w] = key[w + 4]!;
        key[w + 4] = t;
      }
    }
    key[0] = parent >>> 0;
    key[1] = inner.encapsulation | (outer.ipVersion << 8);
  }

  private sameKey(index: number): boolean {
    const base = index * KEY_WORDS;
    for (let w = 0; w < KEY_WORDS; w++) if (this.keys[base + w] !== this.scratch[w]) return false;
    return true;
  }

  private insert(): number {
    if (this.count === MAX_TUNNELS) {
      this.slots.fill(0);
      this.count = 0;
    } else if ((this.count + 1) * 2 > this.slots.length) {
      this.grow();
    }
    const index = this.count++;
    this.keys.set(this.scratch, index * KEY_WORDS);
    const context = this.nextContext++;
    this.contexts[index] = context;
    this.place(index);
    return context;
  }

  private place(index: number): void {
    const mask = this.slots.length - 1;
    let i = hashWords(this.keys, index * KEY_WORDS) & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = index + 1;
  }

  private grow(): void {
    const capacity = this.slots.length * 2;
    this.slots = new Int32Array(capacity);
    const keys = new Uint32Array((capacity / 2) * KEY_WORDS);
    keys.set(this.keys);
    this.keys = keys;
    const contexts = new Uint32Array(capacity / 2);
    contexts.set(this.contexts);
    this.contexts = contexts;
    for (let index = 0; index < this.count; index++) this.place(index);
  }
}

function addressWord(buf: Uint8Array, off: number): number {
  return ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
}

function hashWords(words: Uint32Array, base: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < KEY_WORDS; i++) {
    h = Math.imul(h ^ words[base + i]!, 0x01000193);
    h ^= h >>> 15;
  }
  return Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
}
