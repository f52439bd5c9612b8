/**
 * `build` removes only files it wrote itself (src/site/output.ts,
 * docs/guarantees.md "Build output"): the placement rule on its own, then the
 * real CLI on the cases of issue 17 item 1.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placementRefusal, recoverOutput, SITE_MARKER, type Placement } from '../../src/site/output.ts';
import { runCli } from '../helpers/cli.ts';
import { baseInventory, treeState, writeWorld } from '../reliability/world.ts';

const AT = '2026-03-14T02:00:00Z';
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'site-output-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const base: Placement = { out: '/r/ledger/dist', configDir: '/r/ledger', ledger: '/r/ledger/content/snapshots', gitRoot: '/r', outState: 'missing', outIsGitRoot: false };

describe('placementRefusal', () => {
  it('accepts a missing, empty or previously built folder beside the config', () => {
    for (const outState of ['missing', 'empty', 'ours'] as const) expect(placementRefusal({ ...base, outState })).toBeNull();
    expect(placementRefusal({ ...base, out: '/elsewhere/site', outState: 'ours' })).toBeNull();
    // A sibling whose name starts like a guarded folder is not inside it.
    expect(placementRefusal({ ...base, out: '/r/ledger-site' })).toBeNull();
  });

  it('refuses the config folder, the ledger, the git root, anything holding them, and the inside of the ledger', () => {
    const cases: [string, RegExp][] = [
      ['/r/ledger', /is the config's folder/],
      ['/r', /is the config's folder|contains the config's folder/],
      ['/', /contains the config's folder/],
      ['/r/ledger/content', /contains the ledger/],
      ['/r/ledger/content/snapshots', /is the ledger/],
      ['/r/ledger/content/snapshots/site', /inside the ledger/],
    ];
    for (const [out, reason] of cases) expect(placementRefusal({ ...base, out, outState: 'ours' }), out).toMatch(reason);
    expect(placementRefusal({ ...base, configDir: null, ledger: '/elsewhere/snapshots', out: '/r' })).toMatch(/is the git work tree root/);
    expect(placementRefusal({ ...base, out: '/r/ledger/dist', outIsGitRoot: true, outState: 'ours' })).toMatch(/root of a git work tree/);
  });

  it('refuses a non-empty folder without the marker, and a file', () => {
    expect(placementRefusal({ ...base, outState: 'foreign' })).toMatch(new RegExp(`not empty and was not written by release-ledger build \\(no ${SITE_MARKER.replace('.', '\\.')} file\\)`));
    expect(placementRefusal({ ...base, outState: 'not-a-folder' })).toMatch(/is a file/);
  });
});

async function ledger(name: string, extra: Record<string, unknown> = {}): Promise<{ dir: string; config: string }> {
  const dir = path.join(work, name);
  const config = await writeWorld(dir, { services: ['api'], inventory: baseInventory(['api']), extra });
  execFileSync('git', ['init', '-q', dir]);
  const run = await runCli(['collect', '--config', config, '--at', AT, '--quiet'], { cwd: dir });
  expect(run.code, run.stderr).toBe(0);
  return { dir, config };
}

/** Everything under `dir`, including `.git`. */
async function everything(dir: string) {
  return treeState(dir);
}

describe('build --out', () => {
  it('refuses the config folder (issue 17: `build --out .` deleted .git, the config and the ledger); one line, exit 2, nothing removed', async () => {
    const { dir, config } = await ledger('dot');
    const before = await everything(dir);
    const run = await runCli(['build', '--config', config, '--out', '.', '--quiet'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/is the config's folder/);
    expect(await everything(dir)).toEqual(before);
  });

  it('refuses `snapshotsDir: dist` with a plain build: the default output would be the ledger', async () => {
    const { dir, config } = await ledger('dist-ledger', { snapshotsDir: 'dist' });
    const before = await everything(dir);
    const run = await runCli(['build', '--config', config, '--quiet'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is the ledger/);
    expect(await everything(dir)).toEqual(before);
  });

  it('refuses a non-empty folder it did not write, and the git root above the config', async () => {
    const { dir, config } = await ledger('foreign');
    const other = path.join(work, 'photos');
    await mkdir(other, { recursive: true });
    await writeFile(path.join(other, 'cat.jpg'), 'meow');
    const run = await runCli(['build', '--config', config, '--out', other, '--quiet'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not empty and was not written by release-ledger build/);
    expect(await treeState(other)).toEqual({ 'cat.jpg': expect.any(String) });

    const nested = path.join(work, 'repo', 'ops');
    await mkdir(nested, { recursive: true });
    execFileSync('git', ['init', '-q', path.join(work, 'repo')]);
    const inner = await writeWorld(nested, { services: ['api'], inventory: baseInventory(['api']) });
    expect((await runCli(['collect', '--config', inner, '--at', AT, '--quiet'], { cwd: nested })).code).toBe(0);
    const atRoot = await runCli(['build', '--config', inner, '--out', path.join(work, 'repo'), '--quiet'], { cwd: nested });
    expect(atRoot.code).toBe(2);
    expect(atRoot.stderr).toMatch(/config's folder|git work tree root/);
  });

  it('writes a world-readable site carrying its marker, rebuilds over it, and cleans up what a killed build left', async () => {
    const { dir, config } = await ledger('good');
    const out = path.join(dir, 'dist');
    const first = await runCli(['build', '--config', config, '--quiet'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect((await stat(out)).mode & 0o777).toBe(0o755);
    expect((await readdir(out)).includes(SITE_MARKER)).toBe(true);
    const site = await treeState(out);

    // A build killed while staging left a marked staging folder; one killed between the swap's two
    // renames left the previous site aside and no output folder.
    const stale = path.join(dir, '.dist.release-ledger-staging-dead01');
    await mkdir(path.join(stale, 'days'), { recursive: true });
    await writeFile(path.join(stale, SITE_MARKER), '');
    const { rename } = await import('node:fs/promises');
    const aside = path.join(dir, '.dist.release-ledger-previous-dead02');
    await rename(out, aside);
    await recoverOutput(out);
    expect(await treeState(out)).toEqual(site);
    expect((await readdir(dir)).filter((n) => n.includes('release-ledger-'))).toEqual([]);

    const second = await runCli(['build', '--config', config, '--full', '--quiet'], { cwd: dir });
    expect(second.code, second.stderr).toBe(0);
    expect(await treeState(out)).toEqual(site);
    expect((await readdir(dir)).filter((n) => n.includes('release-ledger-'))).toEqual([]);

    // A site built before the marker existed (a nightly CI cache after an upgrade) is still recognised
    // by its incremental manifest, which lists every file of it; with a file it does not list, it is not.
    await rm(path.join(out, SITE_MARKER));
    await writeFile(path.join(out, 'notes.txt'), 'mine');
    const foreign = await runCli(['build', '--config', config, '--quiet'], { cwd: dir });
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/not empty and was not written by release-ledger build/);
    await rm(path.join(out, 'notes.txt'));
    const upgraded = await runCli(['build', '--config', config, '--quiet'], { cwd: dir });
    expect(upgraded.code, upgraded.stderr).toBe(0);
    expect(await treeState(out)).toEqual(site);

    // A kept page deleted by hand: the incremental build cannot link it, so it builds everything instead.
    const dayPage = path.join(out, 'days', '2026-03-14', 'index.html');
    await rm(dayPage);
    expect((await runCli(['collect', '--config', config, '--at', '2026-03-15T02:00:00Z', '--quiet'], { cwd: dir })).code).toBe(0);
    const third = await runCli(['build', '--config', config], { cwd: dir });
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toMatch(/ 0 reused\)/);
    expect((await stat(dayPage)).isFile()).toBe(true);
  }, 120_000);
});

describe('recoverOutput', () => {
  it('finishes a removal killed halfway (the marker is removed last, so it is still there), and never empties a folder without it', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'rl-recover-'));
    const out = path.join(parent, 'site');
    await mkdir(out);
    await writeFile(path.join(out, SITE_MARKER), 'x');
    // The swapped-out site, half removed: its marker and a few pages left.
    const aside = path.join(parent, '.site.release-ledger-previous-0123456789ab');
    await mkdir(path.join(aside, 'days'), { recursive: true });
    await writeFile(path.join(aside, SITE_MARKER), 'x');
    await writeFile(path.join(aside, 'days', 'index.html'), 'old');
    // A folder with our name but no marker and files in it: not provably ours, so kept.
    const foreign = path.join(parent, '.site.release-ledger-previous-ffffffffffff');
    await mkdir(foreign);
    await writeFile(path.join(foreign, 'notes.txt'), 'the user\'s');
    await recoverOutput(out);
    expect((await readdir(parent)).sort()).toEqual(['.site.release-ledger-previous-ffffffffffff', 'site']);
    expect(await readdir(foreign)).toEqual(['notes.txt']);
    await rm(parent, { recursive: true, force: true });
  });

  it('finishes a night killed while it updated the site in place: every move and removal its journal names, then nothing beside the site', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'rl-journal-'));
    const out = path.join(parent, 'site');
    await mkdir(path.join(out, 'days', 'gone'), { recursive: true });
    await writeFile(path.join(out, SITE_MARKER), 'x');
    await writeFile(path.join(out, 'index.html'), 'old home');
    await writeFile(path.join(out, 'kept.html'), 'kept');
    await writeFile(path.join(out, 'days', 'gone', 'index.html'), 'a page no longer in the site');
    // Staged complete; the kill fell after the first move (new/index.html is already in place).
    const staged = path.join(parent, '.site.release-ledger-staging-abc123');
    await mkdir(path.join(staged, 'days', 'new'), { recursive: true });
    await writeFile(path.join(staged, SITE_MARKER), 'x');
    await writeFile(path.join(staged, 'index.html'), 'new home');
    await mkdir(path.join(out, 'days', 'new'), { recursive: true });
    await writeFile(path.join(out, 'days', 'new', 'index.html'), 'new page');
    const journal = { staged: path.basename(staged), moves: ['days/new/index.html', 'index.html'], removes: ['days/gone/index.html'] };
    await writeFile(path.join(parent, '.site.release-ledger-journal.json'), JSON.stringify(journal));
    await recoverOutput(out);
    expect(await treeState(out)).toEqual(await treeStateOf({ [SITE_MARKER]: 'x', 'index.html': 'new home', 'kept.html': 'kept', 'days/new/index.html': 'new page' }));
    expect(await readdir(path.join(out, 'days'))).toEqual(['new']);
    expect(await readdir(parent)).toEqual(['site']);
    // Finishing it again changes nothing.
    await recoverOutput(out);
    expect(await readdir(parent)).toEqual(['site']);
    await rm(parent, { recursive: true, force: true });
  });
});

describe('a journal the build did not write', () => {
  it('is refused in one line before anything is moved or removed: bad JSON, a path outside the site, a folder not a marked staging folder', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'rl-bad-journal-'));
    const out = path.join(parent, 'site');
    await mkdir(path.join(out, 'days'), { recursive: true });
    await writeFile(path.join(out, SITE_MARKER), 'x');
    await writeFile(path.join(out, 'days', 'index.html'), 'page');
    await writeFile(path.join(parent, 'precious.txt'), 'the user\'s');
    const unmarked = path.join(parent, '.site.release-ledger-staging-unmarked');
    await mkdir(unmarked);
    await writeFile(path.join(unmarked, 'notes.txt'), 'the user\'s too');
    const before = await treeState(parent);
    const journal = path.join(parent, '.site.release-ledger-journal.json');
    const cases: [string, RegExp][] = [
      ['{"staged": ', /is not valid JSON/],
      [JSON.stringify({ staged: '.site.release-ledger-staging-abc', moves: [], removes: ['../precious.txt'] }), /names a path outside the site/],
      [JSON.stringify({ staged: '.site.release-ledger-staging-abc', moves: ['/etc/passwd'], removes: [] }), /names a path outside the site/],
      [JSON.stringify({ staged: '../elsewhere', moves: [], removes: [] }), /does not name a staging folder/],
      [JSON.stringify({ staged: '.site.release-ledger-staging-unmarked', moves: ['notes.txt'], removes: [] }), /carries no \.release-ledger-site marker/],
    ];
    for (const [text, why] of cases) {
      await writeFile(journal, text);
      const error = await recoverOutput(out).then(() => null, (e: unknown) => e as Error);
      expect({ text, message: error?.message }).toEqual({ text, message: expect.stringMatching(why) });
      expect(error!.message).not.toContain('\n');
      await rm(journal);
      expect(await treeState(parent)).toEqual(before);
    }
    await rm(parent, { recursive: true, force: true });
  });
});

/** The tree state of a folder holding `files` (path → text), to compare with `treeState`. */
async function treeStateOf(files: Record<string, string>) {
  const dir = await mkdtemp(path.join(tmpdir(), 'rl-tree-'));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  const state = await treeState(dir);
  await rm(dir, { recursive: true, force: true });
  return state;
}
