/**
 * A build whose index pass fails while Astro is already bundling (build.ts
 * starts Astro first and hands the index over when it is ready): the build
 * fails with one line naming the snapshot, Astro is stopped before its
 * folders are removed, nothing is left beside the output, the site in place
 * is untouched, and the next build of a good ledger succeeds.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSnapshotIds } from '../../src/ledger/index.ts';
import { buildSite } from '../../src/site/build.ts';
import { SITE_ROOT } from '../../src/site/config.ts';
import { writeSiteFixture } from '../helpers/site-fixture.ts';
import { treeDigest } from '../helpers/tree-digest.ts';

let work: string;
const ledger = () => path.join(work, 'ledger');
const out = () => path.join(work, 'site');
const build = () => buildSite({ snapshotsDir: ledger(), outDir: out(), logLevel: 'error' });

/** Staging folders of builds (build.ts) whose bundle names `snapshotsDir`: other tests' builds may run beside this one. */
async function stagedBundlesNaming(snapshotsDir: string): Promise<string[]> {
  const parent = path.join(SITE_ROOT, '.astro');
  const found: string[] = [];
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    if (!name.startsWith('release-ledger-build-')) continue;
    const files = await readdir(path.join(parent, name), { recursive: true }).catch(() => [] as string[]);
    for (const file of files.filter((f) => f.endsWith('.mjs'))) {
      const text = await readFile(path.join(parent, name, file), 'utf8').catch(() => '');
      if (text.includes(JSON.stringify(snapshotsDir))) {
        found.push(name);
        break;
      }
    }
  }
  return found;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-index-pass-failure-'));
  await writeSiteFixture(ledger());
  await build();
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('an index pass that fails while Astro bundles', () => {
  it('fails the build with one line naming the snapshot, leaves the site in place as it was, and the next build succeeds', async () => {
    const ids = await listSnapshotIds(ledger());
    // Not the newest (ledgerFacts reads that one before Astro starts): only the index pass reads this one.
    const broken = ids[1]!;
    const file = path.join(ledger(), `${broken}.json`);
    const good = await readFile(file, 'utf8');
    const before = await treeDigest(out());
    const beside = (await readdir(work)).sort();
    await writeFile(file, good.replace('"schemaVersion"', '"schemaVersionX"'));
    let message = '';
    await build().catch((error: Error) => (message = error.message));
    expect(message).toMatch(/^the site build over .* failed: /);
    expect(message).toContain(broken);
    expect(message).not.toContain('\n');
    expect(await treeDigest(out())).toEqual(before);
    expect((await readdir(work)).sort()).toEqual(beside);

    await writeFile(file, good);
    const rebuilt = await build();
    expect(rebuilt.pages).toBeGreaterThan(0);
    expect(await treeDigest(out())).toEqual(before);
    // Astro was stopped before its folder was removed: no bundle of this ledger is left in the builds' staging area
    // (had it run on, it would have written its prerender bundle, which names the ledger, into a folder made again).
    expect(await stagedBundlesNaming(ledger())).toEqual([]);
  }, 300_000);
});
