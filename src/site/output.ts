/**
 * Where `build` may write, and how the new site replaces the old one.
 *
 * `build` removes only files it wrote itself (docs/guarantees.md, "Build
 * output"): an output folder that is or holds the config's folder, the
 * ledger or a git work tree's root is refused, and so is a non-empty folder
 * without the marker file every built site carries. A full build's site is
 * staged in a sibling folder (same parent, so the same file system) and
 * renamed into place only when complete; a night stages its new files there
 * and moves them in by a journal (`updateInPlace`). A failed or killed build
 * leaves the previous site whole (or finishes its journal next time), and the
 * next build removes what a killed one left beside it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, mkdirSync, renameSync, rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, open, readdir, readFile, realpath, rename, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { LedgerError } from '../errors.ts';
import { listFiles, manifestFiles } from './incremental.ts';

/** The file at the root of every built site that says the folder is the build's own. */
export const SITE_MARKER = '.release-ledger-site';
const MARKER_TEXT = 'Written by `release-ledger build`, which replaces this whole folder on the next build: keep no other files here.\n';

/** What a placement is checked against: every path absolute and resolved (symlinks followed). */
export interface Placement {
  out: string;
  /** The config's folder, when known. */
  configDir: string | null;
  /** The ledger folder (`snapshotsDir`). */
  ledger: string;
  /** The root of the git work tree holding the config (or the ledger), if any. */
  gitRoot: string | null;
  /** What is at `out` now. */
  outState: 'missing' | 'empty' | 'ours' | 'foreign' | 'not-a-folder';
  /** `out` holds a `.git` entry: it is a git work tree's root itself. */
  outIsGitRoot: boolean;
}

/** `child` is `parent` or below it. */
export function within(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Why `build` must not write to `placement.out`, or null when it may. The one rule; `checkOutput` gathers its facts. */
export function placementRefusal(placement: Placement): string | null {
  const { out } = placement;
  const guarded: [string | null, string][] = [
    [placement.configDir, 'the config\'s folder'],
    [placement.ledger, 'the ledger'],
    [placement.gitRoot, 'the git work tree root'],
  ];
  for (const [dir, what] of guarded) {
    if (dir === null) continue;
    if (out === dir) return `the output folder ${out} is ${what}; build replaces its output folder whole, so choose another --out (default: dist/ beside the config)`;
    if (within(dir, out)) return `the output folder ${out} contains ${what} (${dir}); build replaces its output folder whole, so choose another --out (default: dist/ beside the config)`;
  }
  if (within(out, placement.ledger)) return `the output folder ${out} is inside the ledger ${placement.ledger}, which holds only snapshots; choose another --out`;
  if (placement.outIsGitRoot) return `the output folder ${out} is the root of a git work tree (it has .git); build replaces its output folder whole, so choose another --out`;
  if (placement.outState === 'not-a-folder') return `the output ${out} is a file, not a folder; choose another --out`;
  if (placement.outState === 'foreign') {
    return `the output folder ${out} is not empty and was not written by release-ledger build (no ${SITE_MARKER} file); build replaces its output folder whole, so empty it, or choose another --out`;
  }
  return null;
}

/** An absolute path with symlinks resolved as far as the path exists (the rest need not exist yet). */
export async function resolveReal(file: string): Promise<string> {
  const absolute = path.resolve(file);
  const rest: string[] = [];
  let at = absolute;
  for (;;) {
    try {
      return path.join(await realpath(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return absolute;
      rest.push(path.basename(at));
      at = parent;
    }
  }
}

const exists = (file: string) => stat(file).then(() => true, () => false);

/** The nearest folder at or above `dir` holding `.git` (a folder, or a file in a linked worktree). */
async function gitRootOf(dir: string): Promise<string | null> {
  for (let at = dir; ; at = path.dirname(at)) {
    if (await exists(path.join(at, '.git'))) return at;
    if (path.dirname(at) === at) return null;
  }
}

async function outStateOf(out: string, cacheDir: string | undefined): Promise<{ outState: Placement['outState']; outIsGitRoot: boolean }> {
  let names: string[];
  try {
    names = await readdir(out);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { outState: 'missing', outIsGitRoot: false };
    if (code === 'ENOTDIR') return { outState: 'not-a-folder', outIsGitRoot: false };
    throw new LedgerError(`cannot read the output folder ${out} (${code ?? 'error'}); check its permissions`, { cause: error });
  }
  const outIsGitRoot = names.includes('.git');
  if (names.length === 0) return { outState: 'empty', outIsGitRoot };
  if (names.includes(SITE_MARKER)) return { outState: 'ours', outIsGitRoot };
  // No marker: a site from before the marker is still ours if the incremental manifest lists every file in it.
  const listed = cacheDir === undefined ? null : await manifestFiles(cacheDir);
  if (listed && listed.has('index.html') && !outIsGitRoot) {
    const files = await listFiles(out);
    if (files.every((file) => listed.has(file))) return { outState: 'ours', outIsGitRoot };
  }
  return { outState: 'foreign', outIsGitRoot };
}

/** Gathers the facts about an output folder and refuses it (LedgerError, exit 2) when `placementRefusal` says so. Returns the resolved output path. */
export async function checkOutput(outDir: string, where: { snapshotsDir: string; configDir?: string | undefined; cacheDir?: string | undefined }): Promise<string> {
  const out = await resolveReal(outDir);
  const ledger = await resolveReal(where.snapshotsDir);
  const configDir = where.configDir === undefined ? null : await resolveReal(where.configDir);
  const gitRoot = await gitRootOf(configDir ?? ledger);
  const refusal = placementRefusal({ out, configDir, ledger, gitRoot, ...(await outStateOf(out, where.cacheDir)) });
  if (refusal) throw new LedgerError(refusal);
  return out;
}

const stagingPrefix = (out: string) => `.${path.basename(out)}.release-ledger-staging-`;
const previousPrefix = (out: string) => `.${path.basename(out)}.release-ledger-previous-`;
const journalFile = (out: string) => path.join(path.dirname(out), `.${path.basename(out)}.release-ledger-journal.json`);

/**
 * A night's update of the site in place (docs/scale.md, "A nightly build"):
 * the files to move from a complete staged folder beside the site into it,
 * and the files of the previous site that no longer belong to it. Written
 * only once everything is staged; until it is removed, the next build
 * finishes it before anything else (`recoverOutput`).
 */
interface Journal {
  /** The staged folder's name, beside the site. */
  staged: string;
  /** Site-relative paths, staged → site (each rename replaces the file whole). */
  moves: string[];
  /** Site-relative paths to remove. */
  removes: string[];
}

/**
 * Cleans up after a build that was killed: a staged site is removed, and a
 * previous site moved aside for the swap is put back if the new one never
 * arrived (else removed). Only folders carrying the marker (or empty ones) are touched.
 */
export async function recoverOutput(out: string): Promise<void> {
  // A night killed while it updated the site in place: finish it (its files were all staged first).
  const journal = await readJournal(out);
  if (journal) applyJournal(out, journal);
  const parent = path.dirname(out);
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const staged = name.startsWith(stagingPrefix(out));
    const previous = name.startsWith(previousPrefix(out));
    if (!staged && !previous) continue;
    const dir = path.join(parent, name);
    if (!(await exists(path.join(dir, SITE_MARKER)))) {
      // Killed before the marker was written: the folder is empty, or it is not ours.
      await rmdir(dir).catch(() => undefined);
      continue;
    }
    if (previous && !(await exists(out))) await rename(dir, out);
    else removeSite(dir);
  }
}

/**
 * Removes a folder the build made, its marker last: a removal killed halfway
 * leaves the marker, so the next run still knows the rest is its own and
 * finishes the job (a folder without the marker is never emptied).
 */
function removeSite(dir: string): void {
  // Synchronous: a site is tens of thousands of files, and each promise call is a round trip through libuv's thread pool (docs/scale.md).
  for (const name of readdirSync(dir)) if (name !== SITE_MARKER) rmSync(path.join(dir, name), { recursive: true, force: true });
  rmSync(path.join(dir, SITE_MARKER), { force: true });
  rmdirSync(dir);
}

/** A new, empty staging folder beside `out`, marked as the build's own before anything else goes in. */
export async function openStaging(out: string): Promise<string> {
  await mkdir(path.dirname(out), { recursive: true });
  const dir = await mkdtemp(path.join(path.dirname(out), stagingPrefix(out)));
  await writeFile(path.join(dir, SITE_MARKER), MARKER_TEXT);
  return dir;
}

/** Moves `from` (a file or folder) to `to`; copies when they are on different file systems. */
export async function moveInto(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch {
    // Another file system (EXDEV): copy instead.
    await cp(from, to, { recursive: true });
  }
}

/**
 * Swaps the complete staged site in: the previous site is renamed aside, the
 * staged one renamed to `out`, then the previous one removed. Between the two
 * renames `out` is briefly missing; `recoverOutput` puts the previous site back
 * if the process dies there.
 */
export async function swapIn(staging: string, out: string): Promise<void> {
  // mkdtemp makes the folder 0700; a site is published, so its root is world-readable like every folder in it.
  await chmod(staging, 0o755);
  let aside: string | null = null;
  if (await exists(out)) {
    aside = path.join(path.dirname(out), `${previousPrefix(out)}${randomBytes(6).toString('hex')}`);
    await rename(out, aside);
  }
  try {
    await rename(staging, out);
  } catch (error) {
    if (aside) await rename(aside, out).catch(() => undefined);
    throw error;
  }
  if (aside) removeSite(aside);
}

/**
 * Updates the site in place with a night's files, instead of assembling a
 * whole new site of hard links and removing the old one (O(site) folder and
 * link writes a night: ~190,000 files at three years × 500 services). The
 * new and changed files are first staged complete in a folder beside the
 * site (`staged`, from `openStaging`), then a journal naming every move and
 * removal is written, then applied: each file is renamed over its old
 * version (whole, never half-written) and the files that no longer belong to
 * the site are removed. A build killed before the journal leaves the site as
 * it was; one killed after it is finished by the next build's
 * `recoverOutput`. The previous site is never missing, not even for the
 * instant between a swap's two renames.
 */
export async function updateInPlace(out: string, staged: string, moves: readonly string[], removes: readonly string[]): Promise<void> {
  const journal: Journal = { staged: path.basename(staged), moves: [...moves], removes: [...removes] };
  const file = journalFile(out);
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(JSON.stringify(journal));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  // A site built before the marker existed was recognised by its manifest (`outStateOf`): it carries one from now on.
  if (!existsSync(path.join(out, SITE_MARKER))) await writeFile(path.join(out, SITE_MARKER), MARKER_TEXT);
  applyJournal(out, journal);
}

/**
 * The journal a killed night left, or null. One that is not what
 * `updateInPlace` writes (unreadable, or naming a folder that is not a marked
 * staging folder beside the site, or a path outside the site) is refused in
 * one line before anything is moved or removed: only what the build wrote is
 * ever touched.
 */
async function readJournal(out: string): Promise<Journal | null> {
  const file = journalFile(out);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  const refuse = (why: string) => new LedgerError(`${file} ${why}; nothing was moved or removed: if you did not edit it, remove it and run \`release-ledger build --full\``);
  let journal: unknown;
  try {
    journal = JSON.parse(text);
  } catch {
    throw refuse('is not valid JSON');
  }
  const { staged, moves, removes } = (journal ?? {}) as Partial<Record<keyof Journal, unknown>>;
  const paths = (list: unknown) => Array.isArray(list) && list.every((f) => typeof f === 'string' && f !== '' && !path.isAbsolute(f) && within(path.join(out, f), out) && path.join(out, f) !== out);
  if (typeof staged !== 'string' || !staged.startsWith(stagingPrefix(out)) || staged !== path.basename(staged)) throw refuse('does not name a staging folder beside the site');
  if (!paths(moves) || !paths(removes)) throw refuse('names a path outside the site');
  const dir = path.join(path.dirname(out), staged);
  if (existsSync(dir) && !existsSync(path.join(dir, SITE_MARKER))) throw refuse(`names ${dir}, which carries no ${SITE_MARKER} marker`);
  return { staged, moves: moves as string[], removes: removes as string[] };
}

/** Carries out a journal (again: each step is idempotent), then removes the staged folder and the journal, the journal last. */
function applyJournal(out: string, journal: Journal): void {
  const staged = path.join(path.dirname(out), journal.staged);
  // Synchronous, as `removeSite`: a night moves hundreds of files, a removal may empty many folders.
  const into = folderMaker(out);
  for (const file of journal.moves) {
    const from = path.join(staged, file);
    if (!existsSync(from)) continue; // Moved before the kill.
    renameSync(from, into(file));
  }
  for (const file of journal.removes) {
    try {
      unlinkSync(path.join(out, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    // Folders left empty by the removal go too (never the site's root).
    for (let dir = path.dirname(path.join(out, file)); within(dir, out) && dir !== out; dir = path.dirname(dir)) {
      try {
        rmdirSync(dir);
      } catch {
        break; // Not empty (or gone): so are the folders above it.
      }
    }
  }
  if (existsSync(staged)) removeSite(staged);
  rmSync(journalFile(out), { force: true });
}

/**
 * `root`'s path for a site-relative file, its folder made first (once per
 * folder: a night places hundreds of files in a few folders each).
 */
export function folderMaker(root: string): (file: string) => string {
  const made = new Set<string>();
  return (file) => {
    const target = path.join(root, file);
    const dir = path.dirname(target);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    return target;
  };
}

/**
 * Which of `files` (site-relative, `/`-separated) are not under `root`, or
 * null when the check could not run. One access(2) a file, on a worker
 * thread: a three-year night at 500 services keeps ~180,000 files (half a
 * second of checks), which this way run while Astro renders the night's
 * pages on the main thread. Never rejects.
 */
export function missingFiles(root: string, files: readonly string[]): Promise<string[] | null> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(MISSING_FILES, { eval: true, workerData: { root, files }, execArgv: [] });
    } catch {
      resolve(null);
      return;
    }
    worker.once('message', (missing: string[]) => resolve(missing));
    worker.once('error', () => resolve(null));
    worker.once('exit', () => resolve(null));
  });
}

/** The worker of `missingFiles` (CommonJS, as `eval` workers are). Paths joined by hand: `path.join` was a fifth of the time. */
const MISSING_FILES = `
const { existsSync } = require('node:fs');
const path = require('node:path');
const { parentPort, workerData } = require('node:worker_threads');
const prefix = workerData.root + path.sep;
parentPort.postMessage(workerData.files.filter((file) => !existsSync(prefix + file)));
`;
