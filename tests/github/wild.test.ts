/**
 * The GitHub source on shapes found in the wild (issue 20, item 6): environment
 * names in another case, payloads sent as JSON strings, images as objects or
 * lists, branch refs, feature-branch and transient deployments, and
 * deployments created with GITHUB_TOKEN. Every REST payload served is checked
 * against GitHub's OpenAPI description.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubCollector } from '../../collectors/github/source.ts';
import { deploymentSchema, type Deployment, type Evidence } from '../../src/model/index.ts';
import { buildOrg, sha } from '../fixtures/github/org.ts';
import { startGitHubServer, type Fault, type GitHubServer, type Scenario, type ScenarioRepo } from '../helpers/github-server.ts';
import { only, take } from '../rules/world.ts';
import { makeContext } from './context.ts';
import { validateResponse } from './openapi.ts';

const collect = createGitHubCollector({ retryBaseMs: 1 });
let server: GitHubServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(scenario: Scenario, settings: Record<string, unknown> = {}, faults: Fault[] = []): Promise<Evidence> {
  server = await startGitHubServer(scenario, { faults });
  const evidence = await collect(makeContext({ baseUrl: server.baseUrl, scenario, settings }));
  for (const payload of server.served.values()) {
    expect({ op: payload.operation, errors: validateResponse(payload.method, payload.operation, payload.status, payload.body) }).toEqual({ op: payload.operation, errors: [] });
  }
  for (const d of evidence.deployments) deploymentSchema.parse({ ...d, promotion: null });
  return evidence;
}

const prodOf = (evidence: Evidence, service = 'svc-000') => evidence.deployments.find((d) => d.service === service && d.environment === 'prod');

/** A repository whose commits carry no release and no tag: nothing but the deployment itself can name a version. */
function untagged(repo: ScenarioRepo): ScenarioRepo {
  repo.tags = [];
  repo.releases = [];
  return repo;
}

describe('GitHub environment names are not case sensitive (6a)', () => {
  it('GitHub `Production`, workflows `production`, config `prod: production`: protection, variables and run approvals are read; no approval.missing', async () => {
    const scenario = buildOrg({ repos: 1 });
    const repo = scenario.repos[0]!;
    // GitHub's own spelling of the environment, and what it reports in run reviews; deployments keep the workflow's spelling.
    repo.environments.find((e) => e.name === 'production')!.name = 'Production';
    for (const r of repo.runs) for (const a of r.approvals) a.environments = a.environments.map((e) => (e === 'production' ? 'Production' : e));
    const evidence = await run(scenario);
    expect(evidence.gaps).toEqual([]);
    const prod = prodOf(evidence)!;
    expect(prod.protection).toEqual({ requiredReviewers: ['dana', 'team:release-managers'], preventSelfReview: true, waitTimerMinutes: 5, branchPolicy: 'protected' });
    expect(prod.approvals.filter((a) => a.kind === 'deployment').map((a) => `${a.by}:${a.state}`)).toEqual(['dana:approved']);
    const variables = evidence.configs.find((c) => c.environment === 'prod' && c.origin === 'github:environment');
    expect(variables?.values).toMatchObject({ VAR_00: 'production-0', DB_PASSWORD: { secret: true } });
    // REST is asked with GitHub's spelling.
    expect(server!.log.some((l) => l.path.startsWith('/repos/acme/svc-000/environments/Production/variables'))).toBe(true);
    // The rule sees the approval: no false high finding.
    const snapshot = take({ deployments: [{ ...prod, promotion: null } as Deployment] });
    expect(only(snapshot, 'approval.missing')).toEqual([]);
  }, 60_000);
});

describe('GitHub environment names: deployments recorded under GitHub\'s spelling (6a)', () => {
  it('config `production`, GitHub `Production` on the environment and its deployments: asked again under GitHub\'s spelling, in one more query, only there', async () => {
    const scenario = buildOrg({ repos: 2 });
    const repo = scenario.repos[0]!;
    repo.environments.find((e) => e.name === 'production')!.name = 'Production';
    for (const d of repo.deployments) if (d.environment === 'production') d.environment = 'Production';
    for (const r of repo.runs) for (const a of r.approvals) a.environments = a.environments.map((e) => (e === 'production' ? 'Production' : e));
    const evidence = await run(scenario);
    expect(evidence.gaps).toEqual([]);
    expect(prodOf(evidence, 'svc-000')).toMatchObject({ version: 'v1.0.3', protection: { branchPolicy: 'protected' } });
    expect(prodOf(evidence, 'svc-000')!.approvals.filter((a) => a.kind === 'deployment').map((a) => a.by)).toEqual(['dana']);
    expect(evidence.history.filter((h) => h.service === 'svc-000' && h.environment === 'prod')).toHaveLength(3);
    // The repository query, the lookups, and one query for svc-000's respelled environment.
    expect(server!.log.filter((l) => l.operation === 'graphql')).toHaveLength(3);
  }, 60_000);
});

describe('Deployment payloads as CD tools send them (6b)', () => {
  const digest = (seed: string) => `sha256:${seed.repeat(64).slice(0, 64)}`;

  it('a payload sent as a JSON string (double-encoded) is read: artifact and version', async () => {
    const scenario = buildOrg({ repos: 1 });
    const repo = untagged(scenario.repos[0]!);
    for (const d of repo.deployments.filter((x) => x.environment === 'production')) d.payload = JSON.stringify({ image: `ghcr.io/acme/svc-000:2.7.1@${digest('a')}` });
    const prod = prodOf(await run(scenario))!;
    expect(prod).toMatchObject({ artifact: digest('a'), version: '2.7.1' });
  }, 60_000);

  it('an `image` object, an `images` list (the service\'s image among others) and a `version` field are read', async () => {
    const scenario = buildOrg({ repos: 1 });
    const repo = untagged(scenario.repos[0]!);
    for (const d of repo.deployments) {
      if (d.environment === 'production') d.payload = { image: { repository: 'ghcr.io/acme/svc-000', tag: 'v3.1.0', digest: digest('b') } };
      if (d.environment === 'staging') d.payload = JSON.stringify({ images: [`ghcr.io/acme/sidecar:1.0@${digest('c')}`, { name: 'ghcr.io/acme/svc-000', tag: '3.0.9', digest: digest('d') }] });
      if (d.environment === 'qa') d.payload = { version: '3.0.8-rc.1' };
      // Two images, neither the service's: no single build is named.
      if (d.environment === 'dev') d.payload = { images: [`ghcr.io/acme/a:1.0@${digest('e')}`, `ghcr.io/acme/b:1.0@${digest('f')}`] };
    }
    const evidence = await run(scenario);
    const byEnv = Object.fromEntries(evidence.deployments.map((d) => [d.environment, `${d.version} ${d.artifact ?? '-'}`]));
    const devCommit = evidence.deployments.find((d) => d.environment === 'dev')!.commit;
    expect(byEnv).toEqual({ prod: `v3.1.0 ${digest('b')}`, staging: `3.0.9 ${digest('d')}`, qa: '3.0.8-rc.1 -', dev: `${devCommit.slice(0, 12)} -` });
    // History carries the same reading for every successful deployment.
    expect(evidence.history.filter((h) => h.environment === 'prod').every((h) => h.artifact === digest('b') && h.version === 'v3.1.0')).toBe(true);
  }, 60_000);
});

describe('A deployment of a branch has no version from the branch (6c)', () => {
  it('ref `main` with no release, tag or payload version: the version is unknown (the abbreviated commit), never "main"', async () => {
    const scenario = buildOrg({ repos: 1 });
    untagged(scenario.repos[0]!);
    const evidence = await run(scenario);
    expect(evidence.gaps).toEqual([]);
    for (const d of evidence.deployments) {
      expect(d.version).toBe(d.commit.slice(0, 12));
      expect(d.ref).toBe('main');
    }
    for (const h of evidence.history) expect(h.version).not.toBe('main');
    for (const c of evidence.changes) expect([c.version, c.fromVersion]).not.toContain('main');
  }, 60_000);

  it('a release or tag on the commit wins over the payload; a tag ref names the version', async () => {
    const scenario = buildOrg({ repos: 1 });
    const repo = scenario.repos[0]!;
    for (const d of repo.deployments) d.payload = { version: 'from-payload' };
    // dev deploys the tag v9.9.9, the only name of its commit.
    const dev = repo.deployments.filter((d) => d.environment === 'dev').at(-1)!;
    repo.tags = [...repo.tags.filter((t) => t.sha !== dev.sha), { name: 'v9.9.9', sha: dev.sha }];
    repo.releases = repo.releases.filter((r) => r.sha !== dev.sha);
    dev.ref = 'v9.9.9';
    const evidence = await run({ repos: [repo] });
    const versions = Object.fromEntries(evidence.deployments.map((d) => [d.environment, d.version]));
    expect(versions.prod).toBe('v1.0.3');
    expect(versions.dev).toBe('v9.9.9');
    expect(sha('svc-000:c6')).toBe(evidence.deployments.find((d) => d.environment === 'dev')!.commit);
  }, 60_000);
});

describe('A deployment made with GITHUB_TOKEN is deployed by whoever triggered the run (6e)', () => {
  it('the run\'s triggering_actor (else actor) is the deployer: self-approval is caught; only deployments with deployment approvals ask for the run', async () => {
    const scenario = buildOrg({ repos: 2 });
    const [a, b] = scenario.repos as [ScenarioRepo, ScenarioRepo];
    const prodRun = (repo: ScenarioRepo) => {
      const active = repo.deployments.filter((d) => d.environment === 'production').at(-1)!;
      return { active, run: repo.runs.find((r) => active.statuses.some((st) => st.logUrl?.includes(`/runs/${r.id}/`)))! };
    };
    // svc-000: erin started the run, dana re-ran it and approved it herself.
    Object.assign(prodRun(a).run, { actor: 'erin', triggeringActor: 'dana' });
    // svc-001: only `actor` differs from the default; staging was deployed by a person with their own token.
    Object.assign(prodRun(b).run, { actor: 'frank' });
    for (const d of b.deployments.filter((x) => x.environment === 'staging')) d.creator = 'gina';
    const evidence = await run(scenario);
    expect(evidence.gaps).toEqual([]);
    expect(prodOf(evidence, 'svc-000')!.deployedBy).toBe('dana');
    expect(prodOf(evidence, 'svc-001')!.deployedBy).toBe('frank');
    expect(evidence.deployments.find((d) => d.service === 'svc-001' && d.environment === 'staging')!.deployedBy).toBe('gina');
    // svc-001: production only (staging's deployer is a person; dev and qa have no deployment approvals to check), one run asked alone;
    // svc-000: staging and production, both from one list of its runs.
    const asked = (operation: string) => server!.log.filter((l) => l.operation === operation).map((l) => l.path.split('/')[3]);
    expect(asked('/repos/{owner}/{repo}/actions/runs/{run_id}')).toEqual(['svc-001']);
    expect(asked('/repos/{owner}/{repo}/actions/runs')).toEqual(['svc-000']);
    // dana approved the deployment she triggered: no independent approval, so approval.missing fires.
    const snapshot = take({ deployments: [{ ...prodOf(evidence, 'svc-000')!, promotion: null } as Deployment] });
    expect(only(snapshot, 'approval.missing').map((f) => f.message)).toEqual([expect.stringContaining('by dana with 0 independent approvals')]);
  }, 60_000);

  it('a run that cannot be read is an approvals gap for exactly that cell, and github-actions stays the recorded creator', async () => {
    const scenario = buildOrg({ repos: 1 });
    const prod = scenario.repos[0]!.deployments.filter((d) => d.environment === 'production').at(-1)!;
    const runId = /\/runs\/(\d+)/.exec(prod.statuses[0]!.logUrl!)![1];
    // The run is gone: listing the runs fails too, so the run is asked alone.
    const evidence = await run(scenario, {}, [
      { match: /^GET \/repos\/acme\/svc-000\/actions\/runs\?/, kind: 'status', status: 404 },
      { match: new RegExp(`^GET /repos/acme/svc-000/actions/runs/${runId}$`), kind: 'status', status: 404 },
    ]);
    expect(evidence.gaps.map((g) => `${g.environment} ${g.evidence}: ${g.reason}`)).toEqual([
      `prod approvals: acme/svc-000 production: deployment ${prod.id} was made with a workflow's GITHUB_TOKEN (creator github-actions[bot]); its run ${runId} is gone (404), so who triggered it is unknown`,
    ]);
    expect(prodOf(evidence)!.deployedBy).toBe('github-actions[bot]');
    expect(evidence.deployments.find((d) => d.environment === 'staging')!.deployedBy).toBe('octocat');
  }, 60_000);
});

describe('A newer successful deployment that is not what runs (6d)', () => {
  it('a branch outside a custom branch policy and a transient environment are passed over; a feature branch the policy allows is what runs', async () => {
    const scenario = buildOrg({ repos: 1 });
    const repo = scenario.repos[0]!;
    const production = repo.environments.find((e) => e.name === 'production')!;
    production.branchPolicy = 'custom';
    production.branchPolicies = [{ name: 'main' }, { name: 'release/*' }, { name: 'v*', type: 'tag' }];
    const later = (env: string, id: number, ref: string, transient = false) => {
      const newest = repo.deployments.filter((d) => d.environment === env).at(-1)!;
      const at = new Date(Date.parse(newest.createdAt) + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      repo.deployments.push({ id, sha: repo.branches[ref]!, ref, environment: env, creator: 'erin', createdAt: at, transient, statuses: [{ state: 'success', createdAt: at }] });
      return newest;
    };
    // A job on feature/unrelated that only borrows production's secrets, a preview deployment in staging, a real feature deploy to qa.
    const prodBefore = later('production', 9001, 'feature/unrelated');
    const stagingBefore = later('staging', 9002, 'feature/unrelated', true);
    later('qa', 9003, 'feature/unrelated');
    const progress: string[] = [];
    server = await startGitHubServer(scenario);
    const evidence = await collect(makeContext({ baseUrl: server.baseUrl, scenario, progress: (line) => progress.push(line) }));
    for (const payload of server.served.values()) expect(validateResponse(payload.method, payload.operation, payload.status, payload.body)).toEqual([]);
    expect(evidence.gaps).toEqual([]);
    const cell = (env: string) => evidence.deployments.find((d) => d.environment === env)!;
    expect(cell('prod')).toMatchObject({ commit: prodBefore.sha, version: 'v1.0.3', ref: 'main' });
    expect(cell('prod').protection?.branchPolicy).toBe('custom: main, release/*, tag:v*');
    expect(cell('staging')).toMatchObject({ commit: stagingBefore.sha, ref: 'main' });
    expect(cell('qa')).toMatchObject({ commit: sha('svc-000:c1'), ref: 'feature/unrelated', deployedBy: 'erin' });
    // Passed over everywhere: not the active one, not the one before, not promotion history.
    const passed = repo.deployments.filter((d) => d.id === 9001 || d.id === 9002).map((d) => `${d.environment === 'production' ? 'prod' : d.environment}@${d.createdAt}`);
    expect(evidence.history.filter((h) => passed.includes(`${h.environment}@${h.at}`))).toEqual([]);
    expect(evidence.history.filter((h) => h.environment === 'qa' && h.commit === sha('svc-000:c1'))).toHaveLength(1);
    expect(evidence.changes.find((c) => c.environment === 'prod')!.commit).toBe(prodBefore.sha);
    expect(progress.filter((l) => l.includes('is not what runs')).sort()).toEqual([
      "github: acme/svc-000 production: deployment 9001 is not what runs: its branch feature/unrelated is outside the environment's deployment branch policy (main, release/*, tag:v*)",
      'github: acme/svc-000 staging: deployment 9002 is not what runs: it was made for a transient environment (transient_environment: true)',
    ]);
    // transient_environment is asked only for deployments of a branch other than the default branch that the branch policy lets through.
    expect(server.log.filter((l) => l.operation === '/repos/{owner}/{repo}/deployments/{deployment_id}').map((l) => l.path).sort()).toEqual([
      '/repos/acme/svc-000/deployments/9002',
      '/repos/acme/svc-000/deployments/9003',
    ]);
  }, 60_000);
});
