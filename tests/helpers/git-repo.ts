/**
 * Real git repositories in temp folders, with pinned authors and dates, for
 * tests of anything that reads git (the gitops source, and any other).
 * Each commit sets GIT_AUTHOR_NAME/EMAIL/DATE and GIT_COMMITTER_NAME/EMAIL/DATE,
 * so shas and `git log` output are the same on every machine and every day.
 * Git runs with no system or global config (GIT_CONFIG_NOSYSTEM,
 * GIT_CONFIG_GLOBAL=/dev/null), so a developer's settings cannot leak in.
 *
 * ```ts
 * const repo = await makeGitRepo([
 *   { files: { 'environments/prod/api/values.yaml': 'image:\n  tag: 1.0.0\n' },
 *     author: ALICE, date: '2026-03-01T10:00:00Z', message: 'api 1.0.0 to prod' },
 *   { files: { 'environments/prod/api/values.yaml': 'image:\n  tag: 1.0.1\n', 'old.yaml': null }, // null deletes
 *     author: BOB, date: '2026-03-02T09:30:00Z' },
 * ]);
 * repo.dir;        // the work tree
 * repo.shas;       // one full sha per commit, in order
 * await repo.commit({ files: {...}, author: CAROL, date: '…' }); // more later
 * await repo.git('tag', 'v1');                                    // any git command
 * await repo.cleanup();
 * ```
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Person {
  name: string;
  email: string;
}

export const ALICE: Person = { name: 'Alice Example', email: 'alice@example.com' };
export const BOB: Person = { name: 'Bob Example', email: 'bob@example.com' };
export const CAROL: Person = { name: 'Carol Example', email: 'carol@example.com' };

export interface CommitSpec {
  /** Path -> content; `null` deletes the file. Paths use `/`. */
  files: Record<string, string | null>;
  author: Person;
  /** ISO 8601 time, e.g. `2026-03-01T10:00:00Z`; used for author and committer dates. */
  date: string;
  /** Defaults to the author; set to show a commit applied by someone else (a bot, a merge). */
  committer?: Person;
  /** Defaults to the committer date = author date; set to differ. */
  committerDate?: string;
  message?: string;
}

export interface GitRepo {
  /** The work tree (also the repository). */
  dir: string;
  /** Full shas of the commits made so far, oldest first. */
  shas: string[];
  /** Makes one more commit; returns its sha. */
  commit(spec: CommitSpec): Promise<string>;
  /** Runs git in the repository with the pinned environment; returns stdout. */
  git(...args: string[]): Promise<string>;
  /** Writes a file into the work tree without committing (to show the reader uses the commit, not the work tree). */
  writeWorkTree(path: string, content: string): Promise<void>;
  cleanup(): Promise<void>;
}

function baseEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'],
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    TZ: 'UTC',
  };
}

/** Creates a repository (branch `main`) in a new temp folder and makes `commits` in order. */
export async function makeGitRepo(commits: CommitSpec[] = [], options: { prefix?: string } = {}): Promise<GitRepo> {
  const dir = await mkdtemp(join(tmpdir(), options.prefix ?? 'ledger-git-'));
  const env = baseEnv(dir);
  const git = async (...args: string[]) => (await run('git', args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 })).stdout;
  await git('init', '--quiet', '--initial-branch=main');
  const shas: string[] = [];
  const writeWorkTree = async (path: string, content: string) => {
    const full = join(dir, ...path.split('/'));
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
  };
  const commit = async (spec: CommitSpec) => {
    const added: string[] = [];
    for (const [path, content] of Object.entries(spec.files)) {
      if (content === null) await git('rm', '--quiet', '--', path);
      else {
        await writeWorkTree(path, content);
        added.push(path);
      }
    }
    // One `git add` per 500 paths: a commit of thousands of files (the 500-service layouts) takes a second, not a minute.
    for (let i = 0; i < added.length; i += 500) await git('add', '--', ...added.slice(i, i + 500));
    const committer = spec.committer ?? spec.author;
    await run('git', ['commit', '--quiet', '--allow-empty', '-m', spec.message ?? `change ${Object.keys(spec.files).join(', ')}`], {
      cwd: dir,
      env: {
        ...env,
        GIT_AUTHOR_NAME: spec.author.name,
        GIT_AUTHOR_EMAIL: spec.author.email,
        GIT_AUTHOR_DATE: spec.date,
        GIT_COMMITTER_NAME: committer.name,
        GIT_COMMITTER_EMAIL: committer.email,
        GIT_COMMITTER_DATE: spec.committerDate ?? spec.date,
      },
    });
    const sha = (await git('rev-parse', 'HEAD')).trim();
    shas.push(sha);
    return sha;
  };
  for (const spec of commits) await commit(spec);
  return { dir, shas, commit, git, writeWorkTree, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
