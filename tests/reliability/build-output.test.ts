/**
 * Build output placement (issue 17 item 1): `build` only ever removes files
 * it wrote itself.
 *
 * 1,000 generated `--out` / `snapshotsDir` placements relative to the config
 * folder, the ledger and the git root (and through symlinks, into foreign and
 * empty folders and earlier sites) go through `checkOutput`, the check
 * `buildSite` runs first. A build replaces its accepted output folder whole,
 * so the files it would remove are every file under that folder: each must be
 * a file an earlier build wrote. A handful run the real `release-ledger build`
 * and compare the whole world's files before and after; a few real builds are
 * SIGKILLed part-way and must leave the previous site whole.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cp, mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkOutput, recoverOutput, resolveReal, SITE_MARKER, within } from '../../src/site/output.ts';
import { runCli } from '../helpers/cli.ts';
import { baseInventory, recordFigure, REPO_ROOT, SEED, treeState, useTempRoot, writeWorld } from './world.ts';

const RUNS = 1000;
const REAL_BUILDS = 6;
const KILLS = 4;
const tempRoot = useTempRoot('build-output');
const BIN = path.join(REPO_ROOT, 'bin/release-ledger.mjs');
const AT = '2026-03-14T02:00:00Z';

const GIT = ['none', 'root', 'repo', 'ops'] as const;
const SNAPSHOTS = ['content/snapshots', 'dist', 'snapshots', '.', '../ledger-data', 'site/content'] as const;
const BASES = ['config', 'ledger', 'git', 'root', 'photos', 'empty', 'old-site', 'link-to-config', 'link-to-site'] as const;
const SEGMENTS = ['..', '.', 'dist', 'content', 'snapshots', 'site', 'new', '.git'] as const;

interface World {
  root: string;
  configDir: string;
  snapshotsDir: string;
  gitRoot: string | null;
  config: string;
}

const placementArb = fc.record({
  git: fc.constantFrom(...GIT),
  snapshots: fc.constantFrom(...SNAPSHOTS),
  base: fc.constantFrom(...BASES),
  segments: fc.array(fc.constantFrom(...SEGMENTS), { maxLength: 3 }),
});
type Placement = typeof placementArb extends fc.Arbitrary<infer T> ? T : never;

/** A previous site: the marker and two pages, as `build` leaves them. */
async function writeSite(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'days', '2026-03-13'), { recursive: true });
  await writeFile(path.join(dir, SITE_MARKER), '');
  await writeFile(path.join(dir, 'index.html'), '<p>old</p>');
  await writeFile(path.join(dir, 'days', '2026-03-13', 'index.html'), '<p>day</p>');
}

/**
 * `root/repo/ops/ledger` holds the config; the git root is at `root`, `repo`,
 * `ops` or nowhere; beside them a folder of the user's photos, an empty
 * folder, an earlier site, and symlinks to the config folder and that site.
 * `real`: a real config with one collected snapshot, else stand-in files.
 */
async function makeWorld(root: string, git: Placement['git'], snapshots: string, real: boolean): Promise<World> {
  const configDir = path.join(root, 'repo', 'ops', 'ledger');
  const snapshotsDir = path.resolve(configDir, snapshots);
  const gitRoot = { none: null, root, repo: path.join(root, 'repo'), ops: path.join(root, 'repo', 'ops') }[git];
  await mkdir(configDir, { recursive: true });
  if (gitRoot) execFileSync('git', ['init', '-q', gitRoot]);
  let config = path.join(configDir, 'release-ledger.config.yaml');
  if (real) {
    config = await writeWorld(configDir, { services: ['api', 'web'], inventory: baseInventory(['api', 'web']), extra: { snapshotsDir: snapshots } });
    const run = await runCli(['collect', '--config', config, '--at', AT, '--quiet'], { cwd: configDir });
    if (run.code !== 0) throw new Error(run.stderr);
  } else {
    await writeFile(config, `snapshotsDir: ${snapshots}\n`);
    await writeFile(path.join(configDir, 'inventory.yaml'), 'deployments: []\n');
    await mkdir(snapshotsDir, { recursive: true });
    await writeFile(path.join(snapshotsDir, '2026-03-14T020000Z.json'), '{}\n');
  }
  await writeFile(path.join(root, 'README.txt'), 'the user\'s\n');
  await mkdir(path.join(root, 'photos'), { recursive: true });
  await writeFile(path.join(root, 'photos', 'cat.jpg'), 'meow');
  await mkdir(path.join(root, 'empty'), { recursive: true });
  await writeSite(path.join(root, 'old-site'));
  // An earlier site in the default place, unless the ledger is there.
  if (!within(path.join(configDir, 'dist'), snapshotsDir) && !within(snapshotsDir, path.join(configDir, 'dist'))) await writeSite(path.join(configDir, 'dist'));
  await symlink(configDir, path.join(root, 'link-to-config'));
  await symlink(path.join(root, 'old-site'), path.join(root, 'link-to-site'));
  return { root, configDir, snapshotsDir, gitRoot, config };
}

function outOf(world: World, p: Placement): string {
  const base = {
    config: world.configDir,
    ledger: world.snapshotsDir,
    git: world.gitRoot ?? world.root,
    root: world.root,
    photos: path.join(world.root, 'photos'),
    empty: path.join(world.root, 'empty'),
    'old-site': path.join(world.root, 'old-site'),
    'link-to-config': path.join(world.root, 'link-to-config'),
    'link-to-site': path.join(world.root, 'link-to-site'),
  }[p.base];
  return path.join(base, ...p.segments);
}

/** Files under `dir` (resolved) that no build wrote: outside every folder carrying the marker. */
async function foreignFiles(dir: string): Promise<string[]> {
  const real = await resolveReal(dir);
  let entries;
  try {
    entries = await readdir(real, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  const sites = new Set(entries.filter((e) => e.name === SITE_MARKER).map((e) => e.parentPath));
  const ours = (file: string) => [...sites].some((site) => within(file, site));
  return entries.filter((e) => !e.isDirectory() && !ours(path.join(e.parentPath, e.name))).map((e) => path.join(e.parentPath, e.name));
}

describe('build output placement', () => {
  it(`${RUNS} generated --out/snapshotsDir placements: 0 files removed that build did not write`, async ({ task }) => {
    const root = await tempRoot();
    const worlds = new Map<string, World>();
    const placements = fc.sample(placementArb, { seed: SEED, numRuns: RUNS });
    let accepted = 0;
    let refused = 0;
    let removedForeign = 0;
    const problems: string[] = [];
    for (const [index, p] of placements.entries()) {
      const key = `${p.git}|${p.snapshots}`;
      let world = worlds.get(key);
      if (!world) {
        world = await makeWorld(path.join(root, `w${worlds.size}`), p.git, p.snapshots, false);
        worlds.set(key, world);
      }
      const out = outOf(world, p);
      try {
        await checkOutput(out, { snapshotsDir: world.snapshotsDir, configDir: world.configDir });
        accepted++;
        // The build replaces this folder whole: everything in it is removed.
        const foreign = await foreignFiles(out);
        removedForeign += foreign.length;
        if (foreign.length) problems.push(`run ${index}: ${path.relative(world.root, out)} accepted but holds ${foreign.map((f) => path.relative(world!.root, f)).join(', ')}`);
      } catch (error) {
        refused++;
        const message = (error as Error).message;
        if (message.includes('\n') || !message.includes('output')) problems.push(`run ${index}: refusal not one line naming the output: ${message}`);
      }
    }
    const pass = removedForeign === 0 && problems.length === 0 && accepted > 0 && refused > 0;
    recordFigure(task, {
      case: 'build output: generated placements',
      runs: RUNS,
      result: `${removedForeign} files removed that build did not write; ${accepted} accepted, ${refused} refused with one line (${worlds.size} layouts)`,
      target: '0 files removed that build did not write',
      pass,
      detail: 'placement check (checkOutput) on real folders',
    });
    expect(problems.slice(0, 10), `seed ${SEED}`).toEqual([]);
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it(`${REAL_BUILDS} real builds at generated placements: every removed file was one a build wrote`, async ({ task }) => {
    const root = await tempRoot();
    const template = await makeWorld(path.join(root, 'template'), 'repo', 'content/snapshots', true);
    const placements = fc.sample(placementArb.map((p) => ({ ...p, git: 'repo' as const, snapshots: 'content/snapshots' as const })), { seed: SEED + 1, numRuns: REAL_BUILDS });
    // Both outcomes, whatever the seed: the default output (an earlier site) and the config's own folder.
    placements.push({ git: 'repo', snapshots: 'content/snapshots', base: 'config', segments: ['dist'] }, { git: 'repo', snapshots: 'content/snapshots', base: 'config', segments: [] });
    let built = 0;
    let refused = 0;
    let removedForeign = 0;
    const problems: string[] = [];
    for (const [index, p] of placements.entries()) {
      const dir = path.join(root, `run-${index}`);
      await cp(template.root, dir, { recursive: true, verbatimSymlinks: true });
      // The copied symlinks still point into the template: point them into this copy.
      for (const [link, target] of [['link-to-config', 'repo/ops/ledger'], ['link-to-site', 'old-site']] as const) {
        await rm(path.join(dir, link));
        await symlink(path.join(dir, target), path.join(dir, link));
      }
      const world: World = { root: dir, configDir: path.join(dir, 'repo', 'ops', 'ledger'), snapshotsDir: path.join(dir, 'repo', 'ops', 'ledger', 'content', 'snapshots'), gitRoot: path.join(dir, 'repo'), config: path.join(dir, 'repo', 'ops', 'ledger', 'release-ledger.config.yaml') };
      const out = outOf(world, p);
      const before = await treeState(dir);
      // The earlier sites' files: the only ones a build may remove.
      const ownBefore = new Set(Object.keys(before).filter((f) => f.startsWith('old-site/') || f.startsWith('repo/ops/ledger/dist/')));
      const run = await runCli(['build', '--config', world.config, '--out', out, '--quiet'], { cwd: world.configDir });
      const after = await treeState(dir);
      const removed = Object.keys(before).filter((f) => !(f in after));
      const foreign = removed.filter((f) => !ownBefore.has(f));
      removedForeign += foreign.length;
      if (run.code === 0) built++;
      else if (run.code === 2 && run.stderr.trim().split('\n').length === 1) refused++;
      else problems.push(`run ${index} (${path.relative(dir, out)}): exit ${run.code}: ${run.stderr}`);
      if (foreign.length) problems.push(`run ${index} (${path.relative(dir, out)}): removed ${foreign.join(', ')}`);
    }
    recordFigure(task, {
      case: 'build output: real builds',
      runs: placements.length,
      result: `${removedForeign} files removed that build did not write; ${built} built, ${refused} refused with one line`,
      target: '0 files removed that build did not write',
      pass: removedForeign === 0 && problems.length === 0 && built > 0 && refused > 0,
    });
    expect(problems, `seed ${SEED}`).toEqual([]);
    expect(built).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 240_000);

  it(`${KILLS} builds killed with SIGKILL leave the previous site whole and nothing beside it after the next run`, async ({ task }) => {
    const root = await tempRoot();
    const world = await makeWorld(path.join(root, 'kill'), 'repo', 'content/snapshots', true);
    const out = path.join(world.configDir, 'site');
    const first = await runCli(['build', '--config', world.config, '--out', out, '--quiet'], { cwd: world.configDir });
    expect(first.code, first.stderr).toBe(0);
    const site = await treeState(out);
    // Calibrate: one whole build in a child process.
    const whole = await spawnBuild(world, out, []).exited;
    const delays = fc.sample(fc.double({ min: 0.2, max: 1.05, noNaN: true }), { seed: SEED, numRuns: KILLS }).map((f) => Math.round(f * whole.ms));
    let intact = 0;
    let landed = 0;
    const problems: string[] = [];
    for (const [index, delay] of delays.entries()) {
      const child = spawnBuild(world, out, index % 2 ? ['--full'] : []);
      const timer = setTimeout(child.kill, delay);
      const exit = await child.exited;
      clearTimeout(timer);
      if (exit.signal === 'SIGKILL') landed++;
      // What the next build does first.
      await recoverOutput(out);
      const leftovers = (await readdir(world.configDir)).filter((n) => n.includes('.release-ledger-'));
      if (JSON.stringify(await treeState(out)) === JSON.stringify(site) && leftovers.length === 0) intact++;
      else problems.push(`kill ${index} after ${delay} ms: site ${JSON.stringify(await treeState(out)) === JSON.stringify(site) ? 'whole' : 'damaged'}, leftovers ${leftovers.join(', ') || 'none'}`);
    }
    recordFigure(task, {
      case: 'build output: builds killed',
      runs: KILLS,
      result: `${intact}/${KILLS} left the previous site whole (same ledger, so the same bytes) and no staging folder`,
      target: '100% whole, nothing left beside it',
      pass: intact === KILLS,
      detail: `${landed} kills landed before the build ended; a whole build took ${Math.round(whole.ms)} ms`,
    });
    expect(problems, `seed ${SEED}`).toEqual([]);
  }, 240_000);
});

function spawnBuild(world: World, out: string, extra: string[]) {
  const start = performance.now();
  const child = spawn(process.execPath, [BIN, 'build', '--config', world.config, '--out', out, '--quiet', ...extra], { cwd: world.configDir, stdio: 'ignore' });
  const exited = new Promise<{ ms: number; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (_code, signal) => resolve({ ms: performance.now() - start, signal })));
  return { exited, kill: () => child.kill('SIGKILL') };
}
