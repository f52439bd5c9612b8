/**
 * The nightly workflow's own steps, run locally end to end: `init` writes the
 * workflow into a real git repository (with a bare "origin"); the test then
 * runs each `run:` script of the generated YAML with bash exactly as GitHub
 * runs it (`bash --noprofile --norc -eo pipefail`), with `npx` pointing at
 * this checkout's CLI. `uses:` steps (checkout, setup-node, cache, Pages) are
 * GitHub's and are checked for content in tests/init.
 *
 * Night 1: collect → commit (signed off, as the bot; a push race with another
 * commit is resolved by rebase, never by force) → verify. Night 2: a hotfix
 * straight to prod trips the gate (exit 4): the snapshot is still committed,
 * and only the final gate step fails. Then the build step.
 */
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, type GitRepo } from '../helpers/git-repo.ts';
import { findStep, initialisedRepository, prepareRunner, runWorkflowStep, runnerGit, runnerOutputs, type WorkflowJobs } from '../helpers/workflow-runner.ts';

let root: string;
let repo: GitRepo;
let remote: string;
let jobs: WorkflowJobs;

/** The ledger key the workflow passes from the repository secret (docs/guarantees.md, "No secrets at rest"). */
const KEY_EXPRESSION = 'secrets.RELEASE_LEDGER_SECRET_KEY';
const LEDGER_KEY = 'workflow-test-ledger-key-0123456789abcdef';

/** The verify step's checkpoint expression: the cached file on scheduled nights, none on manual runs. */
const SCHEDULED = "github.event_name == 'schedule' && '.ledger-cache/verified-head' || ''";

const runStep = (job: string, name: string, options: { date: string; expressions?: Record<string, string> }) => runWorkflowStep(jobs, job, name, { ...options, root, cwd: repo.dir });
const git = (cwd: string, ...args: string[]) => runnerGit(root, cwd, ...args);
const outputs = () => runnerOutputs(root);

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rl-workflow-'));
  await prepareRunner(root);

  ({ repo, remote, jobs } = await initialisedRepository(root, { prefix: 'rl-workflow-repo-', initArgs: [], gitignore: 'dist/\n.ledger-cache/\n', message: 'release-ledger init' }));
}, 60_000);

afterAll(async () => {
  await repo?.cleanup();
  await rm(root, { recursive: true, force: true });
});

describe('the nightly workflow, run locally', () => {
  it('night 1: collect → commit (signed off; a push race is rebased, never forced) → verify', async () => {
    expect(findStep(jobs, 'ledger', 'Install').run).toBe('npm ci'); // this checkout is installed already

    // Edit the example inventory, as a user would.
    const inventoryFile = path.join(repo.dir, 'inventory.yaml');
    const edited = (await readFile(inventoryFile, 'utf8')).replaceAll('LOG_LEVEL: info', 'LOG_LEVEL: warn');
    await repo.commit({ files: { 'inventory.yaml': edited }, author: ALICE, date: '2026-01-07T13:00:00Z', message: 'inventory: real values' });

    const collected = await runStep('ledger', 'Collect', { date: '2026-01-08T02:00:00Z', expressions: { 'inputs.at': '2026-01-08T02:00:00Z', 'secrets.RELEASE_LEDGER_TOKEN || github.token': '', [KEY_EXPRESSION]: LEDGER_KEY } });
    expect(collected.code, collected.stderr).toBe(0);
    expect(collected.stdout).toMatch(/^content\/snapshots\/2026-01-08T020000Z\.json [0-9a-f]{64} — 4 deployments, 0 open findings, 0 gaps\n$/);
    expect((await outputs()).code).toBe('0');
    // The secret reached collect: secrets are fingerprinted under the key, and no warning was printed.
    expect(collected.stderr).not.toContain('no fingerprint');
    expect(JSON.parse(await readFile(path.join(repo.dir, 'content/snapshots/2026-01-08T020000Z.json'), 'utf8')).secretFingerprints.keyId).toMatch(/^[0-9a-f]{16}$/);

    // Someone pushes while the job runs: the first push is rejected.
    const other = path.join(root, 'other');
    await git(root, 'clone', '--quiet', remote, other);
    await writeFile(path.join(other, 'NOTES.md'), 'meanwhile\n');
    await git(other, 'add', 'NOTES.md');
    await git(other, '-c', 'user.name=Bob', '-c', 'user.email=bob@example.com', 'commit', '--quiet', '-m', 'notes');
    await git(other, 'push', '--quiet', 'origin', 'main');

    const committed = await runStep('ledger', 'Commit the snapshot', { date: '2026-01-08T02:05:00Z' });
    expect(committed.code, committed.stderr).toBe(0);
    expect(committed.stdout).toContain('push rejected (attempt 1); rebasing onto the remote branch');

    const log = await git(remote, 'log', '--format=%an <%ae>|%s|%b', 'main');
    // Rebased onto Bob's commit: ours (the inventory edit, then the snapshot) on top, nothing of his lost.
    const [head, edit, race, first] = log.split('\n').filter((l) => l.includes('|'));
    expect(edit).toMatch(/^Alice Example <alice@example.com>\|inventory: real values\|/);
    expect(first).toMatch(/\|release-ledger init\|/);
    expect(head).toMatch(/^github-actions\[bot\] <41898282\+github-actions\[bot\]@users\.noreply\.github\.com>\|release-ledger: content\/snapshots\/2026-01-08T020000Z\.json [0-9a-f]{64} — 4 deployments/);
    expect(log).toContain('Signed-off-by: github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>');
    expect(race).toMatch(/^Bob <bob@example.com>\|notes\|/);
    expect(await git(remote, 'show', '--name-only', '--format=', 'main')).toBe('content/snapshots/2026-01-08T020000Z.json\n');

    const verified = await runStep('ledger', 'Verify the hash chain', { date: '2026-01-08T02:06:00Z', expressions: { [SCHEDULED]: '.ledger-cache/verified-head' } });
    expect(verified.code, verified.stderr).toBe(0);
    // No checkpoint yet: every file is read, and the head becomes the checkpoint.
    expect(verified.stdout).toMatch(/^ok: 1 snapshot verified; head 2026-01-08T020000Z sha256 [0-9a-f]{64}\n$/);
    expect(await readFile(path.join(repo.dir, '.ledger-cache', 'verified-head'), 'utf8')).toMatch(/^2026-01-08T020000Z [0-9a-f]{64}\n$/);
  }, 120_000);

  it('night 2: a finding at or above --fail-on still commits the snapshot; only the last step fails', async () => {
    // A hotfix straight to prod, never in staging: promotion.bypass.
    const inventoryFile = path.join(repo.dir, 'inventory.yaml');
    const text = await readFile(inventoryFile, 'utf8');
    const prod = text.indexOf('environment: prod');
    const hotfix = text.slice(0, prod) + text.slice(prod).replace('version: 1.4.0\n    commit: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b', 'version: 1.4.1\n    commit: 1111111111111111111111111111111111111111').replace('deployedAt: 2026-01-07T10:00:00Z', 'deployedAt: 2026-01-08T20:00:00Z');
    expect(hotfix).not.toBe(text);
    await repo.commit({ files: { 'inventory.yaml': hotfix }, author: ALICE, date: '2026-01-08T13:00:00Z', message: 'hotfix to prod' });

    const collected = await runStep('ledger', 'Collect', { date: '2026-01-09T02:00:00Z', expressions: { 'inputs.at': '2026-01-09T02:00:00Z', 'secrets.RELEASE_LEDGER_TOKEN || github.token': '', [KEY_EXPRESSION]: LEDGER_KEY } });
    expect(collected.code, collected.stderr).toBe(0);
    expect(collected.stderr).toMatch(/open findings? at or above high: .*promotion\.bypass\/example-api\/prod/);
    expect((await outputs()).code).toBe('4');

    const committed = await runStep('ledger', 'Commit the snapshot', { date: '2026-01-09T02:05:00Z' });
    expect(committed.code, committed.stderr).toBe(0);
    expect(await git(remote, 'show', '--name-only', '--format=', 'main')).toBe('content/snapshots/2026-01-09T020000Z.json\n');
    const verified = await runStep('ledger', 'Verify the hash chain', { date: '2026-01-09T02:06:00Z', expressions: { [SCHEDULED]: '.ledger-cache/verified-head' } });
    expect(verified.stdout).toMatch(/^ok: 2 snapshots verified \(2 read since the checkpoint 2026-01-08T020000Z\); head 2026-01-09T020000Z/);
    // Started by hand: every file.
    const manual = await runStep('ledger', 'Verify the hash chain', { date: '2026-01-09T02:07:00Z', expressions: { [SCHEDULED]: '' } });
    expect(manual.stdout).toMatch(/^ok: 2 snapshots verified; head 2026-01-09T020000Z/);

    const gate = runStep.bind(null, 'deploy', 'Fail on findings at or above high');
    expect((await gate({ date: '2026-01-09T02:10:00Z', expressions: { 'needs.ledger.outputs.collect-exit': '4' } })).code).toBe(4);
    expect((await gate({ date: '2026-01-09T02:10:00Z', expressions: { 'needs.ledger.outputs.collect-exit': '3' } })).code).toBe(0);
    expect((await gate({ date: '2026-01-09T02:10:00Z', expressions: { 'needs.ledger.outputs.collect-exit': '0' } })).code).toBe(0);
  }, 120_000);

  it('a collect that writes nothing (exit 2) stops the job before the commit', async () => {
    const collected = await runStep('ledger', 'Collect', { date: '2026-01-09T03:00:00Z', expressions: { 'inputs.at': '2026-01-08T02:00:00Z', 'secrets.RELEASE_LEDGER_TOKEN || github.token': '', [KEY_EXPRESSION]: LEDGER_KEY } });
    expect(collected.code).toBe(2);
    expect(collected.stderr).toContain('later than --at 2026-01-08T020000Z');
  }, 60_000);

  // Not skipped when the site is not ready: this fails, loudly, until `release-ledger build` works on a ledger outside this checkout.
  it('builds the site with the workflow step', async () => {
    const site = (await import('../../src/site/build.ts')) as { buildSite?: unknown };
    expect(typeof site.buildSite, 'src/site/build.ts must export buildSite for the workflow\'s "Build the site" step').toBe('function');
    const built = await runStep('ledger', 'Build the site', { date: '2026-01-09T02:07:00Z' });
    expect(built.code, `the workflow's build step failed:\n${built.stderr}`).toBe(0);
    expect((await stat(path.join(repo.dir, 'dist', 'index.html'))).isFile()).toBe(true);
    expect((await stat(path.join(repo.dir, 'dist', 'days', '2026-01-09', 'index.html'))).isFile()).toBe(true);
  }, 300_000);

  it('checks the built site against GitHub Pages\' 1 GB before uploading it', async () => {
    const fits = await runStep('ledger', 'Check the site fits GitHub Pages', { date: '2026-01-09T02:08:00Z' });
    expect(fits.code, fits.stderr).toBe(0);
    expect(fits.stdout).toMatch(/^site: \d+ MB for 2 days, about \d+ KB a day$/m);
    expect(fits.stdout).not.toContain('::');
    // A sparse file: tar packs its length, the disk holds nothing.
    const padding = path.join(repo.dir, 'dist', 'padding.bin');
    try {
      await writeFile(padding, '');
      await truncate(padding, 1_000_000_000);
      const near = await runStep('ledger', 'Check the site fits GitHub Pages', { date: '2026-01-09T02:08:00Z' });
      expect(near.code, near.stderr).toBe(0);
      expect(near.stdout).toMatch(/^::warning::at about 50\d{4} KB a day the site reaches GitHub Pages' 1 GB in about 0 days; plan another static host \(docs\/scale\.md in release-ledger\)$/m);
      await truncate(padding, 1_100_000_000);
      const over = await runStep('ledger', 'Check the site fits GitHub Pages', { date: '2026-01-09T02:08:00Z' });
      expect(over.code).toBe(1);
      expect(over.stdout).toMatch(/::error::the site is 110\d MB, past the 1 GB GitHub Pages publishes; serve dist\/ from another static host \(docs\/scale\.md in release-ledger\)/);
    } finally {
      await rm(padding, { force: true });
    }
  });
});
