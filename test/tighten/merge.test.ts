/**
 * Address and port merging: bottom-up on the prefix tree, never over a forbidden address, never
 * beyond the bounds, only into blocks filled enough; ports left to right likewise.
 */
import { describe, expect, it } from 'vitest';
import { coalesce, coalescePorts, intervalToCidrs, mergeAddresses, mergePorts } from '../../src/tighten/merge.js';
import { cidrText } from '../../src/tighten/model.js';
import { address, block } from './evaluators/common.js';

const nums = (...ips: string[]): bigint[] => ips.map((ip) => address(ip).num);
const merge = (ips: string[], options: { forbidden?: string[]; bounds?: string[]; minFill?: number } = {}): string[] =>
  mergeAddresses({
    family: address(ips[0]!).family,
    addresses: nums(...ips),
    forbidden: nums(...(options.forbidden ?? [])),
    bounds: options.bounds ? options.bounds.map(block) : null,
    minFill: options.minFill ?? 50,
  }).map(cidrText);

const scattered = ['10.10.5.1', '10.10.5.2', '10.10.5.3', '10.10.5.5', '10.10.5.6', '10.10.5.7'];

describe('mergeAddresses', () => {
  it('merges scattered addresses into the block they fill', () => {
    expect(merge(scattered)).toEqual(['10.10.5.0/29']);
  });

  it('stops where an unexpected address sits in the gap', () => {
    expect(merge(scattered, { forbidden: ['10.10.5.4'] })).toEqual(['10.10.5.0/30', '10.10.5.5/32', '10.10.5.6/31']);
  });

  it('keeps an observed address even when it is also forbidden', () => {
    expect(merge(['10.0.0.1', '10.0.0.2'], { forbidden: ['10.0.0.2'] })).toEqual(['10.0.0.1/32', '10.0.0.2/32']);
  });

  it('does not reach beyond the bounds', () => {
    expect(merge(scattered, { bounds: ['10.10.5.1-10.10.5.255'] })).toEqual(['10.10.5.1/32', '10.10.5.2/31', '10.10.5.4/30']);
    expect(merge(scattered, { bounds: ['10.10.0.0/16'] })).toEqual(['10.10.5.0/29']);
  });

  it('needs the fill: two addresses at either end of a /24 stay apart unless --min-fill 0', () => {
    expect(merge(['10.0.0.1', '10.0.0.254'])).toEqual(['10.0.0.1/32', '10.0.0.254/32']);
    expect(merge(['10.0.0.1', '10.0.0.254'], { minFill: 0 })).toEqual(['10.0.0.0/24']);
    expect(merge(['10.0.0.1', '10.0.0.254'], { minFill: 0, bounds: ['10.0.0.0/16'] })).toEqual(['10.0.0.0/24']);
    expect(merge(['10.0.0.1', '10.0.0.254'], { minFill: 0, forbidden: ['10.0.0.100'] })).toEqual(['10.0.0.1/32', '10.0.0.254/32']);
  });

  it('merges IPv6 and never merges a single address', () => {
    expect(merge(['fd00::10', 'fd00::11'])).toEqual(['fd00::10/127']);
    expect(merge(['fd00::10'], { minFill: 0 })).toEqual(['fd00::10/128']);
  });
});

describe('mergePorts', () => {
  it('merges ports that fill a range, not across an unexpected port, not far apart', () => {
    expect(mergePorts([16380, 16381, 16383], [], 50)).toEqual([{ lo: 16380, hi: 16383 }]);
    expect(mergePorts([16380, 16381, 16383], [16382], 50)).toEqual([
      { lo: 16380, hi: 16381 },
      { lo: 16383, hi: 16383 },
    ]);
    expect(mergePorts([22, 443], [], 50)).toEqual([
      { lo: 22, hi: 22 },
      { lo: 443, hi: 443 },
    ]);
    expect(mergePorts([443, 443, 22], [], 100)).toEqual([
      { lo: 22, hi: 22 },
      { lo: 443, hi: 443 },
    ]);
  });
});

describe('interval helpers', () => {
  it('covers an interval with the fewest CIDRs', () => {
    const i = block('10.0.0.1-10.0.0.9');
    expect(intervalToCidrs(i).map(cidrText)).toEqual(['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/30', '10.0.0.8/31']);
    expect(intervalToCidrs(block('0.0.0.0/0')).map(cidrText)).toEqual(['0.0.0.0/0']);
    expect(intervalToCidrs(block('::/0')).map(cidrText)).toEqual(['::/0']);
  });

  it('coalesces overlapping and adjacent intervals, per family', () => {
    const out = coalesce([block('10.0.0.0/25'), block('fd00::/64'), block('10.0.0.128/25'), block('10.0.0.5')]);
    expect(out.map((i) => intervalToCidrs(i).map(cidrText).join(' '))).toEqual(['10.0.0.0/24', 'fd00::/64']);
    expect(coalescePorts([{ lo: 5, hi: 9 }, { lo: 1, hi: 4 }, { lo: 20, hi: 20 }])).toEqual([
      { lo: 1, hi: 9 },
      { lo: 20, hi: 20 },
    ]);
  });
});
