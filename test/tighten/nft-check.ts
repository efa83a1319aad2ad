/**
 * `nft -c -f FILE`: the kernel's own parser and validator, without committing anything. Needs
 * nftables and root (CAP_NET_ADMIN). Where either is missing the check is skipped with the reason
 * — except under CI, whose .ci/run installs nftables and runs as root: there a missing nft fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NFT = ['/usr/sbin/nft', '/usr/bin/nft', '/sbin/nft'].find((p) => existsSync(p)) ?? null;
const ROOT = process.getuid?.() === 0;

/** Why the check cannot run here, or null when it can. */
export const nftUnavailable: string | null = NFT === null ? 'nft is not installed (apt-get install nftables)' : !ROOT ? 'nft -c needs root (CAP_NET_ADMIN)' : null;

/** Skip only outside CI: CI must run the check. */
export const skipNft = nftUnavailable !== null && process.env.CI === undefined;

/** nft's complaints about the ruleset, or '' when it accepts it. */
export function nftCheck(ruleset: string): string {
  if (nftUnavailable !== null) throw new Error(`cannot check the ruleset with nft: ${nftUnavailable}`);
  const dir = mkdtempSync(join(tmpdir(), 'flowaudit-nft-'));
  try {
    const file = join(dir, 'ruleset.nft');
    writeFileSync(file, ruleset);
    const result = spawnSync(NFT!, ['-c', '-f', file], { encoding: 'utf8' });
    return result.status === 0 ? '' : `${result.stderr}${result.stdout}`.trim() || `nft exited ${result.status}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
