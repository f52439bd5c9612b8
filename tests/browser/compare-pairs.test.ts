/**
 * A six-environment site renders the compare pages of the pairs
 * `comparePairs` decides (src/views/compare.ts) and no page links another;
 * the 404 page answers a typed-in unrendered pair with the CLI command, in
 * real Chromium (docs/site.md, "Which environments are compared").
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../src/site/build.ts';
import { comparePairs, compareSeparator, revisionOn } from '../../src/views/index.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { SIX_ENVIRONMENTS, writeSixEnvironmentFixture } from '../helpers/six-environments.ts';
import { serveStatic } from '../helpers/static-server.ts';

let work: string;
let dist: string;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
const RENDERED = comparePairs(SIX_ENVIRONMENTS, ['prod']).map(([a, b]) => `${a}${compareSeparator(a, b)}${b}`);

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-compare-pairs-'));
  dist = path.join(work, 'dist');
  await writeSixEnvironmentFixture(path.join(work, 'snapshots'), 1);
  await buildSite({ snapshotsDir: path.join(work, 'snapshots'), outDir: dist, logLevel: 'error' });
  server = await serveStatic(dist);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const exists = (file: string) => stat(file).then((s) => s.isFile(), () => false);

describe('compare pages of a six-environment site', () => {
  it('are written for the nine rendered pairs only: the first day has each of them and no other', async () => {
    expect(RENDERED).toHaveLength(9);
    expect((await readdir(path.join(dist, 'days', '2026-03-10', 'compare'))).sort()).toEqual([...RENDERED].sort());
    for (const day of await readdir(path.join(dist, 'days'))) {
      const pairs = await readdir(path.join(dist, 'days', day, 'compare')).catch(() => []);
      for (const pair of pairs) expect(RENDERED, `${day} ${pair}`).toContain(pair);
    }
  });

  it('no page links a compare page that does not exist, and the day pages link each rendered pair', async () => {
    const pages = (await readdir(dist, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.html')).map((e) => path.join(e.parentPath, e.name));
    const revisions = JSON.parse(await readFile(path.join(dist, 'environments', 'revisions.json'), 'utf8')) as { compare: Record<string, { days: string[] }> };
    expect(Object.keys(revisions.compare).sort()).toEqual([...RENDERED].sort());
    const linked = new Set<string>();
    const missing: string[] = [];
    for (const page of pages) {
      const html = await readFile(page, 'utf8');
      const pageUrl = new URL(`http://site/${path.relative(dist, page).split(path.sep).join('/').replace(/index\.html$/, '')}`);
      for (const [, raw] of html.matchAll(/\shref="([^"]*\/compare\/[^"]*)"/g)) {
        const url = new URL(raw!.replaceAll('&amp;', '&'), pageUrl);
        if (url.host !== 'site') continue;
        const [, date, pair] = /^\/days\/([^/]+)\/compare\/(.+)\/$/.exec(decodeURIComponent(url.pathname)) ?? [];
        linked.add(pair ?? url.pathname);
        // The file, or (as the 404 page would resolve it) the pair's page in force that day.
        const inForce = pair && date ? revisionOn(revisions.compare[pair]?.days ?? [], date) : null;
        if (!(await exists(path.join(dist, decodeURIComponent(url.pathname), 'index.html'))) && inForce !== date) missing.push(`${path.relative(dist, page)} → ${raw}`);
      }
    }
    expect(missing).toEqual([]);
    expect([...linked].sort()).toEqual([...RENDERED].sort());
    const day = await readFile(path.join(dist, 'days', '2026-03-15', 'index.html'), 'utf8');
    for (const pair of RENDERED) expect(day).toContain(`/compare/${pair}/"`);
    expect(day).not.toContain('/compare/dev...staging/');
    // And names no other pair (a link to an unrendered pair would fall back to the day page itself).
    const named = [...day.matchAll(/<a href="[^"]*">([^<]+) ↔ ([^<]+)<\/a>/g)].map(([, a, b]) => `${a}...${b}`);
    expect(named.sort()).toEqual([...RENDERED].sort());
  });

  it('the 404 page names the command for a pair the site does not render, and still resolves a rendered one', async () => {
    const page = await browser.newPage();
    await page.goto(server.url('/days/2026-03-12/compare/dev...staging/'));
    await expect.poll(() => page.locator('#not-found-detail').textContent(), { timeout: 10_000 }).toBe(
      'This site has no page comparing dev and staging: it compares each environment with the next and with production. Any two compare in the ledger repository with: release-ledger diff dev@2026-03-12 staging@2026-03-12',
    );
    expect(page.url()).toBe(server.url('/days/2026-03-12/compare/dev...staging/'));
    await page.goto(server.url('/days/2026-03-15/compare/perf...prod/'));
    await expect.poll(() => page.url(), { timeout: 10_000 }).toMatch(/\/days\/2026-03-1[0-4]\/compare\/perf\.\.\.prod\/$/);
    await page.close();
  });
});
