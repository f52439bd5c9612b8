/**
 * `release-ledger init`'s I/O: decides the mode and the repository root, then
 * writes the files from `templates.ts` — all or nothing: if any exists and
 * `force` is not set, it refuses before writing anything.
 */
import type { PublishTarget } from './publish.ts';
import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LedgerWriteError } from '../errors.ts';
import { initFiles, type InitMode } from './templates.ts';

export interface InitWriteOptions {
  /** Folder for the config and the example inventory (absolute). */
  dir: string;
  /** Overwrite existing files. */
  force?: boolean;
  /** Default: `clone` when `<root>/schema/config.schema.json` and `<root>/bin/release-ledger.mjs` exist (this repository), else `package`. */
  mode?: InitMode;
  /** Nightly cron for the workflow. */
  cron?: string;
  /** `--fail-on` severity the workflow gates on. */
  failOn?: string;
  /** Matrix jobs the workflow collects with (default 1: one job). */
  shards?: number;
  /** Where the workflow publishes the site (default GitHub Pages). */
  publish?: PublishTarget;
}

export interface InitWriteResult {
  mode: InitMode;
  /** The repository root the workflow was written under (the nearest folder with `.git`, else `dir`). */
  root: string;
  /** Absolute paths written, in order. */
  written: string[];
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** The nearest folder at or above `dir` holding `.git` (a folder or, in worktrees, a file); `dir` when there is none. */
async function repositoryRoot(dir: string): Promise<string> {
  for (let current = dir; ; ) {
    if (await exists(path.join(current, '.git'))) return current;
    const parent = path.dirname(current);
    if (parent === current) return dir;
    current = parent;
  }
}

export async function writeInitFiles(options: InitWriteOptions): Promise<InitWriteResult> {
  const dir = path.resolve(options.dir);
  const root = await repositoryRoot(dir);
  const mode =
    options.mode ??
    ((await exists(path.join(root, 'schema', 'config.schema.json'))) && (await exists(path.join(root, 'bin', 'release-ledger.mjs'))) ? 'clone' : 'package');
  const configDir = path.relative(root, dir).split(path.sep).join('/');
  const files = initFiles({ mode, configDir, cron: options.cron, failOn: options.failOn, shards: options.shards, publish: options.publish }).map((f) => ({
    ...f,
    absolute: path.join(f.base === 'config' ? dir : root, ...f.path.split('/')),
  }));

  if (!options.force) {
    const present: string[] = [];
    for (const f of files) if (await exists(f.absolute)) present.push(f.absolute);
    if (present.length > 0) {
      throw new LedgerWriteError(`${present.join(', ')} already exist${present.length === 1 ? 's' : ''}; run "release-ledger init --force" to overwrite (nothing written)`);
    }
  }
  for (const f of files) {
    await mkdir(path.dirname(f.absolute), { recursive: true });
    // Temp file + rename: an interrupted init never leaves half a config behind.
    const temp = `${f.absolute}.${process.pid}.tmp`;
    await writeFile(temp, f.content, 'utf8');
    await rename(temp, f.absolute);
  }
  return { mode, root, written: files.map((f) => f.absolute) };
}
