/**
 * The nftables target over the classified fixture: nft itself accepts the ruleset, and the
 * evaluator (test/tighten/evaluators/nftables.ts) proves the forward chain admits every documented
 * connection with addresses and denies every unexpected one, and the host chains do the same for
 * every connection touching a governed host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRuleSet } from '../../../src/tighten/build.js';
import type { RuleSet } from '../../../src/tighten/model.js';
import { nftablesTarget } from '../../../src/tighten/targets/nftables.js';
import { tally } from '../evaluators/common.js';
import { governedHostOf } from '../evaluators/identity.js';
import { decideForward, decideHosts, parseNft, setHolds } from '../evaluators/nftables.js';
import { BUILD_OPTIONS, classifiedFixture, KEEP_UNOBSERVED } from '../fixture.js';
import type { Classified } from '../fixture.js';
import { nftCheck, nftUnavailable, skipNft } from '../nft-check.js';

let f: Classified;
let ruleSet: RuleSet;
let text: string;

beforeAll(async () => {
  f = await classifiedFixture();
  ruleSet = buildRuleSet(f.input, BUILD_OPTIONS);
  text = nftablesTarget(ruleSet, { comparison: [] });
});
afterAll(() => f.t.close());

describe('nftables target', () => {
  it.skipIf(skipNft)(`is accepted by nft -c${nftUnavailable ? ` (skipped: ${nftUnavailable})` : ''}`, () => {
    expect(nftCheck(text)).toBe('');
  });

  it('forward chain: admits all 38 documented connections with addresses, denies all 6 unexpected', () => {
    const nft = parseNft(text);
    const result = tally(f.input.groups, (c) => decideForward(nft, c));
    expect(result.wrong).toEqual([]);
    expect(result.documented).toEqual({ allow: 38, deny: 0, ungoverned: 0, unjudgeable: 5 });
    expect(result.unexpected).toEqual({ allow: 0, deny: 6, ungoverned: 0, unjudgeable: 0 });
  });

  it('host chains: the same on the governed hosts; public → public is no host of theirs', () => {
    const nft = parseNft(text);
    const onHost = governedHostOf(ruleSet);
    const result = tally(f.input.groups, (c) => decideHosts(nft, c, onHost));
    expect(result.wrong).toEqual([]);
    expect(result.documented.deny).toBe(0);
    expect(result.unexpected).toEqual({ allow: 0, deny: 5, ungoverned: 1, unjudgeable: 0 });
  });

  it('merges around the unexpected addresses and ports, in named sets', () => {
    const nft = parseNft(text);
    const peerSet = (rule: string, family = 'v4'): string => {
      const n = ruleSet.rules.findIndex((r) => r.id === rule) + 1;
      return `r${n}_peer_${family}`;
    };
    const protectedRule = ruleSet.rules.find((r) => r.endpoint === 'gateway' && r.direction === 'ingress' && r.peerEndpoint === 'protected')!;
    for (const ip of ['10.10.5.1', '10.10.5.3', '10.10.5.5', '10.10.5.7']) expect(setHolds(nft, peerSet(protectedRule.id), ip)).toBe(true);
    expect(setHolds(nft, peerSet(protectedRule.id), '10.10.5.4')).toBe(false);
    const peering = ruleSet.rules.find((r) => r.endpoint === 'gateway' && r.direction === 'ingress' && r.peerEndpoint === 'gateway')!;
    const ports = `r${ruleSet.rules.indexOf(peering) + 1}_port`;
    expect([16380, 16381, 16382, 16383].map((p) => setHolds(nft, ports, p))).toEqual([true, true, false, true]);
    expect(nft.chains.get('input')!.policy).toBe('drop');
    expect(nft.chains.get('forward')!.policy).toBe('drop');
    expect(nft.chains.get('output')!.policy).toBe('drop');
  });

  it('keeps comments within nft limits and gives every accept rule one', () => {
    const comments = [...text.matchAll(/comment "([^"]*)"/g)].map((m) => m[1]!);
    expect(comments.length).toBeGreaterThan(10);
    for (const c of comments) expect(Buffer.byteLength(c)).toBeLessThanOrEqual(128);
    for (const line of text.split('\n').filter((l) => /\baccept\b/.test(l) && !l.trim().startsWith('#'))) expect(line).toMatch(/comment "/);
  });

  it.skipIf(skipNft)('with --keep-unobserved: still valid, still denies every unexpected connection', () => {
    const kept = buildRuleSet(f.input, KEEP_UNOBSERVED);
    const out = nftablesTarget(kept, { comparison: [] });
    expect(nftCheck(out)).toBe('');
    const nft = parseNft(out);
    const result = tally(f.input.groups, (c) => decideForward(nft, c));
    expect(result.wrong).toEqual([]);
    expect(result.unexpected.allow).toBe(0);
  });
});
