/**
 * The HTML report in a real browser: headless Chromium loads the page from a file and must see no
 * console error, page error or request beyond the page itself; the diagram must lay out with edges of
 * every kind; the hostile names must stay text. A full-page screenshot is taken (kept in
 * $FLOWAUDIT_HTML_ARTIFACTS when set, for a look). Needs chromium: CI installs it (.ci/run); a
 * machine without it skips these tests and says why.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_KINDS } from '../../src/report/html/diagram.js';
import { renderHtml } from '../../src/report/html/index.js';
import { HOSTILE_NAMES, sampleReport } from './html-sample.js';
import { CHROMIUM_MISSING, findChromium, launchChromium } from '../helpers/chromium.js';

const chromium = findChromium();
const MISSING = CHROMIUM_MISSING;
const title = chromium ? 'HTML report in headless Chromium' : `HTML report in headless Chromium (skipped: ${MISSING})`;

describe.skipIf(!chromium && !process.env.CI)(title, { timeout: 30_000 }, () => {
  let browser: Browser | undefined;
  let page: Page | undefined;
  let dir = '';
  const problems: string[] = [];
  const requests: string[] = [];
  let pageUrl = '';

  const loaded = (): Page => {
    if (!page) throw new Error(chromium ? 'the page did not load (see beforeAll)' : MISSING);
    return page;
  };

  beforeAll(async () => {
    if (!chromium) return;
    dir = process.env.FLOWAUDIT_HTML_ARTIFACTS ?? (await mkdtemp(join(tmpdir(), 'flowaudit-html-')));
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'report.html');
    await writeFile(file, renderHtml(sampleReport(), { color: false }));
    pageUrl = pathToFileURL(file).href;
    browser = await launchChromium(chromium);
    const p = await browser.newPage();
    p.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warn') problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    p.on('pageerror', (err) => problems.push(`page error: ${String(err)}`));
    p.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
    p.on('request', (req) => requests.push(req.url()));
    await p.setViewport({ width: 1280, height: 900 });
    await p.goto(pageUrl, { waitUntil: 'load', timeout: 30_000 });
    page = p;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir && !process.env.FLOWAUDIT_HTML_ARTIFACTS) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it('finds chromium', () => {
    expect(chromium, MISSING).not.toBeNull();
  });

  it('loads with no console error, page error or failed request, and fetches nothing but itself', () => {
    loaded();
    expect(problems).toEqual([]);
    expect(requests).toEqual([pageUrl]);
  });

  it('lays out the diagram with edges of every kind', async () => {
    const p = loaded();
    const box = await p.$eval('#diagram svg', (svg) => {
      const r = svg.getBoundingClientRect();
      return { width: r.width, height: r.height };
    });
    expect(box.width).toBeGreaterThan(100);
    expect(box.height).toBeGreaterThan(100);
    const edges = await p.$$eval('#diagram svg g.edge', (gs) => gs.map((g) => {
      const path = g.querySelector('path')!;
      const b = path.getBBox();
      return { kind: g.getAttribute('data-kind'), length: path.getTotalLength(), area: Math.max(b.width, 1) * Math.max(b.height, 1), title: g.querySelector('title')?.textContent ?? '' };
    }));
    expect(new Set(edges.map((e) => e.kind))).toEqual(new Set(EDGE_KINDS));
    for (const e of edges) {
      expect(e.length, `${e.kind} edge`).toBeGreaterThan(10);
      expect(e.area).toBeGreaterThan(1);
      expect(e.title).not.toBe('');
    }
  });

  it('keeps hostile names as text: no element, handler or script link comes from the data', async () => {
    const p = loaded();
    const found = await p.evaluate(() => ({
      dangerous: document.querySelectorAll('img,script,iframe,object,embed,form,base,link').length,
      handlers: Array.from(document.querySelectorAll('*')).flatMap((el) => Array.from(el.attributes).filter((a) => a.name.startsWith('on')).map((a) => a.name)),
      links: Array.from(document.querySelectorAll('a[href]')).map((a) => a.getAttribute('href') ?? ''),
      text: document.body.textContent ?? '',
    }));
    expect(found.dangerous).toBe(0);
    expect(found.handlers).toEqual([]);
    for (const href of found.links) expect(href.startsWith('#') || /^https?:\/\//.test(href), href).toBe(true);
    for (const name of HOSTILE_NAMES) expect(found.text).toContain(name);
  });

  it('takes a full-page screenshot', async () => {
    const p = loaded();
    const file = join(dir, 'report.png');
    await p.screenshot({ path: file, fullPage: true });
    const png = await readFile(file);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeGreaterThan(10_000);
  });
});
