/**
 * Headless Chromium for the HTML report tests: found through $CHROMIUM, /usr/bin/chromium or
 * `which chromium`. CI installs it (.ci/run); elsewhere the tests that need it skip and say why.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

export function findChromium(): string | null {
  for (const candidate of [process.env.CHROMIUM, '/usr/bin/chromium']) if (candidate && existsSync(candidate)) return candidate;
  try {
    const found = execFileSync('which', ['chromium'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return found || null;
  } catch {
    return null;
  }
}

export const CHROMIUM_MISSING =
  'chromium was not found (looked at $CHROMIUM, /usr/bin/chromium and `which chromium`): .ci/run installs it (apt-get install chromium); or set CHROMIUM to its path';

export function launchChromium(executablePath: string): Promise<Browser> {
  return puppeteer.launch({ executablePath, headless: true, args: ['--no-sandbox', '--headless=new'] });
}
