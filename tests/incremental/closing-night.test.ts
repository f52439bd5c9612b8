/**
 * The night that closes a month: an incremental build assembles the closed
 * period's export from the per-snapshot parts its cache keeps
 * (src/export/parts.ts) and its files equal a full build's byte for byte,
 * and the export command's (`export --check` accepts them). A full build
 * without a cache (`build --full`) keeps the parts in memory: its files pass
 * the same check.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLedger } from '../../scripts/bench-ledger.ts';
import { checkExport } from '../../src/export/extract.ts';
import { readSnapshotFile } from '../../src/ledger/index.ts';
import { openChangeIndex } from '../../src/site/audit-index.ts';
import { buildSite } from '../../src/site/build.ts';

let work: string;
let all: string[];
let generated: string;
const snapshots = () => path.join(work, 'ledger');

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-closing-night-'));
  // 31 days of January and February 1st, which closes January.
  const result = await generateLedger({ days: 32, services: 3, environments: 3, outDir: path.join(work, 'generated'), seed: 5, direct: true, startDate: '2024-01-01' });
  generated = result.snapshotsDir;
  all = result.ids;
  await mkdir(snapshots(), { recursive: true });
  for (const id of all.slice(0, 31)) await copyFile(path.join(generated, `${id}.json`), path.join(snapshots(), `${id}.json`));
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the night that closes a month', () => {
  it('writes the period files from the cached parts, equal to a full build\'s and to what export --check accepts', async () => {
    const out = path.join(work, 'site');
    const cacheDir = path.join(work, 'cache');
    await buildSite({ snapshotsDir: snapshots(), outDir: out, cacheDir, incremental: true, logLevel: 'error' });
    // One part a snapshot, kept between nights.
    expect((await readdir(path.join(cacheDir, 'export-parts'))).length).toBe(31);
    await copyFile(path.join(generated, `${all[31]}.json`), path.join(snapshots(), `${all[31]}.json`));
    const night = await buildSite({ snapshotsDir: snapshots(), outDir: out, cacheDir, incremental: true, logLevel: 'error' });
    expect(night.snapshotsRead).toBe(1);
    const fullOut = path.join(work, 'full');
    await buildSite({ snapshotsDir: snapshots(), outDir: fullOut, logLevel: 'error' });
    const period = path.join('audit', '2024-01');
    const files = (await readdir(path.join(fullOut, period), { recursive: true })).filter((f) => f.endsWith('.csv') || f.endsWith('.json') || f.endsWith('.html')).sort();
    expect(files).toEqual(expect.arrayContaining(['population-2024-01.csv', 'population-2024-01.csv.manifest.json']));
    for (const f of files) expect({ f, bytes: await readFile(path.join(out, period, f), 'utf8') }).toEqual({ f, bytes: await readFile(path.join(fullOut, period, f), 'utf8') });
    const csv = await readFile(path.join(out, period, 'population-2024-01.csv'), 'utf8');
    expect(csv.split('\n').length).toBeGreaterThan(3);
    // What the site publishes is what the export command derives from the ledger.
    for (const site of [out, fullOut]) {
      const checked = await checkExport({ snapshotsDir: snapshots(), file: path.join(site, period, 'population-2024-01.csv') });
      expect({ site, checked }).toMatchObject({ site, checked: { ok: true } });
    }
  }, 600_000);

  it('keeps each snapshot\'s export part in memory without a cache, equal to the part a cache keeps', async () => {
    const ids = all.slice(0, 31);
    const cached = await openChangeIndex(ids, null, path.join(work, 'parts-cache'), 'fingerprint');
    const memory = await openChangeIndex(ids, null, null, 'fingerprint');
    const hashes: [string, string][] = [];
    for (const id of ids) {
      const { snapshot, sha256, fileSha256 } = await readSnapshotFile(snapshots(), id, undefined, { vouch: true });
      await cached.add(id, snapshot, sha256, fileSha256!);
      await memory.add(id, snapshot, sha256, fileSha256!);
      hashes.push([id, sha256]);
    }
    for (const [id, sha256] of hashes) {
      const part = await memory.partOf(id, sha256);
      expect(part, id).toBeDefined();
      expect(part).toEqual(await cached.partOf(id, sha256));
      // Asked for another snapshot's hash, none.
      expect(await memory.partOf(id, hashes.find(([other]) => other !== id)![1])).toBeUndefined();
    }
  }, 120_000);
});
