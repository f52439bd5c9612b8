/**
 * Per-day service pages exist on a service's revision days only
 * (src/views/revisions.ts): links from a quiet day go to the page in force,
 * and the 404 page sends a typed-in day URL there, in real Chromium.
 */
import { mkdtemp, rm } from 'node:fs/promises';
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

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-revisions-'));
  // The fixture, then one day on which nothing changes.
  await writeSiteFixture(path.join(work, 'snapshots'), { quietDays: 1 });
  await buildSite({ snapshotsDir: path.join(work, 'snapshots'), outDir: path.join(work, 'dist'), logLevel: 'error' });
  server = await serveStatic(path.join(work, 'dist'));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('service pages on revision days', () => {
  it('renders no service page on a quiet day and links its matrix to the page in force', async () => {
    expect((await fetch(server.url('/days/2026-03-15/'))).status).toBe(200);
    expect((await fetch(server.url('/days/2026-03-14/services/payments-api/'))).status).toBe(200);
    expect((await fetch(server.url('/days/2026-03-15/services/payments-api/'))).status).toBe(404);
    const page = await browser.newPage();
    await page.goto(server.url('/days/2026-03-15/'));
    expect(await page.locator('#row-payments-api th a').first().getAttribute('href')).toBe('/days/2026-03-14/services/payments-api/');
    const revisions = (await (await fetch(server.url('/services/payments-api/revisions.json'))).json()) as { days: string[]; through: string };
    // Still in the newest snapshot: `through` is null (the 404 page knows the newest day).
    expect(revisions).toEqual({ days: ['2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14'], through: null });
    await page.close();
  });

  it('sends a typed-in day URL to the page in force that day, keeping the anchor', async () => {
    const page = await browser.newPage();
    await page.goto(server.url('/days/2026-03-15/services/payments-api/#deps'));
    await expect.poll(() => page.url(), { timeout: 10_000 }).toBe(server.url('/days/2026-03-14/services/payments-api/#deps'));
    expect(await page.locator('h1').textContent()).toContain('from 2026-03-14');
    expect(await page.locator('main').textContent()).toContain('It holds on every later day until payments-api');
    await page.close();
  });

  it('says so, and stays, for a day after the last snapshot or an unknown service', async () => {
    const page = await browser.newPage();
    await page.goto(server.url('/days/2026-03-20/services/payments-api/'));
    await expect.poll(() => page.locator('#not-found-detail').textContent()).toBe('No snapshot recorded payments-api on 2026-03-20.');
    expect(page.url()).toBe(server.url('/days/2026-03-20/services/payments-api/'));
    await page.goto(server.url('/days/2026-03-15/services/no-such-service/'));
    await expect.poll(() => page.locator('#not-found-detail').textContent()).toBe('No snapshot recorded no-such-service on 2026-03-15.');
    await page.close();
  });
});
