/**
 * Environment and compare pages exist on their revision days only
 * (src/views/revisions.ts): a quiet day links the pages in force, and the
 * 404 page sends a typed-in URL of a quiet day there, in real Chromium.
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
import { siteLinks } from '../helpers/site-links.ts';

let work: string;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
let revisions: { environments: Record<string, { days: string[]; through: string | null }>; compare: Record<string, { days: string[]; through: string | null }> };

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-env-revisions-'));
  // The fixture, then two days on which nothing changes.
  await writeSiteFixture(path.join(work, 'snapshots'), { quietDays: 2 });
  await buildSite({ snapshotsDir: path.join(work, 'snapshots'), outDir: path.join(work, 'dist'), logLevel: 'error' });
  server = await serveStatic(path.join(work, 'dist'));
  browser = await launchChromium();
  revisions = (await (await fetch(server.url('/environments/revisions.json'))).json()) as typeof revisions;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('environment and compare pages on revision days', () => {
  it('writes none on a quiet day, links the page in force from it, and every link of the site reaches a file', async () => {
    const prod = revisions.environments.prod!.days.at(-1)!;
    const pair = revisions.compare['staging...prod']!.days.at(-1)!;
    expect(prod < '2026-03-15').toBe(true);
    expect(pair < '2026-03-15').toBe(true);
    expect((await fetch(server.url('/days/2026-03-16/environments/prod/'))).status).toBe(404);
    expect((await fetch(server.url('/days/2026-03-16/compare/staging...prod/'))).status).toBe(404);
    const page = await browser.newPage();
    await page.goto(server.url('/days/2026-03-16/'));
    expect(await page.locator(`a[href="/days/${prod}/environments/prod/"]`).count()).toBeGreaterThan(0);
    expect(await page.locator(`a[href="/days/${pair}/compare/staging...prod/"]`).count()).toBe(1);
    await page.goto(server.url(`/days/${prod}/environments/prod/`));
    expect(await page.locator('h1').textContent()).toContain(`from ${prod}`);
    await page.close();
    const links = await siteLinks(path.join(work, 'dist'));
    expect(links.broken).toEqual([]);
    expect(links.checked).toBeGreaterThan(100);
  });

  it('sends a typed-in environment URL of a quiet day to the page in force, keeping the anchor', async () => {
    const prod = revisions.environments.prod!.days.at(-1)!;
    const page = await browser.newPage();
    await page.goto(server.url('/days/2026-03-16/environments/prod/#findings'));
    await expect.poll(() => page.url(), { timeout: 10_000 }).toBe(server.url(`/days/${prod}/environments/prod/#findings`));
    expect(await page.locator('main').textContent()).toContain('It holds on every later day');
    await page.close();
  });

  it('sends a typed-in compare URL of a quiet day to the page in force', async () => {
    const pair = revisions.compare['dev...prod']!.days.at(-1)!;
    const page = await browser.newPage();
    await page.goto(server.url('/days/2026-03-16/compare/dev...prod/'));
    await expect.poll(() => page.url(), { timeout: 10_000 }).toBe(server.url(`/days/${pair}/compare/dev...prod/`));
    expect(await page.locator('h1').textContent()).toContain(`from ${pair}`);
    await page.close();
  });

  it('says so, and stays, for a day after the last snapshot or an unknown environment', async () => {
    const page = await browser.newPage();
    await page.goto(server.url('/days/2026-03-20/environments/prod/'));
    await expect.poll(() => page.locator('#not-found-detail').textContent()).toBe('No snapshot recorded prod on 2026-03-20.');
    expect(page.url()).toBe(server.url('/days/2026-03-20/environments/prod/'));
    await page.goto(server.url('/days/2026-03-15/compare/dev...nowhere/'));
    await expect.poll(() => page.locator('#not-found-detail').textContent()).toBe('No snapshot recorded the comparison dev...nowhere on 2026-03-15.');
    await page.close();
  });
});
