/**
 * Deployments passed over as not what runs are evidence, not a progress line:
 * a successful production deployment from `feature/x` outside a `main,
 * release/*` policy is recorded in the snapshot (`passedOver`) and raises
 * `deployment.outside-branch-policy`; one inside the policy is what runs and
 * raises nothing; a transient one is recorded without a finding; an exception
 * covers the finding; a later night keeps the record and the finding's id.
 * Real Octokit against the local GitHub server, every REST payload checked
 * against GitHub's OpenAPI description (docs/sources.md, docs/guarantees.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubCollector } from '../../collectors/github/source.ts';
import { assembleSnapshot } from '../../src/collect/assemble.ts';
import { configSchema, snapshotSchema, type Evidence, type Snapshot } from '../../src/model/index.ts';
import { buildOrg, sha } from '../fixtures/github/org.ts';
import { startGitHubServer, type GitHubServer, type Scenario, type ScenarioRepo } from '../helpers/github-server.ts';
import { makeContext } from './context.ts';
import { validateResponse } from './openapi.ts';

const collect = createGitHubCollector({ retryBaseMs: 1 });
let server: GitHubServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const RULE = 'deployment.outside-branch-policy';

/** One night: collect from the local server, then the real assembly and rules. */
async function night(scenario: Scenario, options: { takenAt?: string; previous?: Snapshot; exceptions?: unknown[] } = {}): Promise<{ evidence: Evidence; snapshot: Snapshot; progress: string[] }> {
  const progress: string[] = [];
  server = await startGitHubServer(scenario);
  const ctx = makeContext({ baseUrl: server.baseUrl, scenario, progress: (line) => progress.push(line) });
  const evidence = await collect(ctx);
  for (const payload of server.served.values()) {
    expect({ op: payload.operation, errors: validateResponse(payload.method, payload.operation, payload.status, payload.body) }).toEqual({ op: payload.operation, errors: [] });
  }
  await server.close();
  server = undefined;
  const takenAt = options.takenAt ?? '2026-03-14T02:00:00Z';
  const config = configSchema.parse({ ...ctx.config, exceptions: options.exceptions ?? [] });
  const snapshot = assembleSnapshot({
    config,
    outcomes: [{ name: 'github', type: 'github', evidence }],
    id: `${takenAt.slice(0, 10)}T${takenAt.slice(11, 19).replaceAll(':', '')}Z`,
    takenAt,
    previous: options.previous ? { snapshot: options.previous, sha256: '0'.repeat(64) } : null,
    generator: { name: 'release-ledger', version: 'test' },
    secretKey: null,
  });
  // What is written is what the schema reads back.
  expect(snapshotSchema.parse(JSON.parse(JSON.stringify(snapshot)))).toEqual(snapshot);
  return { evidence, snapshot, progress };
}

/** A repository whose production environment only `main`, `release/*` and `v*` tags may deploy to. */
function withPolicy(repo: ScenarioRepo, environment = 'production'): void {
  const env = repo.environments.find((e) => e.name === environment)!;
  env.branchPolicy = 'custom';
  env.branchPolicies = [{ name: 'main' }, { name: 'release/*' }, { name: 'v*', type: 'tag' }];
}

/** A successful deployment an hour after the newest one in `env`, from `ref`. */
function deployLater(repo: ScenarioRepo, env: string, id: number, ref: string, extra: { transient?: boolean; logUrl?: string; creator?: string; minutes?: number } = {}) {
  const newest = repo.deployments.filter((d) => d.environment === env).sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1)!;
  const at = new Date(Date.parse(newest.createdAt) + (extra.minutes ?? 60) * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  repo.deployments.push({
    id,
    sha: repo.branches[ref]!,
    ref,
    environment: env,
    creator: extra.creator ?? 'erin',
    createdAt: at,
    transient: extra.transient ?? false,
    statuses: [{ state: 'success', createdAt: at, ...(extra.logUrl ? { logUrl: extra.logUrl } : {}) }],
  });
  return { before: newest, at };
}

describe('deployments passed over are recorded in the snapshot, and outside the branch policy raise a finding', () => {
  it('production from feature/x outside `main, release/*`: recorded with id, ref, commit, creator, time, why and run link; a high finding; the active deployment is unchanged', async () => {
    const scenario = buildOrg({ repos: 1 });
    const repo = scenario.repos[0]!;
    withPolicy(repo);
    repo.branches['feature/x'] = sha('svc-000:c2');
    // The run link as a workflow would leave it, with a credential that must not be stored.
    const logUrl = 'https://x-access-token:ghs_0123456789abcdefghijABCDEFGHIJ012345@github.example.test/acme/svc-000/actions/runs/4242/job/1';
    const { before, at } = deployLater(repo, 'production', 9001, 'feature/x', { logUrl });
    const { snapshot, progress } = await night(scenario);

    expect(snapshot.gaps).toEqual([]);
    expect(snapshot.deployments.find((d) => d.environment === 'prod')).toMatchObject({ commit: before.sha, ref: 'main' });
    expect(snapshot.passedOver).toEqual([
      {
        service: 'svc-000',
        environment: 'prod',
        source: 'github',
        deploymentId: 9001,
        ref: 'feature/x',
        refType: 'branch',
        commit: sha('svc-000:c2'),
        createdBy: 'erin',
        createdAt: at,
        kind: 'outside-branch-policy',
        reason: "its branch feature/x is outside the environment's deployment branch policy (main, release/*, tag:v*)",
        branchPolicy: ['main', 'release/*', 'tag:v*'],
        url: 'https://github.example.test/acme/svc-000/actions/runs/4242/job/1',
      },
    ]);
    expect(JSON.stringify(snapshot)).not.toContain('ghs_0123456789');
    // The progress line is still said, and now it is not the only trace.
    expect(progress.filter((l) => l.includes('is not what runs'))).toHaveLength(1);

    const findings = snapshot.findings.filter((f) => f.rule === RULE);
    expect(findings.map((f) => [f.id, f.severity, f.environment])).toEqual([[`${RULE}/svc-000/prod/9001`, 'high', 'prod']]);
    const finding = findings[0]!;
    expect(finding.message).toContain('deployment 9001 of branch feature/x');
    expect(finding.message).toContain('outside its deployment branch policy (main, release/*, tag:v*)');
    expect(finding.message).toContain(`It is not taken as what runs there: v1.0.3 (${before.sha.slice(0, 7)}`);
    expect(finding.message).toContain('though it is older');
    expect(finding.resolution).toMatch(/transient_environment: true.*redeploy svc-000 from a branch the policy allows.*add an exception/s);
    expect(finding.evidence).toMatchObject({ deploymentId: 9001, ref: 'feature/x', createdBy: 'erin', createdAt: at, newerThanWhatRuns: true, firstRecorded: true, whatRuns: { version: 'v1.0.3', commit: before.sha, ref: 'main' } });
    expect(finding.exception).toBeUndefined();
  }, 60_000);

  it('a deployment inside the policy (release/1.x) is what runs: nothing passed over, no finding', async () => {
    const scenario = buildOrg({ repos: 1 });
    const repo = scenario.repos[0]!;
    withPolicy(repo);
    deployLater(repo, 'production', 9001, 'release/1.x');
    const { snapshot } = await night(scenario);
    expect(snapshot.gaps).toEqual([]);
    expect(snapshot.deployments.find((d) => d.environment === 'prod')).toMatchObject({ commit: repo.branches['release/1.x'], ref: 'release/1.x' });
    expect(snapshot.passedOver).toEqual([]);
    expect(snapshot.findings.filter((f) => f.rule === RULE)).toEqual([]);
  }, 60_000);

  it('a transient deployment is recorded, with why, and raises nothing', async () => {
    const scenario = buildOrg({ repos: 1 });
    const repo = scenario.repos[0]!;
    withPolicy(repo);
    const { before, at } = deployLater(repo, 'staging', 9002, 'feature/unrelated', { transient: true });
    const { snapshot } = await night(scenario);
    expect(snapshot.gaps).toEqual([]);
    expect(snapshot.deployments.find((d) => d.environment === 'staging')).toMatchObject({ commit: before.sha });
    expect(snapshot.passedOver).toEqual([
      expect.objectContaining({ environment: 'staging', deploymentId: 9002, ref: 'feature/unrelated', createdAt: at, kind: 'transient-environment', reason: 'it was made for a transient environment (transient_environment: true)' }),
    ]);
    expect(snapshot.passedOver![0]!.branchPolicy).toBeUndefined();
    expect(snapshot.findings.filter((f) => f.rule === RULE)).toEqual([]);
  }, 60_000);

  it('outside production the finding is medium; an exception for the rule covers it (kept, with the exception)', async () => {
    const scenario = buildOrg({ repos: 1 });
    const repo = scenario.repos[0]!;
    withPolicy(repo);
    withPolicy(repo, 'qa');
    repo.branches['feature/x'] = sha('svc-000:c2');
    deployLater(repo, 'production', 9001, 'feature/x');
    deployLater(repo, 'qa', 9003, 'feature/x');
    const exception = { rule: RULE, service: 'svc-000', environment: 'prod', reason: 'the preview tool reuses the name; moving it, OPS-7', approvedBy: 'cto', expires: '2026-04-01' };
    const { snapshot } = await night(scenario, { exceptions: [exception] });
    const findings = snapshot.findings.filter((f) => f.rule === RULE);
    expect(findings.map((f) => [f.id, f.severity, f.exception?.approvedBy ?? null])).toEqual([
      [`${RULE}/svc-000/prod/9001`, 'high', 'cto'],
      [`${RULE}/svc-000/qa/9003`, 'medium', null],
    ]);
  }, 60_000);

  it('the next nights: open with the same id and `since` while it is newest; after a deployment inside the policy, still recorded and no longer raised', async () => {
    const scenario = buildOrg({ repos: 1 });
    const repo = scenario.repos[0]!;
    withPolicy(repo);
    repo.branches['feature/x'] = sha('svc-000:c2');
    deployLater(repo, 'production', 9001, 'feature/x');
    const first = await night(scenario, { takenAt: '2026-03-14T02:00:00Z' });
    const second = await night(scenario, { takenAt: '2026-03-15T02:00:00Z', previous: first.snapshot });
    const open = second.snapshot.findings.filter((f) => f.rule === RULE);
    expect(open.map((f) => [f.id, f.since, f.evidence['firstRecorded']])).toEqual([[`${RULE}/svc-000/prod/9001`, '2026-03-14T02:00:00Z', false]]);

    // A deployment from main follows it: what runs is certain again.
    const { at } = deployLater(repo, 'production', 9004, 'main', { minutes: 30 });
    const third = await night(scenario, { takenAt: '2026-03-16T02:00:00Z', previous: second.snapshot });
    expect(third.snapshot.deployments.find((d) => d.environment === 'prod')!.deployedAt).toBe(at);
    expect(third.snapshot.passedOver!.map((p) => p.deploymentId)).toEqual([9001]);
    expect(third.snapshot.findings.filter((f) => f.rule === RULE)).toEqual([]);
  }, 60_000);
});
