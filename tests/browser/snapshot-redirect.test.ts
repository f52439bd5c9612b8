/**
 * Old links to a snapshot copy still reach the evidence (teams paste them into
 * incident reviews), in real Chromium: on a site publishing gzip copies (the
 * default) the 404 page sends `/snapshots/ID.json` to `/snapshots/ID.json.gz`,
 * which downloads as the gzip of the ledger file; on a `json` site the other
 * way round; on a `none` site it says where the evidence is; an unknown id
 * stays and says so.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotCopies } from '../../src/model/index.ts';
import { buildSite } from '../../src/site/build.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { writeSiteFixture } from '../helpers/site-fixture.ts';
import { serveStatic } from '../helpers/static-server.ts';

const ID = '2026-03-12T140000Z';
let work: string;
let browser: Browser;
const servers = new Map<SnapshotCopies, Awaited<ReturnType<typeof serveStatic>>>();
const ledger = () => path.join(work, 'snapshots');

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-snapshot-redirect-'));
  await writeSiteFixture(ledger());
  for (const copies of ['gzip', 'json', 'none'] as const) {
    const out = path.join(work, copies);
    await buildSite({ snapshotsDir: ledger(), outDir: out, snapshotCopies: copies, logLevel: 'error' });
    servers.set(copies, await serveStatic(out));
  }
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const server of servers.values()) await server.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('an old link to a snapshot copy', () => {
  it('gzip site: /snapshots/ID.json is a 404 whose page sends the browser to ID.json.gz, the gzip of the ledger file', async () => {
    const server = servers.get('gzip')!;
    expect((await fetch(server.url(`/snapshots/${ID}.json`))).status).toBe(404);
    const page = await browser.newPage();
    const downloading = page.waitForEvent('download', { timeout: 15_000 });
    // The 404 page loads, then replaces itself with the gzip, which the browser downloads.
    await page.goto(server.url(`/snapshots/${ID}.json`)).catch(() => undefined);
    const download = await downloading;
    expect(download.url()).toBe(server.url(`/snapshots/${ID}.json.gz`));
    const saved = path.join(work, 'auditor', download.suggestedFilename());
    await download.saveAs(saved);
    expect(gunzipSync(await readFile(saved)).equals(await readFile(path.join(ledger(), `${ID}.json`)))).toBe(true);
    await page.close();
  });

  it('gzip site: an id the ledger does not hold stays on the 404 page and says so', async () => {
    const server = servers.get('gzip')!;
    const page = await browser.newPage();
    const response = await page.goto(server.url('/snapshots/2020-01-01T000000Z.json'));
    expect(response?.status()).toBe(404);
    await expect.poll(() => page.locator('#not-found-detail').textContent(), { timeout: 10_000 }).toBe('No snapshot 2020-01-01T000000Z on this site; /snapshots/ lists every one.');
    expect(page.url()).toBe(server.url('/snapshots/2020-01-01T000000Z.json'));
    await page.close();
  });

  it('json site: /snapshots/ID.json.gz (a link from a gzip site) is sent to ID.json', async () => {
    const server = servers.get('json')!;
    const page = await browser.newPage();
    await page.goto(server.url(`/snapshots/${ID}.json.gz`));
    await expect.poll(() => page.url(), { timeout: 10_000 }).toBe(server.url(`/snapshots/${ID}.json`));
    await page.close();
  });

  it('none site: says the site publishes no copies and where the evidence is', async () => {
    const server = servers.get('none')!;
    const page = await browser.newPage();
    for (const url of [`/snapshots/${ID}.json`, `/snapshots/${ID}.json.gz`]) {
      const response = await page.goto(server.url(url));
      expect(response?.status()).toBe(404);
      await expect
        .poll(() => page.locator('#not-found-detail').textContent(), { timeout: 10_000 })
        .toBe(`This site publishes no copies of the snapshots: ${ID}.json is in the snapshots folder of the ledger repository this site is built from; its two sha256 values are listed on /snapshots/#${ID}.`);
    }
    await page.close();
  });
});
