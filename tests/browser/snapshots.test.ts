/**
 * Carrying the evidence away (issue 19 item 7), in real Chromium: the footer
 * names the snapshot, its chain hash and links a labelled download; `/snapshots/` lists every
 * snapshot with both hashes (HTML and JSON); a snapshot downloaded from the
 * built site verifies alone with the CLI against the hash the footer shows
 * and the file hash its /snapshots/ row shows; and the index follows a new
 * night in an incremental build.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendSnapshot, readHead, sha256Hex } from '../../src/ledger/index.ts';
import { buildSite } from '../../src/site/build.ts';
import { buildSnapshot } from '../helpers/snapshot-builder.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { runCli } from '../helpers/cli.ts';
import { writeSiteFixture } from '../helpers/site-fixture.ts';
import { serveStatic } from '../helpers/static-server.ts';

let work: string;
let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
const snapshotsDir = () => path.join(work, 'snapshots');
const outDir = () => path.join(work, 'dist');
const build = () => buildSite({ snapshotsDir: snapshotsDir(), outDir: outDir(), logLevel: 'error', incremental: true });

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-snapshots-'));
  await writeSiteFixture(snapshotsDir());
  await build();
  // The auditor's side: a config naming the ledger, for `verify --expect-head`.
  await writeFile(path.join(work, 'release-ledger.config.yaml'), 'name: Acme\nsnapshotsDir: snapshots\nenvironments: [{ name: prod, production: true }]\nsources: {}\nservices: []\n');
  server = await serveStatic(outDir());
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The footer as label → { text, href }. */
async function footer(page: Page): Promise<Map<string, { text: string; href: string | null }>> {
  const lines = await page.locator('footer.site-footer dl > div').evaluateAll((divs) =>
    divs.map((d) => ({ label: d.querySelector('dt')!.textContent!.trim(), text: d.querySelector('dd')!.textContent!.trim(), href: d.querySelector('dd a')?.getAttribute('href') ?? null })),
  );
  return new Map(lines.map((l) => [l.label, { text: l.text, href: l.href }]));
}

const CHAIN = 'Chain hash';

/** A snapshot's two hashes on /snapshots/ (the page must be open). */
async function snapshotRow(page: Page, id: string): Promise<{ chain: string; file: string }> {
  const row = page.locator(`tr[id="${id}"]`);
  return { chain: (await row.locator('[data-hash=chain]').textContent())!, file: (await row.locator('[data-hash=file]').textContent())! };
}

describe('carrying the evidence away', () => {
  it('a snapshot downloaded from the site verifies alone against either hash its day page footer shows', async () => {
    const page = await browser.newPage();
    await page.goto(server.url('/days/2026-03-12/'));
    const lines = await footer(page);
    const id = lines.get('Snapshot')!.text;
    expect(id).toBe('2026-03-12T140000Z');
    expect(lines.get('Snapshot')!.href).toBe(`/snapshots/#${id}`);
    const raw = lines.get('Raw snapshot')!;
    // The copy is a gzip of the ledger file (config `site.snapshotCopies`, default `gzip`).
    expect(raw.text).toMatch(/^download snapshot \(gzip of the JSON\), \d+ KB; \d+ KB unzipped$/);
    expect(raw.href).toBe(`/snapshots/${id}.json.gz`);
    const chain = lines.get(CHAIN)!.text;
    expect(chain).toMatch(/^[0-9a-f]{64}$/);
    // On paper a page names its snapshot, its chain hash, its download and what made it; the file hash,
    // the verify command and the previous snapshot's hash are said once, on /snapshots/ (issue 23).
    expect([...lines.keys()]).toEqual(['Snapshot', 'Raw snapshot', CHAIN, 'Made by']);
    expect(lines.get('Made by')!.text).toMatch(/^release-ledger \S+ \(rules \S+\); page by release-ledger \S+$/);

    // Download it as the browser does, from the labelled link on /snapshots/.
    await page.goto(server.url(lines.get('Snapshot')!.href!));
    expect(await page.locator('main').textContent()).toContain("The chain hash is the sha256 of the canonical JSON, which the next snapshot records; the file hash is the sha256 of the ledger file's bytes, which sha256sum prints.");
    const row = await snapshotRow(page, id);
    expect(row.chain).toBe(chain);
    const file = row.file;
    expect(file).toMatch(/^[0-9a-f]{64}$/);
    expect(file).not.toBe(chain);
    expect(await page.locator('main pre').textContent()).toBe('release-ledger verify --file ID.json.gz --expect-sha256 HASH');
    // The previous snapshot's hash, which a page's footer no longer repeats, is the next row's chain hash here.
    const previous = JSON.parse(await readFile(path.join(snapshotsDir(), `${id}.json`), 'utf8')) as { previous: { id: string; sha256: string } };
    expect((await snapshotRow(page, previous.previous.id)).chain).toBe(previous.previous.sha256);
    const link = page.locator(`tr[id="${id}"] a[download]`);
    expect(await link.textContent()).toBe(raw.text);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const saved = path.join(work, 'auditor', download.suggestedFilename());
    await download.saveAs(saved);
    expect(path.basename(saved)).toBe(`${id}.json.gz`);
    // The auditor's step without the CLI: gunzip, then sha256sum, gives the file hash.
    expect(sha256Hex(gunzipSync(await readFile(saved)))).toBe(file);
    await page.close();

    const auditor = path.join(work, 'auditor');
    for (const [hash, form] of [[chain, 'chain hash'], [file, 'file hash']] as const) {
      const run = await runCli(['verify', '--file', `${id}.json.gz`, '--expect-sha256', hash], { cwd: auditor });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`ok: ${id}.json.gz is a gzip copy of snapshot ${id}, valid and in canonical form; it matches the given sha256 as its ${form}`);
    }
    // The previous day's hash is not this file's, in either form.
    const other = await runCli(['verify', '--file', `${id}.json.gz`, '--expect-sha256', (await readHead(snapshotsDir()))!.sha256], { cwd: auditor });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('in either form');
  });

  it('the newest day\'s footer hashes both pass verify --expect-head, each named', async () => {
    const page = await browser.newPage();
    await page.goto(server.url('/days/2026-03-14/'));
    const lines = await footer(page);
    await page.close();
    const chain = await runCli(['verify', '--expect-head', lines.get(CHAIN)!.text], { cwd: work });
    expect(chain.stdout).toMatch(/--expect-head matched its chain hash/);
    // The file hash is on the snapshot's /snapshots/ row, where the footer links.
    const page2 = await browser.newPage();
    await page2.goto(server.url(lines.get('Snapshot')!.href!));
    const { file: fileHash } = await snapshotRow(page2, lines.get('Snapshot')!.text);
    await page2.close();
    const file = await runCli(['verify', '--expect-head', fileHash], { cwd: work });
    expect(file.code).toBe(0);
    expect(file.stdout).toMatch(/--expect-head matched its file hash \(sha256 of its bytes, as sha256sum prints it\)/);
  });

  it('/snapshots/ lists every snapshot with both hashes, and index.json says the same, oldest first', async () => {
    const ids = ['2026-03-10T020000Z', '2026-03-11T020000Z', '2026-03-12T020000Z', '2026-03-12T140000Z', '2026-03-13T020000Z', '2026-03-14T020000Z'];
    const page = await browser.newPage();
    await page.goto(server.url('/snapshots/'));
    const rows = await page.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ id: tr.id, chain: tr.querySelector('[data-hash=chain]')!.textContent, file: tr.querySelector('[data-hash=file]')!.textContent, href: tr.querySelector('a')!.getAttribute('href') })),
    );
    expect(rows.map((r) => r.id)).toEqual([...ids].reverse());
    const index = (await (await fetch(server.url('/snapshots/index.json'))).json()) as { snapshots: { id: string; url: string; bytes: number; gzipBytes: number; sha256: { chain: string; file: string } }[]; verify: string };
    expect(index.verify).toBe('release-ledger verify --file ID.json.gz --expect-sha256 <either hash>');
    expect(index.snapshots.map((s) => s.id)).toEqual(ids);
    for (const s of index.snapshots) {
      const bytes = await readFile(path.join(snapshotsDir(), `${s.id}.json`));
      const gz = Buffer.from(await (await fetch(server.url(s.url))).arrayBuffer());
      expect(gunzipSync(gz).equals(bytes)).toBe(true);
      // Both hashes are the ledger file's (the gzip's content); the gzip's own size is listed beside its size.
      expect(s).toEqual({ id: s.id, url: `/snapshots/${s.id}.json.gz`, bytes: bytes.length, gzipBytes: gz.length, sha256: { chain: s.sha256.chain, file: sha256Hex(bytes) } });
      expect(rows.find((r) => r.id === s.id)).toEqual({ id: s.id, chain: s.sha256.chain, file: s.sha256.file, href: s.url });
    }
    // Each chain hash is what the next snapshot records.
    for (let i = 1; i < ids.length; i++) {
      const next = JSON.parse(await readFile(path.join(snapshotsDir(), `${ids[i]}.json`), 'utf8')) as { previous: { id: string; sha256: string } };
      expect(next.previous).toEqual({ id: ids[i - 1], sha256: index.snapshots[i - 1]!.sha256.chain });
    }
    await page.close();
  });

  it('a new night in an incremental build is listed, and the index equals a full build\'s', async () => {
    const before = await readFile(path.join(outDir(), 'snapshots', 'index.json'), 'utf8');
    const head = (await readHead(snapshotsDir()))!;
    const night = buildSnapshot({ ...head.snapshot, id: undefined, takenAt: '2026-03-15T02:00:00Z', changes: [], previous: { id: head.snapshot.id, sha256: head.sha256 } });
    await appendSnapshot(snapshotsDir(), night);
    const result = await build();
    expect(result.reused).toBeGreaterThan(0);
    const after = JSON.parse(await readFile(path.join(outDir(), 'snapshots', 'index.json'), 'utf8')) as { snapshots: { id: string }[] };
    expect(after.snapshots.map((s) => s.id).at(-1)).toBe('2026-03-15T020000Z');
    expect(JSON.parse(before).snapshots).toHaveLength(after.snapshots.length - 1);
    const html = await readFile(path.join(outDir(), 'snapshots', 'index.html'), 'utf8');
    expect(html).toContain('id="2026-03-15T020000Z"');
    // The same bytes as a full build of the same ledger (deterministic: no build time in it).
    const full = path.join(work, 'full');
    await buildSite({ snapshotsDir: snapshotsDir(), outDir: full, logLevel: 'error' });
    for (const file of ['snapshots/index.json', 'snapshots/index.html']) expect(await readFile(path.join(outDir(), file), 'utf8')).toBe(await readFile(path.join(full, file), 'utf8'));
  });
});
