/**
 * "Where is my change?" in Chromium: a search answer's cell opens the change
 * page of the deployment it names (docs/site.md "Where is my change?"), and
 * without JavaScript the service page's table opens the same page.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../src/site/build.ts';
import { launchChromium, offlinePage } from '../helpers/chromium.ts';
import { writeSiteFixture } from '../helpers/site-fixture.ts';
import { serveStatic } from '../helpers/static-server.ts';

let work: string;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
const external: string[] = [];

async function open(context: BrowserContext, url: string): Promise<Page> {
  const page = await offlinePage(context, external);
  const response = await page.goto(url);
  expect(response?.status()).toBe(200);
  return page;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'browser-change-links-'));
  await writeSiteFixture(path.join(work, 'snapshots'));
  await buildSite({ snapshotsDir: path.join(work, 'snapshots'), outDir: path.join(work, 'dist'), logLevel: 'error' });
  server = await serveStatic(path.join(work, 'dist'));
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
  expect(external).toEqual([]);
});

describe('where is my change, in Chromium', () => {
  it('opens the change page of the deployment a search answer names', async () => {
    const context = await browser.newContext();
    const page = await open(context, server.url('/changes/'));
    await page.locator('#q').fill('PAY-99');
    await page.locator('#q').press('Enter');
    const link = page.locator('#results table a', { hasText: '✓ since 2026-03-12 22:30 UTC (2.4.1)' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe('/changes/payments-api.prod.20260312T223000Z.b825414fd0/');
    // The pull request's own link still goes to its source record.
    expect(await page.locator('#results table a', { hasText: '#115' }).getAttribute('rel')).toBe('nofollow noopener');
    const [response] = await Promise.all([page.waitForNavigation(), link.click()]);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/changes/payments-api.prod.20260312T223000Z.b825414fd0/');
    expect(await page.locator('h1').textContent()).toBe('payments-api 2.4.1 in prod');
    expect(await page.locator('main').textContent()).toContain('#115 PAY-99 hotfix: double charge');
    await context.close();
  });

  it('links only the cells whose deployment has a change page', async () => {
    const context = await browser.newContext();
    const page = await open(context, server.url('/changes/?q=payments-api%23101'));
    const row = page.locator('#results tbody tr');
    await row.waitFor();
    // dev, qa and staging require no approvals: their deployments have no change page.
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(3).every((c) => c.startsWith('✓ since'))).toBe(true);
    expect(await row.locator('td a[href^="/changes/"]').count()).toBe(1);
    expect(await row.locator('td a[href^="/changes/"]').getAttribute('href')).toBe('/changes/payments-api.prod.20260311T103000Z.20c9b8cbda/');
    await context.close();
  });

  it('opens the same page from the service page without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await open(context, server.url('/services/payments-api/'));
    const link = page.locator('section[aria-labelledby="prs"] a', { hasText: '✓ since 2026-03-12 22:30 UTC (2.4.1)' });
    expect(await link.count()).toBe(1);
    const [response] = await Promise.all([page.waitForNavigation(), link.click()]);
    expect(response?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('payments-api 2.4.1 in prod');
    await context.close();
  });
});
