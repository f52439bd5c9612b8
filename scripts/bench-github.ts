/**
 * Benchmark of the GitHub source against the local GitHub-compatible server
 * with injected latency: requests per service and wall time for a cold night
 * (empty cache), an unchanged night and a changed night (every repository
 * merged a pull request and deployed it to one environment).
 *
 *   npx tsx scripts/bench-github.ts [--latency 100] [--only small|large] [--with-variables]
 *
 * The 500 × 6 target case reads no environment variables (`variables: false`):
 * GitHub has no batched endpoint for them, so they cost two requests per
 * repository and environment (304s on an unchanged night). `--with-variables`
 * measures that configuration too.
 *
 * Targets (issue 5): 15 × 4 in ≤ 5 s; 500 × 6 at ≤ 3 requests per service
 * changed, ≤ 1.2 unchanged, ≤ 60 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitHubCollector } from '../collectors/github.ts';
import { configSchema, type GitHubSourceConfig, type SourceContext } from '../src/model/index.ts';
import { advanceNight, buildOrg } from '../tests/fixtures/github/org.ts';
import { startGitHubServer } from '../tests/helpers/github-server.ts';

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

const SIX = ['dev', 'qa', 'staging', 'perf', 'preprod', 'production'];
const FOUR = ['dev', 'qa', 'staging', 'production'];
const cases: Case[] = [
  { label: '15 repos × 4 envs', repos: 15, environments: FOUR, variables: true, concurrency: 8, target: { seconds: 5 } },
  { label: '500 services × 6 envs', repos: 500, environments: SIX, variables: false, concurrency: 16, target: { seconds: 60, changed: 3, unchanged: 1.2 } },
  ...(args.includes('--with-variables') ? [{ label: '500 services × 6 envs, variables on', repos: 500, environments: SIX, variables: true, concurrency: 32 }] : []),
].filter((c) => !only || (only === 'small' ? c.repos < 100 : c.repos >= 100));

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
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
if (failed) process.exitCode = 1;
