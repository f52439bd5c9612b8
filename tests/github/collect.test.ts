import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubCollector } from '../../collectors/github/source.ts';
import { deploymentSchema, gapSchema, changeSchema, branchSchema, configRecordSchema } from '../../src/model/index.ts';
import { advanceNight, buildOrg, imageDigest, imageInPayload, runIdInPayload, sha } from '../fixtures/github/org.ts';
import { startGitHubServer, type Fault, type GitHubServer, type Scenario } from '../helpers/github-server.ts';
import { TOKEN, makeContext } from './context.ts';
import { validateResponse } from './openapi.ts';

const collect = createGitHubCollector({ retryBaseMs: 1 });
let server: GitHubServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(scenario: Scenario, faults: Fault[] = []) {
  server = await startGitHubServer(scenario, { faults });
  return server;
}

describe('GitHub source: a full collect', () => {
  it('collects every evidence type, and every payload served matches GitHub\'s OpenAPI description', async () => {
    const scenario = buildOrg({ repos: 2, variables: 35 });
    runIdInPayload(scenario.repos[1]!, 'production');
    const s = await start(scenario);
    const evidence = await collect(makeContext({ baseUrl: s.baseUrl, scenario }));
    expect(evidence.gaps).toEqual([]);

    // Deployments: one per service and environment; prod reads GitHub's `production`.
    expect(evidence.deployments.map((d) => `${d.service}/${d.environment}@${d.version}`)).toEqual([
      'svc-000/dev@v1.0.6', 'svc-000/prod@v1.0.3', 'svc-000/qa@v1.0.5', 'svc-000/staging@v1.0.4',
      'svc-001/dev@v1.0.6', 'svc-001/prod@v1.0.3', 'svc-001/qa@v1.0.5', 'svc-001/staging@v1.0.4',
    ]);
    for (const d of evidence.deployments) deploymentSchema.parse({ ...d, promotion: null });
    const prod = evidence.deployments.find((d) => d.service === 'svc-000' && d.environment === 'prod')!;
    // The active deployment is the newest success even though the one before it was never marked inactive.
    expect(prod.commit).toBe(sha('svc-000:c3'));
    // Created with GITHUB_TOKEN (github-actions[bot]): the deployer is who triggered the run (the server's default actor).
    expect(prod).toMatchObject({ ref: 'main', deployedBy: 'octocat', deployedAt: '2026-03-01T11:30:00Z', status: 'success', components: { 'ledger-core': '2.3.1' } });
    expect(prod.protection).toEqual({ requiredReviewers: ['dana', 'team:release-managers'], preventSelfReview: true, waitTimerMinutes: 5, branchPolicy: 'protected' });
    // Approvals: the run's review (dated by the status after the wait) and the PR's latest review.
    expect(prod.approvals).toEqual([
      { by: 'dana', at: '2026-03-01T11:28:00Z', state: 'approved', kind: 'deployment', timeFrom: 'deployment status', comment: 'ship it', url: 'https://github.example.test/acme/svc-000/actions/runs/501032' },
      { by: 'carol', at: '2026-03-01T10:50:00Z', state: 'approved', kind: 'pull-request', comment: '#3', url: 'https://github.example.test/acme/svc-000/pull/3#pullrequestreview-301' },
    ]);
    const dev = evidence.deployments.find((d) => d.service === 'svc-000' && d.environment === 'dev')!;
    expect(dev.version).toBe('v1.0.6');
    expect(dev.components).toEqual({ 'ledger-core': '2.4.0' });
    expect(dev.approvals.map((a) => a.kind)).toEqual(['pull-request']);

    // History: every successful deployment, for promotion evidence.
    expect(evidence.history.filter((h) => h.service === 'svc-000' && h.commit === sha('svc-000:c3')).map((h) => `${h.environment}@${h.at}`)).toEqual([
      'prod@2026-03-01T11:30:00Z', 'qa@2026-03-01T11:20:00Z', 'staging@2026-03-01T11:25:00Z',
    ]);

    // Configs: environment variables across two pages (35 > 30 per page), secrets by name and date only, and the config file at the deployed commit.
    const vars = evidence.configs.find((c) => c.service === 'svc-000' && c.environment === 'prod' && c.origin === 'github:environment')!;
    expect(Object.keys(vars.values)).toHaveLength(36);
    expect(vars.values.VAR_34).toBe('production-34');
    expect(vars.values.DB_PASSWORD).toEqual({ secret: true, updatedAt: '2026-03-01T08:10:00Z' });
    expect(s.log.filter((l) => l.path.startsWith('/repos/acme/svc-000/environments/production/variables')).map((l) => l.path)).toEqual([
      '/repos/acme/svc-000/environments/production/variables?per_page=30',
      '/repos/acme/svc-000/environments/production/variables?per_page=30&page=2',
    ]);
    const file = evidence.configs.find((c) => c.service === 'svc-000' && c.environment === 'prod' && c.origin === 'deploy/prod/values.yaml')!;
    expect(file).toEqual({ service: 'svc-000', environment: 'prod', source: 'github', origin: 'deploy/prod/values.yaml', revision: sha('svc-000:c3'), values: { 'database.host': 'db.prod.internal', 'database.password': 'hunter2-prod', logLevel: 'info', replicas: 6 } });
    for (const c of evidence.configs) configRecordSchema.parse(c);

    // Branches: release/1.x only (feature branches ignored), ahead 1, behind 4.
    expect(evidence.branches.filter((b) => b.service === 'svc-000')).toEqual([{ service: 'svc-000', name: 'release/1.x', aheadBy: 1, behindBy: 4, lastCommitAt: '2026-03-01T10:30:00Z', source: 'github' }]);
    for (const b of evidence.branches) branchSchema.parse(b);

    // Changes: the PRs between the previous and the current deployment, with tickets from titles and branches.
    const change = evidence.changes.find((c) => c.service === 'svc-000' && c.environment === 'dev')!;
    expect(change).toMatchObject({ commit: sha('svc-000:c6'), fromCommit: sha('svc-000:c5'), fromVersion: 'v1.0.5', version: 'v1.0.6', tickets: ['OPS-6', 'PAY-106'] });
    expect(change.pullRequests).toEqual([{ number: 6, title: 'PAY-106: change 6', author: 'alice', mergedBy: 'bob', mergedAt: '2026-03-01T14:00:00Z', reviewers: ['carol'], branch: 'feature/OPS-6-tweak', url: 'https://github.example.test/acme/svc-000/pull/6' }]);
    for (const c of evidence.changes) changeSchema.parse(c);

    // svc-001's production run is named only in the deployment payload: its reviews come from REST, with the same result.
    const prod1 = evidence.deployments.find((d) => d.service === 'svc-001' && d.environment === 'prod')!;
    expect(prod1.approvals.filter((a) => a.kind === 'deployment').map((a) => `${a.by}:${a.state}:${a.at}`)).toEqual(['dana:approved:2026-03-01T11:28:00Z']);
    expect(prod1.url).toBe('https://github.example.test/acme/svc-001/deployments/production');
    expect(s.log.filter((l) => l.operation === '/repos/{owner}/{repo}/actions/runs/{run_id}/approvals').map((l) => l.path)).toEqual(['/repos/acme/svc-001/actions/runs/502032/approvals']);

    // Every distinct REST payload the server served is valid against GitHub's OpenAPI description.
    const operations = new Set<string>();
    for (const payload of s.served.values()) {
      operations.add(payload.operation);
      expect({ op: payload.operation, errors: validateResponse(payload.method, payload.operation, payload.status, payload.body) }).toEqual({ op: payload.operation, errors: [] });
    }
    // Each repository's two GITHUB_TOKEN runs (staging, production) are read from one list of its runs.
    expect([...operations].sort()).toEqual([
      '/repos/{owner}/{repo}/actions/runs',
      '/repos/{owner}/{repo}/actions/runs/{run_id}/approvals',
      '/repos/{owner}/{repo}/compare/{basehead}',
      '/repos/{owner}/{repo}/environments',
      '/repos/{owner}/{repo}/environments/{environment_name}/secrets',
      '/repos/{owner}/{repo}/environments/{environment_name}/variables',
    ]);
    // GHES: REST under /api/v3, GraphQL at /api/graphql.
    expect(s.log.filter((l) => l.operation === 'graphql').every((l) => l.rawPath === '/api/graphql')).toBe(true);
    expect(s.log.filter((l) => l.operation !== 'graphql').every((l) => l.rawPath.startsWith('/api/v3/'))).toBe(true);
  }, 60_000);

  it('a deployment payload that names the image by digest gives the deployment and its history the artifact; other environments have none', async () => {
    const scenario = buildOrg({ repos: 1 });
    imageInPayload(scenario.repos[0]!, 'production');
    const s = await start(scenario);
    const evidence = await collect(makeContext({ baseUrl: s.baseUrl, scenario }));
    expect(evidence.gaps).toEqual([]);
    const artifacts = evidence.deployments.map((d) => `${d.environment}:${d.artifact ?? '-'}`);
    expect(artifacts).toEqual(['dev:-', `prod:${imageDigest(sha('svc-000:c3'))}`, 'qa:-', 'staging:-']);
    for (const d of evidence.deployments) deploymentSchema.parse({ ...d, promotion: null });
    // Every successful production deployment in the history carries its own build's digest, so promotion evidence follows builds.
    const prodHistory = evidence.history.filter((h) => h.environment === 'prod');
    expect(prodHistory.length).toBeGreaterThan(0);
    for (const h of prodHistory) expect(h.artifact).toBe(imageDigest(h.commit));
    expect(evidence.history.filter((h) => h.environment !== 'prod').every((h) => h.artifact === undefined)).toBe(true);
  }, 60_000);

  it('the OpenAPI check does fail on a payload GitHub would not send', () => {
    expect(validateResponse('GET', '/repos/{owner}/{repo}/environments/{environment_name}/secrets', 200, { total_count: 1, secrets: [{ name: 'X' }] })).not.toEqual([]);
    expect(validateResponse('GET', '/repos/{owner}/{repo}/actions/runs/{run_id}/approvals', 200, [{ state: 'approved', comment: '', environments: [], user: { login: 'x' } }])).not.toEqual([]);
  });

  it('an unchanged night costs only 304s and one GraphQL query per batch; a changed night only the new deployment\'s calls', async () => {
    const scenario = buildOrg({ repos: 3 });
    const s = await start(scenario);
    const context = makeContext({ baseUrl: s.baseUrl, scenario });
    const first = await collect(context);
    const firstCount = s.log.length;

    s.log.length = 0;
    const second = await collect(context);
    expect(second).toEqual(first);
    const byStatus = (status: number) => s.log.filter((l) => l.status === status && l.operation !== 'graphql').length;
    // 3 environment lists + 3 × 4 × 2 variable/secret lists, all 304; GraphQL: one repository query and one file lookup.
    expect({ rest200: byStatus(200), rest304: byStatus(304), graphql: s.log.filter((l) => l.operation === 'graphql').length }).toEqual({ rest200: 0, rest304: 27, graphql: 2 });
    expect(s.log.length).toBeLessThan(firstCount);

    advanceNight(scenario, 1, 'production');
    s.log.length = 0;
    const third = await collect(context);
    const prod = third.deployments.find((d) => d.service === 'svc-001' && d.environment === 'prod')!;
    expect(prod.commit).toBe(sha('svc-001:night1'));
    expect(third.changes.find((c) => c.service === 'svc-001' && c.environment === 'prod')!.pullRequests.map((p) => p.number)).toEqual([4, 5, 6, 1001]);
    expect(prod.approvals.filter((a) => a.kind === 'deployment').map((a) => a.by)).toEqual(['dana']);
    // New per repository: one comparison and the new run (who triggered it) (200); the run's reviews and PRs come with the GraphQL lookups; everything else 304.
    expect(s.log.filter((l) => l.status === 200 && l.operation !== 'graphql').map((l) => l.operation).sort()).toEqual([
      ...Array(3).fill('/repos/{owner}/{repo}/actions/runs/{run_id}'),
      ...Array(3).fill('/repos/{owner}/{repo}/compare/{basehead}'),
    ]);
    const cache = JSON.parse(readFileSync(join(context.configDir, '.ledger-cache/github-etags.json'), 'utf8')) as { etags: object };
    expect(JSON.stringify(cache)).not.toContain(TOKEN);
    expect(JSON.stringify(cache)).not.toContain('hunter2');
  }, 60_000);
});

describe('GitHub source: the ETag cache holds no secrets', () => {
  it('keeps no variables list with a secret-looking value, not even hashed; that list is asked in full each night', async () => {
    const scenario = buildOrg({ repos: 1 });
    const secret = 'ghp_' + 'Q'.repeat(8) + 'x7Rk2LmP9sT4vW1yZ3bN5cD';
    for (const env of scenario.repos[0]!.environments) {
      if (env.name !== 'production') continue;
      env.variables!.push({ name: 'API_TOKEN', value: secret, updatedAt: '2026-03-01T08:00:00Z' });
      env.variables!.push({ name: 'NOTE', value: secret + '-in-an-innocent-key', updatedAt: '2026-03-01T08:00:00Z' });
    }
    const s = await start(scenario);
    const context = makeContext({ baseUrl: s.baseUrl, scenario });
    const first = await collect(context);
    const cacheText = readFileSync(join(context.configDir, '.ledger-cache/github-etags.json'), 'utf8');
    expect(cacheText).not.toContain(secret);
    expect(cacheText).not.toContain(createHash('sha256').update(secret).digest('hex'));
    // Lists with plain values only are still cached (they are stored in clear in snapshots too).
    expect(cacheText).toMatch(/"VAR_00": ?|"value":"[a-z]+-0"/);

    s.log.length = 0;
    const second = await collect(context);
    const variableCalls = s.log.filter((l) => l.operation.endsWith('/variables'));
    // The list with a secret was asked again in full (200); every other list came from the cache (304).
    expect(variableCalls.filter((l) => l.status === 200).map((l) => l.path)).toEqual([expect.stringContaining('/environments/production/variables')]);
    expect(variableCalls.filter((l) => l.status === 304).length).toBeGreaterThan(0);
    const prodVars = (e: typeof first) => e.configs.find((c) => c.environment === 'prod' && c.origin === 'github:environment')!.values;
    // Both nights hand the clear value to the pipeline, which fingerprints it with the ledger key before anything is written.
    expect(prodVars(first).API_TOKEN).toBe(secret);
    expect(prodVars(second).API_TOKEN).toBe(secret);
    expect(prodVars(second).VAR_00).toBe('production-0');
  }, 60_000);
});

describe('GitHub source: failures become exact gaps', () => {
  it('recovers from a secondary rate limit (403 + retry-after) without a gap', async () => {
    const scenario = buildOrg({ repos: 1 });
    const s = await start(scenario, [{ match: /^GET \/repos\/acme\/svc-000\/environments\?/, kind: 'secondary-limit', times: 1 }]);
    const evidence = await collect(makeContext({ baseUrl: s.baseUrl, scenario }));
    expect(evidence.gaps).toEqual([]);
    expect(s.log.filter((l) => l.path.startsWith('/repos/acme/svc-000/environments?')).map((l) => l.status)).toEqual([403, 200]);
    expect(evidence.deployments.find((d) => d.environment === 'prod')?.protection?.requiredReviewers).toEqual(['dana', 'team:release-managers']);
  }, 30_000);

  it('a 5xx that persists is a gap for exactly that repository, environment and evidence; the rest is complete', async () => {
    const scenario = buildOrg({ repos: 2 });
    runIdInPayload(scenario.repos[1]!, 'production');
    const s = await start(scenario, [{ match: /^GET \/repos\/acme\/svc-001\/actions\/runs\/\d+\/approvals/, kind: 'status', status: 502 }]);
    const evidence = await collect(makeContext({ baseUrl: s.baseUrl, scenario }));
    expect(evidence.gaps).toEqual([
      { source: 'github', service: 'svc-001', environment: 'prod', evidence: 'approvals', reason: 'GET /api/v3/repos/acme/svc-001/actions/runs/502032/approvals failed: HTTP 502 Server Error' },
    ]);
    for (const gap of evidence.gaps) gapSchema.parse(gap);
    // Retried (plugin-retry) before giving up.
    expect(s.log.filter((l) => l.path === '/repos/acme/svc-001/actions/runs/502032/approvals').length).toBe(3);
    expect(evidence.deployments).toHaveLength(8);
    expect(evidence.deployments.find((d) => d.service === 'svc-001' && d.environment === 'staging')!.approvals.some((a) => a.kind === 'deployment')).toBe(true);
    expect(evidence.deployments.find((d) => d.service === 'svc-001' && d.environment === 'prod')!.approvals.map((a) => a.kind)).toEqual(['pull-request']);
  }, 30_000);

  it('records the patterns of a custom deployment branch policy; one that cannot be read is a protection gap, and the policy stays "custom"', async () => {
    const scenario = buildOrg({ repos: 2 });
    for (const repo of scenario.repos) {
      const production = repo.environments.find((e) => e.name === 'production')!;
      production.branchPolicy = 'custom';
      production.branchPolicies = [{ name: 'release/*' }, { name: 'main' }, { name: 'v*', type: 'tag' }];
    }
    const s = await start(scenario, [{ match: /^GET \/repos\/acme\/svc-001\/environments\/production\/deployment-branch-policies/, kind: 'status', status: 500 }]);
    const evidence = await collect(makeContext({ baseUrl: s.baseUrl, scenario }));
    const prod = (service: string) => evidence.deployments.find((d) => d.service === service && d.environment === 'prod')!;
    expect(prod('svc-000').protection).toEqual({ requiredReviewers: ['dana', 'team:release-managers'], preventSelfReview: true, waitTimerMinutes: 5, branchPolicy: 'custom: main, release/*, tag:v*' });
    expect(prod('svc-001').protection!.branchPolicy).toBe('custom');
    expect(evidence.gaps).toEqual([
      { source: 'github', service: 'svc-001', environment: 'prod', evidence: 'protection', reason: 'GET /api/v3/repos/acme/svc-001/environments/production/deployment-branch-policies failed: HTTP 500 Server Error' },
    ]);
    // Asked only where the policy is custom: the production environment of each repository.
    expect(new Set(s.log.filter((l) => l.path.includes('/deployment-branch-policies')).map((l) => l.path.split('?')[0]))).toEqual(
      new Set(['/repos/acme/svc-000/environments/production/deployment-branch-policies', '/repos/acme/svc-001/environments/production/deployment-branch-policies']),
    );
    for (const payload of s.served.values()) {
      expect({ op: payload.operation, errors: validateResponse(payload.method, payload.operation, payload.status, payload.body) }).toEqual({ op: payload.operation, errors: [] });
    }
    expect([...s.served.values()].some((p) => p.operation.endsWith('/deployment-branch-policies'))).toBe(true);
  }, 30_000);

  it.each([
    ['malformed JSON', 'malformed' as const],
    ['a wrong content type', 'content-type' as const],
    ['a truncated body', 'truncated' as const],
  ])('%s is a gap for that evidence only', async (_label, kind) => {
    const scenario = buildOrg({ repos: 2 });
    const s = await start(scenario, [{ match: /^GET \/repos\/acme\/svc-000\/environments\/qa\/variables/, kind }]);
    const evidence = await collect(makeContext({ baseUrl: s.baseUrl, scenario }));
    expect(evidence.gaps.map((g) => `${g.service}/${g.environment}/${g.evidence}`)).toEqual(['svc-000/qa/config']);
    expect(evidence.gaps[0]!.reason).toMatch(/^GET \/(api\/v3\/)?repos\/acme\/svc-000\/environments\/qa\/variables/);
    expect(evidence.configs.filter((c) => c.origin === 'github:environment')).toHaveLength(7);
  }, 30_000);

  it('a repository GitHub does not know is a gap for that service; GraphQL partial errors do not sink the batch', async () => {
    const scenario = buildOrg({ repos: 2 });
    const s = await start(scenario);
    const context = makeContext({ baseUrl: s.baseUrl, scenario });
    context.services.push({ ...context.services[0]!, name: 'ghost', repo: 'acme/ghost' });
    const evidence = await collect(context);
    expect(evidence.gaps).toEqual([{ source: 'github', service: 'ghost', evidence: 'all', reason: 'repository acme/ghost not found or not readable with these credentials' }]);
    expect(evidence.deployments).toHaveLength(8);
  }, 30_000);

  it('a missing token is one gap per service saying how to create one', async () => {
    const scenario = buildOrg({ repos: 1 });
    const s = await start(scenario);
    const evidence = await collect(makeContext({ baseUrl: s.baseUrl, scenario, env: {} }));
    expect(s.log).toEqual([]);
    expect(evidence.gaps.map((g) => g.reason)).toMatchInlineSnapshot(`
      [
        "no GitHub token: set GITHUB_TOKEN to a fine-grained personal access token (create one at http://127.0.0.1:${s.url.split(':')[2]}/settings/personal-access-tokens/new) with read-only repository permissions: Actions, Contents, Deployments, Environments, Metadata, Pull requests, Variables, Secrets; or configure a GitHub App under sources.<name>.app",
      ]
    `);
  });

  it('a spent request budget stops early and records what was not collected', async () => {
    const scenario = buildOrg({ repos: 2 });
    const s = await start(scenario);
    const evidence = await collect(makeContext({ baseUrl: s.baseUrl, scenario, settings: { maxRequests: 3, concurrency: 1 } }));
    expect(s.log.length).toBeLessThanOrEqual(3);
    expect(evidence.gaps.length).toBeGreaterThan(0);
    expect(evidence.gaps.every((g) => /request budget of 3 \(settings.maxRequests\) exhausted/.test(g.reason))).toBe(true);
  }, 30_000);

  it('a wrong token: every repository is a gap, and the token appears nowhere', async () => {
    const scenario = { ...buildOrg({ repos: 1 }), tokens: ['ghp_theRightOne1234567890'] };
    const s = await start(scenario);
    const progress: string[] = [];
    const evidence = await collect(makeContext({ baseUrl: s.baseUrl, scenario, progress: (l) => progress.push(l) }));
    expect(evidence.gaps.map((g) => `${g.service}/${g.evidence}`)).toEqual(['svc-000/all']);
    expect(evidence.gaps[0]!.reason).toContain('HTTP 401');
    expect(JSON.stringify({ evidence, progress })).not.toContain(TOKEN);
  }, 30_000);
});

describe('GitHub source: a hung GitHub', () => {
  it('a request slower than timeoutMs is a gap, not a wait of minutes', async () => {
    const scenario = buildOrg({ repos: 1 });
    server = await startGitHubServer(scenario, { latencyMs: 1500 });
    const evidence = await createGitHubCollector({ retryBaseMs: 1 })(makeContext({ baseUrl: server.baseUrl, scenario, settings: { timeoutMs: 200 } }));
    expect(evidence.deployments).toEqual([]);
    expect(evidence.gaps.length).toBeGreaterThan(0);
    expect(evidence.gaps.every((g) => /abort|timeout|timed out/i.test(g.reason))).toBe(true);
  }, 60_000);
});

describe('GitHub source: GitHub App', () => {
  it('exchanges a JWT for an installation token and collects with it; neither key nor token leaks', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const installationToken = 'ghs_installationToken0123456789abcdef';
    const scenario: Scenario = { ...buildOrg({ repos: 1 }), app: { id: 4242, installationId: 77, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), token: installationToken } };
    const s = await start(scenario);
    const env = { APP_ID: '4242', APP_KEY: pem.replace(/\n/g, '\\n'), APP_INSTALLATION: '77' };
    const progress: string[] = [];
    const evidence = await collect(makeContext({ baseUrl: s.baseUrl, scenario, env, progress: (l) => progress.push(l), settings: { app: { appIdEnv: 'APP_ID', privateKeyEnv: 'APP_KEY', installationIdEnv: 'APP_INSTALLATION' } } }));
    expect(evidence.gaps).toEqual([]);
    expect(evidence.deployments).toHaveLength(4);
    expect(s.log.filter((l) => l.method === 'POST' && l.path === '/app/installations/77/access_tokens').map((l) => l.status)).toEqual([201]);
    for (const payload of s.served.values()) expect(validateResponse(payload.method, payload.operation, payload.status, payload.body)).toEqual([]);
    const text = JSON.stringify({ evidence, progress });
    expect(text).not.toContain(installationToken);
    expect(text).not.toContain('PRIVATE KEY');
  }, 30_000);

  it('rejects a JWT signed with another key: a gap, not a crash', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const scenario: Scenario = { ...buildOrg({ repos: 1 }), app: { id: 1, installationId: 2, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), token: 'ghs_x0123456789' } };
    const s = await start(scenario);
    const evidence = await collect(makeContext({ baseUrl: s.baseUrl, scenario, env: { A: '1', K: other, I: '2' }, settings: { app: { appIdEnv: 'A', privateKeyEnv: 'K', installationIdEnv: 'I' } } }));
    expect(evidence.gaps.map((g) => `${g.service}/${g.evidence}`)).toEqual(['svc-000/all']);
    expect(evidence.gaps[0]!.reason).not.toContain('PRIVATE KEY');
  }, 30_000);
});
