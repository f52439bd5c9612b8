/**
 * The release pages in real Chromium, over a small ledger written through the
 * real rules and chain (tests/releases/ledger.ts): what they say, a 390 px
 * phone with no sideways scroll, and print on A4 with nothing wider than the page.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../src/site/build.ts';
import { A4_CONTENT_PX, launchChromium } from '../helpers/chromium.ts';
import { serveStatic } from '../helpers/static-server.ts';
import { writeReleaseLedger } from '../releases/ledger.ts';

const SHOTS = path.resolve('test-results/screenshots');
const PHONE = { width: 390, height: 844 };
const PAGES = { releases: '/releases/', declared: '/releases/checkout/', found: '/releases/PAY-7/', day: '/days/2026-03-08/' };

let work: string;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-releases-'));
  await writeReleaseLedger(path.join(work, 'snapshots'));
  await buildSite({ snapshotsDir: path.join(work, 'snapshots'), outDir: path.join(work, 'dist'), logLevel: 'error' });
  server = await serveStatic(path.join(work, 'dist'));
  browser = await launchChromium();
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function open(url: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.route('**/*', (route) => (route.request().url().startsWith('http://127.0.0.1:') ? route.continue() : route.abort()));
  expect((await page.goto(server.url(url)))?.status()).toBe(200);
  return page;
}

/** Elements whose right edge passes `width` outside a scrolling wrapper (what makes a page scroll sideways). */
function widerThan(page: Page, width: number): Promise<string[]> {
  return page.evaluate((w) => {
    const clipped = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible' && p.getBoundingClientRect().right <= w + 1) return true;
      return false;
    };
    return [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > w + 1 && !clipped(el)).map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
  }, width);
}

describe('release pages', () => {
  it('/releases/ lists the declared release and the found ticket with their state per environment', async () => {
    const page = await open(PAGES.releases, { width: 1280, height: 900 });
    const rows = await page.locator('tr[data-release]').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-release'), [...tr.querySelectorAll('[data-state]')].map((b) => b.getAttribute('data-state')).join(' ')]));
    // As of the last day (day 10): checkout superseded below prod, complete in prod; PAY-7 in dev and qa, not yet in prod.
    expect(rows).toEqual([
      ['checkout', 'superseded superseded complete'],
      ['PAY-7', 'complete complete not-started'],
    ]);
    expect(await page.locator('nav a', { hasText: 'Releases' }).count()).toBeGreaterThan(0);
    await page.close();
  });

  it('/releases/PAY-7/ shows positions, the blast radius and the day-by-day lag in qa', async () => {
    const page = await open(PAGES.found, { width: 1280, height: 900 });
    const text = await page.locator('main').innerText();
    expect(text).toContain('mobile (via api)');
    const lag = await page.locator('tr[data-day]').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-day'), tr.querySelectorAll('td')[1]?.textContent ?? '']));
    expect(lag).toContainEqual(['2026-03-08', '◐ partial✓ api 1.2.0✗ web 1.1.0']);
    expect(lag).toContainEqual(['2026-03-10', '✓ complete✓ api 1.2.0✓ web 1.2.0']);
    await page.close();
  });

  it('the day page shows the partial release and the release.partial finding', async () => {
    const page = await open(PAGES.day, { width: 1280, height: 900 });
    expect(await page.locator('section[aria-labelledby="releases"] .releases-partial li[data-release="PAY-7"]').count()).toBe(1);
    expect(await page.locator('[id="finding-release.partial/web/qa/PAY-7"]').count()).toBe(1);
    await page.close();
  });

  it('/changes/ answers a ticket several services share with every service\'s position and a link to its release page', async () => {
    const page = await open('/changes/?q=pay-7', { width: 1280, height: 900 });
    const line = page.locator('#results p[data-release="PAY-7"]');
    await line.waitFor();
    expect(await line.innerText()).toBe('PAY-7 changed 2 services (api, web): dev complete · qa complete · prod not-started. Where each part is, day by day');
    expect(await line.locator('a').getAttribute('href')).toBe('/releases/PAY-7/');
    // The hits: one pull request per service, each with where it runs.
    expect(await page.locator('#results tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')?.textContent))).toEqual(['api', 'web']);
    await page.close();
  });

  for (const [kind, url] of Object.entries(PAGES)) {
    it(`${kind}: at 390 px the page does not scroll sideways`, async () => {
      const page = await open(url, PHONE);
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }));
      expect({ scrollWidth, wider: await widerThan(page, innerWidth) }).toEqual({ scrollWidth: innerWidth, wider: [] });
      await page.screenshot({ path: path.join(SHOTS, `phone-release-${kind}.png`), fullPage: true });
      await page.close();
    });
  }

  it('a release page prints on A4 with its positions and timeline, nothing wider than the page', async () => {
    const page = await open(PAGES.declared, { width: A4_CONTENT_PX, height: 1100 });
    await page.emulateMedia({ media: 'print', colorScheme: 'light' });
    expect(await widerThan(page, A4_CONTENT_PX)).toEqual([]);
    const pdf = path.join(SHOTS, 'print-release.pdf');
    await writeFile(pdf, await page.pdf({ format: 'A4', printBackground: false }));
    expect(execFileSync('/usr/bin/pdfinfo', [pdf], { encoding: 'utf8' })).toMatch(/Page size:\s+595\.\d+ x 84[12]\.\d+ pts \(A4\)/);
    const printed = execFileSync('/usr/bin/pdftotext', ['-raw', pdf, '-'], { encoding: 'utf8' });
    expect(printed).toContain('team-payments');
    expect(printed).toContain('Day by day');
    expect(printed).toContain('Blast radius');
    // The print leaves out navigation-only links.
    expect(printed).not.toContain('← All releases');
    await page.close();
  });
});
