/**
 * The site's snapshot copies (config `site.snapshotCopies`, docs/site.md
 * "Snapshot copies"), from real builds of the small fixture ledger:
 *
 * - `gzip` (default): every `/snapshots/ID.json.gz` gunzips to the ledger file
 *   byte for byte, two builds give the same bytes, and every page that lists
 *   or links a copy uses the route (`/snapshots/`, its `index.json` with the
 *   ledger file's hashes and the gzip's size, the day pages' footers);
 * - `json`: the ledger file itself, as before; `none`: no copies, and the
 *   pages say where the evidence is;
 * - switching the option in an incremental build renders what depends on it
 *   again, leaves no copy of the other form, and equals a full build.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSnapshotIds, sha256Hex } from '../../src/ledger/index.ts';
import type { SnapshotCopies } from '../../src/model/index.ts';
import { buildSite } from '../../src/site/build.ts';
import { writeSiteFixture } from '../helpers/site-fixture.ts';
import { siteLinks } from '../helpers/site-links.ts';
import { treeDigest } from '../helpers/tree-digest.ts';

let work: string;
let ids: string[];
const ledger = () => path.join(work, 'ledger');
const full = (copies: SnapshotCopies, name: string = copies) => buildSite({ snapshotsDir: ledger(), outDir: path.join(work, `full-${name}`), snapshotCopies: copies, logLevel: 'error' });
const out = (name: string) => path.join(work, `full-${name}`);

const copyFiles = async (dir: string) => (await readdir(path.join(dir, 'snapshots'))).filter((f) => /^\d{4}-\d{2}-\d{2}T\d{6}Z\.json(\.gz)?$/.test(f)).sort();

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-snapshot-copies-'));
  await writeSiteFixture(ledger());
  ids = await listSnapshotIds(ledger());
  await full('gzip');
  await full('gzip', 'gzip-again');
  await full('json');
  await full('none');
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('gzip copies (the default)', () => {
  it('publishes every snapshot as ID.json.gz, which gunzips to the ledger file byte for byte, and nothing as ID.json', async () => {
    expect(await copyFiles(out('gzip'))).toEqual(ids.map((id) => `${id}.json.gz`));
    for (const id of ids) {
      const gz = await readFile(path.join(out('gzip'), 'snapshots', `${id}.json.gz`));
      expect(gunzipSync(gz).equals(await readFile(path.join(ledger(), `${id}.json`))), id).toBe(true);
      // Level 9, mtime 0, the OS byte "unknown": nothing of the machine or the time in it.
      expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
    }
  });

  it('is the same bytes from two builds (the whole site is)', async () => {
    expect(await treeDigest(out('gzip-again'))).toEqual(await treeDigest(out('gzip')));
  });

  it('lists the ledger file\'s hashes and sizes, and the gzip\'s size and address, on /snapshots/ and in index.json', async () => {
    const index = JSON.parse(await readFile(path.join(out('gzip'), 'snapshots', 'index.json'), 'utf8')) as {
      copies: string; verify: string; description: string; snapshots: { id: string; url: string; bytes: number; gzipBytes: number; sha256: { chain: string; file: string } }[];
    };
    expect(index.copies).toBe('gzip');
    expect(index.verify).toBe('release-ledger verify --file ID.json.gz --expect-sha256 <either hash>');
    expect(index.description).toContain('gzip of the ledger file; gunzip gives it byte for byte');
    expect(index.snapshots.map((s) => s.id)).toEqual(ids);
    const html = await readFile(path.join(out('gzip'), 'snapshots', 'index.html'), 'utf8');
    expect(html).toContain('gzip of the ledger file; gunzip gives it byte for byte');
    for (const s of index.snapshots) {
      const bytes = await readFile(path.join(ledger(), `${s.id}.json`));
      const gz = await readFile(path.join(out('gzip'), 'snapshots', `${s.id}.json.gz`));
      expect(s).toMatchObject({ url: `/snapshots/${s.id}.json.gz`, bytes: bytes.length, gzipBytes: gz.length, sha256: { file: sha256Hex(bytes) } });
      expect(gz.length).toBeLessThan(bytes.length);
      expect(html).toContain(`href="/snapshots/${s.id}.json.gz" download="${s.id}.json.gz" type="application/gzip"`);
    }
  });

  it('links the gzip from every day page\'s footer and header, and no page links a plain copy', async () => {
    const day = await readFile(path.join(out('gzip'), 'days', '2026-03-12', 'index.html'), 'utf8');
    expect(day).toContain('href="/snapshots/2026-03-12T140000Z.json.gz"');
    expect(day).toContain('href="/snapshots/2026-03-12T020000Z.json.gz"');
    expect(day).toMatch(/download snapshot \(gzip of the JSON\), \d+ KB; \d+ KB unzipped/);
    // The command that checks a download is said once, on /snapshots/, not in each page's footer (issue 23).
    expect(day).not.toContain('release-ledger verify --file');
    expect(await readFile(path.join(out('gzip'), 'snapshots', 'index.html'), 'utf8')).toContain('release-ledger verify --file ID.json.gz --expect-sha256 HASH');
    const pages = Object.keys(await treeDigest(out('gzip'))).filter((f) => f.endsWith('.html'));
    for (const page of pages) expect({ page, plain: /\/snapshots\/[0-9T-]+Z\.json"/.test(await readFile(path.join(out('gzip'), page), 'utf8')) }).toEqual({ page, plain: false });
  });
});

describe('json and none', () => {
  it('json publishes the ledger file itself as ID.json, as before', async () => {
    expect(await copyFiles(out('json'))).toEqual(ids.map((id) => `${id}.json`));
    for (const id of ids) expect((await readFile(path.join(out('json'), 'snapshots', `${id}.json`))).equals(await readFile(path.join(ledger(), `${id}.json`)))).toBe(true);
    const index = JSON.parse(await readFile(path.join(out('json'), 'snapshots', 'index.json'), 'utf8')) as { snapshots: Record<string, unknown>[] };
    expect(index.snapshots[0]).toMatchObject({ url: `/snapshots/${ids[0]}.json` });
    expect(index.snapshots[0]).not.toHaveProperty('gzipBytes');
    expect(await readFile(path.join(out('json'), 'days', '2026-03-14', 'index.html'), 'utf8')).toMatch(/href="\/snapshots\/2026-03-14T020000Z\.json"><code>download snapshot JSON, \d+ KB<\/code>/);
  });

  it('none publishes no copy, keeps both hashes, and says where the evidence is', async () => {
    expect(await copyFiles(out('none'))).toEqual([]);
    const index = JSON.parse(await readFile(path.join(out('none'), 'snapshots', 'index.json'), 'utf8')) as { snapshots: { url: unknown; sha256: { file: string } }[]; description: string };
    expect(index.snapshots).toHaveLength(ids.length);
    expect(index.snapshots.every((s) => s.url === null && /^[0-9a-f]{64}$/.test(s.sha256.file))).toBe(true);
    expect(index.description).toContain('publishes no copies');
    const html = await readFile(path.join(out('none'), 'snapshots', 'index.html'), 'utf8');
    expect(html).toContain('snapshots folder of the ledger repository');
    expect(html).not.toMatch(/\.json\.gz|download=/);
    const day = await readFile(path.join(out('none'), 'days', '2026-03-14', 'index.html'), 'utf8');
    expect(day).toContain('not published on this site: 2026-03-14T020000Z.json');
    expect(day).toContain('href="/snapshots/#2026-03-14T020000Z"');
    expect(day).not.toMatch(/\/snapshots\/[0-9T-]+Z\.json/);
  });
});

describe('every form', () => {
  it('leaves no internal link without its file', async () => {
    for (const copies of ['gzip', 'json', 'none'] as const) {
      const links = await siteLinks(out(copies));
      expect({ copies, broken: links.broken }).toEqual({ copies, broken: [] });
      expect(links.checked).toBeGreaterThan(100);
    }
  });
});

describe('switching site.snapshotCopies in an incremental build', () => {
  it('renders what depends on it again, keeps no copy of the other form, and equals a full build each time', async () => {
    const site = path.join(work, 'incremental');
    const build = (copies: SnapshotCopies) => buildSite({ snapshotsDir: ledger(), outDir: site, snapshotCopies: copies, incremental: true, logLevel: 'error' });
    await build('gzip');
    const again = await build('gzip');
    expect(again.rendered).toBeLessThan(again.pages);
    for (const copies of ['json', 'none', 'gzip'] as const) {
      const result = await build(copies);
      // Every day page shows the copy in its footer, so each is rendered again; no day is kept as it was.
      expect(result.rendered, copies).toBeGreaterThan(again.rendered);
      expect(await treeDigest(site), copies).toEqual(await treeDigest(out(copies)));
    }
  });
});
