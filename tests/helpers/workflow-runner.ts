/**
 * Runs the `run:` steps of a generated GitHub Actions workflow locally, as
 * GitHub runs them (`bash --noprofile --norc -eo pipefail`), in a pinned
 * environment, with `npx [--no-install] release-ledger` pointing at this
 * checkout's CLI. `${{ }}` expressions reach steps only through `env:`; each
 * one a test passes is substituted, and an unknown one fails the test.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load as parse } from 'js-yaml';
import { runCli } from './cli.ts';
import { ALICE, makeGitRepo, type GitRepo } from './git-repo.ts';

const BIN = path.join(fileURLToPath(new URL('../..', import.meta.url)), 'bin', 'release-ledger.mjs');

export interface WorkflowStep {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number | boolean>;
}
export type WorkflowJobs = Record<string, { steps: WorkflowStep[]; needs?: string | string[]; strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown[]> } }>;

export interface StepRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A runner's folders under `root`: `runner-temp/` (RUNNER_TEMP, GITHUB_OUTPUT) and an `npx` shim. */
export async function prepareRunner(root: string): Promise<{ shimDir: string }> {
  await mkdir(path.join(root, 'runner-temp'), { recursive: true });
  const shimDir = path.join(root, 'shim');
  await mkdir(shimDir, { recursive: true });
  // `npx [--no-install] release-ledger …` runs this checkout's CLI, as `npx` runs the installed package's bin.
  await writeFile(path.join(shimDir, 'npx'), `#!/bin/sh\nwhile [ "$#" -gt 0 ] && [ "$1" != release-ledger ]; do shift; done\nshift\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  await chmod(path.join(shimDir, 'npx'), 0o755);
  return { shimDir };
}

/** The pinned environment every step runs in (no developer settings, fixed dates). */
export function runnerEnv(root: string, date: string): Record<string, string> {
  return {
    PATH: `${path.join(root, 'shim')}:${path.dirname(process.execPath)}:${process.env['PATH'] ?? ''}`,
    HOME: root,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
    LC_ALL: 'C',
    TZ: 'UTC',
    RUNNER_TEMP: path.join(root, 'runner-temp'),
    GITHUB_OUTPUT: path.join(root, 'runner-temp', 'github-output'),
  };
}

function substitute(value: string, expressions: Record<string, string>): string {
  return value.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expression: string) => {
    if (!(expression in expressions)) throw new Error(`the workflow uses \${{ ${expression} }}, which this test does not know; add it`);
    return expressions[expression]!;
  });
}

/** The step named `name` of `job`. */
export function findStep(jobs: WorkflowJobs, job: string, name: string): WorkflowStep {
  const step = jobs[job]?.steps.find((s) => s.name === name);
  if (!step) throw new Error(`no step "${name}" in job ${job}`);
  return step;
}

/** Runs one `run:` step with `root`'s runner folders, in `cwd` (the checkout). */
export async function runWorkflowStep(
  jobs: WorkflowJobs,
  job: string,
  name: string,
  options: { root: string; cwd: string; date: string; expressions?: Record<string, string> },
): Promise<StepRun> {
  const step = findStep(jobs, job, name);
  if (!step.run) throw new Error(`step "${name}" in job ${job} has no run:`);
  const env = runnerEnv(options.root, options.date);
  for (const [key, value] of Object.entries(step.env ?? {})) env[key] = substitute(value, options.expressions ?? {});
  const script = path.join(options.root, 'runner-temp', 'step.sh');
  await writeFile(script, step.run);
  return new Promise((resolve) => {
    execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: options.cwd, env, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** What the steps of `root`'s runner wrote to GITHUB_OUTPUT (later lines win). */
export async function runnerOutputs(root: string): Promise<Record<string, string>> {
  const text = await readFile(path.join(root, 'runner-temp', 'github-output'), 'utf8').catch(() => '');
  return Object.fromEntries(text.split('\n').filter(Boolean).map((line) => line.split('=', 2) as [string, string]));
}

/** `git` in `cwd` with the runner's pinned environment. */
export function runnerGit(root: string, cwd: string, ...args: string[]): Promise<string> {
  return new Promise<string>((resolve, reject) =>
    execFile('git', args, { cwd, env: runnerEnv(root, '2026-01-08T03:00:00Z') }, (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout))),
  );
}

/**
 * A real git repository where `release-ledger init …initArgs` ran, committed
 * (with `gitignore`) and pushed to a bare "origin" under `root`; and the jobs
 * of the workflow it wrote.
 */
export async function initialisedRepository(
  root: string,
  options: { prefix: string; initArgs: string[]; gitignore: string; message: string },
): Promise<{ repo: GitRepo; remote: string; jobs: WorkflowJobs }> {
  const remote = path.join(root, 'origin.git');
  await mkdir(remote);
  await runnerGit(root, remote, 'init', '--quiet', '--bare', '--initial-branch=main');
  const repo = await makeGitRepo([], { prefix: options.prefix });
  const init = await runCli(['init', ...options.initArgs], { cwd: repo.dir, env: {} });
  if (init.code !== 0) throw new Error(`release-ledger init failed (exit ${init.code}): ${init.stderr}`);
  const jobs = (parse(await readFile(path.join(repo.dir, '.github', 'workflows', 'release-ledger.yml'), 'utf8')) as { jobs: WorkflowJobs }).jobs;
  await repo.git('add', '--all');
  await repo.commit({ files: { '.gitignore': options.gitignore }, author: ALICE, date: '2026-01-07T12:00:00Z', message: options.message });
  await repo.git('remote', 'add', 'origin', remote);
  await repo.git('push', '--quiet', 'origin', 'main');
  return { repo, remote, jobs };
}
