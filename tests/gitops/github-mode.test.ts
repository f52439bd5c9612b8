/**
 * The gitops source in `repo` mode: the GitOps repository read through a
 * GitHub source's contents and commits APIs, with real Octokit over real HTTP
 * against the local GitHub server. Each layout is built twice from the same
 * commits — a real git repository (local mode) and the server's scenario with
 * the very same shas, authors and dates (repo mode) — and both modes must
 * give the same records and the same gaps. The repo mode lists the tree in
 * one request and reads files with their last change in batched GraphQL
 * (executed by graphql-js against GitHub's published schema); its fallbacks
 * (a cut tree, a truncated blob) are driven through the server's knobs.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitOpsCollector } from '../../collectors/gitops/source.ts';
import type { ConfigInput, Evidence, GitOpsSourceConfig } from '../../src/model/index.ts';
import { snapshotSchema } from '../../src/model/index.ts';
import { ALICE, BOB, CAROL, makeGitRepo } from '../helpers/git-repo.ts';
import type { CommitSpec, GitRepo } from '../helpers/git-repo.ts';
import { startGitHubServer } from '../helpers/github-server.ts';
import type { Fault, GitHubServer, Scenario } from '../helpers/github-server.ts';
import { sourceContext } from '../helpers/runtime-context.ts';
import { TOKEN } from '../github/context.ts';
import { validateResponse } from '../github/openapi.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/gitops/${name}`, import.meta.url), 'utf8');
const collect = createGitOpsCollector({ github: { retryBaseMs: 1 } });

const helmValues = (tag: string, logLevel = 'info') =>
  `image:\n  repository: ghcr.io/acme/payments-api\n  tag: "${tag}"\nenv:\n  LOG_LEVEL: ${logLevel}\n  REPLICAS: 2\n  DB_PASSWORD: hunter2\n`;

const HELM: CommitSpec[] = [
  {
    files: { 'environments/staging/payments-api/values.yaml': helmValues('2.4.0'), 'environments/production/payments-api/values.yaml': helmValues('2.3.9') },
    author: ALICE,
    date: '2026-03-01T10:00:00Z',
    message: 'payments-api: initial values',
  },
  { files: { 'environments/staging/payments-api/values.yaml': helmValues('2.4.1') }, author: BOB, date: '2026-03-05T09:30:00+01:00', message: 'payments-api 2.4.1 to staging' },
  // A manual config change in prod, applied by a bot after Carol wrote it: the author is Carol, the time is when it entered the repository.
  {
    files: { 'environments/production/payments-api/values.yaml': helmValues('2.3.9', 'debug') },
    author: CAROL,
    date: '2026-03-10T16:45:00Z',
    committer: { name: 'merge-bot', email: 'bot@example.com' },
    committerDate: '2026-03-10T17:00:00Z',
    message: 'prod: debug logging',
  },
];
const HELM_SETTINGS = { environments: { prod: 'production' }, configFiles: ['environments/{environment}/{service}/values.yaml'] };

const KUSTOMIZE: CommitSpec[] = [
  { files: { 'overlays/prod/kustomization.yaml': fixture('kustomization.yaml'), 'base/kustomization.yaml': 'resources: [deployment.yaml]\n' }, author: ALICE, date: '2026-02-01T08:00:00Z' },
  { files: { 'overlays/staging/kustomization.yaml': fixture('kustomization.yaml').replace('newTag: 1.8.0', 'newTag: 1.9.0-rc.1') }, author: BOB, date: '2026-02-02T08:00:00Z' },
];

const PLAIN: CommitSpec[] = [
  {
    files: {
      'README.md': '# platform\n',
      'apps/notifier/prod/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata: { name: notifier }\n',
      'apps/notifier/prod/workload.yaml': fixture('deployment.yaml'),
      'apps/notifier/dev/workload.yaml': fixture('deployment.yaml').replace('3.2.0@sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9', '3.3.0'),
      'apps/notifier/staging/workload.yaml': 'kind: Deployment\nspec: [broken\n',
      'apps/notifier/dev/app.env': fixture('app.env'),
    },
    author: CAROL,
    date: '2026-01-15T12:00:00Z',
  },
  { files: { 'apps/notifier/staging/workload.yaml': fixture('deployment.yaml').replace('3.2.0', '3.2.1'), 'README.md': null }, author: ALICE, date: '2026-01-16T12:00:00Z' },
  { files: { 'apps/notifier/staging/workload.yaml': 'kind: Deployment\nspec: [broken\n' }, author: BOB, date: '2026-01-17T12:00:00Z' },
];

const iso = (date: string) => new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The server's scenario for the commits a real repository was made from: same shas, authors, dates and files. */
function scenarioOf(specs: CommitSpec[], repo: GitRepo, tags: Record<string, string> = {}): Scenario {
  return {
    tokens: [TOKEN],
    repos: [
      {
        owner: 'acme',
        name: 'gitops',
        id: 900,
        defaultBranch: 'main',
        branches: { main: repo.shas.at(-1)!, 'feature/empty': 'f'.repeat(40) },
        commits: specs.map((spec, i) => ({
          sha: repo.shas[i]!,
          parents: i > 0 ? [repo.shas[i - 1]!] : [],
          date: iso(spec.committerDate ?? spec.date),
          authorDate: iso(spec.date),
          message: spec.message ?? 'change',
          files: spec.files,
          author: spec.author,
          committer: spec.committer ?? spec.author,
        })),
        deployments: [],
        environments: [],
        runs: [],
        pulls: [],
        releases: [],
        tags: Object.entries(tags).map(([name, sha]) => ({ name, sha })),
      },
    ],
  };
}

function config(gitops: Record<string, unknown>, services: string[], baseUrl: string): ConfigInput {
  return {
    name: 'Acme',
    environments: [{ name: 'dev' }, { name: 'staging' }, { name: 'prod', production: true }],
    sources: { gh: { type: 'github', baseUrl, concurrency: 4 }, declared: { type: 'gitops', ...gitops } as never },
    services: services.map((name) => ({ name, sources: ['declared'] })),
  };
}

async function viaGitHub(server: GitHubServer, gitops: Record<string, unknown>, services: string[], options: { env?: Record<string, string>; progress?: string[] } = {}) {
  const input = config({ repo: 'acme/gitops', github: 'gh', ...gitops }, services, server.baseUrl);
  return collect(sourceContext<GitOpsSourceConfig>(input, 'declared', { env: options.env ?? { GITHUB_TOKEN: TOKEN }, progress: options.progress ?? [] }));
}

async function viaClone(repo: GitRepo, gitops: Record<string, unknown>, services: string[]) {
  const configDir = join(repo.dir, '..');
  const input = config({ path: relative(configDir, repo.dir), ...gitops }, services, 'https://api.github.com');
  return collect(sourceContext<GitOpsSourceConfig>(input, 'declared', { configDir, env: { PATH: process.env['PATH'] } }));
}

const records = (evidence: Evidence) => ({ declared: evidence.declared, configs: evidence.configs, gaps: evidence.gaps });
const reasons = (evidence: Evidence) => evidence.gaps.map((g) => `${g.service}/${g.environment} [${g.evidence}] ${g.reason}`);

/** Every REST payload the server sent validates against GitHub's OpenAPI description; returns the operations seen. */
function expectValidPayloads(server: GitHubServer): string[] {
  for (const payload of server.served.values()) expect([payload.operation, validateResponse(payload.method, payload.operation, payload.status, payload.body)]).toEqual([payload.operation, []]);
  return [...new Set([...server.served.values()].map((p) => p.operation))].sort();
}

describe('gitops repo mode gives the same records as a local clone', () => {
  const repos: GitRepo[] = [];
  let server: GitHubServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  afterAll(async () => {
    for (const repo of repos) await repo.cleanup();
  });
  const twin = async (specs: CommitSpec[], tags: (repo: GitRepo) => Record<string, string> = () => ({})) => {
    const repo = await makeGitRepo(specs);
    repos.push(repo);
    for (const [tag, sha] of Object.entries(tags(repo))) await repo.git('tag', tag, sha);
    server = await startGitHubServer(scenarioOf(specs, repo, tags(repo)));
    return { repo, server };
  };

  it('Helm layout: image tags, config values, commit, last author and time, and a gap for the environment with no file', async () => {
    const { repo, server } = await twin(HELM);
    const progress: string[] = [];
    const remote = await viaGitHub(server, HELM_SETTINGS, ['payments-api'], { progress });
    expect(records(remote)).toEqual(records(await viaClone(repo, HELM_SETTINGS, ['payments-api'])));

    const head = repo.shas[2]!;
    expect(remote.declared.map((d) => [d.environment, d.version, d.image, d.file, d.revision, d.changedBy, d.changedAt])).toEqual([
      ['prod', '2.3.9', 'ghcr.io/acme/payments-api:2.3.9', 'environments/production/payments-api/values.yaml', head, 'Carol Example', '2026-03-10T17:00:00.000Z'],
      ['staging', '2.4.1', 'ghcr.io/acme/payments-api:2.4.1', 'environments/staging/payments-api/values.yaml', head, 'Bob Example', '2026-03-05T08:30:00.000Z'],
    ]);
    expect(remote.configs.map((c) => [c.environment, c.values, c.changedBy])).toEqual([
      ['prod', { DB_PASSWORD: 'hunter2', LOG_LEVEL: 'debug', REPLICAS: 2 }, 'Carol Example'],
      ['staging', { DB_PASSWORD: 'hunter2', LOG_LEVEL: 'info', REPLICAS: 2 }, 'Bob Example'],
    ]);
    expect(reasons(remote).map((r) => r.replace(head.slice(0, 12), 'HEAD'))).toEqual([
      'payments-api/dev [config] no file at HEAD matches environments/dev/payments-api/values.yaml',
      'payments-api/dev [declared] no file at HEAD matches environments/dev/payments-api/values.yaml',
    ]);
    expect(() => snapshotSchema.shape.declared.parse(remote.declared)).not.toThrow();
    expect(() => snapshotSchema.shape.configs.parse(remote.configs)).not.toThrow();

    // Cost: 1 ref resolution, 1 tree (so the missing dev file is never asked for), 1 GraphQL query for both files and their last change.
    expect(server.log.map((l) => `${l.status} ${l.operation}`).sort()).toEqual(['200 /repos/{owner}/{repo}/commits', '200 /repos/{owner}/{repo}/git/trees/{tree_sha}', '200 graphql']);
    expect(server.log.find((l) => l.operation.endsWith('/git/trees/{tree_sha}'))?.path).toBe(`/repos/acme/gitops/git/trees/${head}?recursive=1`);
    expect(progress.at(-1)).toBe(`declared: read acme/gitops at ${head.slice(0, 12)}: 2 declared image(s), 2 config record(s), 2 gap(s), 3 request(s)`);
    expect(expectValidPayloads(server)).toEqual(['/repos/{owner}/{repo}/commits', '/repos/{owner}/{repo}/git/trees/{tree_sha}']);
  });

  it('reads at `ref` (a tag) when one is set, and globs (`**` too) select from the tree as in a clone', async () => {
    const { repo, server } = await twin(HELM, (r) => ({ 'before-debug': r.shas[1]! }));
    const atTag = { ...HELM_SETTINGS, ref: 'before-debug' };
    const remote = await viaGitHub(server, atTag, ['payments-api']);
    expect(records(remote)).toEqual(records(await viaClone(repo, atTag, ['payments-api'])));
    expect(remote.declared.map((d) => [d.environment, d.revision, d.changedBy])).toEqual([
      ['prod', repo.shas[1], 'Alice Example'],
      ['staging', repo.shas[1], 'Bob Example'],
    ]);
    expect(remote.configs.find((c) => c.environment === 'prod')?.values['LOG_LEVEL']).toBe('info');

    const globbed = { environments: { prod: 'production' }, files: ['*/{environment}/{service}/values.*'] };
    const walked = await viaGitHub(server, globbed, ['payments-api']);
    expect(records(walked)).toEqual(records(await viaClone(repo, globbed, ['payments-api'])));
    expect(walked.declared.map((d) => d.file)).toEqual(['environments/production/payments-api/values.yaml', 'environments/staging/payments-api/values.yaml']);
    const deep = { environments: { prod: 'production' }, files: ['**/{environment}/{service}/values.yaml'] };
    const anywhere = await viaGitHub(server, deep, ['payments-api']);
    expect(records(anywhere)).toEqual(records(await viaClone(repo, deep, ['payments-api'])));
    expect(anywhere.declared.map((d) => d.environment)).toEqual(['prod', 'staging']);
    expectValidPayloads(server);
  });

  it('Kustomize layout: one overlay per environment shared by services, read once', async () => {
    const { repo, server } = await twin(KUSTOMIZE);
    const settings = { files: ['overlays/{environment}/kustomization.yaml'] };
    const services = ['ledger-api', 'payments-api', 'billing'];
    const remote = await viaGitHub(server, settings, services);
    expect(records(remote)).toEqual(records(await viaClone(repo, settings, services)));
    expect(remote.declared.map((d) => `${d.service}/${d.environment}@${d.version} by ${d.changedBy}`)).toEqual([
      'ledger-api/prod@1.8.0 by Alice Example',
      'ledger-api/staging@1.9.0-rc.1 by Bob Example',
      'payments-api/prod@2.4.2 by Alice Example',
      'payments-api/staging@2.4.2 by Bob Example',
    ]);
    expect(remote.gaps.map((g) => `${g.service}/${g.environment}`)).toEqual(['billing/dev', 'billing/prod', 'billing/staging', 'ledger-api/dev', 'payments-api/dev']);
    // Three services x three environments, but the two overlays are read once, in one GraphQL query; the shared base
    // they name is read once more (the deployment.yaml it lacks is looked up in the tree, not asked).
    expect(server.log.map((l) => l.operation).sort()).toEqual(['/repos/{owner}/{repo}/commits', '/repos/{owner}/{repo}/git/trees/{tree_sha}', 'graphql', 'graphql']);
    expectValidPayloads(server);
  });

  it('plain manifests with a glob in the last folder: a folder listing, several documents, bad YAML as a gap, a deleted file', async () => {
    const { repo, server } = await twin(PLAIN);
    const settings = { files: ['apps/{service}/{environment}/*.yaml'], configFiles: ['apps/{service}/{environment}/app.env'] };
    const remote = await viaGitHub(server, settings, ['notifier']);
    expect(records(remote)).toEqual(records(await viaClone(repo, settings, ['notifier'])));
    expect(remote.declared.map((d) => [d.environment, d.version, d.artifact ?? null, d.file, d.changedBy])).toEqual([
      ['dev', '3.3.0', null, 'apps/notifier/dev/workload.yaml', 'Carol Example'],
      ['prod', '3.2.0', 'sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9', 'apps/notifier/prod/workload.yaml', 'Carol Example'],
    ]);
    expect(remote.configs.map((c) => [c.environment, c.origin, c.changedBy])).toEqual([['dev', 'apps/notifier/dev/app.env', 'Carol Example']]);
    expect(reasons(remote).map((r) => r.replace(repo.shas[2]!.slice(0, 12), 'HEAD'))).toMatchInlineSnapshot(`
      [
        "notifier/prod [config] no file at HEAD matches apps/notifier/prod/app.env",
        "notifier/staging [config] no file at HEAD matches apps/notifier/staging/app.env",
        "notifier/staging [declared] apps/notifier/staging/workload.yaml: unparsable YAML at line 2: this flow list ([) is never closed; add the closing ]",
      ]
    `);
    expect(server.log.some((l) => l.operation.endsWith('/contents/{path}'))).toBe(false);
    expectValidPayloads(server);

    // A tree GitHub cuts (`truncated`, past 100,000 entries) is listed folder by folder instead, with the same records.
    server.scenario.repos[0]!.treeLimit = 2;
    const progress: string[] = [];
    const walked = await viaGitHub(server, settings, ['notifier'], { progress });
    expect(records(walked)).toEqual(records(remote));
    expect(progress[0]).toBe(`declared: the tree of acme/gitops at ${repo.shas[2]!.slice(0, 12)} is too large for one answer; listing folders one by one`);
    // Listings of the environment folders are the contents API on a folder (an array of entries).
    expect([...server.served.values()].some((p) => p.operation.endsWith('/contents/{path}') && Array.isArray(p.body))).toBe(true);
    expectValidPayloads(server);
  });

  it('a file GraphQL truncates is read whole through the contents API', async () => {
    const { repo, server } = await twin(HELM);
    server.scenario.repos[0]!.blobTextLimit = 40;
    const remote = await viaGitHub(server, HELM_SETTINGS, ['payments-api']);
    expect(records(remote)).toEqual(records(await viaClone(repo, HELM_SETTINGS, ['payments-api'])));
    expect(remote.declared.map((d) => d.version)).toEqual(['2.3.9', '2.4.1']);
    expect(server.log.filter((l) => l.operation.endsWith('/contents/{path}')).map((l) => decodeURIComponent(l.path.split('?')[0]!)).sort()).toEqual([
      '/repos/acme/gitops/contents/environments/production/payments-api/values.yaml',
      '/repos/acme/gitops/contents/environments/staging/payments-api/values.yaml',
    ]);
    expectValidPayloads(server);
  });
});

describe('gitops repo mode at 500 services × 6 environments', () => {
  const ENVS = ['dev', 'test', 'qa', 'staging', 'preprod', 'prod'];
  const SERVICES = Array.from({ length: 500 }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
  let repo: GitRepo;
  let server: GitHubServer;
  beforeAll(async () => {
    const files: Record<string, string> = {};
    for (const service of SERVICES) for (const [i, env] of ENVS.entries()) files[`environments/${env}/${service}/values.yaml`] = `image:\n  repository: ghcr.io/acme/${service}\n  tag: "1.${i}.0"\nenv:\n  LOG_LEVEL: info\n`;
    const specs: CommitSpec[] = [
      { files, author: ALICE, date: '2026-03-01T10:00:00Z', message: 'all services' },
      { files: { 'environments/prod/svc-007/values.yaml': files['environments/prod/svc-007/values.yaml']!.replace('1.5.0', '1.5.1') }, author: BOB, date: '2026-03-02T10:00:00Z', message: 'svc-007 1.5.1 to prod' },
    ];
    repo = await makeGitRepo(specs);
    server = await startGitHubServer(scenarioOf(specs, repo));
  });
  afterAll(async () => {
    await server.close();
    await repo.cleanup();
  });

  it('reads 3,000 files and their last change in 62 requests (not 6,001), with the records of a local clone', async () => {
    const settings = { configFiles: ['environments/{environment}/{service}/values.yaml'] };
    const input = config({ repo: 'acme/gitops', github: 'gh', ...settings }, SERVICES, server.baseUrl);
    input.environments = ENVS.map((name) => ({ name, ...(name === 'prod' ? { production: true } : {}) }));
    const remote = await collect(sourceContext<GitOpsSourceConfig>(input, 'declared', { env: { GITHUB_TOKEN: TOKEN } }));
    const local = config({ path: relative(join(repo.dir, '..'), repo.dir), ...settings }, SERVICES, 'https://api.github.com');
    local.environments = input.environments;
    expect(records(remote)).toEqual(records(await collect(sourceContext<GitOpsSourceConfig>(local, 'declared', { configDir: join(repo.dir, '..'), env: { PATH: process.env['PATH'] } }))));
    expect(remote.declared).toHaveLength(3000);
    expect(remote.configs).toHaveLength(3000);
    expect(remote.gaps).toEqual([]);
    expect(remote.declared.find((d) => d.service === 'svc-007' && d.environment === 'prod')).toMatchObject({ version: '1.5.1', changedBy: 'Bob Example' });
    expect(server.log.map((l) => l.operation).filter((o) => o === 'graphql')).toHaveLength(60);
    expect(server.log).toHaveLength(62);
  });
});

describe('gitops repo mode: failures are gaps for exactly the cell they hit, and never show the token', () => {
  let repo: GitRepo;
  let server: GitHubServer | undefined;
  beforeAll(async () => {
    repo = await makeGitRepo(HELM);
  });
  afterAll(() => repo.cleanup());
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const start = async (faults: Fault[] = []) => (server = await startGitHubServer(scenarioOf(HELM, repo), { faults }));
  const short = () => repo.shas[2]!.slice(0, 12);
  const noToken = (evidence: Evidence, progress: string[] = []) => {
    const text = JSON.stringify(evidence) + progress.join('\n');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(TOKEN.slice(4, 20));
  };

  it('GitHub failing one file (a partial GraphQL error) is a gap for that service and environment only', async () => {
    const s = await start();
    s.scenario.repos[0]!.brokenPaths = [{ path: 'environments/production/payments-api/values.yaml', field: 'blob', message: 'Something went wrong while executing your query. This may be the result of a timeout.' }];
    const progress: string[] = [];
    const evidence = await viaGitHub(s, HELM_SETTINGS, ['payments-api'], { progress });
    expect(evidence.declared.map((d) => `${d.environment}@${d.version}`)).toEqual(['staging@2.4.1']);
    expect(evidence.configs.map((c) => c.environment)).toEqual(['staging']);
    expect(reasons(evidence).filter((r) => r.startsWith('payments-api/prod')).map((r) => r.replace(short(), 'HEAD'))).toMatchInlineSnapshot(`
      [
        "payments-api/prod [config] environments/production/payments-api/values.yaml: cannot read at HEAD: POST /api/graphql failed: HTTP 500 Something went wrong while executing your query. This may be the result of a timeout.",
        "payments-api/prod [declared] environments/production/payments-api/values.yaml: cannot read at HEAD: POST /api/graphql failed: HTTP 500 Something went wrong while executing your query. This may be the result of a timeout.",
      ]
    `);
    // GitHub's timeout answer is retried (Octokit's retry plugin reads it as a 500), then the query is asked again in halves,
    // so it lands on the one file: 3 tries of both files, 1 of staging, 3 of prod. The shared read was not repeated for configs.
    expect(s.log.filter((l) => l.operation === 'graphql')).toHaveLength(7);
    noToken(evidence, progress);
  });

  it('a query that fails as a whole is asked again in halves; one that keeps failing is a gap for each of its cells', async () => {
    const s = await start([{ match: /^POST \/graphql/, kind: 'status', status: 502, times: 3 }]);
    const healed = await viaGitHub(s, HELM_SETTINGS, ['payments-api']);
    expect(healed.declared.map((d) => `${d.environment}@${d.version}`)).toEqual(['prod@2.3.9', 'staging@2.4.1']);
    // The first query failed with its two retries; its halves (one file each) were then read.
    expect(s.log.filter((l) => l.operation === 'fault')).toHaveLength(3);
    expect(s.log.filter((l) => l.operation === 'graphql')).toHaveLength(2);

    s.faults.push({ match: /^POST \/graphql/, kind: 'status', status: 502 });
    const progress: string[] = [];
    const failed = await viaGitHub(s, HELM_SETTINGS, ['payments-api'], { progress });
    expect(failed.declared).toEqual([]);
    expect(reasons(failed).map((r) => r.replace(short(), 'HEAD'))).toMatchInlineSnapshot(`
      [
        "payments-api/dev [config] no file at HEAD matches environments/dev/payments-api/values.yaml",
        "payments-api/dev [declared] no file at HEAD matches environments/dev/payments-api/values.yaml",
        "payments-api/prod [config] environments/production/payments-api/values.yaml: cannot read at HEAD: POST /api/graphql failed: HTTP 502 Server Error",
        "payments-api/prod [declared] environments/production/payments-api/values.yaml: cannot read at HEAD: POST /api/graphql failed: HTTP 502 Server Error",
        "payments-api/staging [config] environments/staging/payments-api/values.yaml: cannot read at HEAD: POST /api/graphql failed: HTTP 502 Server Error",
        "payments-api/staging [declared] environments/staging/payments-api/values.yaml: cannot read at HEAD: POST /api/graphql failed: HTTP 502 Server Error",
      ]
    `);
    noToken(failed, progress);
  });

  it('a failed last-change lookup, and a malformed contents body, are gaps for their cell', async () => {
    const s = await start([{ match: /^GET \/repos\/acme\/gitops\/contents\/environments%2Fproduction%2F/, kind: 'content-type' }]);
    s.scenario.repos[0]!.brokenPaths = [{ path: 'environments/staging/payments-api/values.yaml', field: 'history', message: 'Resource limits for this query exceeded.' }];
    // Truncated by GraphQL, so the files are read through the contents API, whose prod answer is malformed.
    s.scenario.repos[0]!.blobTextLimit = 10;
    const evidence = await viaGitHub(s, { environments: { prod: 'production' } }, ['payments-api']);
    expect(evidence.declared).toEqual([]);
    expect(reasons(evidence).map((r) => r.replace(short(), 'HEAD'))).toMatchInlineSnapshot(`
      [
        "payments-api/dev [declared] no file at HEAD matches environments/dev/payments-api/values.yaml",
        "payments-api/prod [declared] environments/production/payments-api/values.yaml: cannot read at HEAD: GET /repos/acme/gitops/contents/environments/production/payments-api/values.yaml returned a body that is not GitHub's contents shape",
        "payments-api/staging [declared] environments/staging/payments-api/values.yaml: cannot find who last changed it at HEAD: Resource limits for this query exceeded.",
      ]
    `);
  });

  it('a tree that cannot be listed in one request falls back to folder listings', async () => {
    const s = await start([{ match: /^GET \/repos\/acme\/gitops\/git\/trees\//, kind: 'status', status: 500 }]);
    const progress: string[] = [];
    const evidence = await viaGitHub(s, { environments: { prod: 'production' }, files: ['environments/{environment}/{service}/*.yaml'] }, ['payments-api'], { progress });
    expect(evidence.declared.map((d) => `${d.environment}@${d.version}`)).toEqual(['prod@2.3.9', 'staging@2.4.1']);
    expect(progress[0]?.replace(short(), 'HEAD')).toBe(
      `declared: cannot list the tree of acme/gitops at HEAD in one request (GET /api/v3/repos/acme/gitops/git/trees/${repo.shas[2]} failed: HTTP 500 Server Error); listing folders one by one`,
    );
  });

  it('a folder listing that fails is a gap, not a silent empty match', async () => {
    const s = await start([{ match: /^GET \/repos\/acme\/gitops\/contents\/environments%2Fstaging%2Fpayments-api\?/, kind: 'status', status: 503 }]);
    s.scenario.repos[0]!.treeLimit = 1;
    const evidence = await viaGitHub(s, { environments: { prod: 'production' }, files: ['environments/{environment}/{service}/*.yaml'] }, ['payments-api']);
    expect(evidence.declared.map((d) => d.environment)).toEqual(['prod']);
    expect(reasons(evidence).find((r) => r.startsWith('payments-api/staging'))?.replace(short(), 'HEAD')).toBe(
      'payments-api/staging [declared] cannot list environments/staging/payments-api at HEAD: GET /api/v3/repos/acme/gitops/contents/environments%2Fstaging%2Fpayments-api failed: HTTP 503 Server Error',
    );
  });

  it('a bad token, a missing token, a rate limit, an unknown ref and an unknown repository are gaps for every cell', async () => {
    const s = await start();
    const progress: string[] = [];
    const bad = await viaGitHub(s, {}, ['payments-api'], { env: { GITHUB_TOKEN: 'ghp_wrongTokenValue0123456789abcdefABCDEF' }, progress });
    expect(reasons(bad)).toHaveLength(3);
    expect(reasons(bad)[0]).toBe('payments-api/dev [all] GitOps repository acme/gitops: cannot resolve the default branch: GET /api/v3/repos/acme/gitops/commits failed: HTTP 401 Bad credentials');
    expect(JSON.stringify(bad) + progress.join('')).not.toContain('wrongTokenValue');

    expect(reasons(await viaGitHub(s, {}, ['payments-api'], { env: {} }))[0]).toBe(
      'payments-api/dev [all] no GitHub token: set GITHUB_TOKEN (read by GitHub source "gh") to a token with read-only Contents and Metadata permissions on acme/gitops, or configure a GitHub App there',
    );
    expect(reasons(await viaGitHub(s, { ref: 'release/none' }, ['payments-api']))[0]).toBe(
      'payments-api/dev [all] GitOps repository acme/gitops: cannot resolve ref "release/none": GET /api/v3/repos/acme/gitops/commits failed: HTTP 404 No commit found for SHA: release/none (no such ref, or the repository is not readable with the credentials of GitHub source "gh")',
    );
    expect(reasons(await viaGitHub(s, { repo: 'acme/nope' }, ['payments-api']))[0]).toMatch(/^payments-api\/dev \[all\] GitOps repository acme\/nope: cannot resolve the default branch: GET \/api\/v3\/repos\/acme\/nope\/commits failed: HTTP 404 Not Found/);

    s.faults.push({ match: /^GET /, kind: 'primary-limit' });
    const limited = await viaGitHub(s, {}, ['payments-api'], { progress });
    expect(reasons(limited)[0]).toBe('payments-api/dev [all] GitOps repository acme/gitops: cannot resolve the default branch: GET /api/v3/repos/acme/gitops/commits failed: HTTP 403 API rate limit exceeded');
    noToken(limited, progress);
  });

  it('a request budget (maxRequests of the GitHub source) turns what is left into gaps', async () => {
    const s = await start();
    const input = config({ repo: 'acme/gitops', github: 'gh', environments: { prod: 'production' } }, ['payments-api'], s.baseUrl);
    (input.sources as Record<string, { maxRequests?: number }>)['gh']!.maxRequests = 2;
    const evidence = await collect(sourceContext<GitOpsSourceConfig>(input, 'declared', { env: { GITHUB_TOKEN: TOKEN } }));
    expect(evidence.declared).toEqual([]);
    expect(s.log).toHaveLength(2);
    expect(reasons(evidence).some((r) => r.includes('request budget of 2 (settings.maxRequests) exhausted'))).toBe(true);
  });
});
