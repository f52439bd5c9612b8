/** Building the same ledger twice gives byte-identical output, hashed asset names included. */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../src/site/build.ts';
import { writeSiteFixture } from '../helpers/site-fixture.ts';
import { treeDigest } from '../helpers/tree-digest.ts';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-determinism-'));
  await writeSiteFixture(path.join(work, 'snapshots'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('determinism', () => {
  it('builds byte-identical output twice, with the raw snapshots gzipped exactly', async () => {
    const snapshots = path.join(work, 'snapshots');
    const first = await buildSite({ snapshotsDir: snapshots, outDir: path.join(work, 'a'), logLevel: 'error' });
    const second = await buildSite({ snapshotsDir: snapshots, outDir: path.join(work, 'b'), logLevel: 'error' });
    expect(second.pages).toBe(first.pages);
    const a = await treeDigest(path.join(work, 'a'));
    const b = await treeDigest(path.join(work, 'b'));
    expect(Object.keys(a).length).toBeGreaterThan(80);
    expect(b).toEqual(a);
    // The download is a gzip of the ledger file (config `site.snapshotCopies`, default): gunzip gives it
    // byte for byte, so an auditor's sha256sum of it matches the ledger.
    for (const id of await readdir(snapshots)) {
      expect(gunzipSync(await readFile(path.join(work, 'a', 'snapshots', `${id}.gz`)))).toEqual(await readFile(path.join(snapshots, id)));
    }
    // No build time anywhere: the output names only ledger times.
    const home = await readFile(path.join(work, 'a', 'index.html'), 'utf8');
    expect(home).not.toMatch(new RegExp(new Date().toISOString().slice(0, 10)));
  }, 600_000);
});
