/**
 * The sharded nightly workflow (`init --shards 3`), run locally end to end:
 * the plan job's step, then each matrix job in a fresh clone of "origin" (its
 * own runner), then the ledger job. Artifacts are what GitHub's
 * `upload-artifact`/`download-artifact` do with the paths the generated YAML
 * names: each shard job's `path` is copied out under the artifact's name, and
 * every artifact matching the download `pattern` is copied, merged, into the
 * ledger job's `path`. So the test fails if the paths the jobs write, upload,
 * download and merge from disagree.
 *
 * Night 1: three shards → merge → commit → verify; the snapshot is the one an
 * unsharded collect writes at the same time. Night 2: one shard job failed
 * (no artifact): merge refuses, nothing is written or committed.
 */
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import picomatch from 'picomatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import type { GitRepo } from '../helpers/git-repo.ts';
import { findStep, initialisedRepository, prepareRunner, runWorkflowStep, runnerGit, runnerOutputs, type WorkflowJobs } from '../helpers/workflow-runner.ts';

let root: string;
let repo: GitRepo;
let remote: string;
let jobs: WorkflowJobs;
const TOKEN_EXPRESSION = 'secrets.RELEASE_LEDGER_TOKEN || github.token';
/** Every job that collects or merges gets the ledger key from the repository secret. */
const KEY_EXPRESSION = 'secrets.RELEASE_LEDGER_SECRET_KEY';
const LEDGER_KEY = 'workflow-test-ledger-key-0123456789abcdef';

const git = (cwd: string, ...args: string[]) => runnerGit(root, cwd, ...args);

/** The plan job: the time every shard collects at. */
async function plan(at: string): Promise<string> {
  const planRoot = path.join(root, `plan-${at.replace(/\W/g, '')}`);
  await prepareRunner(planRoot);
  const planned = await runWorkflowStep(jobs, 'plan', 'Pick the snapshot time', { root: planRoot, cwd: planRoot, date: at, expressions: { 'inputs.at': at } });
  expect(planned.code, planned.stderr).toBe(0);
  return (await runnerOutputs(planRoot)).at!;
}

/** One matrix job on its own runner and checkout; returns the artifact folder it uploaded. */
async function shardJob(shard: number, at: string, artifacts: string): Promise<string> {
  const runner = path.join(root, `shard-${shard}-${at.replace(/\W/g, '')}`);
  await prepareRunner(runner);
  const checkout = path.join(runner, 'checkout');
  await git(root, 'clone', '--quiet', remote, checkout);
  const collected = await runWorkflowStep(jobs, 'collect', 'Collect a shard', {
    root: runner,
    cwd: checkout,
    date: at,
    expressions: { 'needs.plan.outputs.at': at, 'matrix.shard': String(shard), [TOKEN_EXPRESSION]: '', [KEY_EXPRESSION]: LEDGER_KEY },
  });
  expect(collected.code, collected.stderr).toBe(0);
  expect(collected.stdout).toMatch(new RegExp(`shard ${shard}/3: \\d+ services, 0 gaps`));
  const upload = findStep(jobs, 'collect', 'Upload the shard');
  expect(upload.uses).toBe('actions/upload-artifact@v4');
  const name = String(upload.with!.name).replace('${{ matrix.shard }}', String(shard));
  const artifact = path.join(artifacts, name);
  await cp(path.join(checkout, String(upload.with!.path)), artifact, { recursive: true });
  return artifact;
}

/** `download-artifact` with `pattern` and `merge-multiple`: every matching artifact into one folder of the ledger job's checkout. */
async function download(artifacts: string): Promise<void> {
  const step = findStep(jobs, 'ledger', 'Download the shards');
  expect(step.uses).toBe('actions/download-artifact@v4');
  expect(step.with!['merge-multiple']).toBe(true);
  const isMatch = picomatch(String(step.with!.pattern));
  for (const name of (await readdir(artifacts)).filter((n) => isMatch(n))) await cp(path.join(artifacts, name), path.join(repo.dir, String(step.with!.path)), { recursive: true });
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rl-sharded-'));
  await prepareRunner(root);
  ({ repo, remote, jobs } = await initialisedRepository(root, { prefix: 'rl-sharded-repo-', initArgs: ['--shards', '3'], gitignore: 'dist/\n.ledger-cache/\ncontent/shards/\n', message: 'release-ledger init --shards 3' }));
}, 60_000);

afterAll(async () => {
  await repo?.cleanup();
  await rm(root, { recursive: true, force: true });
});

describe('the sharded nightly workflow (init --shards 3), run locally', () => {
  it('has a plan job, a matrix of 3 shard jobs that may all finish, and the ledger job after both', () => {
    expect(Object.keys(jobs)).toEqual(['plan', 'collect', 'ledger', 'deploy']);
    expect(jobs.collect!.strategy).toEqual({ 'fail-fast': false, matrix: { shard: [1, 2, 3] } });
    expect(jobs.collect!.needs).toBe('plan');
    expect(jobs.ledger!.needs).toEqual(['plan', 'collect']);
    expect(jobs.deploy!.needs).toBe('ledger');
  });

  it('plans one time for all shards: the one asked for, else now (UTC, to the second)', async () => {
    expect(await plan('2026-01-08T02:00:00Z')).toBe('2026-01-08T02:00:00Z');
    const nowRoot = path.join(root, 'plan-now');
    await prepareRunner(nowRoot);
    const planned = await runWorkflowStep(jobs, 'plan', 'Pick the snapshot time', { root: nowRoot, cwd: nowRoot, date: '2026-01-08T02:00:00Z', expressions: { 'inputs.at': '' } });
    expect(planned.code, planned.stderr).toBe(0);
    expect((await runnerOutputs(nowRoot)).at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('night 1: three shard jobs → download → merge → commit → verify; the snapshot equals an unsharded collect', async () => {
    const at = await plan('2026-01-08T02:00:00Z');
    const artifacts = path.join(root, 'artifacts-1');
    for (const shard of jobs.collect!.strategy!.matrix!.shard as number[]) await shardJob(shard, at, artifacts);
    await download(artifacts);

    const merged = await runWorkflowStep(jobs, 'ledger', 'Merge the shards', { root, cwd: repo.dir, date: at, expressions: { 'needs.plan.outputs.at': at, [KEY_EXPRESSION]: LEDGER_KEY } });
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/^content\/snapshots\/2026-01-08T020000Z\.json [0-9a-f]{64} — 4 deployments, 0 open findings, 0 gaps\n$/);
    expect((await runnerOutputs(root)).code).toBe('0');

    const committed = await runWorkflowStep(jobs, 'ledger', 'Commit the snapshot', { root, cwd: repo.dir, date: '2026-01-08T02:05:00Z' });
    expect(committed.code, committed.stderr).toBe(0);
    // Only the snapshot is committed, never the shards.
    expect(await git(remote, 'show', '--name-only', '--format=', 'main')).toBe('content/snapshots/2026-01-08T020000Z.json\n');
    const verified = await runWorkflowStep(jobs, 'ledger', 'Verify the hash chain', {
      root,
      cwd: repo.dir,
      date: '2026-01-08T02:06:00Z',
      expressions: { "github.event_name == 'schedule' && '.ledger-cache/verified-head' || ''": '' },
    });
    expect(verified.stdout).toMatch(/^ok: 1 snapshot verified; head 2026-01-08T020000Z/);

    // The same night unsharded, in another checkout of the commit the shards read.
    const plain = path.join(root, 'unsharded');
    await git(root, 'clone', '--quiet', remote, plain);
    await git(plain, 'checkout', '--quiet', 'HEAD~1');
    const unsharded = await runCli(['collect', '--at', at], { cwd: plain, env: { RELEASE_LEDGER_SECRET_KEY: LEDGER_KEY } });
    expect(unsharded.code, unsharded.stderr).toBe(0);
    const name = path.join('content', 'snapshots', '2026-01-08T020000Z.json');
    expect(await readFile(path.join(repo.dir, name), 'utf8')).toBe(await readFile(path.join(plain, name), 'utf8'));
  }, 180_000);

  it('night 2: a shard job that failed (no artifact) stops the merge: nothing written, nothing committed', async () => {
    const at = await plan('2026-01-09T02:00:00Z');
    const artifacts = path.join(root, 'artifacts-2');
    await shardJob(1, at, artifacts);
    await shardJob(3, at, artifacts);
    await download(artifacts);
    const merged = await runWorkflowStep(jobs, 'ledger', 'Merge the shards', { root, cwd: repo.dir, date: at, expressions: { 'needs.plan.outputs.at': at, [KEY_EXPRESSION]: LEDGER_KEY } });
    expect(merged.code).toBe(2);
    expect(merged.stderr).toMatch(/cannot merge 2026-01-09T020000Z: shard 2\/3 missing in .*; run "release-ledger collect --shard 2\/3 --at 2026-01-09T020000Z" \(nothing written\)\n$/);
    expect(await readdir(path.join(repo.dir, 'content', 'snapshots'))).toEqual(['2026-01-08T020000Z.json']);
    expect(await git(repo.dir, 'status', '--porcelain', '--', 'content/snapshots')).toBe('');
  }, 120_000);
});
