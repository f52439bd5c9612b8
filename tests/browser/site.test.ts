/**
 * The built fixture site in real Chromium: navigation an auditor and an
 * incident reviewer would do, the graph, the search, every URL pattern, no
 * request leaving 127.0.0.1. Screenshots go to test-results/screenshots/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../src/site/build.ts';
import { launchChromium, offlinePage } from '../helpers/chromium.ts';
import { writeSiteFixture } from '../helpers/site-fixture.ts';
import { serveStatic } from '../helpers/static-server.ts';

const SHOTS = path.resolve('test-results/screenshots');
let work: string;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
const external: string[] = [];

async function open(url: string): Promise<Page> {
  const page = await offlinePage(browser, external);
  const response = await page.goto(url);
  expect(response?.status()).toBe(200);
  return page;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-browser-'));
  await writeSiteFixture(path.join(work, 'snapshots'));
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

describe('the site in Chromium', () => {
  it('asks crawlers to stay away by default and carries its own favicon (public/)', async () => {
    const robots = await fetch(server.url('/robots.txt'));
    expect(await robots.text()).toBe('User-agent: *\nDisallow: /\n');
    const page = await open(server.url('/'));
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(icon).toBe('/favicon.svg');
    const svg = await fetch(server.url(icon!));
    expect(svg.status).toBe(200);
    expect(await svg.text()).toContain('<svg');
  });

  it('goes from / to a day, a finding, a compare page and a service history', async () => {
    const page = await open(server.url('/'));
    await page.screenshot({ path: path.join(SHOTS, 'home.png'), fullPage: true });
    await page.getByRole('link', { name: '2026-03-14' }).first().click();
    await expect.poll(() => page.url()).toBe(server.url('/days/2026-03-14/'));
    expect(await page.locator('#row-payments-api').count()).toBe(1);
    expect(await page.locator('h1').textContent()).toMatch(/2026-03-14 as recorded at 2026-03-14 \d\d:\d\d UTC/);

    // A finding's evidence, by its stable anchor.
    // (The finding's own # link; the approvals table links it too.)
    await page.locator('a[href="#finding-promotion.bypass/payments-api/prod"]').first().click();
    expect(page.url()).toBe(server.url('/days/2026-03-14/#finding-promotion.bypass/payments-api/prod'));
    const finding = page.locator('[id="finding-promotion.bypass/payments-api/prod"]');
    expect(await finding.textContent()).toContain('reached prod without passing staging');
    expect(await finding.locator('dd a[href^="https://github.example/"]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, 'day-finding.png'), fullPage: true });

    // Compare staging and prod: versions, redacted config, PRs between.
    await page.getByRole('link', { name: 'staging ↔ prod' }).click();
    await expect.poll(() => page.url()).toBe(server.url('/days/2026-03-14/compare/staging...prod/'));
    const body = await page.locator('main').textContent();
    expect(body).toContain('changed (redacted)');
    expect(body).toContain('unchanged (redacted)');
    expect(body).toContain('#115');
    await page.screenshot({ path: path.join(SHOTS, 'compare.png'), fullPage: true });

    // A service on that day, then its history across environments.
    await page.getByRole('link', { name: 'payments-api' }).first().click();
    await expect.poll(() => page.url()).toBe(server.url('/days/2026-03-14/services/payments-api/'));
    // The blast radius once for the environments where it reads the same (here all of them).
    expect(await page.locator('main').textContent()).toMatch(/Blast radius in dev, qa, staging and prod: web-frontend/);
    // What the approvals were given under: prod's reviewers and branch patterns, dev open to any branch.
    const protection = page.locator('h3:text-is("Deployment protection") + .table-wrap table');
    expect(await protection.locator('tbody tr').allTextContents()).toEqual(['devnoneyesnoneany branch', 'prodteam:release-managersno5 minmain, release/*']);
    // Where it runs, one row an environment: its status and version, the exact build (full commit, then the
    // artifact digest where recorded: dev recorded none) and who deployed it when.
    const where = page.locator('section[aria-labelledby="where"] table.where');
    const whereRows = await where.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [r.querySelector('th')!.textContent, ...[...r.querySelectorAll('td')].map((td) => td.textContent)]));
    expect(whereRows.map((cells) => cells[0])).toEqual(['dev', 'qa', 'staging', 'prod (production)']);
    expect(whereRows.map((cells) => /^[0-9a-f]{40}(sha256:[0-9a-f]{64})?$/.exec(cells[2] ?? '')?.[1] ? 'digest' : /^[0-9a-f]{40}$/.test(cells[2] ?? '') ? 'commit' : cells[2])).toEqual(['commit', 'digest', 'digest', 'digest']);
    expect(whereRows.every((cells) => / UTC by \S+ \(/.test(cells[3] ?? ''))).toBe(true);
    await page.locator('section[aria-labelledby="where"]').screenshot({ path: path.join(SHOTS, 'service-day-builds.png') });
    await page.getByRole('link', { name: 'history of payments-api' }).click();
    await expect.poll(() => page.url()).toBe(server.url('/services/payments-api/'));
    expect(await page.locator('main').textContent()).toContain('↩ rollback');
    await page.screenshot({ path: path.join(SHOTS, 'service-history.png'), fullPage: true });
    await page.close();
  });

  it('pages through the days: "next day →" leads to the next day, and the newest day says it is the newest', async () => {
    const page = await open(server.url('/days/2026-03-12/'));
    await page.locator('a[rel="next"]').click();
    // Through /days/2026-03-12/next/, which the browser follows on its own (a meta refresh, no script).
    await expect.poll(() => page.url()).toBe(server.url('/days/2026-03-13/'));
    expect(await page.locator('h1').textContent()).toMatch(/2026-03-13 as recorded at 2026-03-13 \d\d:\d\d UTC/);
    await page.goto(server.url('/days/2026-03-14/'));
    await page.locator('a[rel="next"]').click();
    await expect.poll(() => page.url()).toBe(server.url('/days/2026-03-14/next/'));
    expect(await page.locator('main').textContent()).toContain('2026-03-14 is the newest day in the ledger.');
    await page.close();
  });

  it('draws the dependency graph with mermaid (an svg appears) and keeps the table fallback', async () => {
    const page = await open(server.url('/days/2026-03-14/'));
    // The graph is drawn when it comes into view (issue 19).
    await page.locator('[data-graph]').first().scrollIntoViewIfNeeded();
    const svg = page.locator('[data-graph] .diagram svg');
    await svg.first().waitFor({ timeout: 30_000 });
    expect(await svg.count()).toBeGreaterThan(0);
    expect(await page.locator('[data-graph] .diagram').first().getAttribute('data-rendered')).toBe('true');
    expect(await page.locator('[data-graph] table').first().textContent()).toContain('✗ incompatible');
    await page.locator('#graph').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'graph.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(SHOTS, 'day-dark.png'), fullPage: true });
    await page.emulateMedia({ media: 'print', colorScheme: 'light' });
    await page.screenshot({ path: path.join(SHOTS, 'day-print.png'), fullPage: true });
    await page.close();
  });

  it('finds where a ticket is now with the static search', async () => {
    const page = await open(server.url('/changes/'));
    await page.locator('#q').fill('PAY-99');
    await page.locator('#q').press('Enter');
    const results = page.locator('#results table');
    await results.waitFor();
    const text = await results.textContent();
    expect(text).toContain('#115');
    expect(text).toContain('✓ since 2026-03-12 22:30 UTC (2.4.1)');
    await page.screenshot({ path: path.join(SHOTS, 'changes-search.png'), fullPage: true });
    await page.close();
  });

  it('answers 200 for every URL pattern of the design', async () => {
    const urls = [
      '/',
      '/days/2026-03-10/',
      '/days/2026-03-12/',
      '/days/2026-03-14/next/',
      '/days/2026-03-14/services/payments-api/',
      '/days/2026-03-14/environments/prod/',
      '/days/2026-03-14/compare/qa...prod/',
      '/services/payments-api/',
      '/services/ledger-core/',
      '/changes/',
      '/changes/index.json',
      '/stats/',
      '/snapshots/2026-03-12T140000Z.json.gz',
    ];
    for (const u of urls) expect([u, (await fetch(server.url(u))).status]).toEqual([u, 200]);
    // Days without a snapshot have no page.
    expect((await fetch(server.url('/days/2026-03-15/'))).status).toBe(404);
  });

  it('is usable from the keyboard: the skip link comes first and moves focus to the content', async () => {
    const page = await open(server.url('/days/2026-03-14/'));
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    // The navigation to the fragment is asynchronous: on a loaded runner the URL may not have changed yet.
    await expect.poll(() => page.url()).toContain('#main');
    await page.close();
  });

  it('made no request outside 127.0.0.1', () => {
    expect(external).toEqual([]);
  });
});
