/**
 * A snapshot copy a night would keep (`/snapshots/ID.json.gz`) deleted from
 * the output by hand: the night cannot stand on it, so it builds everything
 * again (build.ts `KeptFileMissing`), and the site it leaves is the full
 * build's, the copy back byte for byte.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSnapshotIds } from '../../src/ledger/index.ts';
import { buildSite } from '../../src/site/build.ts';
import { writeSiteFixture } from '../helpers/site-fixture.ts';
import { treeDigest } from '../helpers/tree-digest.ts';

let work: string;
const ledger = () => path.join(work, 'ledger');
const out = () => path.join(work, 'site');
const night = () => buildSite({ snapshotsDir: ledger(), outDir: out(), cacheDir: path.join(work, 'cache'), incremental: true, logLevel: 'error' });

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-kept-copy-missing-'));
  await writeSiteFixture(ledger());
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a kept snapshot copy deleted by hand', () => {
  it('makes the next night a full build, which writes the copy again and equals the first build', async () => {
    await night();
    const first = await treeDigest(out());
    const [oldest] = await listSnapshotIds(ledger());
    const copy = `snapshots/${oldest}.json.gz`;
    expect(first[copy]).toBeDefined();
    // Nothing new in the ledger: an ordinary night would render nothing and keep every copy.
    const quiet = await night();
    expect(quiet.rendered).toBeLessThan(quiet.pages);
    await rm(path.join(out(), copy));
    const again = await night();
    expect(again.reused).toBe(0);
    expect(again.rendered).toBe(again.pages);
    expect(await treeDigest(out())).toEqual(first);
  }, 300_000);
});
