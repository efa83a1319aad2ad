/**
 * The demo's HTML report (test/report/golden/demo.html: what `npm run demo` writes, times masked)
 * opened in headless Chromium as a newcomer would open it: no console error, no request beyond the
 * file, the flow diagram laid out with documented, unexpected, denied, unanswered and unobserved
 * edges, and a full-page screenshot taken.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { CHROMIUM_MISSING, findChromium, launchChromium } from '../helpers/chromium.js';

const chromium = findChromium();
const DEMO_HTML = join(REPO_ROOT, 'test', 'report', 'golden', 'demo.html');

describe.skipIf(!chromium && !process.env.CI)(chromium ? 'demo report in headless Chromium' : `demo report in headless Chromium (skipped: ${CHROMIUM_MISSING})`, () => {
  let browser: Browser | undefined;
  afterAll(async () => browser?.close(), 30_000);

  it('renders the demo with its diagram, no console errors, and a screenshot', async () => {
    expect(chromium, CHROMIUM_MISSING).not.toBeNull();
    browser = await launchChromium(chromium!);
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warn') problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${String(err)}`));
    page.on('request', (req) => requests.push(req.url()));
    await page.setViewport({ width: 1280, height: 900 });
    const url = pathToFileURL(DEMO_HTML).href;
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });

    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    const diagram = await page.$eval('svg', (svg) => {
      const box = svg.getBoundingClientRect();
      const kinds = [...svg.querySelectorAll('[data-kind]')].map((e) => e.getAttribute('data-kind'));
      return { width: box.width, height: box.height, kinds: [...new Set(kinds)].sort() };
    });
    expect(diagram.width).toBeGreaterThan(300);
    expect(diagram.height).toBeGreaterThan(200);
    expect(diagram.kinds).toEqual(expect.arrayContaining(['denied', 'observed', 'unanswered', 'unexpected', 'unobserved']));

    const dir = await mkdtemp(join(tmpdir(), 'flowaudit-demo-shot-'));
    try {
      const shot = join(dir, 'demo.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect((await stat(shot)).size).toBeGreaterThan(50_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
