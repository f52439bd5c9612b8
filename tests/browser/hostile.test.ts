/**
 * Hostile strings in every free-text field (PR titles, branches, config
 * values, approvers, deployers, versions, messages, URLs, reasons) render as
 * inert text: no built page holds raw markup or a `javascript:` link, and in
 * Chromium (one page of every kind, graphs drawn) no dialog opens and no
 * injected script sets `window.__pwned`; the payload is visible as text.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../src/site/build.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { writeSiteFixture } from '../helpers/site-fixture.ts';
import { serveStatic } from '../helpers/static-server.ts';

let work: string;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
let pages: string[];

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-hostile-'));
  await writeSiteFixture(path.join(work, 'snapshots'), { hostile: true });
  await buildSite({ snapshotsDir: path.join(work, 'snapshots'), outDir: path.join(work, 'dist'), logLevel: 'error' });
  server = await serveStatic(path.join(work, 'dist'));
  browser = await launchChromium();
  const files = await readdir(path.join(work, 'dist'), { recursive: true });
  pages = files
    .filter((f) => f.endsWith('index.html'))
    .map((f) => `/${f.slice(0, -'index.html'.length)}`)
    .sort();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('hostile strings', () => {
  it('leaves no raw markup or javascript: link in any built page', async () => {
    expect(pages.length).toBeGreaterThan(50);
    for (const p of pages) {
      const html = await readFile(path.join(work, 'dist', p, 'index.html'), 'utf8');
      // Inside a double-quoted attribute value (Astro escapes `"` and `&` there) `<` is inert text,
      // so markup is looked for outside attribute values only.
      const outsideAttributes = html.replace(/="[^"]*"/g, '=""');
      const raw = ['<script>window.__pwned', '<img src=x', '<svg onload', '<iframe src=javascript'].filter((m) => outsideAttributes.includes(m));
      // A real link attribute: quoted (`"` inside values and text is escaped, so this is an attribute start) or unquoted in a tag.
      const jsLinks = [
        ...(html.match(/\s(?:href|src|action|formaction)\s*=\s*["']\s*javascript:/gi) ?? []),
        ...(outsideAttributes.match(/<[a-zA-Z][^<>]*\s(?:href|src|action|formaction)\s*=\s*javascript:/gi) ?? []),
      ];
      expect({ page: p, raw, jsLinks }).toEqual({ page: p, raw: [], jsLinks: [] });
    }
  });

  it('keeps the 404 page and its resolver inert: a hostile service name in the URL is shown as text', async () => {
    const html = await readFile(path.join(work, 'dist', '404.html'), 'utf8');
    expect(html.replace(/="[^"]*"/g, '=""')).not.toContain('<script>window.__pwned');
    const page = await browser.newPage();
    const url = `/days/2026-03-20/services/${encodeURIComponent('<img src=x onerror="window.__pwned=1">')}/`;
    const response = await page.goto(server.url(url));
    expect(response?.status()).toBe(404);
    await expect.poll(() => page.locator('#not-found-detail').textContent()).toBe('No snapshot recorded <img src=x onerror="window.__pwned=1"> on 2026-03-20.');
    const state = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
      injected: document.querySelectorAll('img[src="x"], iframe, svg[onload], [onerror], [onload]').length,
    }));
    expect(state).toEqual({ pwned: null, injected: 0 });
    await page.close();
  });

  it('runs no script in Chromium on one page of every kind', async () => {
    const sample = [
      '/',
      '/days/2026-03-14/',
      '/days/2026-03-12/',
      '/days/2026-03-14/services/payments-api/',
      '/days/2026-03-14/services/notifications/',
      '/days/2026-03-14/environments/prod/',
      '/days/2026-03-14/compare/staging...prod/',
      '/services/payments-api/',
      '/changes/',
      '/stats/',
    ];
    for (const p of sample) expect(pages).toContain(p);
    const context = await browser.newContext();
    const dialogs: string[] = [];
    for (const p of sample) {
      const page = await context.newPage();
      page.on('dialog', (d) => {
        dialogs.push(`${p}: ${d.message()}`);
        void d.dismiss();
      });
      const response = await page.goto(server.url(p));
      expect(response?.status()).toBe(200);
      // Pages with a graph: let mermaid draw it (when it comes into view, issue 19), so its output is checked too.
      for (const figure of await page.locator('[data-graph]').all()) await figure.scrollIntoViewIfNeeded();
      if ((await page.locator('[data-graph] .diagram').count()) > 0)
        await page.waitForFunction(() => [...document.querySelectorAll('[data-graph] .diagram')].every((d) => (d as HTMLElement).dataset.rendered), undefined, { timeout: 60_000 });
      const state = await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
        javascriptLinks: [...document.querySelectorAll('[href], [src], [action], [formaction]')]
          .map((e) => e.getAttribute('href') ?? e.getAttribute('src') ?? e.getAttribute('action') ?? e.getAttribute('formaction') ?? '')
          .filter((v) => /^\s*javascript:/i.test(v)),
        injected: document.querySelectorAll('img[src="x"], iframe, svg[onload], [onerror], [onload]').length,
      }));
      expect({ page: p, ...state }).toEqual({ page: p, pwned: null, javascriptLinks: [], injected: 0 });
      await page.close();
    }
    expect(dialogs).toEqual([]);
    await context.close();
  }, 300_000);

  it('shows the payload as text', async () => {
    const page = await browser.newPage();
    await page.goto(server.url('/days/2026-03-14/'));
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('<script>window.__pwned=1</script>');
    expect(text).toContain('javascript:window.__pwned=1');
    await mkdir(path.resolve('test-results/screenshots'), { recursive: true });
    await page.screenshot({ path: path.resolve('test-results/screenshots/hostile-day.png'), fullPage: true });
    await page.close();
  });

  it('keeps the client-side search inert', async () => {
    const page = await browser.newPage();
    let dialog = false;
    page.on('dialog', (d) => {
      dialog = true;
      void d.dismiss();
    });
    await page.goto(server.url('/changes/?q=PAY-99'));
    await page.locator('#results table').waitFor();
    expect(await page.locator('#results').textContent()).toContain('<script>window.__pwned=1</script>');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned ?? null)).toBeNull();
    expect(await page.locator('#results a[href^="javascript:"]').count()).toBe(0);
    expect(dialog).toBe(false);
    await page.close();
  });
});
