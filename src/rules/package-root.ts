/**
 * The shipped `rules/` and `schemas/` folders sit at the package root. This module runs from
 * `src/rules/` under vitest and from `dist/src/rules/` after tsc, so the root is found by walking up
 * to the package.json that names flowaudit rather than by a fixed number of `..`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (true) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isFlowauditManifest(manifest)) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no flowaudit package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function isFlowauditManifest(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown }).name === 'flowaudit';
  } catch {
    return false;
  }
}

/** The rule packs shipped with flowaudit, used when no `--rules` is given. */
export function shippedRulesDir(): string {
  return join(packageRoot(), 'rules');
}

export function schemaPath(name: 'rule-pack' | 'inventory' | 'report'): string {
  return join(packageRoot(), 'schemas', `${name}.schema.json`);
}
