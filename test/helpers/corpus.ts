/**
 * The shared public corpus: tests over it run when FLOWAUDIT_CORPUS points at it (.ci/run sets
 * it), fail when it is set but missing, and are skipped otherwise so a fresh clone passes.
 */
import { existsSync } from 'node:fs';

export function corpusDir(): string | null {
  const dir = process.env['FLOWAUDIT_CORPUS'];
  if (dir === undefined || dir === '') return null;
  if (!existsSync(dir)) throw new Error(`FLOWAUDIT_CORPUS is set to ${dir}, which does not exist`);
  return dir;
}
