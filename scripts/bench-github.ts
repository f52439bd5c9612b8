/**
 * Benchmark of the GitHub source against the local GitHub-compatible server
 * with injected latency: requests per service and wall time for a cold night
 * (empty cache), an unchanged night and a changed night (every repository
 * merged a pull request and deployed it to one environment).
 *
 *   npx tsx scripts/bench-github.ts [--latency 100] [--only small|large] [--with-variables] [--repos N] [--by-operation]
 *
 * `--repos N` runs the large case with N repositories instead of 500 (its
 * requests per service barely depend on N: the GraphQL batches add about
 * 0.04 a service), for a quick look on a busy machine; `--by-operation`
 * prints each night's requests by REST operation (and GraphQL).
 *
 * The 500 × 6 target case reads no environment variables (`variables: false`):
 * GitHub has no batched endpoint for them, so they cost two requests per
 * repository and environment (304s on an unchanged night). `--with-variables`
 * measures that configuration too.
 *
 * Targets (issue 5): 15 × 4 in ≤ 5 s; 500 × 6 at ≤ 3 requests per service
 * changed, ≤ 1.2 unchanged, ≤ 60 s.
 *
 * Then the gitops source in `repo` mode at 500 services × 6 environments
 * (a Helm values file per service and environment, 3,000 files, read for the
 * image tag and config values) through the same server and latency: its
 * requests and wall time (`--only gitops` runs only this).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitHubCollector } from '../collectors/github/source.ts';
import { createGitOpsCollector } from '../collectors/gitops/source.ts';
import { configSchema, type GitHubSourceConfig, type SourceContext } from '../src/model/index.ts';
import { advanceNight, buildOrg } from '../tests/fixtures/github/org.ts';
import { startGitHubServer, type ScenarioRepo } from '../tests/helpers/github-server.ts';

interface Case {
  label: string;
  repos: number;
  environments: string[];
  variables: boolean;
  concurrency: number;
  target?: { seconds?: number; changed?: number; unchanged?: number };
}

const args = process.argv.slice(2);
const latency = Number(args[args.indexOf('--latency') + 1]) || 100;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const largeRepos = args.includes('--repos') ? Number(args[args.indexOf('--repos') + 1]) : 500;
const byOperation = args.includes('--by-operation');
if (!Number.isInteger(largeRepos) || largeRepos < 100) throw new Error('--repos takes a whole number, 100 or more');

const SIX = ['dev', 'qa', 'staging', 'perf', 'preprod', 'production'];
const FOUR = ['dev', 'qa', 'staging', 'production'];
const cases: Case[] = [
  { label: '15 repos × 4 envs', repos: 15, environments: FOUR, variables: true, concurrency: 8, target: { seconds: 5 } },
  { label: `${largeRepos} services × 6 envs`, repos: largeRepos, environments: SIX, variables: false, concurrency: 16, target: { seconds: 60, changed: 3, unchanged: 1.2 } },
  ...(args.includes('--with-variables') ? [{ label: `${largeRepos} services × 6 envs, variables on`, repos: largeRepos, environments: SIX, variables: true, concurrency: 32 }] : []),
].filter((c) => !only || (only === 'small' ? c.repos < 100 : only === 'large' && c.repos >= 100));

function context(baseUrl: string, repos: string[], environments: string[], variables: boolean, concurrency: number, configDir: string): SourceContext<GitHubSourceConfig> {
  const ledgerEnvs = environments.map((e) => (e === 'production' ? 'prod' : e));
  const config = configSchema.parse({
    name: 'Bench',
    environments: ledgerEnvs.map((name) => ({ name, production: name === 'prod' })),
    sources: { github: { type: 'github', baseUrl, environments: { prod: 'production' }, variables, concurrency, maxRequests: 100_000 } },
    services: [
      ...repos.map((name) => ({ name, repo: `acme/${name}`, sources: ['github'], configFiles: { '*': 'deploy/{environment}/values.yaml' } })),
      { name: 'ledger-core', repo: 'acme/ledger-core', kind: 'library' },
    ],
  });
  return {
    name: 'github',
    settings: config.sources.github as GitHubSourceConfig,
    config,
    services: config.services.filter((s) => s.sources.includes('github')),
    configDir,
    now: new Date('2026-03-14T02:00:00Z'),
    env: { GITHUB_TOKEN: 'ghp_benchToken0000000000000000000000' },
    fetch: globalThis.fetch,
    progress: () => {},
  };
}

const collect = createGitHubCollector();
console.log(`GitHub source benchmark, ${latency} ms latency per request`);
console.log('case | night | requests | per service | 304s | GraphQL | gaps | wall s | target');
let failed = false;
for (const c of cases) {
  const scenario = buildOrg({ repos: c.repos, environments: c.environments, reviewed: ['staging', 'production'] });
  const server = await startGitHubServer(scenario, { latencyMs: latency });
  const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const ctx = context(server.baseUrl, scenario.repos.map((r) => r.name), c.environments, c.variables, c.concurrency, dir);
  try {
    for (const night of ['cold', 'unchanged', 'changed'] as const) {
      if (night === 'changed') advanceNight(scenario, 1, 'production');
      server.log.length = 0;
      const start = performance.now();
      const evidence = await collect(ctx);
      const seconds = (performance.now() - start) / 1000;
      const requests = server.log.length;
      const perService = requests / c.repos;
      const checks: string[] = [];
      if (night !== 'cold' && c.target?.seconds !== undefined) checks.push(`${seconds <= c.target.seconds ? 'ok' : 'MISS'} ≤ ${c.target.seconds} s`);
      const limit = night === 'changed' ? c.target?.changed : night === 'unchanged' ? c.target?.unchanged : undefined;
      if (limit !== undefined) checks.push(`${perService <= limit ? 'ok' : 'MISS'} ≤ ${limit}/service`);
      if (checks.some((x) => x.startsWith('MISS'))) failed = true;
      console.log(
        [c.label, night, requests, perService.toFixed(2), server.log.filter((l) => l.status === 304).length, server.log.filter((l) => l.operation === 'graphql').length, evidence.gaps.length, seconds.toFixed(1), checks.join(', ') || '-'].join(' | '),
      );
      if (byOperation) {
        const counts = new Map<string, number>();
        for (const l of server.log) counts.set(`${l.operation} ${l.status}`, (counts.get(`${l.operation} ${l.status}`) ?? 0) + 1);
        for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`    ${n} ${key}`);
      }
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
if (!only || only === 'gitops') await benchGitOpsRepo();
if (failed) process.exitCode = 1;

/** The gitops source's `repo` mode at 500 services × 6 environments: one commit of 3,000 values files, then one more that changes one. */
async function benchGitOpsRepo(): Promise<void> {
  const services = Array.from({ length: 500 }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
  const files: Record<string, string> = {};
  for (const service of services) for (const [i, env] of SIX.entries()) files[`environments/${env}/${service}/values.yaml`] = `image:\n  repository: ghcr.io/acme/${service}\n  tag: "1.${i}.0"\nenv:\n  LOG_LEVEL: info\n  REPLICAS: 3\n`;
  const first = 'a'.repeat(40);
  const second = 'b'.repeat(40);
  const repo: ScenarioRepo = {
    owner: 'acme', name: 'gitops', id: 9000, defaultBranch: 'main', branches: { main: first },
    commits: [{ sha: first, parents: [], date: '2026-03-01T10:00:00Z', message: 'all services', files, author: { name: 'Alice', email: 'alice@example.test' } }],
    deployments: [], environments: [], runs: [], pulls: [], releases: [], tags: [],
  };
  const server = await startGitHubServer({ repos: [repo] }, { latencyMs: latency });
  const ledgerEnvs = SIX.map((e) => (e === 'production' ? 'prod' : e));
  const config = configSchema.parse({
    name: 'Bench',
    environments: ledgerEnvs.map((name) => ({ name, production: name === 'prod' })),
    sources: {
      github: { type: 'github', baseUrl: server.baseUrl, concurrency: 16, maxRequests: 100_000 },
      declared: { type: 'gitops', repo: 'acme/gitops', github: 'github', environments: { prod: 'production' }, configFiles: ['environments/{environment}/{service}/values.yaml'] },
    },
    services: services.map((name) => ({ name, sources: ['declared'] })),
  });
  const ctx = {
    name: 'declared', settings: config.sources.declared as never, config, services: config.services, configDir: tmpdir(),
    now: new Date('2026-03-14T02:00:00Z'), env: { GITHUB_TOKEN: 'ghp_benchToken0000000000000000000000' }, fetch: globalThis.fetch, progress: () => {},
  };
  const collectGitOps = createGitOpsCollector();
  try {
    for (const night of ['first', 'one file changed'] as const) {
      if (night !== 'first') {
        repo.commits.push({ sha: second, parents: [first], date: '2026-03-02T10:00:00Z', message: 'svc-007 to 1.5.1', files: { 'environments/production/svc-007/values.yaml': files['environments/production/svc-007/values.yaml']!.replace('1.5.0', '1.5.1') }, author: { name: 'Bob', email: 'bob@example.test' } });
        repo.branches.main = second;
      }
      server.log.length = 0;
      const start = performance.now();
      const evidence = await collectGitOps(ctx);
      const seconds = (performance.now() - start) / 1000;
      const requests = server.log.length;
      console.log(['gitops repo mode, 500 services × 6 envs', night, requests, (requests / services.length).toFixed(2), '-', server.log.filter((l) => l.operation === 'graphql').length, evidence.gaps.length, seconds.toFixed(1), `${evidence.declared.length} declared, ${evidence.configs.length} configs`].join(' | '));
    }
  } finally {
    await server.close();
  }
}
