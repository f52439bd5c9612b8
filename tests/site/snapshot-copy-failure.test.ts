/**
 * A snapshot copy (`/snapshots/ID.json.gz`, build.ts `writeCopies`) that fails
 * while Astro renders stops the build and is reported (docs/guarantees.md
 * "A failed snapshot copy stops the build"):
 *
 * - the build rejects with one line naming the file, no stack;
 * - nothing of it is published: the previous output is byte for byte as it
 *   was, with no copy of the failed snapshot (no truncated `.json.gz`), and no
 *   staged folder is left beside it;
 * - the incremental cache still describes the previous site: once the file is
 *   back, the next night succeeds and equals a fresh full build byte for byte;
 * - a copy failing before the others (a night switching `site.snapshotCopies`
 *   makes them all again) does not leave the pages that await a later copy's
 *   size waiting for ever (the build ends, with the same line).
 *
 * The failure is real: the ledger file is removed after the build has read
 * the ledger and before its copy is made, and the copy's own read fails with
 * the kernel's ENOENT. Only the moment is picked by the test: the build runs
 * as root here (no permission makes a read fail) and the copies' folder has a
 * random name, so the file is removed when the build changes to the package
 * root (build.ts, once `ledgerFacts` has read the ledger's links and its
 * newest file, before the copies start), seen through a spy on
 * `process.chdir` that calls the real one. The index pass reads neither file
 * removed here: not the newest (`ledgerFacts` parsed it), and nothing at all
 * in a night without a new snapshot.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { listSnapshotIds } from '../../src/ledger/index.ts';
import { buildSite } from '../../src/site/build.ts';
import { SITE_ROOT } from '../../src/site/config.ts';
import { writeSiteFixture } from '../helpers/site-fixture.ts';
import { treeDigest as digest } from '../helpers/tree-digest.ts';

let work: string;
let source: string;
let ids: string[];
let callerCwd: string;
const ledger = () => path.join(work, 'ledger');

/**
 * What is beside the output (a staged site, a journal): nothing new once a build has ended. (The
 * folders the build renders into under `<package>/.astro/` are shared with the builds of other test
 * files running at the same time, so they are not compared here.)
 */
const beside = async (out: string) => (await readdir(path.dirname(out))).sort();

/** Removes `file` the first time the build changes to the package root: after `ledgerFacts`, before the index pass and the copies. */
function removeWhenCopiesStart(file: string): void {
  const chdir = process.chdir.bind(process);
  let armed = true;
  vi.spyOn(process, 'chdir').mockImplementation((dir: string) => {
    if (armed && path.resolve(dir) === path.resolve(SITE_ROOT)) {
      armed = false;
      rmSync(file);
    }
    chdir(dir);
  });
}

/** The build's error: one line naming `id`'s file, without a stack. */
function expectOneLineNaming(error: unknown, id: string): void {
  expect(error).toBeInstanceOf(Error);
  const message = (error as Error).message;
  expect(message).toContain(`${id}.json`);
  expect(message).not.toContain('\n');
  expect(message).not.toMatch(/\bat .+:\d+:\d+/);
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-copy-failure-'));
  source = path.join(work, 'source');
  await writeSiteFixture(source);
  ids = await listSnapshotIds(source);
  // The build is run from outside the package, as the CLI is from a user's repository.
  callerCwd = process.cwd();
  process.chdir(work);
}, 120_000);

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  process.chdir(callerCwd);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a snapshot copy failing mid-build', () => {
  it('fails an incremental night with one line naming the file, publishes nothing of it, and the next night equals a full build', async () => {
    const out = path.join(work, 'site');
    const cacheDir = path.join(work, 'cache');
    const night = () => buildSite({ snapshotsDir: ledger(), outDir: out, cacheDir, incremental: true, logLevel: 'silent' });
    await mkdir(ledger(), { recursive: true });
    for (const id of ids.slice(0, -1)) await copyFile(path.join(source, `${id}.json`), path.join(ledger(), `${id}.json`));
    await night();
    const before = await digest(out);
    const cacheBefore = await digest(cacheDir);
    const besideBefore = await beside(out);

    // The new night's snapshot is read by the build, then removed before its copy is made.
    const head = ids.at(-1)!;
    await copyFile(path.join(source, `${head}.json`), path.join(ledger(), `${head}.json`));
    removeWhenCopiesStart(path.join(ledger(), `${head}.json`));
    const error = await night().then(() => null, (e: unknown) => e);
    expectOneLineNaming(error, head);
    // Only the copy reads the newest file once the ledger is read (its pages take the snapshot parsed then).
    expect((error as Error).message).toContain(`the copy /snapshots/${head}.json.gz of ${head}.json could not be made: ENOENT`);
    expect(process.chdir).toHaveBeenCalledWith(SITE_ROOT);
    vi.restoreAllMocks();

    // Nothing published: the previous site as it was, no copy of the failed snapshot in it, every copy whole.
    const after = await digest(out);
    expect(after).toEqual(before);
    expect(Object.keys(after)).not.toContain(path.join('snapshots', `${head}.json.gz`));
    for (const id of ids.slice(0, -1)) expect(gunzipSync(await readFile(path.join(out, 'snapshots', `${id}.json.gz`))).equals(await readFile(path.join(source, `${id}.json`))), id).toBe(true);
    expect(await beside(out)).toEqual(besideBefore);
    // The manifest the failed night removed is gone, or the one of the site in place: never one of a site not in place.
    const cacheAfter = await digest(cacheDir);
    if ('site-manifest.json' in cacheBefore && 'site-manifest.json' in cacheAfter) expect(cacheAfter['site-manifest.json']).toBe(cacheBefore['site-manifest.json']);

    // The file back: the next night succeeds and is the full build's site, byte for byte.
    await copyFile(path.join(source, `${head}.json`), path.join(ledger(), `${head}.json`));
    const next = await night();
    expect(next.pages).toBeGreaterThan(0);
    const fresh = path.join(work, 'fresh');
    await buildSite({ snapshotsDir: ledger(), outDir: fresh, logLevel: 'silent' });
    const built = await digest(out);
    expect(built).toEqual(await digest(fresh));
    expect(gunzipSync(await readFile(path.join(out, 'snapshots', `${head}.json.gz`))).equals(await readFile(path.join(source, `${head}.json`)))).toBe(true);
  }, 240_000);

  it('ends a night that makes every copy again and whose first copy fails (pages awaiting later copies do not wait for ever), with the same line, the site unchanged', async () => {
    const dir = path.join(work, 'ledger-switch');
    await mkdir(dir, { recursive: true });
    for (const id of ids) await copyFile(path.join(source, `${id}.json`), path.join(dir, `${id}.json`));
    const out = path.join(work, 'site-switch');
    const build = (copies: 'json' | 'gzip') => buildSite({ snapshotsDir: dir, outDir: out, cacheDir: path.join(work, 'cache-switch'), incremental: true, snapshotCopies: copies, logLevel: 'silent' });
    await build('json');
    const before = await digest(out);
    const besideBefore = await beside(out);
    // Switching to gzip makes every copy again (and renders every day page) while the index pass reads nothing:
    // the oldest file is removed once the ledger is read, so its copy, the first made, fails.
    removeWhenCopiesStart(path.join(dir, `${ids[0]}.json`));
    const error = await build('gzip').then(() => null, (e: unknown) => e);
    expectOneLineNaming(error, ids[0]!);
    expect(await digest(out)).toEqual(before);
    expect(await beside(out)).toEqual(besideBefore);
  }, 60_000);
});
